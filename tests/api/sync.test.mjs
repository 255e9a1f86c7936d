// The offline sync feed (GET /api/v1/sync, docs/architecture.md "Offline"): a first sync sends the account's patients
// (banner, recent entries, alerts) and favourites in bounded pages; the cursor then follows the change log in order;
// ending a membership or merging a record sends a tombstone; a social worker never receives health content; a cursor
// of another account, garbled, or older than a revocation of the store key asks the device to start again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDemoServer } from '../lib/server.mjs';
import { assertProblem, demoLogin, sleep, sql } from '../lib/flows.mjs';
import { checkAnswer } from '../lib/openapi_check.mjs';
import { P, addMember, auditMaxSeq, createPatient, newProfessional, patchMember, profileOf, writeEntry } from '../lib/patients.mjs';

let server, coord, operator, nurse, social;
const contract = []; // answers that do not match docs/openapi.yaml

before(async () => {
  server = await startDemoServer();
  operator = await demoLogin(server, 'operator');
  coord = await demoLogin(server, 'coordinator');
  coord = { ...coord, ...(await profileOf(server, coord.token)) };
  // Accounts of their own, so that what their feeds hold is only what these tests gave them.
  nurse = await newProfessional(server, operator.token, { profession_code: '60', profession_label: 'Infirmier' });
  social = await newProfessional(server, operator.token, { profession_code: 'ASS', profession_label: 'Assistant de service social' });
});
after(async () => { await server?.stop(); });

async function page(who, since, limit) {
  const q = new URLSearchParams();
  if (since) q.set('since', since);
  if (limit) q.set('limit', String(limit));
  const res = await api(server, 'GET', `/api/v1/sync?${q}`, { token: who.token, headers: { 'accept-encoding': 'gzip' } });
  contract.push(...checkAnswer('GET', '/api/v1/sync', res));
  return res;
}

/** Every page from `since` to the end: the changes in order, the last cursor and how many pages it took. */
async function syncAll(who, since = '', limit = 0) {
  const changes = [];
  let cursor = since, pages = 0;
  for (;;) {
    const res = await page(who, cursor, limit);
    assert.equal(res.status, 200, res.text);
    pages++;
    if (limit) assert.ok(res.json.changes.length <= limit + 25, `a page stays near its size (${res.json.changes.length})`);
    changes.push(...res.json.changes);
    assert.ok(res.json.cursor, 'every page gives a cursor');
    cursor = res.json.cursor;
    if (!res.json.more) break;
    assert.ok(pages < 200, 'the feed ends');
  }
  return { changes, cursor, pages };
}

/** The store a device would hold after applying `changes` in order. */
function apply(changes, store = new Map()) {
  for (const c of changes) {
    const k = `${c.collection}/${c.key}`;
    if (c.op === 'put') store.set(k, c);
    else {
      store.delete(k);
      if (c.collection === 'patients') for (const [key, v] of store) if (v.patient_id === c.key) store.delete(key);
    }
  }
  return store;
}
const entriesOf = (store, pid) => [...store.values()].filter((c) => c.collection === 'entries' && c.patient_id === pid);

