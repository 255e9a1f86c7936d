// Patient identities (docs/patients.md, "Identity (INS / RNIV)"): creation checks, NIR keys, names as the
// RNIV writes them, duplicates, idempotent creation, versions, validation, INSi qualification and merges.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../lib/server.mjs';
import { assertProblem, demoLogin, sql } from '../lib/flows.mjs';
import {
  P, addMember, createPatient, newProfessional, structureId, insiIdentities, newPatientBody, nir, nirFor, nirKey, randomBirthDate, randomName,
  startDemoServerWithInsi, traitsOf, writeEntry,
} from '../lib/patients.mjs';

let server;
let coord;
let nurse;
let med;
let operator;
// INSi simulator: `match` is returned as is; `differs` has other first names than the patient we create.
const [match, differs, corsica] = insiIdentities(3);
const differsPatient = { ...traitsOf(differs), birth_first_names: 'Louise Marcelle', first_name: 'Louise' };
differs.birth_first_names = 'Jeanne Marcelle';
differs.first_name = 'Jeanne';
match.oid = '1.2.250.1.213.1.4.8'; // a real NIR's OID: kind "NIR"
corsica.birthplace_code = '2A004';
corsica.matricule = nirFor(corsica);

before(async () => {
  server = await startDemoServerWithInsi([match, differs, corsica]);
  coord = await demoLogin(server, 'coordinator');
  med = await demoLogin(server, 'professional', 0);
  nurse = await demoLogin(server, 'professional', 1);
  operator = await demoLogin(server, 'operator');
});
after(async () => { await server?.stop(); });

const fieldsOf = (p) => (p.errors || []).map((e) => e.field);
async function create(body, token = coord.token, headers = {}) {
  return api(server, 'POST', P, { token, body, headers });
}
async function searchPrecise(token, birth_name, birth_date) {
  const res = await api(server, 'GET', `${P}?q=${encodeURIComponent(birth_name)}&birth_date=${birth_date}`, { token });
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

test('?ins= search: a wrong NIR key → 422 on ins; valid keys (Corsica 2A read as 19) are accepted', async () => {
  const good = nir('2480351454001');
  assert.equal(good, '248035145400158', 'the test computes the key as the contract says');
  const wrongKey = good.slice(0, 13) + String((Number(good.slice(13)) % 96) + 1).padStart(2, '0');
  assert.notEqual(wrongKey, good);
  const bad = assertProblem(await api(server, 'GET', `${P}?ins=${wrongKey}`, { token: coord.token }), 422, 'invalid-field', 'wrong key');
  assert.ok(fieldsOf(bad).includes('ins'), JSON.stringify(bad.errors));
  for (const garbage of ['12345', 'ABCDEFGHIJKLMNO', '2480351454001580']) {
    const p = assertProblem(await api(server, 'GET', `${P}?ins=${garbage}`, { token: coord.token }), 422, 'invalid-field', garbage);
    assert.ok(fieldsOf(p).includes('ins'));
  }
  const ok = await api(server, 'GET', `${P}?ins=${good}`, { token: coord.token });
  assert.equal(ok.status, 200, ok.text);
  assert.ok(Array.isArray(ok.json.items));
  const corse = '18507' + '2A' + '004123';
  const key = nirKey(corse);
  assert.notEqual(key, String(97n - (BigInt('18507' + '00' + '004123') % 97n)).padStart(2, '0'));
  const c = await api(server, 'GET', `${P}?ins=${corse}${key}`, { token: coord.token });
  assert.equal(c.status, 200, `a Corsican NIR with its key: ${c.text}`);
});

test('search: case and accents ignored, full compound names and each of their parts, used and first names', async () => {
  const tail = randomName(6);
  const birth_date = randomBirthDate();
  const created = await create({ birth_name: `LEFÈVRE-${tail}`, birth_first_names: 'Hélène Marie', first_name: 'Hélène',
    used_name: `N'DIAYE-${tail}`, birth_date, sex: 'F', birthplace_code: '51108' });
  assert.equal(created.status, 201, created.text);
  const id = created.json.id;
  for (const q of [`LEFÈVRE-${tail}`, `lefevre-${tail.toLowerCase()}`, 'lefev', `n'diaye-${tail.toLowerCase()}`, 'helene', tail]) {
    const res = await api(server, 'GET', `${P}?q=${encodeURIComponent(q)}&birth_date=${birth_date}`, { token: coord.token });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.json.items.some((i) => i.id === id), `q=${q} finds ${created.json.birth_name}`);
    assert.equal(res.json.items.find((i) => i.id === id)?.access, 'member');
  }
  const other = await api(server, 'GET', `${P}?q=lefev&birth_date=1901-01-01`, { token: coord.token });
  assert.ok(!other.json.items.some((i) => i.id === id), 'birth_date filters');
  const many = await api(server, 'GET', `${P}?q=a`, { token: operator.token });
  assert.equal(many.status, 200);
  assert.ok(many.json.items.length <= 50, 'at most 50 items');
});

