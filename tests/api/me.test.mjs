// The connected account: optimistic concurrency on PATCH /me, idempotent favourites, the portal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, startDemoServer } from '../lib/server.mjs';

import { assertProblem, demoLogin, sql } from '../lib/flows.mjs';

let server;
let pro;
let coordinator;
before(async () => {
  server = await startDemoServer();
  pro = await demoLogin(server, 'professional');
  coordinator = await demoLogin(server, 'coordinator');
});
after(async () => { await server?.stop(); });

test('PATCH /me: If-Match required (428), stale version → 409 with current, fresh → 200 and version bump', async () => {
  const me = await api(server, 'GET', '/api/v1/me', { token: pro.token });
  assert.equal(me.status, 200, me.text);
  const v = me.json.version;

  const noIfMatch = await api(server, 'PATCH', '/api/v1/me', { token: pro.token, body: { phone: '05 55 00 00 01' } });
  assertProblem(noIfMatch, 428, 'precondition-required');

  const ok = await api(server, 'PATCH', '/api/v1/me', {
    token: pro.token, body: { phone: '+33 5 55 12 34 56', specialty: 'Plaies et cicatrisation' }, headers: { 'if-match': String(v) },
  });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.phone, '+33 5 55 12 34 56');
  assert.equal(ok.json.specialty, 'Plaies et cicatrisation');
  assert.ok(ok.json.version > v, `version increases (${v} → ${ok.json.version})`);

  const stale = await api(server, 'PATCH', '/api/v1/me', {
    token: pro.token, body: { phone: '05 55 99 99 99' }, headers: { 'if-match': String(v) },
  });
  const p = assertProblem(stale, 409, 'conflict', 'stale If-Match');
  assert.ok(p.current, 'the conflict carries the current record');
  assert.equal(p.current.version, ok.json.version);
  assert.equal(p.current.phone, '+33 5 55 12 34 56', 'the stale write changed nothing');

  const quoted = await api(server, 'PATCH', '/api/v1/me', {
    token: pro.token, body: { first_name: 'Hélène' }, headers: { 'if-match': `"${ok.json.version}"` },
  });
  assert.equal(quoted.status, 200, `a quoted ETag-style If-Match is accepted too: ${quoted.text}`);
  const after = await api(server, 'GET', '/api/v1/me', { token: pro.token });
  assert.equal(after.json.first_name, 'Hélène');
  assert.equal(after.json.phone, '+33 5 55 12 34 56');
  assert.equal(after.json.version, quoted.json.version);
});

test('PATCH /me validates fields (422) and cannot change the e-mail or role', async () => {
  const me = await api(server, 'GET', '/api/v1/me', { token: coordinator.token });
  const bad = await api(server, 'PATCH', '/api/v1/me', {
    token: coordinator.token, body: { first_name: '' }, headers: { 'if-match': String(me.json.version) },
  });
  const p = assertProblem(bad, 422, 'invalid-field');
  assert.ok(p.errors?.some((e) => e.field === 'first_name'), JSON.stringify(p.errors));
  const unchanged = await api(server, 'GET', '/api/v1/me', { token: coordinator.token });
  assert.equal(unchanged.json.version, me.json.version, 'a refused patch does not bump the version');
  assert.equal(unchanged.json.first_name, me.json.first_name);
  // Fields outside the contract are refused with their names, never applied.
  const sneaky = await api(server, 'PATCH', '/api/v1/me', {
    token: coordinator.token, body: { role: 'operator', email: 'pirate@exemple.fr', status: 'active' },
    headers: { 'if-match': String(me.json.version) },
  });
  const refused = assertProblem(sneaky, 422, 'invalid-field', 'unknown fields');
  assert.deepEqual(refused.errors.map((e) => e.field).sort(), ['email', 'role', 'status']);
  const after = await api(server, 'GET', '/api/v1/me', { token: coordinator.token });
  assert.equal(after.json.role, 'coordinator');
  assert.equal(after.json.email, me.json.email);
});

