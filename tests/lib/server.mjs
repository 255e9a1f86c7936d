// Starts the real cordee binary for API and browser tests, on SQLite or on the throw-away
// PostgreSQL cluster that scripts/test starts (CORDEE_TEST_PG_URL), and gives small helpers
// (TOTP, outbox, login) so that each test reads like what a user does.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binary = process.env.CORDEE_BIN || join(repoRoot, 'build', 'cordee');
export const backend = process.env.CORDEE_TEST_BACKEND || 'sqlite';

// A fresh database for one server: a temp SQLite dir, or a new database in the test cluster.
export function freshDatabase() {
  const dataDir = mkdtempSync(join(tmpdir(), 'cordee-test-'));
  if (backend !== 'postgres') return { dataDir, databaseUrl: null };
  const base = process.env.CORDEE_TEST_PG_URL;
  if (!base) throw new Error('CORDEE_TEST_PG_URL is not set: scripts/test starts the PostgreSQL cluster');
  const name = 't_' + randomBytes(6).toString('hex');
  const u = new URL(base);
  execFileSync('psql', ['-h', u.hostname, '-p', u.port, '-U', u.username || 'postgres', '-d', 'postgres',
    '-q', '-c', `CREATE DATABASE ${name}`]);
  u.pathname = '/' + name;
  return { dataDir, databaseUrl: u.toString() };
}

export function runCli(args, db) {
  const full = [...args, '--data', db.dataDir];
  if (db.databaseUrl) full.push('--database', db.databaseUrl);
  return execFileSync(binary, full, { encoding: 'utf8' });
}

// Servers still running when the test process ends (a test that failed before its clean-up) are killed.
const children = new Set();
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });

// Starts `cordee serve` on a free port and resolves once it logs its URL.
// `webRoot` (optional) replaces web/dist, e.g. a temp dir holding a freshly made openapi.json.
// `launcher` (optional) is a command the binary is run through (it must exec it, so that the child is the server),
// e.g. one that first puts it in a network namespace of its own; `databaseUrl` replaces the database's URL.
export async function startServer({ db = freshDatabase(), env = {}, args = [], webRoot = join(repoRoot, 'web', 'dist'),
  launcher = [], databaseUrl = db.databaseUrl } = {}) {
  const full = ['serve', '--data', db.dataDir, '--port', '0', '--web-root', webRoot, ...args];
  if (databaseUrl) full.push('--database', databaseUrl);
  const [command, ...before] = [...launcher, binary];
  const child = spawn(command, [...before, ...full], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('server did not start:\n' + log)), 20000);
    const onData = (chunk) => {
      log += chunk;
      const m = log.match(/"msg":"listening"[^\n]*"url":"([^"]+)"/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}:\n${log}`)); });
  });
  const exited = new Promise((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
  return {
    url, db, child, exited, log: () => log,
    async stop() { if (child.exitCode === null) { child.kill('SIGTERM'); } return exited; },
    async kill() { if (child.exitCode === null) { child.kill('SIGKILL'); } return exited; },
  };
}

// A server on a fresh database holding the demo territory (cordee demo), the usual start of a suite.
export async function startDemoServer(options = {}) {
  const db = freshDatabase();
  runCli(['demo'], db);
  return startServer({ ...options, db });
}

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s), the same as authenticator apps.
export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0; const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c); bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}
export function totp(secret, atMs = Date.now(), stepOffset = 0) {
  const step = Math.floor(atMs / 30000) + stepOffset;
  const msg = Buffer.alloc(8); msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const o = h[h.length - 1] & 15;
  const n = ((h.readUInt32BE(o) & 0x7fffffff) % 1000000);
  return String(n).padStart(6, '0');
}

// Emails written to DATA/outbox (*.eml), oldest first.
export function outbox(db) {
  const dir = join(db.dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}
export async function waitForMail(db, predicate, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = outbox(db).find(predicate);
    if (found) return found;
    if (Date.now() > end) throw new Error('no matching email in the outbox');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function api(server, method, path, { body, token, headers = {} } = {}) {
  const h = { ...headers };
  if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
  if (token) h.authorization = 'Bearer ' + token;
  const res = await fetch(server.url + path, {
    method, headers: h, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text };
}

// Password + TOTP login for an API client; returns the bearer token. A TOTP step can be used once
// per account, so a second login in the same 30 s uses the next step, then waits for a new one.
export async function login(server, email, password, secret) {
  for (let attempt = 0; attempt < 4; attempt++) {
    const first = await api(server, 'POST', '/api/v1/auth/login', { body: { email, password } });
    if (first.status !== 200) throw new Error(`login ${email}: ${first.status} ${first.text}`);
    const second = await api(server, 'POST', '/api/v1/auth/totp', {
      body: { code: totp(secret, Date.now(), attempt % 2) }, token: first.json.pending_token,
    });
    if (second.status === 200) return second.json.token;
    if (second.json?.type !== 'urn:cordee:problem:code-already-used') {
      throw new Error(`totp ${email}: ${second.status} ${second.text}`);
    }
    if (attempt % 2 === 1) await new Promise((r) => setTimeout(r, 30000 - (Date.now() % 30000) + 100));
  }
  throw new Error(`totp ${email}: every code was already used`);
}

export function demoAccounts(db) {
  return JSON.parse(readFileSync(join(db.dataDir, 'demo-accounts.json'), 'utf8'));
}