test('`ins` in the creation body → 422 on ins, nothing created', async () => {
  const body = { ...newPatientBody(), ins: { matricule: nir('2480351454001'), oid: '1.2.250.1.213.1.4.8' } };
  const p = assertProblem(await create(body), 422, 'invalid-field');
  assert.ok(fieldsOf(p).includes('ins'), JSON.stringify(p.errors));
  assert.equal((await searchPrecise(coord.token, body.birth_name, body.birth_date)).length, 0, 'nothing half-written');
});

test('birth dates: impossible, future or before 1880 → 422; unknown day or month written 00 are accepted', async () => {
  const tomorrow = new Date(Date.now() + 36 * 3600 * 1000).toISOString().slice(0, 10);
  for (const birth_date of ['2023-02-30', '2023-13-01', '1957-04-31', tomorrow, '1700-01-01', '1879-12-31', '1948-3-1', '01/03/1948', '']) {
    const p = assertProblem(await create(newPatientBody({ birth_date })), 422, 'invalid-field', `birth_date ${birth_date}`);
    assert.ok(fieldsOf(p).includes('birth_date'), `${birth_date}: ${JSON.stringify(p.errors)}`);
  }
  for (const birth_date of ['1948-00-00', '1948-03-00', '1880-01-01', '2000-02-29']) {
    const res = await create(newPatientBody({ birth_date }));
    assert.equal(res.status, 201, `${birth_date}: ${res.text}`);
    assert.equal(res.json.birth_date, birth_date);
  }
  const notLeap = assertProblem(await create(newPatientBody({ birth_date: '1900-02-29' })), 422, 'invalid-field', '1900 is not a leap year');
  assert.ok(fieldsOf(notLeap).includes('birth_date'));
});

test('names: apostrophes, hyphens, Œ, accents, NFC, upper-case birth names; digits and emoji → 422 on the field', async () => {
  const cases = [
    [{ birth_name: "N'DIAYE" }, { birth_name: "N'DIAYE" }],
    [{ birth_name: 'DUPONT-AIGNAN', used_name: 'le gall' }, { birth_name: 'DUPONT-AIGNAN', used_name: 'LE GALL' }],
    [{ birth_name: 'CŒUR' }, { birth_name: 'CŒUR' }],
    [{ birth_name: 'cœur' }, { birth_name: 'CŒUR' }],
    [{ birth_name: 'Lætitia-Hervé' }, { birth_name: 'LÆTITIA-HERVÉ' }],
    [{ birth_name: 'He\u0301bert', birth_first_names: 'Ame\u0301lie Noe\u0308l', first_name: 'Ame\u0301lie' },
      { birth_name: 'HÉBERT', birth_first_names: 'Amélie Noël', first_name: 'Amélie' }],
  ];
  for (const [input, stored] of cases) {
    const res = await create(newPatientBody(input));
    assert.equal(res.status, 201, `${JSON.stringify(input)}: ${res.text}`);
    for (const [k, v] of Object.entries(stored)) {
      assert.equal(res.json[k], v.normalize('NFC'), `${k} of ${JSON.stringify(input)}`);
      assert.equal(res.json[k], res.json[k].normalize('NFC'), `${k} is NFC`);
    }
    const again = await api(server, 'GET', `${P}/${res.json.id}`, { token: coord.token });
    assert.equal(again.json.birth_name, stored.birth_name.normalize('NFC'), 'as read back');
  }
  const refused = [
    [{ first_name: 'Marie😀' }, 'first_name'],
    [{ birth_name: 'DUPONT2' }, 'birth_name'],
    [{ birth_first_names: 'Jean 3' }, 'birth_first_names'],
    [{ used_name: 'MARTIN_X' }, 'used_name'],
    [{ birth_name: 'X'.repeat(101) }, 'birth_name'],
    [{ birth_name: '' }, 'birth_name'],
    [{ sex: 'X' }, 'sex'],
    [{ birthplace_code: '5145' }, 'birthplace_code'],
  ];
  for (const [input, field] of refused) {
    const p = assertProblem(await create(newPatientBody(input)), 422, 'invalid-field', JSON.stringify(input));
    assert.ok(fieldsOf(p).includes(field), `${JSON.stringify(input)} names ${field}: ${JSON.stringify(p.errors)}`);
  }
  for (const birthplace_code of ['2A004', '2B033', '99134', '']) {
    const res = await create(newPatientBody({ birthplace_code }));
    assert.equal(res.status, 201, `birthplace_code "${birthplace_code}": ${res.text}`);
  }
});

