// Alerts have a visibility like notebook entries (docs/patients.md, "Alerts"): a health alert is read by the
// health professionals of the circle only. The assistante sociale (ASS, not a health profession) neither reads
// its text, nor is one of its recipients, nor counts it (patient list, alerts page, portal), nor sees it in the
// timeline; a structure alert is for the accounts of the author's structure, checked again at each read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDemoServer } from '../lib/server.mjs';
import { assertProblem, demoLogin, sql } from '../lib/flows.mjs';
import { P, addMember, createPatient, newProfessional, profileOf, structureId, allPages } from '../lib/patients.mjs';

let server;
let med, nurse, social, coord, operator;
let pid;
const members = {};
const HEALTH_TEXT = 'Chute dans la salle de bain, hématome de la hanche droite, douleur 6/10.';
const CIRCLE_TEXT = 'Rendez-vous chez le kiné déplacé à jeudi.';

before(async () => {
  server = await startDemoServer();
  operator = await demoLogin(server, 'operator');
  med = { ...(await demoLogin(server, 'professional', 0)) };
  nurse = { ...(await demoLogin(server, 'professional', 1)) };
  social = { ...(await demoLogin(server, 'professional', 2)) };
  coord = { ...(await demoLogin(server, 'coordinator')) };
  for (const a of [med, nurse, social, coord]) Object.assign(a, await profileOf(server, a.token));
  assert.equal(med.profession_code, '10');
  assert.equal(nurse.profession_code, '60');
  assert.equal(social.profession_code, 'ASS');
  const pt = await createPatient(server, med.token);
  pid = pt.id;
  for (const [k, a, role] of [['nurse', nurse, 'infirmier'], ['social', social, 'assistante_sociale'], ['coord', coord, 'coordinateur']]) {
    members[k] = await addMember(server, med.token, pid, { account_id: a.account_id, role });
  }
});
after(async () => { await server?.stop(); });

const raise = (who, body) => api(server, 'POST', `${P}/${pid}/alerts`, { token: who.token, body: { kind: 'chute', severity: 'urgente', ...body } });
const recipientsOf = (alert) => alert.recipients.map((r) => r.account_id);
async function openCounts(who) {
  const mine = await api(server, 'GET', `${P}/mine?limit=200`, { token: who.token });
  assert.equal(mine.status, 200, mine.text);
  const portal = await api(server, 'GET', '/api/v1/portal', { token: who.token });
  assert.equal(portal.status, 200, portal.text);
  const list = await api(server, 'GET', '/api/v1/alerts?state=open', { token: who.token });
  assert.equal(list.status, 200, list.text);
  return {
    patient: mine.json.items.find((i) => i.id === pid)?.open_alerts,
    portal: portal.json.open_alerts,
    list: list.json,
  };
}

test('a health alert reaches the health professionals only; the assistante sociale neither reads, counts nor sees it in the timeline', async () => {
  const socialBefore = await openCounts(social);
  const medBefore = await openCounts(med);
  const health = await raise(nurse, { body: HEALTH_TEXT, visibility: 'health' });
  assert.equal(health.status, 201, health.text);
  assert.equal(health.json.visibility, 'health');
  assert.ok(recipientsOf(health.json).includes(med.account_id), 'the médecin is a recipient');
  assert.ok(!recipientsOf(health.json).includes(social.account_id), 'the assistante sociale is not a recipient of a health alert');
  assert.ok(!recipientsOf(health.json).includes(coord.account_id), 'nor the coordinatrice (no health profession)');

  // Without a visibility, an alert is for the whole circle, as before (a fall seen by the nurse concerns everyone).
  const circle = await raise(nurse, { kind: 'autre', severity: 'info', body: CIRCLE_TEXT });
  assert.equal(circle.status, 201, circle.text);
  assert.equal(circle.json.visibility, 'circle', 'the default visibility of an alert is circle');
  assert.ok(recipientsOf(circle.json).includes(social.account_id));

  // The patient's alert list.
  for (const state of ['all', 'open']) {
    const list = await api(server, 'GET', `${P}/${pid}/alerts?state=${state}`, { token: social.token });
    assert.equal(list.status, 200, list.text);
    assert.ok(list.json.items.some((a) => a.id === circle.json.id), `the circle alert is listed (${state})`);
    assert.ok(!list.json.items.some((a) => a.id === health.json.id), `the health alert is not listed for the assistante sociale (${state})`);
    assert.ok(!list.text.includes('hématome'), 'its text appears nowhere');
    const medList = await api(server, 'GET', `${P}/${pid}/alerts?state=${state}`, { token: med.token });
    assert.ok(medList.json.items.some((a) => a.id === health.json.id && a.body === HEALTH_TEXT), `the médecin reads it (${state})`);
  }
  // Counters: the patient list, the alerts page and the portal count what the lists show.
  const socialAfter = await openCounts(social);
  assert.equal(socialAfter.patient, socialBefore.patient + 1, 'patient list: only the circle alert is counted');
  assert.equal(socialAfter.portal, socialBefore.portal + 1, 'portal: only the circle alert is counted');
  assert.equal(socialAfter.list.count, socialBefore.list.count + 1, '/alerts count');
  assert.ok(!socialAfter.list.items.some((a) => a.id === health.json.id), '/alerts does not list the health alert');
  assert.ok(!JSON.stringify(socialAfter.list).includes('hématome'));
  const medAfter = await openCounts(med);
  assert.equal(medAfter.patient, medBefore.patient + 2, 'the médecin counts both');
  assert.equal(medAfter.portal, medBefore.portal + 2);
  assert.ok(medAfter.list.items.some((a) => a.id === health.json.id));

  // Timeline: the same rule.
  const socialTimeline = await allPages(server, social.token, `${P}/${pid}/timeline?kind=alert`);
  assert.ok(socialTimeline.some((e) => e.ref_id === circle.json.id), 'the circle alert is in her timeline');
  assert.ok(!socialTimeline.some((e) => e.ref_id === health.json.id), 'the health alert is not in her timeline');
  const medTimeline = await allPages(server, med.token, `${P}/${pid}/timeline?kind=alert`);
  const event = medTimeline.find((e) => e.ref_id === health.json.id);
  assert.equal(event?.visibility, 'health', 'the médecin sees it, marked health');
  // Not addressed to her and not readable: acknowledging it answers as for an unknown alert.
  assertProblem(await api(server, 'POST', `${P}/${pid}/alerts/${health.json.id}/ack`, { token: social.token }), 404, 'not-found');
  const ack = await api(server, 'POST', `${P}/${pid}/alerts/${health.json.id}/ack`, { token: med.token });
  assert.equal(ack.status, 200, ack.text);
  assert.equal(ack.json.acknowledged_by_me, true);
});

