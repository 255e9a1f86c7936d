// Self-enrolment from sign-up to the first full session, rejection, and the second factor's rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, totp, login, waitForMail, outbox, startDemoServer } from '../lib/server.mjs';

import { assertProblem, enrol, findEnrolment, demoLogin, demoAccount, mailTo, mailTexts, uniqueEmail } from '../lib/flows.mjs';

let server;
let operator;
before(async () => {
  server = await startDemoServer();
  operator = await demoLogin(server, 'operator');
});
after(async () => { await server?.stop(); });

test('sign-up → confirm e-mail → TOTP enrolment → pending → approved → login + TOTP → /me', async () => {
  const a = await enrol(server, { first_name: 'Élise', last_name: 'Fontaine' });

  const refused = await api(server, 'POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } });
  assertProblem(refused, 403, 'account-pending-approval', 'login while pending');

  const item = await findEnrolment(server, operator.token, a.email);
  assert.equal(item.status, 'pending_approval');
  assert.equal(item.first_name, 'Élise');
  assert.ok(item.structures?.some((s) => s.proposed === true), 'the proposed structure is listed as proposed');

  const approved = await api(server, 'POST', `/api/v1/enrolments/${item.id}/approve`, {
    token: operator.token, body: { role: 'professional' },
  });
  assert.equal(approved.status, 200, approved.text);
  await waitForMail(server.db, (m) => mailTo(a.email)(m) && !mailTexts(m).some((t) => t.includes('/confirmer?jeton=')));

  const token = await login(server, a.email, a.password, a.secret);
  const me = await api(server, 'GET', '/api/v1/me', { token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.email, a.email);
  assert.equal(me.json.status, 'active');
  assert.equal(me.json.role, 'professional');
  assert.equal(me.json.first_name, 'Élise');
  assert.ok(Number.isInteger(me.json.version), 'me has an integer version');
  assert.equal(typeof me.json.csrf_token, 'string');

  const active = await api(server, 'GET', '/api/v1/enrolments?status=active', { token: operator.token });
  assert.ok(active.json.items.some((i) => i.email === a.email), 'listed as active once approved');
});

test('the same e-mail signed up twice gets the same 202 (no enumeration), the confirm link works once', async () => {
  const a = await enrol(server);
  const again = await api(server, 'POST', '/api/v1/enrolments', {
    body: { email: a.email, password: 'Autre-mot-de-passe-2024', first_name: 'X', last_name: 'Y',
      profession_code: 'AS', profession_label: 'Aide-soignant', structure_proposal: { name: 'Autre', commune: 'Tulle' } },
  });
  assert.equal(again.status, 202, again.text);
  assert.deepEqual(again.json, { status: 'pending_email' });
  const reuse = await api(server, 'POST', '/api/v1/enrolments/confirm-email', { body: { token: a.confirmToken } });
  assertProblem(reuse, 400, 'invalid-token', 'confirm link reused');
  const bogus = await api(server, 'POST', '/api/v1/enrolments/confirm-email', { body: { token: 'inexistant' } });
  assertProblem(bogus, 400, 'invalid-token', 'unknown confirm token');
});

test('rejection with a reason: login says rejected and gives the reason', async () => {
  const a = await enrol(server, { first_name: 'Marc', last_name: 'Rejet' });
  const item = await findEnrolment(server, operator.token, a.email);
  const noReason = await api(server, 'POST', `/api/v1/enrolments/${item.id}/reject`, { token: operator.token, body: {} });
  const p = assertProblem(noReason, 422, 'invalid-field', 'reject without reason');
  assert.ok(p.errors?.some((e) => e.field === 'reason'), JSON.stringify(p.errors));
  const tooLong = await api(server, 'POST', `/api/v1/enrolments/${item.id}/reject`, {
    token: operator.token, body: { reason: 'x'.repeat(501) },
  });
  assertProblem(tooLong, 422, 'invalid-field', 'reason over 500 chars');

  const reason = 'Numéro RPPS introuvable dans l’annuaire santé';
  const rejected = await api(server, 'POST', `/api/v1/enrolments/${item.id}/reject`, {
    token: operator.token, body: { reason },
  });
  assert.equal(rejected.status, 200, rejected.text);
  const res = await api(server, 'POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } });
  const problem = assertProblem(res, 403, 'account-rejected', 'login after rejection');
  assert.ok(problem.detail?.includes(reason), `detail holds the reason (got "${problem.detail}")`);
  const list = await api(server, 'GET', '/api/v1/enrolments?status=rejected', { token: operator.token });
  assert.ok(list.json.items.some((i) => i.email === a.email));
  const mail = outbox(server.db).filter(mailTo(a.email));
  assert.ok(mail.some((m) => mailTexts(m).some((t) => t.includes('RPPS introuvable'))), 'the applicant is told why by e-mail');
});

test('a professional may not approve enrolments (403)', async () => {
  const pro = await demoLogin(server, 'professional');
  const a = await enrol(server);
  const item = await findEnrolment(server, operator.token, a.email);
  const res = await api(server, 'POST', `/api/v1/enrolments/${item.id}/approve`, { token: pro.token, body: {} });
  assertProblem(res, 403, 'forbidden');
  const list = await api(server, 'GET', '/api/v1/enrolments', { token: pro.token });
  assertProblem(list, 403, 'forbidden', 'list as professional');
});

test('a TOTP code cannot be replayed (code-already-used); a wrong code is invalid-code', async () => {
  const acct = demoAccount(server.db, 'professional', 1);
  const first = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: acct.password } });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.next, 'totp');
  // Only the pending session's routes: /me is refused until the second factor.
  const early = await api(server, 'GET', '/api/v1/me', { token: first.json.pending_token });
  assert.equal(early.status, 401, early.text);
  const wrongCode = String((Number(totp(acct.totp_secret)) + 500000) % 1000000).padStart(6, '0');
  const wrong = await api(server, 'POST', '/api/v1/auth/totp', { token: first.json.pending_token, body: { code: wrongCode } });
  assertProblem(wrong, 401, 'invalid-code');
  let code = totp(acct.totp_secret);
  let ok = await api(server, 'POST', '/api/v1/auth/totp', { token: first.json.pending_token, body: { code } });
  if (ok.status !== 200 && ok.json?.type?.endsWith('code-already-used')) { // demoLogin used this step
    code = totp(acct.totp_secret, Date.now(), 1);
    ok = await api(server, 'POST', '/api/v1/auth/totp', { token: first.json.pending_token, body: { code } });
  }
  assert.equal(ok.status, 200, ok.text);
  assert.ok(ok.json.token && ok.json.token !== first.json.pending_token, 'the token changes after the second factor');
  assert.equal(ok.json.account?.email, acct.email);

  const second = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: acct.password } });
  const replay = await api(server, 'POST', '/api/v1/auth/totp', { token: second.json.pending_token, body: { code } });
  assertProblem(replay, 401, 'code-already-used');
});

