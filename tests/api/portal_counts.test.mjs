// The portal counts what each tile says: the patients tile the patients I follow (the number "Mes patients"
// lists), beside my open alerts; a patient I stop following leaves the count. "Mes patients" rows carry the
// commune of the patient's address, for the round of home visits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDemoServer } from '../lib/server.mjs';
import { demoLogin } from '../lib/flows.mjs';
import { checkAnswer } from '../lib/openapi_check.mjs';
import { P, addMember, allPages, createPatient, newProfessional, patchMember } from '../lib/patients.mjs';

let server, operator, med;
before(async () => {
  server = await startDemoServer();
  operator = await demoLogin(server, 'operator');
  med = await demoLogin(server, 'professional', 0);
});
after(async () => { await server?.stop(); });

async function portalOf(token) {
  const res = await api(server, 'GET', '/api/v1/portal', { token });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(checkAnswer('GET', '/api/v1/portal', res), []);
  return res.json;
}

test('the patients tile counts the patients followed, and follows the circle', async () => {
  const nurse = await newProfessional(server, operator.token, { profession_code: '60', profession_label: 'Infirmier' });
  const start = await portalOf(nurse.token);
  assert.equal(start.counters.followed_patients, 0, 'a new account follows nobody');
  assert.equal(start.services.find((s) => s.key === 'patients').count, 0);

  const members = [];
  for (let i = 0; i < 3; i++) {
    const pt = await createPatient(server, med.token);
    members.push({ pid: pt.id, m: await addMember(server, med.token, pt.id, { account_id: nurse.account_id, role: 'infirmier' }) });
  }
  const three = await portalOf(nurse.token);
  const mine = await allPages(server, nurse.token, `${P}/mine`);
  assert.equal(mine.length, 3);
  assert.equal(three.counters.followed_patients, mine.length, 'the count is the length of "Mes patients"');
  assert.equal(three.services.find((s) => s.key === 'patients').count, mine.length, 'the tile counts patients, not alerts');

  // Ending her membership removes the patient from the count.
  await patchMember(server, med.token, members[0].pid, members[0].m, { end: new Date().toISOString() });
  const two = await portalOf(nurse.token);
  assert.equal(two.counters.followed_patients, 2);
  assert.equal((await allPages(server, nurse.token, `${P}/mine`)).length, 2);

  // An alert raised for her is counted apart, the patients count does not move.
  const raised = await api(server, 'POST', `${P}/${members[1].pid}/alerts`,
    { token: med.token, body: { kind: 'chute', severity: 'urgente', body: 'Chute ce matin.' } });
  assert.equal(raised.status, 201, raised.text);
  const withAlert = await portalOf(nurse.token);
  assert.equal(withAlert.counters.followed_patients, 2);
  assert.equal(withAlert.counters.open_alerts, two.counters.open_alerts + 1);
});

test('the demo nurse: the portal counts the demo patients she follows', async () => {
  const nurse = await demoLogin(server, 'professional', 1);
  const portal = await portalOf(nurse.token);
  const mine = await allPages(server, nurse.token, `${P}/mine`);
  assert.ok(mine.length >= 6, `the demo nurse follows the demo patients (${mine.length})`);
  assert.equal(portal.counters.followed_patients, mine.length);
  assert.equal(portal.counters.open_alerts, mine.reduce((n, p) => n + p.open_alerts, 0), 'alerts: the sum of the rows');
  // The demo patients live somewhere: each row names the commune of the address.
  assert.ok(mine.some((p) => p.commune === 'Reims'), JSON.stringify(mine.map((p) => p.commune)));
});

test('an operator follows no patient: the count is 0', async () => {
  const portal = await portalOf(operator.token);
  assert.equal(portal.counters.followed_patients, 0);
});

test('"Mes patients" rows carry the commune of the address, null without a postal code', async () => {
  const withTown = await createPatient(server, med.token, { address: '4 rue Colbert, 10000 Troyes Cedex' });
  const without = await createPatient(server, med.token, { address: 'Ferme des Hauts, lieu-dit La Grange' });
  const none = await createPatient(server, med.token);
  const rows = await allPages(server, med.token, `${P}/mine`, { limit: 200 });
  const row = (id) => rows.find((p) => p.id === id);
  assert.equal(row(withTown.id).commune, 'Troyes');
  assert.equal(row(without.id).commune, null);
  assert.equal(row(none.id).commune, null);
  const page = await api(server, 'GET', `${P}/mine`, { token: med.token });
  assert.deepEqual(checkAnswer('GET', `${P}/mine`, page), []);
});