test('visibility is validated like the notebook\'s: unknown value, a recipient who could not read it, an author who could not either', async () => {
  const bad = assertProblem(await raise(nurse, { body: 'Texte', visibility: 'secret' }), 422, 'invalid-field');
  assert.ok(bad.errors.some((e) => e.field === 'visibility'), JSON.stringify(bad.errors));
  const chosen = assertProblem(await raise(nurse, { body: HEALTH_TEXT, visibility: 'health', recipients: [members.social.id] }),
    422, 'invalid-field', 'a health alert addressed to the assistante sociale');
  assert.ok(chosen.errors.some((e) => e.field === 'recipients'), JSON.stringify(chosen.errors));
  const self = assertProblem(await raise(social, { body: 'Texte réservé', visibility: 'health' }), 422, 'invalid-field',
    'an author who could not read her own alert');
  assert.ok(self.errors.some((e) => e.field === 'visibility'), JSON.stringify(self.errors));
  const notMine = assertProblem(await raise(nurse, { body: 'Texte', visibility: 'structure', structure_id: structureId(server.db, 'CPTS Reims Centre') }),
    422, 'invalid-field', 'a structure the author does not belong to');
  assert.ok(notMine.errors.some((e) => e.field === 'structure_id'), JSON.stringify(notMine.errors));
  // A chosen recipient who may read it: accepted.
  const circle = await api(server, 'GET', `${P}/${pid}/circle`, { token: nurse.token });
  const medMember = circle.json.items.find((m) => m.account_id === med.account_id);
  const ok = await raise(nurse, { body: HEALTH_TEXT, visibility: 'health', recipients: [medMember.id] });
  assert.equal(ok.status, 201, ok.text);
  assert.deepEqual(recipientsOf(ok.json), [med.account_id]);
});

test('a structure alert is read by the author\'s structure only, checked again when a recipient leaves the structure', async () => {
  const ssiad = nurse.structures[0];
  assert.ok(ssiad, 'the demo nurse belongs to the SSIAD');
  const colleague = await newProfessional(server, operator.token, { profession_code: 'AS', profession_label: 'Aide-soignant', structure_id: ssiad });
  await addMember(server, med.token, pid, { account_id: colleague.account_id, role: 'aide_soignant' });
  const before = await openCounts(colleague);
  const r = await raise(nurse, { kind: 'visite_manquee', severity: 'importante', body: 'Passage du soir non fait : tournée à réorganiser.', visibility: 'structure' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.visibility, 'structure');
  assert.equal(r.json.structure_id, ssiad, 'the author\'s structure by default');
  assert.deepEqual(recipientsOf(r.json), [colleague.account_id], 'only the SSIAD colleague is a recipient');
  const medList = await api(server, 'GET', `${P}/${pid}/alerts?state=all`, { token: med.token });
  assert.ok(!medList.json.items.some((a) => a.id === r.json.id), 'the médecin (CPTS) does not read it');
  const during = await openCounts(colleague);
  assert.equal(during.patient, (before.patient ?? 0) + 1);
  assert.ok(during.list.items.some((a) => a.id === r.json.id));

  // She leaves the SSIAD: the alert addressed to her is no longer hers to read, nor counted.
  sql(server.db, `DELETE FROM account_structures WHERE account_id = '${colleague.account_id}'`);
  const afterLeaving = await openCounts(colleague);
  assert.equal(afterLeaving.patient, before.patient ?? 0, 'no longer counted in the patient list');
  assert.equal(afterLeaving.portal, before.portal, 'nor in the portal');
  assert.ok(!afterLeaving.list.items.some((a) => a.id === r.json.id), 'nor listed');
  const list = await api(server, 'GET', `${P}/${pid}/alerts?state=all`, { token: colleague.token });
  assert.ok(!list.json.items.some((a) => a.id === r.json.id));
});
