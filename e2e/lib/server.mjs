// Start a throw-away Courtyard server for one test file.
//
// Every server gets its own temporary data directory (SQLite database, mail
// folder) or, with COURTYARD_E2E_DATABASE=postgres, its own fresh PostgreSQL
// database created from COURTYARD_TEST_POSTGRES_URL. `stop()` removes both.
// `kill()` and `restart()` let a test crash the server and start it again on
// the same data directory and database.

import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

export const STAFF = Object.freeze({
  email: 'owner@e2e.example',
  name: 'Olive Owner',
  password: 'staff-pass-e2e-1234',
});

export const BUSINESS_NAME = 'Harbour Studio';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

function binaryPath() {
  return process.env.COURTYARD_BIN || path.join(repoRoot, 'target', 'debug', 'courtyard');
}

/** The binary may be rebuilt while tests run: wait a little for it to reappear. */
async function waitForBinary(bin, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.accessSync(bin, fs.constants.X_OK);
      return;
    } catch (e) {
      if (Date.now() > deadline) {
        throw new Error(`Courtyard binary not found or not executable at ${bin} (set COURTYARD_BIN)`);
      }
      await sleep(1000);
    }
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The environment for child processes: ours, minus every COURTYARD_* variable
 * (the app reads all of them as configuration and refuses unknown keys, so
 * e.g. COURTYARD_E2E_DATABASE or COURTYARD_BIN must not reach it), plus the
 * ones this server needs.
 */
function childEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('COURTYARD_')) env[k] = v;
  }
  return { ...env, ...extra };
}

function databaseKind() {
  const kind = (process.env.COURTYARD_E2E_DATABASE || 'sqlite').toLowerCase();
  if (kind !== 'sqlite' && kind !== 'postgres') {
    throw new Error(`COURTYARD_E2E_DATABASE must be sqlite or postgres, not ${JSON.stringify(kind)}`);
  }
  return kind;
}

/** `base` with its database name replaced by `name`. */
function withDatabase(base, name) {
  const u = new URL(base);
  u.pathname = '/' + name;
  return u.toString();
}

function psql(url, sql) {
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
}

function runChild(bin, args, env, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve({ stdout: out, stderr: err });
      else
        reject(
          new Error(
            `${path.basename(bin)} ${args.join(' ')} exited with ${code ?? signal}\n--- stdout\n${out}\n--- stderr\n${err}`,
          ),
        );
    });
    child.stdin.end(input ?? '');
  });
}

/**
 * Run `courtyard serve --listen <listen>`. Returns the child at once, with
 * `child.exited` (resolves to `{ code, signal }`) and `child.ready` (resolves
 * to the URL it listens on, rejects if it exits or stays silent first).
 * Everything it prints on stderr is also appended to `log.stderr`.
 */