test('a possible twin (same traits, other accents and case) → 409 possible-duplicate with candidates; confirmed → 201', async () => {
  const birth_date = randomBirthDate();
  const tail = randomName(5);
  const first = await create({ birth_name: `LEFÈVRE-${tail}`, birth_first_names: 'Hélène Marie', birth_date, sex: 'F', birthplace_code: '51108' });
  assert.equal(first.status, 201, first.text);
  const twin = { birth_name: `Lefevre-${tail.toLowerCase()}`, birth_first_names: 'HELENE marie', birth_date, sex: 'F', birthplace_code: '51108' };
  const dup = assertProblem(await create(twin), 409, 'possible-duplicate');
  const cand = dup.candidates?.find((c) => c.id === first.json.id);
  assert.ok(cand, `the first patient is a candidate: ${JSON.stringify(dup.candidates)}`);
  assert.equal(cand.access, 'member');
  assert.equal(cand.reason, 'traits');
  assert.equal(cand.birth_date, birth_date);
  const count = () => Number(sql(server.db, `SELECT COUNT(*) FROM patients WHERE birth_date = '${birth_date}' AND birthplace_code = '51108'`).trim());
  assert.equal(count(), 1, 'nothing created by the 409');

  // Someone outside the circle is warned too, without access.
  const other = assertProblem(await create(twin, nurse.token), 409, 'possible-duplicate', 'as a non-member');
  assert.equal(other.candidates.find((c) => c.id === first.json.id)?.access, 'none');

  const confirmed = await create({ ...twin, confirm_not_duplicate: true });
  assert.equal(confirmed.status, 201, confirmed.text);
  assert.notEqual(confirmed.json.id, first.json.id);
  assert.equal(confirmed.json.birth_name, `LEFEVRE-${tail}`);
});

test('the same person created twice at the same moment: one 201, the other 409 possible-duplicate', async () => {
  for (let round = 0; round < 4; round++) {
    const body = newPatientBody();
    const results = await Promise.all([create(body, coord.token), create(body, nurse.token)]);
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409], `round ${round}: ${results.map((r) => `${r.status} ${r.text.slice(0, 100)}`).join(' | ')}`);
    const n = Number(sql(server.db, `SELECT COUNT(*) FROM patients WHERE birth_name = '${body.birth_name}'`).trim());
    assert.equal(n, 1, 'one record');
  }
});

test('Idempotency-Key: a replayed creation returns the same patient, never a second one or a 409', async () => {
  const body = newPatientBody();
  const key = `idem-${randomName(12)}`;
  const a = await create(body, coord.token, { 'idempotency-key': key });
  assert.equal(a.status, 201, a.text);
  const b = await create(body, coord.token, { 'idempotency-key': key });
  assert.equal(b.status, 201, `replay: ${b.text}`);
  assert.equal(b.json.id, a.json.id, 'same patient');
  assert.equal((await searchPrecise(coord.token, body.birth_name, body.birth_date)).length, 1, 'one patient only');
  // The same key from another account is another request.
  const c = await create({ ...newPatientBody() }, med.token, { 'idempotency-key': key });
  assert.equal(c.status, 201, c.text);
  assert.notEqual(c.json.id, a.json.id);
});

