// Finding people in their own words (issue 10, part 4), on the demo territory: the vocabulary ("généraliste reims",
// "idel troyes", "EHPAD"…), a kind of structure ranked first, an operator's new word, everyone with an account found
// by name (local entries) and added to a care circle by it, contact details and the RPPS number in one form, and the
// 12-digit national identifier accepted at sign-up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDemoServer } from '../lib/server.mjs';
import { assertProblem, demoAccount, demoLogin, enrol, findEnrolment, freeRpps, sql, uniqueEmail } from '../lib/flows.mjs';
import { addMember, createPatient, P } from '../lib/patients.mjs';

const fold = (s) => String(s ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
const rows = (db, q) => sql(db, q).trim().split('\n').filter(Boolean);

let server, operator, medecin;
before(async () => {
  server = await startDemoServer();
  operator = await demoLogin(server, 'operator');
  medecin = (await demoLogin(server, 'professional', 0));
});
after(async () => { await server?.stop(); });

async function search(q, extra = {}, token = medecin.token) {
  const qs = new URLSearchParams({ q, per_page: '50', ...extra }).toString();
  const res = await api(server, 'GET', `/api/v1/directory/search?${qs}`, { token });
  assert.equal(res.status, 200, `search ${qs}: ${res.text.slice(0, 300)}`);
  return res.json;
}
async function eventually(check, what, ms = 4000) {
  const end = Date.now() + ms;
  for (;;) {
    try { return await check(); } catch (e) {
      if (Date.now() > end) { e.message = `${what} (after ${ms} ms): ${e.message}`; throw e; }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
const ids = (items) => items.map((i) => i.id).sort();

test('"généraliste reims" finds the demo\'s general practitioners in Reims, and only them', async () => {
  const expected = rows(server.db, "SELECT id FROM professionals WHERE active = 1 AND profession_code = '10' AND " +
    "specialty = 'Médecine générale' AND commune = 'Reims' ORDER BY id");
  assert.ok(expected.length >= 2, `the demo has general practitioners in Reims: ${expected.length}`);
  for (const q of ['généraliste reims', 'Médecin généraliste Reims', 'mg reims', 'generaliste REIMS']) {
    const r = await search(q);
    assert.deepEqual(ids(r.items), expected.sort(), `${q}: ${r.items.map((i) => `${i.name} ${i.specialty} ${i.commune}`)}`);
    assert.deepEqual(r.understood.map((u) => u.meanings), [['Médecin généraliste']], q);
  }
});

test('"idel troyes" finds the liberal nurses in Troyes: profession, practice mode and place', async () => {
  const expected = rows(server.db, "SELECT id FROM professionals WHERE active = 1 AND profession_code = '60' AND " +
    "practice_mode = 'L' AND commune = 'Troyes' ORDER BY id");
  const salaried = rows(server.db, "SELECT id FROM professionals WHERE active = 1 AND profession_code = '60' AND " +
    "practice_mode = 'S' AND commune = 'Troyes'");
  assert.ok(expected.length >= 2, `the demo has liberal nurses in Troyes: ${expected.length}`);
  for (const q of ['idel troyes', 'infirmier libéral troyes', 'infirmière libérale Troyes']) {
    const r = await search(q);
    assert.deepEqual(ids(r.items), expected.sort(), q);
    for (const s of salaried) assert.ok(!r.items.some((i) => i.id === s), `${q}: no salaried nurse`);
  }
  // "infirmier troyes": both modes.
  const all = await search('infirmier troyes');
  assert.ok(expected.concat(salaried).every((id) => all.items.some((i) => i.id === id)), 'every nurse of Troyes');
});

test('each word of the vocabulary finds what it means, first', async () => {
  const pro = (code, specialty) => (i) => i.kind === 'professional' && i.profession_code === code &&
    (!specialty || fold(i.specialty) === fold(specialty));
  const place = (kind) => (i) => i.kind === 'structure' && fold(i.category_label) === fold(kind);
  const cases = [
    ['généraliste', pro('10', 'Médecine générale')], ['médecin généraliste', pro('10', 'Médecine générale')],
    ['MG', pro('10', 'Médecine générale')], ['infirmier libéral', pro('60')], ['IDEL', pro('60')],
    ['kiné', pro('70')], ['psy', (i) => pro('93')(i) || pro('10', 'Psychiatrie')(i)],
    ['orthophoniste', pro('91')], ['pharmacie', place('Pharmacie')], ['SSIAD', place('SSIAD')],
    ['SAAD', place('SAAD')], ['EHPAD', place('EHPAD')], ['PMI', place('PMI')], ['CCAS', place('CCAS')],
    ['DAC', place('DAC')], ['CPTS', place('CPTS')],
  ];
  for (const [q, means] of cases) {
    const r = await search(q);
    assert.ok(r.items.length > 0, `${q} finds something`);
    assert.ok(means(r.items[0]), `${q}: first ${JSON.stringify(r.items[0])}`);
    assert.equal(r.understood.length, 1, `${q} is understood`);
  }
  // IDEL: liberal ones only.
  const idel = await search('idel');
  for (const i of idel.items.slice(0, 5)) {
    const page = await api(server, 'GET', `/api/v1/directory/professionals/${i.id}`, { token: medecin.token });
    assert.ok(page.json.practice_modes.includes('L'), `${i.name} is liberal`);
  }
});

test('a query naming a kind of structure ranks the structures of that kind first', async () => {
  const r = await search('ehpad');
  const isEhpad = (i) => i.kind === 'structure' && i.category_label === 'EHPAD';
  const ehpads = Number(sql(server.db, "SELECT COUNT(*) FROM structures WHERE kind = 'EHPAD' AND active = 1").trim());
  assert.ok(ehpads >= 3);
  assert.ok(r.items.slice(0, ehpads).every(isEhpad), `the ${ehpads} EHPAD first: ${r.items.slice(0, ehpads + 2).map((i) => i.name)}`);
  assert.ok(r.items.length > ehpads, 'the others (people working at an EHPAD) come after');
  const local = await search('ssiad troyes');
  assert.equal(local.items[0].name, 'SSIAD de l\'Aube');
});

test('an operator extends the vocabulary; the new word works at once; a non-operator gets 403 (audited)', async () => {
  const kines = rows(server.db, "SELECT id FROM professionals WHERE active = 1 AND profession_code = '70' AND commune = 'Troyes'");
  assert.ok(kines.length > 0);
  assert.equal((await search('rééducateur troyes')).items.length, 0, 'an unknown word finds nothing yet');
  const word = { words: 'rééducateur', label: 'Masseur-kinésithérapeute', profession_code: '70' };
  const denied = await api(server, 'POST', '/api/v1/directory/vocabulary', { token: medecin.token, body: word });
  assertProblem(denied, 403, 'forbidden');
  assert.equal(sql(server.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'directory.vocabulary.add' AND " +
    `outcome = 'denied' AND actor_id = '${medecin.account_id}'`).trim(), '1');
  const bad = await api(server, 'POST', '/api/v1/directory/vocabulary', { token: operator.token, body: { words: 'x', label: 'Rien' } });
  assert.equal(assertProblem(bad, 422, 'invalid-field').errors[0].field, 'profession_code');
  const badMode = await api(server, 'POST', '/api/v1/directory/vocabulary',
    { token: operator.token, body: { ...word, practice_mode: 'B' } });
  assert.equal(assertProblem(badMode, 422, 'invalid-field').errors[0].field, 'practice_mode');

  const created = await api(server, 'POST', '/api/v1/directory/vocabulary', { token: operator.token, body: word });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.source, 'territory');
  assert.deepEqual(ids((await search('rééducateur troyes')).items), kines.sort());
  const again = await api(server, 'POST', '/api/v1/directory/vocabulary', { token: operator.token, body: { ...word, words: 'Rééducateur' } });
  assertProblem(again, 409, 'duplicate');
  const list = await api(server, 'GET', '/api/v1/directory/vocabulary', { token: medecin.token });
  assert.equal(list.status, 200);
  assert.ok(list.json.items.some((w) => w.source === 'shipped' && w.words === 'idel'));
  assert.ok(list.json.items.some((w) => w.source === 'territory' && w.words === 'rééducateur' && w.created_by === operator.account_id));
  assert.equal(sql(server.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'directory.vocabulary.add' AND outcome = 'success'").trim(), '1');
});

test('every account is findable by name: a social worker\'s local entry, added to a care circle by it', async () => {
  const social = demoAccount(server.db, 'professional', 2);
  assert.equal(social.email, 'assistante.sociale@demo.cordee.fr');
  const r = await search('nadia lemoine');
  const entry = r.items.find((i) => i.kind === 'professional' && i.last_name === 'Lemoine');
  assert.ok(entry, `found by name: ${JSON.stringify(r.items)}`);
  assert.equal(entry.id, social.account_id, 'her local entry bears her account id');
  assert.equal(entry.has_account, true);
  assert.equal(entry.profession_code, 'ASS');
  assert.ok((await search('assistante sociale reims')).items.some((i) => i.id === entry.id), 'and by her profession and place');
  // Added to a new circle by that entry, she reads the patient.
  const patient = await createPatient(server, medecin.token);
  const her = await demoLogin(server, 'professional', 2);
  assert.equal((await api(server, 'GET', `${P}/${patient.id}`, { token: her.token })).status, 404, 'not before');
  const member = await addMember(server, medecin.token, patient.id, { professional_id: entry.id, role: 'assistante_sociale' });
  assert.match(member.display_name, /Lemoine/);
  assert.equal((await api(server, 'GET', `${P}/${patient.id}`, { token: her.token })).status, 200, 'a member by her entry');
  // Her entry follows her names.
  const me = await api(server, 'GET', '/api/v1/me', { token: her.token });
  const renamed = await api(server, 'PATCH', '/api/v1/me', {
    token: her.token, body: { last_name: 'Lemoine-Ravel' }, headers: { 'if-match': String(me.json.version) } });
  assert.equal(renamed.status, 200, renamed.text);
  await eventually(async () => {
    const found = await search('lemoine ravel');
    assert.ok(found.items.some((i) => i.id === entry.id && i.last_name === 'Lemoine-Ravel'), JSON.stringify(found.items));
  }, 'the new name is found');
  // A professional without RPPS approved after sign-up is found by name too.
  const applicant = await enrol(server, { first_name: 'Rosalie', last_name: 'Quenardel' });
  assert.equal((await search('quenardel')).items.length, 0, 'not while waiting');
  const item = await findEnrolment(server, operator.token, applicant.email);
  const ok = await api(server, 'POST', `/api/v1/enrolments/${item.id}/approve`, { token: operator.token, body: { role: 'professional' } });
  assert.equal(ok.status, 200, ok.text);
  await eventually(async () => {
    const found = await search('rosalie quenardel');
    assert.equal(found.items.length, 1);
    assert.equal(found.items[0].id, item.id);
  }, 'the approved account is in the directory');
});

test('pages show phones, emails and MSSanté addresses, "Dr" only where the file says so, the RPPS in 11 digits', async () => {
  const liberal = rows(server.db, "SELECT id FROM professionals WHERE profession_code = '10' AND practice_mode = 'L' AND rpps LIKE '19%' LIMIT 1")[0];
  const page = await api(server, 'GET', `/api/v1/directory/professionals/${liberal}`, { token: medecin.token });
  assert.equal(page.status, 200);
  assert.match(page.json.rpps, /^19\d{9}$/, 'the RPPS number: 11 digits');
  assert.equal(page.json.civility, 'Dr');
  assert.match(page.json.mssante, /^[a-z.-]+\d*@medecin\.mssante\.fr$/);
  assert.match(page.json.activities[0].phone, /^03 2[56] \d\d \d\d \d\d$/);
  assert.match(page.json.activities[0].email, /@/);
  const nurses = rows(server.db, "SELECT id FROM professionals WHERE profession_code IN ('60', '70', '91') AND rpps LIKE '19%'");
  for (const id of nurses.slice(0, 10)) {
    const n = await api(server, 'GET', `/api/v1/directory/professionals/${id}`, { token: medecin.token });
    assert.equal(n.json.civility, null, 'no "Dr" for a nurse, a kiné or a speech therapist');
  }
  const ssiad = (await search('ssiad reims')).items[0];
  const st = await api(server, 'GET', `/api/v1/directory/structures/${ssiad.id}`, { token: medecin.token });
  assert.match(st.json.phone, /^03 26/);
  assert.match(st.json.email, /@/);
  assert.match(st.json.mssante, /\.mssante\.fr$/);
});

test('sign-up: the 12-digit national identifier (8 + RPPS) is accepted as the RPPS number', async () => {
  const rpps = freeRpps(server.db, '60');
  const lookup = await api(server, 'GET', `/api/v1/directory/rpps/8${rpps}`);
  assert.equal(lookup.status, 200, lookup.text);
  assertProblem(await api(server, 'GET', `/api/v1/directory/rpps/9${rpps}`), 422, 'invalid-field');
  const applicant = await enrol(server, { email: uniqueEmail('rpps12'), extra: { rpps: `8 ${rpps}` } });
  const item = await findEnrolment(server, operator.token, applicant.email);
  assert.equal(item.claimed_professional.rpps, rpps, 'kept as the 11 digits');
  const wrong = await api(server, 'POST', '/api/v1/enrolments', {
    body: { email: uniqueEmail('rpps13'), password: 'Mot-de-passe-Essai-2024', first_name: 'A', last_name: 'B', rpps: `7${rpps}` } });
  assert.equal(assertProblem(wrong, 422, 'invalid-field').errors[0].field, 'rpps');
});
