// A self-declared RPPS number proves nothing (RPPS numbers are public): the review's attack, and the rules that
// close it. Names and profession come from the directory entry; the entry gives access only once an approver
// has confirmed it; one entry, one active account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login, startDemoServer } from '../lib/server.mjs';
import { assertProblem, demoLogin, enrol, findEnrolment, freeRpps, sql, uniqueEmail } from '../lib/flows.mjs';
import { P, addMember, createPatient, writeEntry } from '../lib/patients.mjs';

let server, operator, medecin;
before(async () => {
  server = await startDemoServer();
  operator = await demoLogin(server, 'operator');
  medecin = await demoLogin(server, 'professional');
  assert.equal(medecin.profession, 'Médecin');
});
after(async () => { await server?.stop(); });

const entryOf = (rpps) => {
  const [id, first, last, code, label] = sql(server.db,
    `SELECT id, first_name, last_name, profession_code, profession_label FROM professionals WHERE rpps = '${rpps}'`)
    .trim().split('|');
  return { id, first, last, code, label };
};

// A patient whose circle lists a directory nurse who has no account, with a health note in the notebook.
async function patientWithDirectoryNurse() {
  const rpps = freeRpps(server.db, '60');
  const nurse = entryOf(rpps);
  const patient = await createPatient(server, medecin.token);
  await addMember(server, medecin.token, patient.id, { professional_id: nurse.id, role: 'infirmier' });
  const note = await writeEntry(server, medecin.token, patient.id, { visibility: 'health', body: 'Note de santé confidentielle' });
  return { rpps, nurse, patient, note };
}

const approve = (id, body) => api(server, 'POST', `/api/v1/enrolments/${id}/approve`, { token: operator.token, body });

test('the review\'s attack: a typed RPPS number with a typed profession opens nothing', async () => {
  const { rpps, nurse, patient } = await patientWithDirectoryNurse();
  const attacker = await enrol(server, {
    first_name: 'Mallory', last_name: 'Imposteur',
    extra: { rpps, profession_code: '10', profession_label: 'Médecin' },
  });
  const item = await findEnrolment(server, operator.token, attacker.email);
  // The account carries the directory's names and profession, not the typed ones, which the approver sees apart.
  assert.equal(item.first_name, nurse.first);
  assert.equal(item.last_name, nurse.last);
  assert.equal(item.profession_code, nurse.code);
  assert.equal(item.professional_id, null, 'no link before the approver confirms it');
  assert.equal(item.claimed_professional.id, nurse.id);
  assert.equal(item.claimed_professional.rpps, rpps);
  assert.deepEqual(item.declared, { first_name: 'Mallory', last_name: 'Imposteur', profession_code: '10', profession_label: 'Médecin' });
  // Approving needs an explicit word on the link.
  const silent = assertProblem(await approve(item.id, { role: 'professional' }), 422, 'invalid-field');
  assert.equal(silent.errors[0].field, 'confirm_professional');
  // The approver does not recognise the person: approved without the link, and without the directory's profession.
  const refused = await approve(item.id, { role: 'professional', confirm_professional: false });
  assert.equal(refused.status, 200, refused.text);
  // Its own local entry (every account is in the directory), never the claimed one.
  assert.equal(refused.json.professional_id, item.id);
  assert.equal(refused.json.professional_link, 'local');
  assert.equal(refused.json.rpps, null);
  assert.equal(refused.json.profession_code, 'NV');
  const token = await login(server, attacker.email, attacker.password, attacker.secret);
  assertProblem(await api(server, 'GET', `${P}/${patient.id}`, { token }), 404, 'not-found');
  assertProblem(await api(server, 'GET', `${P}/${patient.id}/notebook`, { token }), 404, 'not-found');
  const mine = await api(server, 'GET', P, { token });
  assert.equal(mine.status, 200, mine.text);
  assert.ok(!mine.json.items.some((p) => p.id === patient.id), 'not in "Mes patients"');
});