test('PATCH with If-Match: new version; stale → 409 with current; none → 428; strict traits frozen once validated', async () => {
  const pt = await createPatient(server, coord.token);
  assert.equal(pt.version, 1);
  assert.equal(pt.identity_status, 'provisoire');
  const url = `${P}/${pt.id}`;
  const ok = await api(server, 'PATCH', url, { token: coord.token, body: { phone: '03 26 11 22 33', used_name: 'martin' }, headers: { 'if-match': '1' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.version, 2);
  assert.equal(ok.json.phone, '03 26 11 22 33');
  assert.equal(ok.json.used_name, 'MARTIN');
  const stale = assertProblem(await api(server, 'PATCH', url, { token: coord.token, body: { phone: '00' }, headers: { 'if-match': '1' } }), 409, 'conflict');
  assert.equal(stale.current?.version, 2);
  assert.equal(stale.current?.phone, '03 26 11 22 33');
  assertProblem(await api(server, 'PATCH', url, { token: coord.token, body: { phone: '00' } }), 428, 'precondition-required');
  const badName = assertProblem(await api(server, 'PATCH', url, { token: coord.token, body: { used_name: 'MARTIN 🙂' }, headers: { 'if-match': '2' } }), 422, 'invalid-field');
  assert.ok(fieldsOf(badName).includes('used_name'));
  // While provisoire, strict traits may be fixed.
  const fixed = await api(server, 'PATCH', url, { token: coord.token, body: { birth_name: 'DURAND-' + randomName(4) }, headers: { 'if-match': '2' } });
  assert.equal(fixed.status, 200, fixed.text);
  const v = await api(server, 'POST', `${url}/validate`, { token: coord.token, body: { document: 'cni' } });
  assert.equal(v.status, 200, v.text);
  const frozen = assertProblem(await api(server, 'PATCH', url, { token: coord.token, body: { birth_name: 'AUTRE' }, headers: { 'if-match': String(v.json.version) } }), 422, 'invalid-field');
  assert.ok(fieldsOf(frozen).includes('birth_name'), JSON.stringify(frozen.errors));
  const still = await api(server, 'GET', url, { token: coord.token });
  assert.equal(still.json.birth_name, fixed.json.birth_name, 'the validated trait is unchanged');
  const soft = await api(server, 'PATCH', url, { token: coord.token, body: { address: '3 rue de Vesle, Reims' }, headers: { 'if-match': String(still.json.version) } });
  assert.equal(soft.status, 200, `used names, phone, address stay editable: ${soft.text}`);
});

test('three PATCHes with the same If-Match at once: one 200, the others 409 with the winner as current', async () => {
  for (let round = 0; round < 8; round++) {
    const pt = await createPatient(server, coord.token);
    const send = (phone) => api(server, 'PATCH', `${P}/${pt.id}`, { token: coord.token, body: { phone }, headers: { 'if-match': String(pt.version) } });
    const results = await Promise.all([send('03 26 00 00 01'), send('03 26 00 00 02'), send('03 26 00 00 03')]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409], `round ${round}: ${results.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join(' | ')}`);
    const won = results.find((r) => r.status === 200).json;
    for (const r of results.filter((x) => x.status === 409)) {
      const lost = assertProblem(r, 409, 'conflict');
      assert.equal(lost.current?.phone, won.phone);
      assert.equal(lost.current?.version, pt.version + 1);
    }
    const now = await api(server, 'GET', `${P}/${pt.id}`, { token: coord.token });
    assert.equal(now.json.version, pt.version + 1, 'one new version only');
  }
});

test('three PATCHes of a circle member with the same If-Match at once: one 200, the others 409', async () => {
  for (let round = 0; round < 8; round++) {
    const pt = await createPatient(server, coord.token);
    const m = await addMember(server, coord.token, pt.id, { account_id: nurse.account_id, role: 'infirmier' });
    const send = (role) => api(server, 'PATCH', `${P}/${pt.id}/circle/${m.id}`, { token: coord.token, body: { role }, headers: { 'if-match': String(m.version) } });
    const results = await Promise.all([send('autre'), send('aide_soignant'), send('psychologue')]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409], `round ${round}: ${results.map((r) => `${r.status} ${r.text.slice(0, 100)}`).join(' | ')}`);
  }
});

