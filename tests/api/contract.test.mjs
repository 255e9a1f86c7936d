// Real answers match docs/openapi.yaml: every status returned is documented for its operation and
// every body matches the documented schema.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, totp, startDemoServer } from '../lib/server.mjs';

import { demoLogin, demoAccount, enrol, findEnrolment } from '../lib/flows.mjs';
import { checkAnswer } from '../lib/openapi_check.mjs';

let server;
let operator;
let pro;
const problems = [];
async function call(method, template, path, options) {
  const res = await api(server, method, path ?? template, options);
  problems.push(...checkAnswer(method, template, res));
  return res;
}

before(async () => {
  server = await startDemoServer();
  operator = await demoLogin(server, 'operator');
  pro = await demoLogin(server, 'professional');
});
after(async () => { await server?.stop(); });

test('answers of the foundation routes match docs/openapi.yaml', async () => {
  const op = { token: operator.token };
  const me = await call('GET', '/api/v1/me', null, op);
  await call('GET', '/api/v1/me', null, {});
  await call('PATCH', '/api/v1/me', null, { ...op, body: { phone: '05 55 00 00 00' }, headers: { 'if-match': String(me.json.version) } });
  await call('PATCH', '/api/v1/me', null, { ...op, body: { phone: '05 55 00 00 01' }, headers: { 'if-match': String(me.json.version) } });
  await call('PATCH', '/api/v1/me', null, { ...op, body: { phone: '05 55 00 00 01' } });
  await call('PATCH', '/api/v1/me', null, { ...op, body: '{"phone":', headers: { 'if-match': '1' } });
  await call('GET', '/api/v1/portal', null, op);
  await call('GET', '/api/v1/portal', null, { token: pro.token });
  const fav = await call('POST', '/api/v1/me/favorites', null, { ...op, body: { label: 'Annuaire', url: '/annuaire' }, headers: { 'idempotency-key': randomUUID() } });
  await call('POST', '/api/v1/me/favorites', null, { ...op, body: { label: '', url: '/annuaire' } });
  await call('GET', '/api/v1/me/favorites', null, op);
  await call('DELETE', '/api/v1/me/favorites/{id}', `/api/v1/me/favorites/${fav.json.id}`, op);
  await call('DELETE', '/api/v1/me/favorites/{id}', `/api/v1/me/favorites/${fav.json.id}`, op);
  await call('GET', '/api/v1/structures', '/api/v1/structures?q=limoges');
  await call('GET', '/api/v1/structures', '/api/v1/structures?q=');
  await call('GET', '/api/v1/enrolments', '/api/v1/enrolments?status=pending_approval', op);
  await call('GET', '/api/v1/enrolments', '/api/v1/enrolments?status=active', op);
  await call('GET', '/api/v1/enrolments', '/api/v1/enrolments', { token: pro.token });
  await call('GET', '/api/v1/audit', '/api/v1/audit?limit=20', op);
  await call('GET', '/api/v1/audit', null, { token: pro.token });
  await call('GET', '/api/v1/audit/verify', null, op);
  await call('GET', '/livez');
  await call('GET', '/readyz');
  await call('GET', '/metrics');

  // Auth and enrolment answers.
  const acct = demoAccount(server.db, 'coordinator');
  await call('POST', '/api/v1/auth/login', null, { body: { email: acct.email, password: 'mauvais-mot-de-passe' } });
  await call('POST', '/api/v1/auth/login', null, { body: { email: 'pas-une-adresse', password: 'x' } });
  const first = await call('POST', '/api/v1/auth/login', null, { body: { email: acct.email, password: acct.password } });
  await call('POST', '/api/v1/auth/totp', null, { token: first.json.pending_token, body: { code: '000000' } });
  await call('POST', '/api/v1/auth/totp', null, { token: first.json.pending_token, body: { code: totp(acct.totp_secret) } });
  await call('POST', '/api/v1/auth/password-reset', null, { body: { email: 'personne@exemple.fr' } });
  await call('POST', '/api/v1/auth/password-reset/confirm', null, { body: { token: 'inconnu', password: 'Mot-de-passe-Essai-2024' } });
  await call('POST', '/api/v1/enrolments/confirm-email', null, { body: { token: 'inconnu' } });
  await call('POST', '/api/v1/enrolments', null, { body: { email: 'x' } });
  const applicant = await enrol(server);
  const item = await findEnrolment(server, operator.token, applicant.email);
  await call('POST', '/api/v1/enrolments/{id}/reject', `/api/v1/enrolments/${item.id}/reject`, { ...op, body: {} });
  await call('POST', '/api/v1/enrolments/{id}/approve', `/api/v1/enrolments/${item.id}/approve`, { ...op, body: { role: 'professional' } });
  await call('POST', '/api/v1/enrolments/{id}/approve', `/api/v1/enrolments/${randomUUID()}/approve`, { ...op, body: {} });
  await call('POST', '/api/v1/auth/logout-all', null, { token: pro.token });
  await call('POST', '/api/v1/auth/logout', null, op);
  await call('POST', '/api/v1/auth/logout', null, op);

  assert.deepEqual(problems, [], 'answers that docs/openapi.yaml does not describe');
});
