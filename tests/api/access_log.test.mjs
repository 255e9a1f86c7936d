// The access log is on by default: one JSON line per request on stdout, written by the log's own thread (the
// network threads only append to a buffer). A clean stop (SIGTERM) loses no line of the requests answered before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/server.mjs';

const REQUESTS = 3000;
const IN_FLIGHT = 32;

test(`every one of ${REQUESTS} answered requests is in the access log after SIGTERM, one whole JSON line each`, async () => {
  const server = await startServer();
  let next = 0;
  const ids = new Set();
  async function worker() {
    while (next < REQUESTS) {
      const id = `log-${next++}`;
      const res = await api(server, 'GET', '/livez', { headers: { 'x-request-id': id } });
      assert.equal(res.status, 200);
      ids.add(id);
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  // At once: most lines are still in the log's buffer.
  const exit = await server.stop();
  assert.equal(exit.code, 0, `clean exit (${JSON.stringify(exit)})`);
  const logged = new Set();
  for (const line of server.log().split('\n')) {
    if (!line.trim()) continue;
    let o;
    try { o = JSON.parse(line); } catch { assert.fail(`not a whole JSON line: ${line.slice(0, 200)}`); }
    if (o.msg !== 'request') continue;
    assert.ok(o.time && o.level === 'info' && o.method && o.path && o.status && o.request_id && o.ip, `fields of ${line}`);
    logged.add(o.request_id);
  }
  const missing = [...ids].filter((id) => !logged.has(id));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${ids.size} answered requests missing from the access log`);
});

test('--access-log false turns it off', async () => {
  const server = await startServer({ args: ['--access-log', 'false'] });
  assert.equal((await api(server, 'GET', '/livez')).status, 200);
  await server.stop();
  assert.ok(!server.log().includes('"msg":"request"'), 'no request line');
});

test('a stalled stdout (a pipe nobody reads) never stops the server; the lines come out once it is read again', async () => {
  const server = await startServer();
  const requests = 70000;  // more lines than the pipe (64 KiB) and any bounded queue of 65,536 messages hold
  server.child.stdout.pause();  // nobody reads the pipe: every write to it blocks once it is full
  try {
    let next = 0, slowest = 0;
    async function worker() {
      while (next < requests) {
        const id = `stall-${next++}`;
        const start = Date.now();
        const res = await fetch(server.url + '/livez', { headers: { 'x-request-id': id }, signal: AbortSignal.timeout(5000) });
        assert.equal(res.status, 200);
        await res.text();
        slowest = Math.max(slowest, Date.now() - start);
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    assert.ok(slowest < 5000, `every request answered while stdout was stalled (slowest ${slowest} ms)`);
  } finally {
    server.child.stdout.resume();
  }
  await server.stop();
  const lines = server.log().split('\n').filter((l) => l.includes('"request_id":"stall-'));
  assert.equal(lines.length, requests, 'every line written once stdout was read again (none dropped: far under 64 MiB)');
});
