// Who may change a care circle and an identity (docs/patients.md, "Care circle", "Who manages a record"): the
// referent, the circle's coordinators (circle role coordinateur or account role coordinator) and operators manage
// the circle (roles, ending others, the referent mark) and the identity (validate, qualify, edit traits); any other
// member adds a colleague and ends only her own participation (403, audited, otherwise: they see the patient, a
// 404 would lie). The referent mark moves before the referent leaves. The person added or removed is told by
// e-mail, without the patient's name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../lib/server.mjs';
import { assertProblem, demoLogin, sql } from '../lib/flows.mjs';
import {
  P, addMember, auditCount, auditMaxSeq, createPatient, insiIdentities, newProfessional, profileOf, startDemoServerWithInsi, traitsOf,
} from '../lib/patients.mjs';

let server;
let med, nurse, social, coord, operator;
const insi = insiIdentities(4);
const HOUR = 3600 * 1000;
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
// The e-mails queued for an address (outbox table, written in the transaction of the action): count and last one.
const mailCount = (email) => Number(sql(server.db, `SELECT COUNT(*) FROM emails WHERE to_addr = ${q(email)}`).trim());
const lastMail = (email) => sql(server.db, `SELECT subject || ' ' || body FROM emails WHERE to_addr = ${q(email)} ORDER BY created_at DESC, id DESC LIMIT 1`);

before(async () => {
  server = await startDemoServerWithInsi(insi);
  operator = await demoLogin(server, 'operator');
  med = await demoLogin(server, 'professional', 0);
  nurse = await demoLogin(server, 'professional', 1);
  social = await demoLogin(server, 'professional', 2);
  coord = await demoLogin(server, 'coordinator');
  for (const a of [med, nurse, social, coord]) Object.assign(a, await profileOf(server, a.token));
  assert.equal(coord.role, 'coordinator');
});
after(async () => { await server?.stop(); });

// A patient created by the médecin (referent, circle role médecin traitant), with the nurse, the assistante sociale
// and the coordinatrice (account role coordinator, circle role "autre") as members.
async function record(over = {}) {
  const pt = await createPatient(server, med.token, { creator_role: 'medecin_traitant', ...over });
  const m = { med: (await api(server, 'GET', `${P}/${pt.id}/circle`, { token: med.token })).json.items[0] };
  m.nurse = await addMember(server, med.token, pt.id, { account_id: nurse.account_id, role: 'infirmier' });
  m.social = await addMember(server, med.token, pt.id, { account_id: social.account_id, role: 'assistante_sociale' });
  m.coord = await addMember(server, med.token, pt.id, { account_id: coord.account_id, role: 'autre' });
  return { pt, m };
}
const patch = (who, pid, member, body) => api(server, 'PATCH', `${P}/${pid}/circle/${member.id}`, {
  token: who.token, body, headers: { 'if-match': String(member.version) },
});
const current = async (pid, member) => (await api(server, 'GET', `${P}/${pid}/circle`, { token: med.token })).json.items.find((x) => x.id === member.id);
async function refused(res, who, pid, what) {
  const p = assertProblem(res, 403, 'forbidden', what);
  assert.match(p.detail, /^Vous ne pouvez pas|^Seuls|réservé/, `${what}: a French sentence that says why (${p.detail})`);
  return p;
}
const now = () => new Date().toISOString();

test('a member who does not manage the circle adds a colleague and ends her own participation; the rest is 403, audited', async () => {
  const { pt, m } = await record();
  const colleague = await newProfessional(server, operator.token, { profession_code: '60', profession_label: 'Infirmier' });
  const added = await addMember(server, nurse.token, pt.id, { account_id: colleague.account_id, role: 'infirmier' });
  assert.equal(added.status, 'active', 'any member adds a colleague');

  const other = await newProfessional(server, operator.token);
  const cases = [
    ['POST', `${P}/${pt.id}/circle`, { account_id: other.account_id, role: 'medecin_specialiste', referent: true }, null, 'add as referent'],
    ['POST', `${P}/${pt.id}/circle`, { account_id: other.account_id, role: 'coordinateur' }, null, 'add as coordinateur'],
    ['PATCH', `${P}/${pt.id}/circle/${m.social.id}`, { end: now() }, m.social, 'end another member'],
    ['PATCH', `${P}/${pt.id}/circle/${m.social.id}`, { role: 'autre' }, m.social, 'change another member\'s role'],
    ['PATCH', `${P}/${pt.id}/circle/${m.nurse.id}`, { role: 'coordinateur' }, m.nurse, 'change her own role'],
    ['PATCH', `${P}/${pt.id}/circle/${m.nurse.id}`, { referent: true }, m.nurse, 'take the referent mark'],
    ['POST', `${P}/${pt.id}/circle/${m.social.id}/opposition`, { how: 'oral' }, null, 'record an opposition to another member'],
  ];
  for (const [method, path, body, member, what] of cases) {
    const since = auditMaxSeq(server.db);
    const res = await api(server, method, path, { token: nurse.token, body, headers: member ? { 'if-match': String(member.version) } : {} });
    await refused(res, nurse, pt.id, what);
    assert.ok(auditCount(server.db, since, { actor: nurse.account_id, targetId: pt.id, outcome: 'denied' }) >= 1, `${what}: audited`);
  }
  assert.equal((await current(pt.id, m.social)).status, 'active', 'the assistante sociale is still a member');
  assert.equal((await current(pt.id, m.med)).referent, true, 'the médecin is still the referent');
  // Recording that the patient was informed is open to every member (it changes no access).
  const informed = await api(server, 'POST', `${P}/${pt.id}/circle/${m.social.id}/information`, { token: nurse.token, body: { how: 'oral' } });
  assert.equal(informed.status, 200, informed.text);

  // Her own participation: she ends it, and loses the access at once.
  const own = await patch(nurse, pt.id, await current(pt.id, m.nurse), { end: now() });
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.status, 'ended');
  assertProblem(await api(server, 'GET', `${P}/${pt.id}`, { token: nurse.token }), 404, 'not-found');
});