test('favourites: Idempotency-Key replay returns the same item and stores one row', async () => {
  const key = randomUUID();
  const body = { label: 'Annuaire — Limoges', url: '/annuaire?q=Limoges' };
  const first = await api(server, 'POST', '/api/v1/me/favorites', { token: pro.token, body, headers: { 'idempotency-key': key } });
  assert.equal(first.status, 201, first.text);
  assert.match(first.json.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'UUIDv7 id');
  assert.equal(first.json.label, body.label);
  assert.ok(!Number.isNaN(Date.parse(first.json.created_at)), 'created_at is a date');
  const replay = await api(server, 'POST', '/api/v1/me/favorites', { token: pro.token, body, headers: { 'idempotency-key': key } });
  assert.equal(replay.status, 201, replay.text);
  assert.equal(replay.json.id, first.json.id, 'replay → same id');
  // Concurrent replays of one key still make one row.
  const key2 = randomUUID();
  const burst = await Promise.all(Array.from({ length: 8 }, () => api(server, 'POST', '/api/v1/me/favorites', {
    token: pro.token, body: { label: 'Agenda', url: '/agenda' }, headers: { 'idempotency-key': key2 },
  })));
  const ids = new Set(burst.map((r) => r.json?.id));
  assert.deepEqual(burst.map((r) => r.status), Array(8).fill(201), burst.map((r) => r.text).join('\n'));
  assert.equal(ids.size, 1, 'concurrent replays → one id');

  const list = await api(server, 'GET', '/api/v1/me/favorites', { token: pro.token });
  assert.equal(list.json.items.filter((i) => i.label === body.label).length, 1, 'one row for the replayed key');
  assert.equal(list.json.items.filter((i) => i.label === 'Agenda').length, 1, 'one row for the concurrent key');
  const count = sql(server.db, `SELECT count(*) FROM favorites WHERE label = 'Agenda'`).trim();
  assert.equal(count, '1', 'one row in the table');

  // The same key from another account is another request.
  const other = await api(server, 'POST', '/api/v1/me/favorites', { token: coordinator.token, body, headers: { 'idempotency-key': key } });
  assert.equal(other.status, 201, other.text);
  assert.notEqual(other.json.id, first.json.id, 'idempotency keys are scoped to the account');
  // Without a key, two posts are two favourites.
  const a = await api(server, 'POST', '/api/v1/me/favorites', { token: pro.token, body: { label: 'Sans clé', url: '/' } });
  const b = await api(server, 'POST', '/api/v1/me/favorites', { token: pro.token, body: { label: 'Sans clé', url: '/' } });
  assert.notEqual(a.json.id, b.json.id);
});

test('favourites: invalid input 422, delete 204 then 404, no access to another account\'s favourite', async () => {
  const bad = await api(server, 'POST', '/api/v1/me/favorites', { token: pro.token, body: { label: '', url: '/x' } });
  const p = assertProblem(bad, 422, 'invalid-field');
  assert.ok(p.errors?.some((e) => e.field === 'label'));
  const js = await api(server, 'POST', '/api/v1/me/favorites', { token: pro.token, body: { label: 'Piège', url: 'javascript:alert(1)' } });
  assertProblem(js, 422, 'invalid-field', 'javascript: URL');

  const mine = await api(server, 'POST', '/api/v1/me/favorites', { token: pro.token, body: { label: 'À supprimer', url: '/portail' } });
  assert.equal(mine.status, 201);
  const theirs = await api(server, 'DELETE', `/api/v1/me/favorites/${mine.json.id}`, { token: coordinator.token });
  assertProblem(theirs, 404, 'not-found', 'another account deleting my favourite');
  const del = await api(server, 'DELETE', `/api/v1/me/favorites/${mine.json.id}`, { token: pro.token });
  assert.equal(del.status, 204, del.text);
  const again = await api(server, 'DELETE', `/api/v1/me/favorites/${mine.json.id}`, { token: pro.token });
  assertProblem(again, 404, 'not-found', 'second delete');
  const list = await api(server, 'GET', '/api/v1/me/favorites', { token: pro.token });
  assert.ok(!list.json.items.some((i) => i.id === mine.json.id));
  const notUuid = await api(server, 'DELETE', '/api/v1/me/favorites/42', { token: pro.token });
  assert.ok([404, 422].includes(notUuid.status), `a non-UUID id is refused (${notUuid.status})`);
});

test('GET /portal lists services and counts favourites', async () => {
  const fav = await api(server, 'GET', '/api/v1/me/favorites', { token: pro.token });
  const res = await api(server, 'GET', '/api/v1/portal', { token: pro.token });
  assert.equal(res.status, 200, res.text);
  assert.ok(Array.isArray(res.json.services));
  for (const s of res.json.services) {
    assert.ok(['directory', 'patients', 'messages', 'agenda', 'pathways', 'approvals', 'audit'].includes(s.key), s.key);
    assert.equal(typeof s.available, 'boolean');
  }
  assert.equal(res.json.counters.favorites, fav.json.items.length);
  const audit = res.json.services.find((s) => s.key === 'audit');
  assert.ok(!audit || audit.available === false, 'a professional does not get the audit service');
});

test('GET /structures is public, accent- and case-insensitive, at most 20', async () => {
  const all = await api(server, 'GET', '/api/v1/structures?q=');
  assert.equal(all.status, 200, all.text);
  assert.ok(all.json.items.length <= 20);
  const withAccent = all.json.items.find((s) => /[éèêàçô]/i.test(s.name));
  if (withAccent) {
    const word = withAccent.name.split(/\s+/).find((w) => /[éèêàçô]/i.test(w));
    const plain = word.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
    const res = await api(server, 'GET', `/api/v1/structures?q=${encodeURIComponent(plain)}`);
    assert.ok(res.json.items.some((s) => s.id === withAccent.id), `"${plain}" finds "${withAccent.name}"`);
  }
});