test('validate needs a birthplace and a known document; qualify asks INSi: INS shown only once qualifiee', async () => {
  const pt = await createPatient(server, coord.token, { ...traitsOf(match), birthplace_code: '' });
  assert.equal(pt.ins, null);
  const url = `${P}/${pt.id}`;
  const early = await api(server, 'POST', `${url}/qualify`, { token: coord.token, body: {} });
  assert.ok([409, 422].includes(early.status), `a provisoire identity cannot be qualified: ${early.status} ${early.text}`);
  const noPlace = assertProblem(await api(server, 'POST', `${url}/validate`, { token: coord.token, body: { document: 'cni' } }), 422, 'invalid-field');
  assert.ok(fieldsOf(noPlace).includes('birthplace_code'), JSON.stringify(noPlace.errors));
  const withPlace = await api(server, 'PATCH', url, { token: coord.token, body: { birthplace_code: match.birthplace_code }, headers: { 'if-match': String(pt.version) } });
  assert.equal(withPlace.status, 200, withPlace.text);
  const badDoc = assertProblem(await api(server, 'POST', `${url}/validate`, { token: coord.token, body: { document: 'permis_de_conduire' } }), 422, 'invalid-field');
  assert.ok(fieldsOf(badDoc).includes('document'));
  const v = await api(server, 'POST', `${url}/validate`, { token: coord.token, body: { document: 'cni' } });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.identity_status, 'validee');
  assert.equal(v.json.ins, null, 'no INS while validee');
  // A search by the INS does not find a patient whose INS is not recorded yet.
  let byIns = await api(server, 'GET', `${P}?ins=${match.matricule}`, { token: coord.token });
  assert.equal(byIns.status, 200, byIns.text);
  assert.ok(!byIns.json.items.some((i) => i.id === pt.id));

  const q = await api(server, 'POST', `${url}/qualify`, { token: coord.token, body: {} });
  assert.equal(q.status, 200, q.text);
  assert.equal(q.json.identity_status, 'qualifiee');
  assert.deepEqual({ matricule: q.json.ins?.matricule, oid: q.json.ins?.oid }, { matricule: match.matricule, oid: match.oid });
  assert.equal(q.json.ins.kind, 'NIR');
  const read = await api(server, 'GET', url, { token: med.token });
  assert.equal(read.status, 404, 'the médecin is not a member');
  const again = await api(server, 'GET', url, { token: coord.token });
  assert.equal(again.json.ins?.matricule, match.matricule, 'GET shows the INS of a qualified identity');
  byIns = await api(server, 'GET', `${P}?ins=${match.matricule}`, { token: coord.token });
  assert.ok(byIns.json.items.some((i) => i.id === pt.id && i.identity_status === 'qualifiee'), 'found by its INS');
  // Anyone, for a precise query, finds it by INS (access none, for break-the-glass).
  const other = await api(server, 'GET', `${P}?ins=${match.matricule}`, { token: med.token });
  assert.equal(other.json.items.find((i) => i.id === pt.id)?.access, 'none');
  // A second patient with the same INS is a duplicate by INS.
  const twin = await create({ ...newPatientBody(), birth_name: match.birth_name, birth_first_names: match.birth_first_names,
    first_name: match.first_name, birth_date: match.birth_date, sex: match.sex, birthplace_code: match.birthplace_code });
  const dup = assertProblem(twin, 409, 'possible-duplicate');
  assert.ok(dup.candidates.some((c) => c.id === pt.id));
});

test('qualify: INSi returns other traits → 422 insi-no-match saying what differs; the identity stays validee without INS', async () => {
  const pt = await createPatient(server, coord.token, differsPatient);
  const v = await api(server, 'POST', `${P}/${pt.id}/validate`, { token: coord.token, body: { document: 'passeport' } });
  assert.equal(v.status, 200, v.text);
  const q = assertProblem(await api(server, 'POST', `${P}/${pt.id}/qualify`, { token: coord.token, body: {} }), 422, 'insi-no-match');
  assert.match(JSON.stringify(q), /first_name|birth_first_names|pr[ée]nom/i, `what differs is said: ${JSON.stringify(q)}`);
  const read = await api(server, 'GET', `${P}/${pt.id}`, { token: coord.token });
  assert.equal(read.json.identity_status, 'validee');
  assert.equal(read.json.ins, null);
  // Corsican birthplace, matching traits: qualifies.
  const c = await createPatient(server, coord.token, traitsOf(corsica));
  assert.equal(c.birthplace_code, '2A004');
  assert.equal((await api(server, 'POST', `${P}/${c.id}/validate`, { token: coord.token, body: { document: 'acte_naissance' } })).status, 200);
  const cq = await api(server, 'POST', `${P}/${c.id}/qualify`, { token: coord.token, body: {} });
  assert.equal(cq.status, 200, cq.text);
  assert.equal(cq.json.ins?.matricule, corsica.matricule);
});

