// A crash in the middle of an upload leaves nothing behind: the server is
// killed (SIGKILL, no chance to clean up) while a 3 MB upload onto a ticket is
// half sent; after a restart on the same data directory and database the
// ticket lists no file, the files table has no row, and <data_dir>/files holds
// no bytes at all (no partial file, no staged leftover). As a control, the
// very same request sent in full to the restarted server is stored: listed on
// the ticket, one row, its exact bytes on disk and downloadable. So the first
// half can only pass because the crash lost the upload, not because the
// request was wrong.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, newPage } from '../lib/browser.mjs';
import { createCompany, staffLogin, submit, unique, visit } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

/** The upload: a valid PDF of 3 MB (the default limit is 10 MiB). */
const UPLOAD_BYTES = 3 * 1024 * 1024;
const FILENAME = 'site-survey.pdf';
const CHUNK = 64 * 1024;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** `size` bytes that the app accepts as a PDF: header, comment padding, %%EOF. */
function pdfOf(size) {
  const head = Buffer.from('%PDF-1.7\n');
  const tail = Buffer.from('\n%%EOF\n');
  const line = Buffer.from('% courtyard e2e upload crash test padding ....................................\n');
  const body = Buffer.alloc(size - head.length - tail.length);
  for (let i = 0; i < body.length; i += line.length) line.copy(body, i, 0, Math.min(line.length, body.length - i));
  return Buffer.concat([head, body, tail]);
}

/**
 * A multipart upload to `server.url + urlPath` written by hand on a raw TCP
 * socket, so a test decides how much of the body ever leaves: `send(n)`
 * writes the body up to byte `n` (in chunks, `paceMs` apart) and resolves
 * when the kernel has taken it. `closed` resolves when the connection ends,
 * with everything the server answered (`''` if nothing).
 */
