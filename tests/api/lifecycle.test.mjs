// The server's life: native TLS with HSTS, graceful drain on SIGTERM (requests in flight finish, the
// process exits 0), readiness, and the static web app with its cache rules and SPA fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import net from 'node:net';
import { startServer, freshDatabase, runCli, api, demoAccounts } from '../lib/server.mjs';

function httpsGet(url, path) {
  return new Promise((ok, fail) => {
    const req = https.request(url + path, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('native TLS serves HTTPS with HSTS', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordee-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const server = await startServer({ args: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')] });
  try {
    assert.match(server.url, /^https:/);
    const res = await httpsGet(server.url, '/api/v1/structures?q=reims');
    assert.equal(res.status, 200);
    assert.match(res.headers['strict-transport-security'] || '', /max-age=\d+/);
    const missing = await httpsGet(server.url, '/api/v1/absent');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-type'], 'application/problem+json');
  } finally {
    await server.stop();
  }
});

test('SIGTERM lets a request in flight finish, then the server exits 0', async () => {
  const db = freshDatabase();
  runCli(['demo'], db);
  const server = await startServer({ db });
  const [acct] = demoAccounts(db);
  // A login hashes a password (tens of milliseconds): SIGTERM arrives while it runs.
  const inFlight = api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: acct.password } });
  await new Promise((r) => setTimeout(r, 15));
  server.child.kill('SIGTERM');
  const res = await inFlight;
  assert.equal(res.status, 200, res.text);
  const exit = await server.exited;
  assert.equal(exit.code, 0, server.log());
  assert.match(server.log(), /"msg":"draining"/);
  assert.match(server.log(), /"msg":"stopped"/);
  // Nothing was lost: the database opens again and the audit chain is intact.
  const out = runCli(['audit', 'verify'], db);
  assert.match(out, /intact/);
});

test('the web app is served with cache rules and an SPA fallback; unknown files are 404', async () => {
  const server = await startServer();
  try {
    const page = await api(server, 'GET', '/connexion');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.text, /<html[^>]*lang="fr"/);
    const asset = page.text.match(/\/assets\/[^"']+\.js/);
    assert.ok(asset, 'index.html references a hashed script');
    const js = await api(server, 'GET', asset[0]);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control'), /immutable/);
    assert.equal((await api(server, 'GET', '/assets/nope.js')).status, 404);
    const ready = await api(server, 'GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.json.pending_migrations, 0);
  } finally {
    await server.stop();
  }
});

// A raw keep-alive connection: one GET answered, then the socket stays open and idle.
function idleKeepAlive(url) {
  const { hostname, port } = new URL(url);
  return new Promise((ok, fail) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`GET /livez HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`);
    });
    let text = '';
    const closed = new Promise((r) => socket.on('close', () => r(Date.now())));
    socket.on('data', (c) => { text += c; if (/\r\n\r\n/.test(text)) ok({ socket, closed, first: text }); });
    socket.on('error', fail);
  });
}

test('SIGTERM closes idle keep-alive connections at once instead of waiting for the drain time', async () => {
  const server = await startServer();
  const idle = await idleKeepAlive(server.url);
  assert.match(idle.first, /^HTTP\/1\.1 200/);
  assert.doesNotMatch(idle.first, /connection: close/i);
  const start = Date.now();
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  assert.equal(exit.code, 0, server.log());
  assert.ok(Date.now() - start < 1500, `exited after ${Date.now() - start} ms`);
  assert.ok((await idle.closed) - start < 1500);
  assert.doesNotMatch(server.log(), /drain time is up/);
});

test('a connection opened just before SIGTERM still gets its first request answered, with Connection: close', async () => {
  const server = await startServer();
  const { hostname, port } = new URL(server.url);
  const socket = net.connect(Number(port), hostname);
  await new Promise((r, f) => { socket.on('connect', r); socket.on('error', f); });
  let text = '';
  socket.on('data', (c) => { text += c; });
  const closed = new Promise((r) => socket.on('close', r));
  await new Promise((r) => setTimeout(r, 200));  // accepted by the server, nothing sent yet
  server.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));  // the client was slow to send
  socket.write(`GET /livez HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  await closed;
  assert.match(text, /^HTTP\/1\.1 200/);
  assert.match(text, /connection: close/i);
  assert.equal((await server.exited).code, 0, server.log());
});