test('merge (operators): circle, notebook and alerts move to the survivor; the duplicate answers merged', async () => {
  const survivor = await createPatient(server, coord.token);
  // The duplicate was opened by the nurse, who wrote in it and raised an alert.
  const dupPt = await createPatient(server, nurse.token, { ...traitsOf(survivor), birth_name: survivor.birth_name + 'E', confirm_not_duplicate: true });
  await addMember(server, nurse.token, dupPt.id, { account_id: med.account_id, role: 'medecin_traitant' });
  const entry = await writeEntry(server, nurse.token, dupPt.id, { kind: 'visit', body: 'Pansement refait, plaie propre.' });
  // Someone outside opened the duplicate in an emergency.
  const outsider = await newProfessional(server, operator.token, { first_name: 'Urgentiste', last_name: 'Garde' });
  const bg = await api(server, 'POST', `${P}/${dupPt.id}/break-glass`, { token: outsider.token, body: { reason: 'Patiente aux urgences, dossier du domicile demandé' } });
  assert.equal(bg.status, 201, bg.text);
  const alert = await api(server, 'POST', `${P}/${dupPt.id}/alerts`, { token: nurse.token, body: { kind: 'chute', body: 'Chute dans la salle de bains.' } });
  assert.equal(alert.status, 201, alert.text);
  assert.equal((await api(server, 'GET', `${P}/${survivor.id}/notebook`, { token: nurse.token })).status, 404, 'before: the nurse is not in the survivor\'s circle');

  assertProblem(await api(server, 'POST', `${P}/${survivor.id}/merge`, { token: coord.token, body: { duplicate_id: dupPt.id } }), 403, 'forbidden', 'a member is not an operator');
  const self = await api(server, 'POST', `${P}/${survivor.id}/merge`, { token: operator.token, body: { duplicate_id: survivor.id } });
  assert.ok([409, 422].includes(self.status), `merging a patient into itself is refused: ${self.status}`);
  const m = await api(server, 'POST', `${P}/${survivor.id}/merge`, { token: operator.token, body: { duplicate_id: dupPt.id } });
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.id, survivor.id);

  const circle = await api(server, 'GET', `${P}/${survivor.id}/circle`, { token: coord.token });
  assert.ok(circle.json.items.some((x) => x.account_id === nurse.account_id && x.status === 'active'), 'the nurse moved into the circle');
  assert.ok(circle.json.items.some((x) => x.account_id === med.account_id), 'the médecin too');
  const nb = await api(server, 'GET', `${P}/${survivor.id}/notebook`, { token: nurse.token });
  assert.equal(nb.status, 200, nb.text);
  assert.ok(nb.json.items.some((e) => e.id === entry.id), 'the entry belongs to the survivor');
  const al = await api(server, 'GET', `${P}/${survivor.id}/alerts?state=all`, { token: coord.token });
  assert.ok(al.json.items.some((a) => a.id === alert.json.id), 'the alert belongs to the survivor');

  const d = await api(server, 'GET', `${P}/${dupPt.id}`, { token: operator.token });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.status, 'merged');
  assert.equal(d.json.merged_into, survivor.id);
  const dn = await api(server, 'GET', `${P}/${dupPt.id}`, { token: nurse.token });
  assert.equal(dn.status, 200, 'identity of the merged record: 200 with merged_into');
  assert.equal(dn.json.merged_into, survivor.id);
  assertProblem(await api(server, 'GET', `${P}/${dupPt.id}/notebook`, { token: nurse.token }), 404, 'not-found', 'clinical calls on the merged record');
  assertProblem(await api(server, 'POST', `${P}/${dupPt.id}/notebook`, { token: nurse.token, body: { kind: 'observation', visibility: 'circle', body: 'x' } }), 404, 'not-found');
  const mine = await api(server, 'GET', `${P}/mine?limit=200`, { token: nurse.token });
  assert.ok(mine.json.items.some((i) => i.id === survivor.id), 'the survivor is now in the nurse\'s patients');
  assert.ok(!mine.json.items.some((i) => i.id === dupPt.id), 'the merged record is not');
  const tl = await api(server, 'GET', `${P}/${survivor.id}/timeline?kind=notebook&limit=100`, { token: nurse.token });
  assert.ok(tl.json.items.some((i) => i.ref_id === entry.id), 'the timeline moved too');
  const glass = await api(server, 'GET', `${P}/${survivor.id}`, { token: outsider.token });
  assert.equal(glass.status, 200, `the break-the-glass access moved to the survivor: ${glass.text.slice(0, 200)}`);
  assert.equal(glass.json.access?.via, 'break_glass');
  const log = await api(server, 'GET', `${P}/${survivor.id}/access-log?limit=200`, { token: operator.token });
  assert.ok(log.json.items.some((i) => i.actor?.account_id === nurse.account_id), 'the reads of the duplicate are in the survivor\'s access log');
  assert.ok(log.json.items.some((i) => i.actor?.account_id === outsider.account_id && i.via === 'break_glass'), 'and its break-the-glass');
  const again = await api(server, 'POST', `${P}/${survivor.id}/merge`, { token: operator.token, body: { duplicate_id: dupPt.id } });
  assert.ok([404, 409, 422].includes(again.status), `merging twice is refused: ${again.status}`);
  // Alerts carry their patient (docs/patients.md, Alert object): the survivor now.
  assert.equal(al.json.items.find((a) => a.id === alert.json.id)?.patient?.id, survivor.id, 'alert.patient.id is the survivor');
});

