// /metrics is not public: it answers a request straight from this machine (loopback peer, not relayed by a proxy)
// or one bearing the `metrics_token` setting as Bearer; anyone else gets 404, as for an address that does not exist.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, freshDatabase, api } from '../lib/server.mjs';
import { assertProblem } from '../lib/flows.mjs';

const TOKEN = 'jeton-des-metriques-0123456789';
// "Another machine" without depending on this one's interfaces: the server runs in a network namespace of its own
// (unshare, as root like the other tests that mount or kill), whose loopback interface also holds 198.51.100.7
// (TEST-NET-2, outside 127.0.0.0/8). A request sent there from inside the namespace reaches the server with that
// address as its TCP peer — the peer check itself, with no forwarding header involved. The namespace goes with the
// server; this machine's own network is left as it is.
const OTHER = '198.51.100.7';
const inNamespace = ['unshare', '--net', '--', 'sh', '-c',
  `ip link set lo up && ip addr add ${OTHER}/32 dev lo && exec "$0" "$@"`];

// The server in its namespace cannot reach the test cluster on 127.0.0.1: it goes through the cluster's Unix
// socket (a file, the same in every network namespace).
function databaseUrlThroughSocket(db) {
  if (!db.databaseUrl) return null;
  const u = new URL(db.databaseUrl);
  const dir = execFileSync('psql', [db.databaseUrl, '-Atc', 'SHOW unix_socket_directories'], { encoding: 'utf8' }).split(',')[0].trim();
  assert.ok(dir.startsWith('/'), `the cluster has a Unix socket directory: ${dir}`);
  return `postgresql://${u.username || 'postgres'}@/${u.pathname.slice(1)}?host=${encodeURIComponent(dir)}&port=${u.port}`;
}

// One HTTP request made from inside the server's namespace (nsenter), answered as api() answers.
const run = promisify(execFile);
const CLIENT = `const [url, headers] = process.argv.slice(1);
const r = await fetch(url, { headers: JSON.parse(headers) });
console.log(JSON.stringify({ status: r.status, headers: [...r.headers], text: await r.text() }));`;
async function requestInside(server, host, path, { token, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = 'Bearer ' + token;
  const url = `http://${host}:${new URL(server.url).port}${path}`;
  const { stdout } = await run('nsenter', ['--target', String(server.child.pid), '--net', '--',
    process.execPath, '--input-type=module', '-e', CLIENT, url, JSON.stringify(h)]);
  const r = JSON.parse(stdout);
  let json = null;
  try { json = JSON.parse(r.text); } catch { /* not JSON */ }
  return { status: r.status, headers: new Headers(r.headers), text: r.text, json };
}

describe('default settings (listening on 127.0.0.1)', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('from this machine: 200', async () => {
    const res = await api(server, 'GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.text, /cordee_http_requests_total/);
  });

  test('relayed by a proxy (X-Forwarded-For, Forwarded, X-Real-IP): 404, even from the loopback', async () => {
    for (const [name, value] of [['x-forwarded-for', '203.0.113.5'], ['forwarded', 'for=203.0.113.5'], ['x-real-ip', '203.0.113.5']]) {
      const res = await api(server, 'GET', '/metrics', { headers: { [name]: value } });
      assertProblem(res, 404, 'not-found', name);
      assert.doesNotMatch(res.text, /cordee_http/, 'nothing of the metrics');
    }
  });
});

describe(`metrics_token set, trusted_proxies = 127.0.0.1, listening on every address, seen from ${OTHER}`, () => {
  let server;
  before(async () => {
    const db = freshDatabase();
    server = await startServer({ db, databaseUrl: databaseUrlThroughSocket(db), launcher: inNamespace,
      args: ['--listen', '0.0.0.0', '--metrics-token', TOKEN, '--trusted-proxies', '127.0.0.1'] });
  });
  after(async () => { await server?.stop(); });

  test(`the requests really come from ${OTHER}: the access log records it as the client's address`, async () => {
    // Without this, a 404 below could come from anything; here the server itself says who was connected.
    const id = 'ns-' + Date.now();
    assert.equal((await requestInside(server, OTHER, '/livez', { headers: { 'x-request-id': id } })).status, 200);
    const logged = async () => {
      for (let i = 0; i < 100; i++) {
        const line = server.log().split('\n').find((l) => l.includes(`"request_id":"${id}"`));
        if (line) return JSON.parse(line);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail(`no access-log line for ${id}`);
    };
    assert.equal((await logged()).ip, OTHER);
  });

  test('from another machine\'s point of view: 404 without the token or with a wrong one, 200 with it', async () => {
    assertProblem(await requestInside(server, OTHER, '/metrics'), 404, 'not-found', 'no token');
    assertProblem(await requestInside(server, OTHER, '/metrics', { headers: { authorization: 'Bearer ' + TOKEN + 'x' } }), 404, 'not-found', 'wrong token');
    assertProblem(await requestInside(server, OTHER, '/metrics', { token: 'x' }), 404, 'not-found', 'another token');
    const ok = await requestInside(server, OTHER, '/metrics', { token: TOKEN });
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.text, /cordee_http_requests_total/);
    assert.equal((await requestInside(server, OTHER, '/livez')).status, 200, 'the rest is served as usual');
  });

  test('a forwarding header never makes a client local: not written by the client itself, nor by a trusted proxy', async () => {
    // A client that is no proxy of ours names the loopback as the one it forwards for.
    for (const [name, value] of [['x-forwarded-for', '127.0.0.1'], ['forwarded', 'for=127.0.0.1'], ['x-real-ip', '127.0.0.1']]) {
      assertProblem(await requestInside(server, OTHER, '/metrics', { headers: { [name]: value } }), 404, 'not-found', `${name} from ${OTHER}`);
    }
    // The trusted proxy (on the loopback) relays a client from elsewhere: that client is external.
    assertProblem(await requestInside(server, '127.0.0.1', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.5' } }),
      404, 'not-found', 'relayed by the trusted proxy');
  });

  test('with the token, even relayed; from the loopback, without it', async () => {
    assert.equal((await requestInside(server, '127.0.0.1', '/metrics', { token: TOKEN, headers: { 'x-forwarded-for': '203.0.113.5' } })).status, 200);
    const local = await requestInside(server, '127.0.0.1', '/metrics');
    assert.equal(local.status, 200, local.text);
    assert.match(local.text, /cordee_http_requests_total/);
  });
});