test('a confirmed link opens the circles of the entry; the RPPS cannot then be claimed again', async () => {
  const { rpps, nurse, patient, note } = await patientWithDirectoryNurse();
  const real = await enrol(server, { extra: { rpps } });
  const item = await findEnrolment(server, operator.token, real.email);
  const ok = await approve(item.id, { role: 'professional', confirm_professional: true });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.professional_id, nurse.id);
  assert.equal(ok.json.professional_link, 'confirmed');
  const token = await login(server, real.email, real.password, real.secret);
  const nb = await api(server, 'GET', `${P}/${patient.id}/notebook`, { token });
  assert.equal(nb.status, 200, nb.text);
  assert.ok(nb.json.items.some((e) => e.id === note.id), 'the nurse reads the health note of her patient');
  // A second sign-up with the same number is refused with a message that says what to do.
  const again = await api(server, 'POST', '/api/v1/enrolments', { body: {
    email: uniqueEmail('double'), password: 'Mot-de-passe-Essai-2024', first_name: 'X', last_name: 'Y', rpps,
    structure_proposal: { name: 'Cabinet', commune: 'Reims' } } });
  const p = assertProblem(again, 409, 'duplicate');
  assert.equal(p.errors[0].field, 'rpps');
  assert.match(p.detail, /Pro Santé Connect/);
});

test('two pending claims of one entry: the first confirmed wins, the second cannot be confirmed', async () => {
  const rpps = freeRpps(server.db, '70');
  const a = await enrol(server, { extra: { rpps } });
  const b = await enrol(server, { extra: { rpps } });
  const ia = await findEnrolment(server, operator.token, a.email);
  const ib = await findEnrolment(server, operator.token, b.email);
  assert.equal((await approve(ia.id, { confirm_professional: true })).status, 200);
  const second = assertProblem(await approve(ib.id, { confirm_professional: true }), 409, 'duplicate');
  assert.equal(second.errors[0].field, 'confirm_professional');
  // The database itself refuses a second account on one entry (both backends), whatever the code path.
  assert.throws(() => sql(server.db, `UPDATE accounts SET professional_id = '${entryOf(rpps).id}' WHERE email = '${b.email}'`),
    /unique|UNIQUE/);
});

test('without an RPPS number only professions with no national register can be declared', async () => {
  const base = { password: 'Mot-de-passe-Essai-2024', first_name: 'Jeanne', last_name: 'Roux',
    structure_proposal: { name: 'Centre social', commune: 'Reims' } };
  const medecin = assertProblem(await api(server, 'POST', '/api/v1/enrolments', { body: {
    ...base, email: uniqueEmail('med'), profession_code: '10', profession_label: 'Médecin' } }), 422, 'invalid-field');
  assert.equal(medecin.errors[0].field, 'rpps');
  const unknown = assertProblem(await api(server, 'POST', '/api/v1/enrolments', { body: {
    ...base, email: uniqueEmail('x'), profession_code: 'Chaman', profession_label: 'Chaman' } }), 422, 'invalid-field');
  assert.equal(unknown.errors[0].field, 'profession_code');
  const notInDirectory = assertProblem(await api(server, 'POST', '/api/v1/enrolments', { body: {
    ...base, email: uniqueEmail('y'), rpps: '10000000000' } }), 422, 'invalid-field');
  assert.equal(notInDirectory.errors[0].field, 'rpps');
  // The label of a listed profession is the server's, not what was typed.
  const social = await enrol(server, { extra: { profession_code: 'ASS', profession_label: 'Médecin chef' } });
  const item = await findEnrolment(server, operator.token, social.email);
  assert.equal(item.profession_code, 'ASS');
  assert.equal(item.profession_label, 'Assistant(e) de service social');
});

test('sign-up answers the same whether or not the email has an account, whatever else is wrong', async () => {
  const taken = medecin.email;
  for (const wrong of [{ structure_id: '01900000-0000-7000-8000-000000000000' }, { rpps: '10000000000' },
    { profession_code: '10' }]) {
    const body = (email) => ({ email, password: 'Mot-de-passe-Essai-2024', first_name: 'A', last_name: 'B',
      profession_code: 'ASS', structure_proposal: { name: 'Cabinet', commune: 'Reims' }, ...wrong });
    const known = await api(server, 'POST', '/api/v1/enrolments', { body: body(taken) });
    const fresh = await api(server, 'POST', '/api/v1/enrolments', { body: body(uniqueEmail('fresh')) });
    assert.equal(known.status, 422, `${JSON.stringify(wrong)} known: ${known.text}`);
    assert.equal(fresh.status, known.status, JSON.stringify(wrong));
    assert.deepEqual(fresh.json.errors, known.json.errors, JSON.stringify(wrong));
  }
});

test('an email address with a line break is refused (no header injection)', async () => {
  for (const email of ['victime@exemple.fr\r\nBcc: tous@exemple.fr', 'a@exemple.fr\n', '\r\na@exemple.fr']) {
    const p = assertProblem(await api(server, 'POST', '/api/v1/auth/password-reset', { body: { email } }), 422, 'invalid-field');
    assert.equal(p.errors[0].field, 'email');
  }
});