test('care circle: members by account and by structure, already-member, roles, information, referent, versions, opposition', async () => {
  const pt = await createPatient(server, coord.token);
  const url = `${P}/${pt.id}/circle`;
  let circle = (await api(server, 'GET', url, { token: coord.token })).json.items;
  assert.equal(circle.length, 1, 'the creator is the first member');
  const creator = circle[0];
  assert.equal(creator.account_id, coord.account_id);
  assert.equal(creator.kind, 'account');
  assert.equal(creator.role, 'coordinateur');
  assert.equal(creator.referent, true);
  assert.equal(creator.status, 'active');
  assert.ok(Number.isInteger(creator.version));

  const m = await addMember(server, coord.token, pt.id, { account_id: nurse.account_id, role: 'infirmier' });
  assert.equal(m.kind, 'account');
  assert.equal(m.status, 'active');
  assert.equal(m.referent, false);
  assert.equal(m.added_by, coord.account_id, 'added_by');
  const again = assertProblem(await api(server, 'POST', url, { token: coord.token, body: { account_id: nurse.account_id, role: 'infirmier' } }), 409, 'already-member');
  assert.equal(again.current?.id, m.id, 'the current member comes with the 409');
  for (const [body, field] of [[{ account_id: nurse.account_id, role: 'sorcier' }, 'role'],
    [{ account_id: '01890000-0000-7000-8000-000000000000', role: 'autre' }, 'account_id'],
    [{ account_id: med.account_id, role: 'medecin_traitant', start: '2030-01-02T00:00:00Z', end: '2030-01-01T00:00:00Z' }, 'end']]) {
    const p = assertProblem(await api(server, 'POST', url, { token: coord.token, body }), 422, 'invalid-field', JSON.stringify(body));
    assert.ok(fieldsOf(p).includes(field), `${field}: ${JSON.stringify(p.errors)}`);
  }

  // A structure as member: every account attached to it reaches the patient.
  const ssiad = structureId(server.db, 'SSIAD du Pays rémois');
  const colleague = await newProfessional(server, operator.token, { profession_code: '60', profession_label: 'Infirmier', structure_id: ssiad });
  assertProblem(await api(server, 'GET', `${P}/${pt.id}`, { token: colleague.token }), 404, 'not-found', 'before the structure joins');
  const st = await addMember(server, coord.token, pt.id, { structure_id: ssiad, role: 'structure' });
  assert.equal(st.kind, 'structure');
  const read = await api(server, 'GET', `${P}/${pt.id}`, { token: colleague.token });
  assert.equal(read.status, 200, read.text);
  assert.equal(read.json.access.via, 'member');

  // Information of the patient, with how and when.
  const informed = await api(server, 'POST', `${url}/${m.id}/information`, { token: coord.token, body: { how: 'ecrit', at: '2026-01-15T10:00:00Z' } });
  assert.equal(informed.status, 200, informed.text);
  assert.equal(informed.json.informed?.how, 'ecrit');
  assert.equal(Date.parse(informed.json.informed?.at), Date.parse('2026-01-15T10:00:00Z'));
  assert.ok(informed.json.informed?.by, 'informed.by');
  const badHow = assertProblem(await api(server, 'POST', `${url}/${m.id}/information`, { token: coord.token, body: { how: 'pigeon' } }), 422, 'invalid-field');
  assert.ok(fieldsOf(badHow).includes('how'));

  // The referent mark moves; versions guard the member.
  const cur = (await api(server, 'GET', url, { token: coord.token })).json.items.find((x) => x.id === m.id);
  assertProblem(await api(server, 'PATCH', `${url}/${m.id}`, { token: coord.token, body: { referent: true } }), 428, 'precondition-required');
  const moved = await api(server, 'PATCH', `${url}/${m.id}`, { token: coord.token, body: { referent: true }, headers: { 'if-match': String(cur.version) } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.referent, true);
  assert.equal(moved.json.version, cur.version + 1);
  const stale = assertProblem(await api(server, 'PATCH', `${url}/${m.id}`, { token: coord.token, body: { role: 'autre' }, headers: { 'if-match': String(cur.version) } }), 409, 'conflict');
  assert.equal(stale.current?.version, cur.version + 1);
  circle = (await api(server, 'GET', url, { token: coord.token })).json.items;
  assert.deepEqual(circle.filter((x) => x.referent).map((x) => x.id), [m.id], 'one referent');
  const mine = (await api(server, 'GET', `${P}/mine?limit=200`, { token: nurse.token })).json.items.find((i) => i.id === pt.id);
  assert.equal(mine?.referent, true, '"mine" shows the referent mark');
  assert.equal((await api(server, 'GET', `${P}/${pt.id}/access-log`, { token: nurse.token })).status, 200, 'the referent reads the access log');
  const contact = await addMember(server, coord.token, pt.id, { contact: { name: 'Jeanne Voisine', phone: '06 00 00 00 01', relation: 'voisine' }, role: 'proche_aidant' });
  assert.equal(contact.kind, 'contact');
  assert.equal(contact.account_id, null);
  const cref = assertProblem(await api(server, 'PATCH', `${url}/${contact.id}`, { token: coord.token, body: { referent: true }, headers: { 'if-match': String(contact.version) } }), 422, 'invalid-field');
  assert.ok(fieldsOf(cref).includes('referent'));

  // The patient opposes the structure: its accounts lose access at once.
  const opp = await api(server, 'POST', `${url}/${st.id}/opposition`, { token: coord.token, body: { how: 'oral', reason: 'Préfère un autre service' } });
  assert.equal(opp.status, 200, opp.text);
  assert.equal(opp.json.status, 'opposed');
  assert.equal(opp.json.opposition?.how, 'oral');
  assert.equal(opp.json.opposition?.reason, 'Préfère un autre service');
  assertProblem(await api(server, 'GET', `${P}/${pt.id}`, { token: colleague.token }), 404, 'not-found', 'after the opposition');
  // Ending a member keeps it listed, with its period.
  const medMember = await addMember(server, coord.token, pt.id, { account_id: med.account_id, role: 'medecin_traitant' });
  const end = new Date().toISOString();
  const ended = await api(server, 'PATCH', `${url}/${medMember.id}`, { token: nurse.token, body: { end }, headers: { 'if-match': String(medMember.version) } });
  assert.equal(ended.status, 200, `any active member may end a membership: ${ended.text}`);
  circle = (await api(server, 'GET', url, { token: coord.token })).json.items;
  const listed = circle.find((x) => x.id === medMember.id);
  assert.equal(listed?.status, 'ended');
  assert.ok(Date.parse(listed.end) <= Date.now());
  assertProblem(await api(server, 'GET', `${P}/${pt.id}`, { token: med.token }), 404, 'not-found', 'ended: no access');
  // Adding them again later is a new period.
  const back = await api(server, 'POST', url, { token: coord.token, body: { account_id: med.account_id, role: 'medecin_traitant' } });
  assert.equal(back.status, 201, back.text);
  assert.notEqual(back.json.id, medMember.id);
  assert.equal((await api(server, 'GET', `${P}/${pt.id}`, { token: med.token })).status, 200);
});