test('first sync in bounded pages, then the changes in order; resuming from the last cursor repeats nothing', async () => {
  const pts = [];
  for (let i = 0; i < 3; i++) {
    const pt = await createPatient(server, coord.token);
    await addMember(server, coord.token, pt.id, { account_id: nurse.account_id, role: 'infirmier' });
    for (let j = 0; j < 4; j++) await writeEntry(server, coord.token, pt.id, { body: `Passage ${i}.${j}` });
    pts.push(pt);
  }
  const fav = await api(server, 'POST', '/api/v1/me/favorites', { token: nurse.token, body: { label: 'SSIAD', url: '/annuaire' } });
  assert.equal(fav.status, 201, fav.text);

  const before = auditMaxSeq(server.db);
  const first = await syncAll(nurse, '', 4);
  assert.ok(first.pages >= 4, `paged (${first.pages} pages of 4)`);
  const store = apply(first.changes);
  for (const pt of pts) {
    const banner = store.get(`patients/${pt.id}`);
    assert.ok(banner, 'the banner of each patient');
    assert.equal(banner.value.birth_name, pt.birth_name);
    assert.deepEqual(entriesOf(store, pt.id).map((e) => e.value.body).sort(), [0, 1, 2, 3].map((j) => `Passage ${pts.indexOf(pt)}.${j}`).sort());
  }
  assert.equal(store.get(`favorites/${fav.json.id}`)?.value.label, 'SSIAD', 'the favourites');
  for (const pt of pts)
    assert.ok(Number(sql(server.db, `SELECT COUNT(*) FROM audit_log WHERE seq > ${before} AND action = 'sync.read' ` +
      `AND actor_id = '${nurse.account_id}' AND target_id = '${pt.id}' AND outcome = 'success'`).trim()) >= 1,
      'each patient sent is audited as a read');

  // Nothing new: the next sync from the last cursor is empty.
  const again = await syncAll(nurse, first.cursor);
  assert.deepEqual(again.changes, []);

  // New entries, a correction and an acknowledgeable change arrive in the order they were written.
  const a = await writeEntry(server, coord.token, pts[0].id, { body: 'Premier après la synchro' });
  const b = await writeEntry(server, coord.token, pts[1].id, { body: 'Deuxième après la synchro' });
  const fixed = await api(server, 'POST', `${P}/${pts[0].id}/notebook/${a.id}/corrections`, {
    token: coord.token, body: { body: 'Premier après la synchro (corrigé)' }, headers: { 'if-match': String(a.version) } });
  assert.equal(fixed.status, 201, fixed.text);
  const next = await syncAll(nurse, first.cursor, 2);
  // One change per write, in the order of the writes; each carries the entry as it is now (a device applying them in
  // order ends with the latest version, whichever page it stopped at).
  const puts = next.changes.filter((c) => c.collection === 'entries');
  assert.deepEqual(puts.map((c) => c.key), [a.root_id, b.root_id, a.root_id]);
  assert.deepEqual(puts.map((c) => c.value.version), [2, 1, 2]);
  const after = apply(next.changes, store);
  assert.equal(after.get(`entries/${a.root_id}`).value.body, 'Premier après la synchro (corrigé)', 'a correction replaces the entry');
  assert.equal(after.get(`entries/${b.root_id}`).value.body, 'Deuxième après la synchro');
  assert.deepEqual((await syncAll(nurse, next.cursor)).changes, [], 'resuming from the last cursor repeats nothing');
});

test('leaving the circle and a merge send tombstones; what follows a departure is not sent', async () => {
  const left = await createPatient(server, coord.token);
  const member = await addMember(server, coord.token, left.id, { account_id: nurse.account_id, role: 'infirmier' });
  const dup = await createPatient(server, coord.token);
  await addMember(server, coord.token, dup.id, { account_id: nurse.account_id, role: 'infirmier' });
  const survivor = await createPatient(server, coord.token);
  await writeEntry(server, coord.token, dup.id, { body: 'Écrit sur le doublon' });
  const start = await syncAll(nurse);
  const store = apply(start.changes);
  assert.ok(store.has(`patients/${left.id}`) && store.has(`patients/${dup.id}`));
  assert.equal(store.has(`patients/${survivor.id}`), false, 'not a member of the survivor');

  await sleep(20);
  await patchMember(server, coord.token, left.id, member, { end: new Date().toISOString() });
  await writeEntry(server, coord.token, left.id, { body: 'Écrit après le départ' });
  const merged = await api(server, 'POST', `${P}/${survivor.id}/merge`, { token: operator.token, body: { duplicate_id: dup.id } });
  assert.equal(merged.status, 200, merged.text);

  const next = await syncAll(nurse, start.cursor);
  const tomb = (id) => next.changes.find((c) => c.collection === 'patients' && c.key === id && c.op === 'delete');
  assert.equal(tomb(left.id)?.reason, 'access_ended');
  assert.equal(tomb(dup.id)?.reason, 'merged');
  assert.equal(next.changes.some((c) => c.op === 'put' && JSON.stringify(c.value).includes('Écrit après le départ')), false,
    'nothing written after the departure reaches the feed');
  const after = apply(next.changes, store);
  assert.equal([...after.values()].some((c) => c.patient_id === left.id || c.patient_id === dup.id), false,
    'a device applying the tombstones keeps nothing of either record');

  // Another device of the same account, behind the first one, gets the same tombstones.
  const other = await syncAll(nurse, start.cursor);
  assert.ok(other.changes.some((c) => c.key === left.id && c.op === 'delete'));
});

