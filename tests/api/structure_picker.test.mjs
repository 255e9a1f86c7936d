// The public structure picker of the sign-up form (GET /api/v1/structures): bounded before any work (query length,
// number of answers) and served by the worker pool, since a query of several words reads the whole table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoServer, api, backend } from '../lib/server.mjs';
import { assertProblem, sleep } from '../lib/flows.mjs';

let server;
before(async () => { server = await startDemoServer(); });
after(async () => { await server?.stop(); });

test('a query longer than 100 characters is refused (422 on q); 100 are accepted', async () => {
  const long = await api(server, 'GET', `/api/v1/structures?q=${encodeURIComponent('é'.repeat(101))}`);
  const p = assertProblem(long, 422, 'invalid-field', '101 characters');
  assert.ok(p.errors.some((e) => e.field === 'q'), 'names the q parameter');
  const ok = await api(server, 'GET', `/api/v1/structures?q=${encodeURIComponent('é'.repeat(100))}`);
  assert.equal(ok.status, 200, ok.text);
});

test('limit: 1 to 50 (default 20), anything else is refused (422 on limit)', async () => {
  for (const bad of ['0', '51', '-1', 'abc', '1000000000000']) {
    const res = await api(server, 'GET', `/api/v1/structures?limit=${bad}`);
    const p = assertProblem(res, 422, 'invalid-field', `limit=${bad}`);
    assert.ok(p.errors.some((e) => e.field === 'limit'), `limit=${bad} names the limit parameter`);
  }
  const all = await api(server, 'GET', '/api/v1/structures');
  assert.equal(all.status, 200);
  assert.ok(all.json.items.length > 2 && all.json.items.length <= 20, `default page (${all.json.items.length})`);
  const two = await api(server, 'GET', '/api/v1/structures?limit=2');
  assert.equal(two.status, 200);
  assert.equal(two.json.items.length, 2);
});

test(`the picker runs on the worker pool, never on a network thread (${backend})`, async () => {
  const res = await api(server, 'GET', '/api/v1/structures?q=centre', { headers: { 'x-request-id': 'picker-thread' } });
  assert.equal(res.status, 200);
  await sleep(300);
  const line = server.log().split('\n').find((l) => l.includes('"request_id":"picker-thread"'));
  assert.ok(line, 'the request is in the access log');
  assert.equal(JSON.parse(line).ran, 'worker');
});