test('the referent, a circle coordinateur, an account coordinator and an operator manage the circle', async () => {
  const { pt, m } = await record();
  const coordo = await newProfessional(server, operator.token, { profession_code: 'ASS', profession_label: 'Assistant de service social' });
  const mc = await addMember(server, med.token, pt.id, { account_id: coordo.account_id, role: 'coordinateur' });
  // A circle coordinateur changes a role and ends another member.
  const role = await patch(coordo, pt.id, m.nurse, { role: 'aide_soignant' });
  assert.equal(role.status, 200, role.text);
  const ended = await patch(coordo, pt.id, m.social, { end: now() });
  assert.equal(ended.status, 200, ended.text);
  assert.equal(ended.json.status, 'ended');
  // The account coordinator (circle role "autre") moves the referent mark to the nurse.
  const moved = await patch(coord, pt.id, await current(pt.id, m.nurse), { referent: true });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.referent, true);
  assert.equal((await current(pt.id, m.med)).referent, false, 'one referent');
  // The médecin is no longer the referent: she manages nothing any more.
  await refused(await patch(med, pt.id, await current(pt.id, mc), { role: 'autre' }), med, pt.id, 'former referent');
  // The new referent (the nurse) and an operator do.
  const byReferent = await patch(nurse, pt.id, await current(pt.id, mc), { role: 'autre' });
  assert.equal(byReferent.status, 200, byReferent.text);
  const byOperator = await patch(operator, pt.id, await current(pt.id, m.coord), { end: now() });
  assert.equal(byOperator.status, 200, byOperator.text);
  // The circle coordinateur lost her role: she manages nothing either.
  await refused(await patch(coordo, pt.id, await current(pt.id, m.med), { end: now() }), coordo, pt.id, 'no longer coordinateur');
});

test('identity: validating, qualifying and editing traits are for those who manage the record; contact details for every member', async () => {
  const [identity, other] = insi;
  const { pt } = await record(traitsOf(identity));
  const url = `${P}/${pt.id}`;
  const version = async () => String((await api(server, 'GET', url, { token: med.token })).json.version);
  for (const body of [{ used_name: 'MARTIN' }, { flags: { douteuse: true } }, { first_name: identity.first_name }]) {
    const since = auditMaxSeq(server.db);
    await refused(await api(server, 'PATCH', url, { token: nurse.token, body, headers: { 'if-match': await version() } }), nurse, pt.id,
      `nurse PATCH ${JSON.stringify(body)}`);
    assert.ok(auditCount(server.db, since, { actor: nurse.account_id, targetId: pt.id, outcome: 'denied' }) >= 1);
  }
  const phone = await api(server, 'PATCH', url, { token: nurse.token, body: { phone: '03 26 12 34 56', address: '3 rue des Lilas, Reims' }, headers: { 'if-match': await version() } });
  assert.equal(phone.status, 200, `every member keeps the contact details up to date: ${phone.text}`);
  await refused(await api(server, 'POST', `${url}/validate`, { token: social.token, body: { document: 'cni' } }), social, pt.id, 'validate');
  const validated = await api(server, 'POST', `${url}/validate`, { token: med.token, body: { document: 'cni' } });
  assert.equal(validated.status, 200, validated.text);
  await refused(await api(server, 'POST', `${url}/qualify`, { token: nurse.token, body: {} }), nurse, pt.id, 'qualify');
  const qualified = await api(server, 'POST', `${url}/qualify`, { token: coord.token, body: {} });
  assert.equal(qualified.status, 200, `the account coordinator qualifies: ${qualified.text}`);
  assert.equal(qualified.json.identity_status, 'qualifiee');
  const used = await api(server, 'PATCH', url, { token: coord.token, body: { used_name: 'Martin' }, headers: { 'if-match': String(qualified.json.version) } });
  assert.equal(used.status, 200, used.text);
  // The access object says who manages.
  assert.equal((await api(server, 'GET', url, { token: nurse.token })).json.access.manager, false);
  assert.equal((await api(server, 'GET', url, { token: med.token })).json.access.manager, true);
  assert.equal((await api(server, 'GET', url, { token: coord.token })).json.access.manager, true);
  assert.equal((await api(server, 'GET', url, { token: operator.token })).json.access.manager, true);
  // An operator edits traits of a provisional identity.
  const r2 = await record(traitsOf(other));
  const op = await api(server, 'PATCH', `${P}/${r2.pt.id}`, { token: operator.token, body: { used_name: 'Durand' }, headers: { 'if-match': String(r2.pt.version) } });
  assert.equal(op.status, 200, op.text);
});