function openUpload({ url, urlPath, cookie, csrf, filename, content }) {
  const boundary = `----courtyard-e2e-${crypto.randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const u = new URL(url);
  const head =
    `POST ${urlPath} HTTP/1.1\r\n` +
    `Host: ${u.host}\r\n` +
    `Cookie: ${cookie}\r\n` +
    `Content-Type: multipart/form-data; boundary=${boundary}\r\n` +
    `Content-Length: ${body.length}\r\n` +
    'Connection: close\r\n\r\n';

  const socket = net.connect({ host: u.hostname, port: Number(u.port) });
  const chunks = [];
  let error = null;
  let ended = false;
  socket.on('data', (d) => chunks.push(d));
  socket.on('error', (e) => (error = e));
  const closed = new Promise((resolve) =>
    socket.on('close', () => {
      ended = true;
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), error });
    }),
  );
  const connected = new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const write = (buf) => new Promise((resolve, reject) => socket.write(buf, (e) => (e ? reject(e) : resolve())));
  let sent = -1; // -1: not even the request head yet

  return {
    socket,
    body,
    closed,
    /** What the server answered so far, and whether the connection has ended. */
    state: () => ({ answer: Buffer.concat(chunks).toString('latin1'), ended }),
    /** Bytes of the body written so far. */
    sent: () => Math.max(sent, 0),
    async send(n, { paceMs = 0 } = {}) {
      await connected;
      if (sent < 0) {
        await write(Buffer.from(head, 'latin1'));
        sent = 0;
      }
      const end = Math.min(n, body.length);
      while (sent < end) {
        const next = Math.min(sent + CHUNK, end);
        await write(body.subarray(sent, next));
        sent = next;
        if (paceMs && sent < end) await new Promise((r) => setTimeout(r, paceMs));
      }
    },
  };
}

/**
 * Bytes still queued on an IPv4 loopback connection, from /proc/net/tcp:
 * what `local` has not yet sent plus what `remote` has received but not yet
 * read. `null` where /proc/net/tcp is not there to read.
 */
function queuedOnLoopback(localPort, remotePort) {
  let table;
  try {
    table = fs.readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return null;
  }
  const hex = (p) => p.toString(16).toUpperCase().padStart(4, '0');
  let queued = 0;
  let found = 0;
  for (const row of table.split('\n').slice(1)) {
    const f = row.trim().split(/\s+/);
    if (f.length < 5) continue;
    const [, local, remote, , queues] = f;
    const [tx, rx] = queues.split(':').map((q) => parseInt(q, 16));
    if (local.endsWith(':' + hex(localPort)) && remote.endsWith(':' + hex(remotePort))) {
      queued += tx; // ours, not yet sent
      found++;
    } else if (local.endsWith(':' + hex(remotePort)) && remote.endsWith(':' + hex(localPort))) {
      queued += rx; // the server's, received but not read
      found++;
    }
  }
  return found === 2 ? queued : null;
}

/** Resolve once the server process has read every byte sent on `socket` (or after `timeoutMs`). */
async function serverHasRead(socket, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const q = queuedOnLoopback(socket.localPort, socket.remotePort);
    if (q === 0) return true;
    if (q === null) {
      // No /proc: give the server a moment to read what it was sent.
      await new Promise((r) => setTimeout(r, 300));
      return false;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every regular file under `dir` (recursively) as `{ path, size }`; [] if `dir` does not exist. */
function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: path.relative(dir, p), size: fs.statSync(p).size });
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** Rows in the `files` table, straight from the database (psql or sqlite3). */
function fileRowsInDatabase() {
  const sql = 'SELECT count(*) FROM files';
  const out =
    server.database === 'postgres'
      ? execFileSync('psql', [server.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-qtA', '-c', sql], { timeout: 30_000 })
      : execFileSync('sqlite3', ['-readonly', path.join(server.dataDir, 'courtyard.db'), sql], { timeout: 30_000 });
  return Number(String(out).trim());
}

/** The files listed in the `#files` section of a staff ticket page. */
async function listedFiles(page, ticketId) {
  await visit(page, `/staff/tickets/${ticketId}`);
  const section = page.locator('#files');
  assert.equal(await section.count(), 1, `the staff ticket page has a #files section`);
  return {
    text: (await section.innerText()).trim(),
    items: await section.locator('ul.files li').evaluateAll((lis) =>
      lis.map((li) => ({
        name: li.querySelector('a')?.innerText.trim() ?? '',
        href: li.querySelector('a')?.getAttribute('href') ?? '',
      })),
    ),
  };
}

/** A staff page logged in on the server as it is now (its URL may change on restart). */
async function staffSession() {
  const s = await newPage(browser, { server });
  await staffLogin(s.page, server);
  return s;
}

/** `Cookie` header value and CSRF token of a logged-in staff page, for a hand-made request. */
async function credentials(s, ticketId) {
  await visit(s.page, `/staff/tickets/${ticketId}`);
  const csrf = await s.page.locator(`form[action="/staff/tickets/${ticketId}/files"] input[name=csrf]`).inputValue();
  const cookies = await s.context.cookies(server.url);
  assert.ok(cookies.some((c) => c.name === 'cy_staff'), 'the staff session cookie is set');
  return { csrf, cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') };
}

test('killing the server mid-upload leaves no row and no partial file after restart', { timeout: 180_000 }, async (t) => {
  const content = pdfOf(UPLOAD_BYTES);
  const filesDir = path.join(server.dataDir, 'files');
  let staff = await staffSession();
  try {
    // A company and a ticket for it, through the staff pages.
    const tag = unique();
    const companyId = await createCompany(staff.page, { name: `Quayside Joinery ${tag}` });
    await visit(staff.page, '/staff/tickets/new');
    await staff.page.locator('#company_id').selectOption(companyId);
    await staff.page.locator('#subject').fill(`Survey drawings ${tag}`);
    await staff.page.locator('#message').fill('The survey drawings follow as a PDF.');
    await submit(staff.page, staff.page.getByRole('button', { name: 'Create' }));
    const m = new URL(staff.page.url()).pathname.match(/^\/staff\/tickets\/([0-9a-f-]+)$/);
    assert.ok(m, `after creating a ticket expected its page, got ${staff.page.url()}`);
    const ticketId = m[1];
    const urlPath = `/staff/tickets/${ticketId}/files`;
    assert.deepEqual((await listedFiles(staff.page, ticketId)).items, [], 'a new ticket has no files');
    assert.equal(fileRowsInDatabase(), 0, 'no file rows before the upload');

    // Half the upload, sent slowly; the server reads it and is then killed.
    const { csrf, cookie } = await credentials(staff, ticketId);
    const upload = openUpload({ url: server.url, urlPath, cookie, csrf, filename: FILENAME, content });
    const half = Math.floor(upload.body.length / 2);
    await upload.send(half, { paceMs: 10 });
    const readAll = await serverHasRead(upload.socket);
    if (!readAll) t.diagnostic('could not confirm from /proc/net/tcp that the server read the half body');
    const early = upload.state();
    assert.ok(
      early.answer === '' && !early.ended,
      `the server must still be reading the upload when it is killed, but it answered ${JSON.stringify(early.answer.split('\r\n')[0])}` +
        `${early.ended ? ' and closed the connection' : ''}\n--- server warnings and errors\n${server.problems()}`,
    );
    const pid = server.pid();
    const exit = await server.kill('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL', `the server (pid ${pid}) died of the SIGKILL, not otherwise: ${JSON.stringify(exit)}`);
    const { answer } = await upload.closed;
    assert.equal(answer, '', `the server answered nothing to the interrupted upload, got:\n${answer.slice(0, 500)}`);
    t.diagnostic(
      `killed pid ${pid} after ${upload.sent()} of ${upload.body.length} body bytes; ` +
        `on disk before the restart: ${JSON.stringify(filesUnder(filesDir))}`,
    );

    // Restart on the same data directory and database.
    await staff.context.close();
    const before = server.url;
    await server.restart();
    t.diagnostic(`restarted as pid ${server.pid()} on ${server.url}${server.url === before ? ' (same address)' : ` (was ${before})`}`);
    staff = await staffSession();

    // No orphan row: nothing listed on the ticket, nothing in the table.
    const afterCrash = await listedFiles(staff.page, ticketId);
    assert.deepEqual(afterCrash.items, [], `the ticket lists no file after the crash:\n${afterCrash.text}`);
    assert.match(afterCrash.text, /No files yet\./, 'the files section says there are none');
    assert.equal(fileRowsInDatabase(), 0, 'the files table has no row after the crash');

    // No partial bytes: nothing between 1 byte and the full size, no staged
    // file, in fact no file at all (the upload never completed).
    const onDisk = filesUnder(filesDir);
    const partial = onDisk.filter((f) => f.size > 0 && f.size < content.length);
    assert.deepEqual(partial, [], `no partial file under ${filesDir} after the restart`);
    const staged = onDisk.filter((f) => path.basename(f.path).includes('#'));
    assert.deepEqual(staged, [], `no staged upload left under ${filesDir} after the restart's sweep`);
    assert.deepEqual(onDisk, [], `no bytes at all under ${filesDir} after the restart`);

    // Control: the same request, sent in full to the restarted server, is stored.
    const again = await credentials(staff, ticketId);
    const control = openUpload({ url: server.url, urlPath, cookie: again.cookie, csrf: again.csrf, filename: FILENAME, content });
    await control.send(control.body.length);
    const res = await control.closed;
    const [statusLine, ...headerLines] = res.answer.split('\r\n\r\n')[0].split('\r\n');
    assert.match(
      statusLine ?? '',
      /^HTTP\/1\.1 303 /,
      `the complete upload is accepted with a redirect, got:\n${res.answer.slice(0, 1500)}\n--- server warnings and errors\n${server.problems()}`,
    );
    const location = headerLines.find((h) => /^location:/i.test(h))?.replace(/^location:\s*/i, '');
    assert.equal(location, `/staff/tickets/${ticketId}?done=uploaded#files`, 'the upload redirects back to the ticket');

    const listed = await listedFiles(staff.page, ticketId);
    assert.deepEqual(listed.items.map((f) => f.name), [FILENAME], `the ticket lists the complete upload:\n${listed.text}`);
    assert.match(listed.text, /3\.0 MB/, 'with its size');
    assert.equal(fileRowsInDatabase(), 1, 'one row for the complete upload');
    const stored = filesUnder(filesDir);
    assert.equal(stored.length, 1, `one stored file for the complete upload: ${JSON.stringify(stored)}`);
    assert.equal(stored[0].size, content.length, 'the stored file has every byte');
    assert.ok(fs.readFileSync(path.join(filesDir, stored[0].path)).equals(content), 'the stored bytes are the uploaded ones');
    const download = await staff.context.request.get(listed.items[0].href);
    assert.equal(download.status(), 200, `GET ${listed.items[0].href}`);
    assert.ok((await download.body()).equals(content), 'the download gives back the uploaded bytes');

    assert.deepEqual(staff.page.problems, [], 'no console errors');
  } finally {
    await staff.context.close();
  }
});
