// Read the mail Courtyard's file transport writes: one RFC 5322 message per
// `.eml` file in `<data_dir>/mail`, usually multipart/alternative with a text
// and an HTML part, each quoted-printable or base64 encoded.

import fs from 'node:fs';
import path from 'node:path';

/** Files already returned by waitForMail, per mail directory. */
const consumed = new Map();

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Split a message (or a MIME part) into unfolded headers and its body. */
function splitHeaders(raw) {
  const m = raw.match(/\r?\n\r?\n/);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = {};
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] ? `${headers[name]}, ${value}` : value;
  }
  return { headers, body };
}

/** A header parameter such as `boundary` or `charset`. */
function param(headerValue, name) {
  if (!headerValue) return undefined;
  const re = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i');
  const m = headerValue.match(re);
  return m ? (m[1] ?? m[2]) : undefined;
}

function charsetOf(contentType) {
  const cs = (param(contentType, 'charset') || 'utf-8').toLowerCase();
  return cs === 'us-ascii' ? 'utf-8' : cs;
}

/** Quoted-printable to bytes: soft line breaks (`=` at end of line) vanish, `=XX` are bytes. */
export function decodeQuotedPrintable(s) {
  const joined = s.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(body, encoding, charset) {
  const enc = (encoding || '7bit').toLowerCase();
  let buf;
  if (enc === 'quoted-printable') buf = decodeQuotedPrintable(body);
  else if (enc === 'base64') buf = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else buf = Buffer.from(body, 'utf8');
  try {
    return new TextDecoder(charset).decode(buf);
  } catch {
    return buf.toString('utf8');
  }
}

/** RFC 2047 encoded words in headers, e.g. `=?utf-8?b?...?=`. */
export function decodeHeader(value) {
  if (!value) return '';
  return value
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset, enc, text) => {
      const buf =
        enc.toLowerCase() === 'b'
          ? Buffer.from(text, 'base64')
          : decodeQuotedPrintable(text.replace(/_/g, ' '));
      try {
        return new TextDecoder(charset.toLowerCase()).decode(buf);
      } catch {
        return buf.toString('utf8');
      }
    });
}

/** Collect the leaf parts of a MIME entity. Returns null when the message looks incomplete. */
function leafParts(raw, out = []) {
  const { headers, body } = splitHeaders(raw);
  const ct = headers['content-type'] || 'text/plain; charset=utf-8';
  if (/^multipart\//i.test(ct)) {
    const boundary = param(ct, 'boundary');
    if (!boundary) return null;
    const delim = `--${boundary}`;
    if (!body.includes(`${delim}--`)) return null; // still being written
    const sections = body.split(delim);
    // sections[0] is the preamble, the last one starts with "--" (epilogue)
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      const part = section.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
      if (leafParts(part, out) === null) return null;
    }
    return out;
  }
  out.push({
    type: ct.split(';')[0].trim().toLowerCase(),
    text: decodeBody(body, headers['content-transfer-encoding'], charsetOf(ct)),
  });
  return out;
}

/** Parse one `.eml` file's text. Returns null when it is not complete yet. */
export function parseMessage(raw) {
  const { headers } = splitHeaders(raw);
  const parts = leafParts(raw);
  if (parts === null) return null;
  const textPart = parts.find((p) => p.type === 'text/plain');
  const htmlPart = parts.find((p) => p.type === 'text/html');
  const text = textPart ? textPart.text : '';
  const html = htmlPart ? htmlPart.text : '';
  const links = [...new Set(text.match(/https?:\/\/[^\s<>"')]+/g) || [])];
  return {
    subject: decodeHeader(headers.subject),
    to: decodeHeader(headers.to),
    from: decodeHeader(headers.from),
    date: headers.date,
    text,
    html,
    links,
  };
}

function listMessages(mailDir) {
  let names;
  try {
    names = fs.readdirSync(mailDir);
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => n.endsWith('.eml'))
    .map((n) => {
      const file = path.join(mailDir, n);
      try {
        return { file, mtimeMs: fs.statSync(file).mtimeMs };
      } catch {
        return null;
      }
    })
    .filter(Boolean)
    .sort((a, b) => b.mtimeMs - a.mtimeMs || (a.file < b.file ? 1 : -1));
}

/**
 * Wait for a message to `to` whose subject includes `subjectIncludes`, written
 * at or after `after` (a Date or epoch milliseconds) if given. Returns the
 * newest such message not returned before: `{subject, to, from, text, html,
 * links, file}`.
 */
export async function waitForMail(mailDir, { to, subjectIncludes, after, timeoutMs = 15_000 } = {}) {
  const seen = consumed.get(mailDir) ?? new Set();
  consumed.set(mailDir, seen);
  const afterMs = after == null ? null : after instanceof Date ? after.getTime() : Number(after);
  const deadline = Date.now() + timeoutMs;
  const wantTo = to ? to.toLowerCase() : null;
  let lastSeen = [];
  for (;;) {
    lastSeen = [];
    for (const { file, mtimeMs } of listMessages(mailDir)) {
      if (seen.has(file)) continue;
      // File times may be coarser than Date.now(): allow a little slack.
      if (afterMs !== null && mtimeMs < afterMs - 1000) continue;
      let raw;
      try {
        raw = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      const msg = parseMessage(raw);
      if (!msg) continue;
      lastSeen.push(`${msg.to} | ${msg.subject}`);
      if (wantTo && !msg.to.toLowerCase().includes(wantTo)) continue;
      if (subjectIncludes && !msg.subject.includes(subjectIncludes)) continue;
      seen.add(file);
      return { ...msg, file };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no email to ${to ?? 'anyone'} with a subject including ${JSON.stringify(subjectIncludes ?? '')} ` +
          `arrived in ${mailDir} within ${timeoutMs / 1000} s. Unconsumed messages: ` +
          (lastSeen.length ? lastSeen.join('; ') : 'none'),
      );
    }
    await sleep(150);
  }
}

/** Every message in the directory, newest first (for debugging and negative checks). */
export function allMail(mailDir) {
  return listMessages(mailDir)
    .map(({ file }) => {
      const msg = parseMessage(fs.readFileSync(file, 'utf8'));
      return msg && { ...msg, file };
    })
    .filter(Boolean);
}