test('a social worker never receives health content, and an entry corrected into health leaves her store', async () => {
  const pt = await createPatient(server, coord.token);
  await addMember(server, coord.token, pt.id, { account_id: social.account_id, role: 'assistante_sociale' });
  const health = await writeEntry(server, coord.token, pt.id, { visibility: 'health', body: 'Tension 18/10, traitement ajusté' });
  const shared = await writeEntry(server, coord.token, pt.id, { visibility: 'circle', body: 'Aide à domicile à organiser' });
  // A health professional raises the health alert (one may only raise what one can read).
  await addMember(server, coord.token, pt.id, { account_id: nurse.account_id, role: 'infirmier' });
  const med = await profileOf(server, (await demoLogin(server, 'professional', 0)).token);
  await addMember(server, coord.token, pt.id, { account_id: med.account_id, role: 'medecin_traitant' });
  const alert = (visibility, body) => api(server, 'POST', `${P}/${pt.id}/alerts`, { token: nurse.token, body: { kind: 'aggravation', severity: 'importante', visibility, body } });
  const h = await alert('health', 'Glycémie à 3 g/L, avis médical');
  assert.equal(h.status, 201, h.text);
  assert.equal((await alert('circle', 'Absente au passage du soir')).status, 201);
  const first = await syncAll(social);
  const store = apply(first.changes);
  assert.ok(store.has(`patients/${pt.id}`), 'she has the banner');
  assert.deepEqual(entriesOf(store, pt.id).map((e) => e.value.body), ['Aide à domicile à organiser']);
  assert.equal(JSON.stringify(first.changes).includes('Tension 18/10'), false, 'no health text anywhere in the feed');
  assert.deepEqual([...store.values()].filter((c) => c.collection === 'alerts').map((c) => c.value.body), ['Absente au passage du soir'],
    'only the alert shared with the circle');
  assert.equal(JSON.stringify(first.changes).includes('Glycémie'), false);
  assert.equal(first.changes.some((c) => c.key === health.root_id), false);

  const fixed = await api(server, 'POST', `${P}/${pt.id}/notebook/${shared.id}/corrections`, {
    token: coord.token, body: { visibility: 'health', body: 'Aide à domicile : bilan de santé joint' },
    headers: { 'if-match': String(shared.version) } });
  assert.equal(fixed.status, 201, fixed.text);
  const next = await syncAll(social, first.cursor);
  assert.deepEqual(next.changes.filter((c) => c.collection === 'entries').map((c) => [c.key, c.op, c.reason]),
    [[shared.root_id, 'delete', 'hidden']]);
  assert.equal(JSON.stringify(next.changes).includes('bilan de santé'), false);
});

test('a cursor of another account, garbled, or from before a revocation: sync-reset, start again from zero', async () => {
  const mine = await syncAll(nurse);
  const other = await page(social, mine.cursor);
  assertProblem(other, 410, 'sync-reset');
  assert.equal(other.json.reason, 'other_account');
  assert.match(other.json.detail, /depuis le début/);
  const garbled = await page(nurse, mine.cursor.slice(0, -6) + 'AAAAAA');
  assertProblem(garbled, 410, 'sync-reset');
  assertProblem(await page(nurse, 'pas-un-curseur'), 410, 'sync-reset');

  const key = await api(server, 'GET', '/api/v1/sync/key', { token: nurse.token });
  assert.equal(key.status, 200);
  assert.equal(Buffer.from(key.json.key, 'base64url').length, 32, 'a 256-bit key');
  assert.equal(key.headers.get('cache-control'), 'no-store');
  assert.equal((await page(nurse, mine.cursor)).json.key_id, key.json.key_id, 'the feed names the key in use');
  assert.equal((await api(server, 'DELETE', '/api/v1/sync/key', { token: nurse.token })).status, 204);
  const revoked = await page(nurse, mine.cursor);
  assertProblem(revoked, 410, 'sync-reset');
  assert.equal(revoked.json.reason, 'revoked');
  const fresh = await api(server, 'GET', '/api/v1/sync/key', { token: nurse.token });
  assert.notEqual(fresh.json.key_id, key.json.key_id, 'a new key after a revocation');
  assert.equal((await page(nurse, '')).status, 200, 'a sync from zero works again');
  assertProblem(await api(server, 'GET', '/api/v1/sync'), 401, 'unauthenticated');
  contract.push(...checkAnswer('GET', '/api/v1/sync/key', key), ...checkAnswer('GET', '/api/v1/sync/key', fresh));
  assert.deepEqual(contract, [], 'every answer matches docs/openapi.yaml');
});