test('the referent mark moves to someone else before the referent leaves', async () => {
  const { pt, m } = await record();
  const self = assertProblem(await patch(med, pt.id, m.med, { end: now() }), 422, 'invalid-field', 'the referent leaves');
  assert.ok(self.errors.some((e) => e.field === 'end' && /référent/.test(e.message)), JSON.stringify(self.errors));
  const later = assertProblem(await patch(med, pt.id, m.med, { end: new Date(Date.now() + 24 * HOUR).toISOString() }), 422, 'invalid-field',
    'the referent plans to leave');
  assert.ok(later.errors.some((e) => e.field === 'end'));
  const byManager = assertProblem(await patch(coord, pt.id, m.med, { end: now() }), 422, 'invalid-field', 'a coordinator ends the referent');
  assert.ok(byManager.errors.some((e) => e.field === 'end'));
  // The mark goes to an active member only.
  const ended = await patch(med, pt.id, m.social, { end: now() });
  assert.equal(ended.status, 200, ended.text);
  const toEnded = assertProblem(await patch(med, pt.id, ended.json, { referent: true }), 422, 'invalid-field', 'referent mark to an ended member');
  assert.ok(toEnded.errors.some((e) => e.field === 'referent'));
  // Moved, then she leaves.
  const moved = await patch(med, pt.id, m.coord, { referent: true });
  assert.equal(moved.status, 200, moved.text);
  const left = await patch(med, pt.id, await current(pt.id, m.med), { end: now() });
  assert.equal(left.status, 200, left.text);
  assert.equal(left.json.status, 'ended');
});

test('the person added or removed is told by e-mail, without the patient\'s name; contacts and oneself are not', async () => {
  const { pt, m } = await record();
  const colleague = await newProfessional(server, operator.token);
  const before = mailCount(colleague.email);
  const key = `cercle-${Date.now()}`;
  const body = { account_id: colleague.account_id, role: 'medecin_specialiste' };
  const first = await api(server, 'POST', `${P}/${pt.id}/circle`, { token: med.token, body, headers: { 'idempotency-key': key } });
  assert.equal(first.status, 201, first.text);
  const replay = await api(server, 'POST', `${P}/${pt.id}/circle`, { token: med.token, body, headers: { 'idempotency-key': key } });
  assert.equal(replay.status, 201);
  assert.equal(mailCount(colleague.email), before + 1, 'one e-mail, even when the request is replayed');
  const added = lastMail(colleague.email);
  assert.match(added, /Vous avez été ajouté\(e\) au cercle de soins d'un patient sur Cordée/);
  assert.ok(added.includes(`/patients/${pt.id}`), 'a link to the record');
  for (const part of [pt.birth_name, pt.first_name, pt.birth_date, pt.birth_first_names.split(' ')[1]]) {
    assert.ok(!added.toUpperCase().includes(part.toUpperCase()), `no patient trait in the e-mail (${part})`);
  }
  assert.ok(!/\b[A-Z]\. ?[A-Z]\./.test(added), 'no initials either');
  const removed = await patch(med, pt.id, first.json, { end: now() });
  assert.equal(removed.status, 200, removed.text);
  assert.equal(mailCount(colleague.email), before + 2);
  const gone = lastMail(colleague.email);
  assert.match(gone, /participation au cercle de soins d'un patient sur Cordée a pris fin/);
  assert.ok(!gone.toUpperCase().includes(pt.birth_name.toUpperCase()));
  // A structure: its administrators are told.
  const ehpad = sql(server.db, "SELECT id FROM structures WHERE name = 'EHPAD Les Tilleuls'").trim();
  const adminMails = mailCount('admin.ehpad@demo.cordee.fr');
  await addMember(server, med.token, pt.id, { structure_id: ehpad, role: 'structure' });
  assert.equal(mailCount('admin.ehpad@demo.cordee.fr'), adminMails + 1, 'the structure\'s administrator is told');
  // Ending one's own participation: nobody to tell. A contact has no account.
  const nurseMails = mailCount(nurse.email);
  assert.equal((await patch(nurse, pt.id, m.nurse, { end: now() })).status, 200);
  assert.equal(mailCount(nurse.email), nurseMails);
  const medMails = mailCount(med.email);
  await addMember(server, med.token, pt.id, { contact: { name: 'Voisine', relation: 'voisine' }, role: 'proche_aidant' });
  assert.equal(mailCount(med.email), medMails, 'the one who adds is not told');
});
