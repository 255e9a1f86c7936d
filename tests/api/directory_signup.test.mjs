// The directory in sign-up: a professional finds their national entry by RPPS number, and the account
// is linked to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login, startDemoServer } from '../lib/server.mjs';
import { assertProblem, demoLogin, enrolAndApprove, sql } from '../lib/flows.mjs';

let server;
let operator;
before(async () => {
  server = await startDemoServer();
  operator = await demoLogin(server, 'operator');
});
after(async () => { await server?.stop(); });

test('RPPS lookup for sign-up: the entry, its sites; unknown → 404; malformed → 422; no session needed', async () => {
  const [id, rpps, last] = sql(server.db, "SELECT id, rpps, last_name FROM professionals WHERE structure_id IS NOT NULL ORDER BY id LIMIT 1")
    .trim().split('|');
  const found = await api(server, 'GET', `/api/v1/directory/rpps/${rpps}`);
  assert.equal(found.status, 200, found.text);
  assert.equal(found.json.professional_id, id);
  assert.equal(found.json.last_name, last);
  assert.ok(found.json.sites.length >= 1 && found.json.sites[0].structure_id, 'the salaried site names its structure');
  assertProblem(await api(server, 'GET', '/api/v1/directory/rpps/99999999999'), 404, 'not-found');
  assertProblem(await api(server, 'GET', '/api/v1/directory/rpps/123'), 422, 'invalid-field');
});

test('an account signed up with an RPPS number is linked to its directory entry', async () => {
  const [id, rpps] = sql(server.db, 'SELECT id, rpps FROM professionals ORDER BY id DESC LIMIT 1').trim().split('|');
  const a = await enrolAndApprove(server, operator.token, { extra: { rpps } });
  const token = await login(server, a.email, a.password, a.secret);
  const me = await api(server, 'GET', '/api/v1/me', { token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.rpps, rpps);
  assert.equal(me.json.professional_id, id);
  const other = await enrolAndApprove(server, operator.token);
  const token2 = await login(server, other.email, other.password, other.secret);
  assert.equal((await api(server, 'GET', '/api/v1/me', { token: token2 })).json.professional_id, null, 'no RPPS, no link');
});
