// A structure's administrators keep its description (If-Match versions, 409 with the current one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDemoServer } from '../lib/server.mjs';
import { assertProblem, demoLogin, sql } from '../lib/flows.mjs';

let server;
let admin;
let pro;
let ehpad;
before(async () => {
  server = await startDemoServer();
  admin = await demoLogin(server, 'structure_admin');
  pro = await demoLogin(server, 'professional');
  ehpad = sql(server.db, "SELECT id FROM structures WHERE name = 'EHPAD Les Tilleuls'").trim();
});
after(async () => { await server?.stop(); });

test('the administrator edits the description with If-Match; a stale version gets 409 with the current one', async () => {
  const before = await api(server, 'GET', `/api/v1/directory/structures/${ehpad}`, { token: admin.token });
  assert.equal(before.status, 200, before.text);
  const body = { phone: '03 26 00 00 00', description: "Accueil de jour le mardi ; unité protégée de 14 places." };
  const ok = await api(server, 'PATCH', `/api/v1/directory/structures/${ehpad}`, {
    token: admin.token, body, headers: { 'if-match': String(before.json.version) },
  });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.description, body.description);
  assert.equal(ok.json.phone, body.phone);
  assert.equal(ok.json.version, before.json.version + 1);
  const stale = await api(server, 'PATCH', `/api/v1/directory/structures/${ehpad}`, {
    token: admin.token, body: { phone: '01' }, headers: { 'if-match': String(before.json.version) },
  });
  const p = assertProblem(stale, 409, 'conflict');
  assert.equal(p.current.phone, body.phone, 'the current record comes with the conflict');
  assertProblem(await api(server, 'PATCH', `/api/v1/directory/structures/${ehpad}`, { token: admin.token, body }), 428,
    'precondition-required');
});

test('others may not edit; unknown fields are refused', async () => {
  const cur = await api(server, 'GET', `/api/v1/directory/structures/${ehpad}`, { token: pro.token });
  assertProblem(await api(server, 'PATCH', `/api/v1/directory/structures/${ehpad}`, {
    token: pro.token, body: { phone: '00' }, headers: { 'if-match': String(cur.json.version) },
  }), 403, 'forbidden');
  const bad = assertProblem(await api(server, 'PATCH', `/api/v1/directory/structures/${ehpad}`, {
    token: admin.token, body: { name: 'Autre nom', finess: '000000000' }, headers: { 'if-match': String(cur.json.version) },
  }), 422, 'invalid-field');
  assert.deepEqual(bad.errors.map((e) => e.field).sort(), ['finess', 'name']);
});