test('a recovery code opens a session once, then is code-already-used', async () => {
  const a = await enrol(server);
  const item = await findEnrolment(server, operator.token, a.email);
  const approved = await api(server, 'POST', `/api/v1/enrolments/${item.id}/approve`, { token: operator.token, body: {} });
  assert.equal(approved.status, 200, approved.text);
  const recovery = a.recoveryCodes[3];
  assert.match(recovery, /^[a-z0-9]{5}-[a-z0-9]{5}$/i);
  const p1 = await api(server, 'POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } });
  assert.equal(p1.status, 200, p1.text);
  const used = await api(server, 'POST', '/api/v1/auth/totp', { token: p1.json.pending_token, body: { code: recovery } });
  assert.equal(used.status, 200, used.text);
  const me = await api(server, 'GET', '/api/v1/me', { token: used.json.token });
  assert.equal(me.status, 200);
  const p2 = await api(server, 'POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } });
  const again = await api(server, 'POST', '/api/v1/auth/totp', { token: p2.json.pending_token, body: { code: recovery } });
  assertProblem(again, 401, 'code-already-used', 'recovery code reused');
  const other = await api(server, 'POST', '/api/v1/auth/totp', { token: p2.json.pending_token, body: { code: a.recoveryCodes[4] } });
  assert.equal(other.status, 200, `another recovery code still works: ${other.text}`);
});

test('unknown e-mail and wrong password give the same invalid-credentials', async () => {
  const unknown = await api(server, 'POST', '/api/v1/auth/login', { body: { email: uniqueEmail('inconnu'), password: 'Mot-de-passe-Essai-2024' } });
  const p1 = assertProblem(unknown, 401, 'invalid-credentials', 'unknown email');
  const acct = demoAccount(server.db, 'coordinator');
  const wrong = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: 'Pas-le-bon-mot-de-passe' } });
  const p2 = assertProblem(wrong, 401, 'invalid-credentials', 'wrong password');
  assert.equal(p1.title, p2.title);
  assert.equal(p1.detail, p2.detail);
});