function spawnServe(bin, env, listen, log) {
  const child = spawn(bin, ['serve', '--listen', listen], {
    env: childEnv({ COURTYARD_LOG: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr += d;
    log.stderr += d;
    if (process.env.COURTYARD_E2E_SERVER_LOG) process.stderr.write(d);
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.exited = exited;

  child.ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not report its address within ${START_TIMEOUT_MS / 1000} s\n--- stdout\n${stdout}\n--- stderr\n${stderr}`)),
      START_TIMEOUT_MS,
    );
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/Courtyard listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    });
  });
  // Nobody may be waiting any more when a running server exits: not unhandled.
  child.ready.catch(() => {});
  return child;
}

function running(child) {
  return child && child.exitCode === null && child.signalCode === null;
}

/**
 * Start a server. Resolves to
 * `{ url, dataDir, databaseUrl, staff: {email, password}, mailDir, stop(), kill(), restart() }`.
 */
export async function startServer(options = {}) {
  const kind = databaseKind();
  const bin = binaryPath();
  await waitForBinary(bin);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtyard-e2e-'));
  const mailDir = path.join(dataDir, 'mail');
  let databaseUrl = null;
  let adminUrl = null;
  let dbName = null;
  let child = null;
  let stopped = false;
  const log = { stderr: '' };

  // Configuration for every child process (the app reads COURTYARD_* variables).
  const env = {
    COURTYARD_DATA_DIR: dataDir,
    COURTYARD_BUSINESS_NAME: BUSINESS_NAME,
    ...(options.env || {}),
  };

  const cleanupStorage = () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (dbName) {
      try {
        psql(adminUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      } catch (e) {
        console.error(`could not drop database ${dbName}: ${e.stderr || e.message}`);
      }
      dbName = null;
    }
  };

  try {
    if (kind === 'postgres') {
      adminUrl = process.env.COURTYARD_TEST_POSTGRES_URL;
      if (!adminUrl) {
        throw new Error('COURTYARD_E2E_DATABASE=postgres needs COURTYARD_TEST_POSTGRES_URL, e.g. postgres://postgres@127.0.0.1:5432/test');
      }
      dbName = `cy_e2e_${crypto.randomBytes(6).toString('hex')}`;
      psql(adminUrl, `CREATE DATABASE "${dbName}"`);
      databaseUrl = withDatabase(adminUrl, dbName);
      env.COURTYARD_DATABASE_URL = databaseUrl;
    }

    await runChild(
      bin,
      ['admin', 'create-staff', '--email', STAFF.email, '--name', STAFF.name, '--password-stdin'],
      childEnv(env),
      STAFF.password + '\n',
    );

    child = spawnServe(bin, env, '127.0.0.1:0', log);
    const url = await child.ready;

    const server = {
      url,
      dataDir,
      mailDir,
      databaseUrl,
      database: kind,
      staff: { email: STAFF.email, password: STAFF.password, name: STAFF.name },
      /** What the server printed on stderr so far (every run, after restarts). */
      stderr: () => log.stderr,
      /** The server's warning and error lines so far (for failure messages). */
      problems: () =>
        log.stderr
          .split('\n')
          // eslint-disable-next-line no-control-regex
          .map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''))
          .filter((l) => /\b(WARN|ERROR)\b/.test(l))
          .join('\n'),
      async stop() {
        if (stopped) return;
        stopped = true;
        if (running(child)) {
          const c = child;
          c.kill('SIGTERM');
          const t = setTimeout(() => c.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await c.exited;
          clearTimeout(t);
        }
        cleanupStorage();
      },
      /** The process id of the running server (changes on restart). */
      pid: () => child.pid,
      /**
       * Crash the server: send `signal` (SIGKILL unless told) and wait for the
       * process to end. The data directory and database are kept (for
       * `restart()`; `stop()` still removes them). Resolves to `{ code, signal }`.
       */
      async kill(signal = 'SIGKILL') {
        if (running(child)) child.kill(signal);
        return child.exited;
      },
      /**
       * Start `courtyard serve` again on the same data directory and database,
       * after `kill()`. It listens on the same address when it can (so
       * `server.url` and pages opened on it stay valid), else on a free port:
       * `server.url` is updated either way. Resolves to the server.
       */
      async restart() {
        if (stopped) throw new Error('restart() after stop(): the data directory is gone');
        if (running(child)) throw new Error('restart() while the server runs: kill() it first');
        const previous = new URL(server.url).host;
        child = spawnServe(bin, env, previous, log);
        let next;
        try {
          next = await child.ready;
        } catch (e) {
          if (running(child)) {
            child.kill('SIGKILL');
            await child.exited;
          }
          // Someone took the port meanwhile: any free one will do.
          if (!/listen on/.test(e.message)) throw e;
          child = spawnServe(bin, env, '127.0.0.1:0', log);
          next = await child.ready;
        }
        server.url = next;
        return server;
      },
    };
    return server;
  } catch (e) {
    if (running(child)) {
      child.kill('SIGKILL');
      await child.exited;
    }
    cleanupStorage();
    throw e;
  }
}
