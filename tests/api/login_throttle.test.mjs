// Password guessing is throttled per account: after 5 failures even the right password waits. The check and the
// record of an attempt are one step, so that concurrent guesses cannot all pass the check before any is counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase, runCli, api } from '../lib/server.mjs';
import { assertProblem, demoAccount, sql } from '../lib/flows.mjs';

let server;
before(async () => {
  const db = freshDatabase();
  runCli(['demo'], db);
  server = await startServer({ db });
});
after(async () => { await server?.stop(); });

test('5 wrong passwords → 429 too-many-attempts with Retry-After, then the right password is refused too', async () => {
  const acct = demoAccount(server.db, 'professional');
  for (let i = 1; i <= 5; i++) {
    const res = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: `Mauvais-mot-de-passe-${i}` } });
    assertProblem(res, 401, 'invalid-credentials', `failure ${i}`);
  }
  const sixth = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: 'Mauvais-mot-de-passe-6' } });
  assertProblem(sixth, 429, 'too-many-attempts', 'sixth failure');
  const retry = Number(sixth.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry > 0 && retry <= 15 * 60, `Retry-After in seconds (got "${sixth.headers.get('retry-after')}")`);

  const right = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: acct.password } });
  assertProblem(right, 429, 'too-many-attempts', 'right password while throttled');
  assert.ok(Number(right.headers.get('retry-after')) > 0, 'Retry-After on the refusal too');
  assert.ok(!right.json.pending_token, 'no session is opened');
});

test('the throttle is per account: another account still logs in', async () => {
  const other = demoAccount(server.db, 'coordinator');
  const res = await api(server, 'POST', '/api/v1/auth/login', { body: { email: other.email, password: other.password } });
  assert.equal(res.status, 200, res.text);
});

test('an unknown e-mail is throttled the same way (no enumeration through 429)', async () => {
  const email = 'personne.inconnue@exemple.fr';
  const statuses = [];
  for (let i = 0; i < 6; i++) {
    const res = await api(server, 'POST', '/api/v1/auth/login', { body: { email, password: 'Mauvais-mot-de-passe' } });
    statuses.push(res.status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
});

test('30 concurrent wrong passwords for one account: exactly 5 are checked (401), the other 25 get 429', async () => {
  const acct = demoAccount(server.db, 'structure_admin');
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: `Mauvais-en-rafale-${i}` } })));
  const count = (status) => results.filter((r) => r.status === status).length;
  assert.deepEqual({ 401: count(401), 429: count(429), other: 30 - count(401) - count(429) }, { 401: 5, 429: 25, other: 0 },
    results.filter((r) => r.status !== 401 && r.status !== 429).map((r) => r.text).join('\n'));
  for (const r of results.filter((x) => x.status === 429)) assertProblem(r, 429, 'too-many-attempts', 'throttled guess');
  const right = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: acct.password } });
  assertProblem(right, 429, 'too-many-attempts', 'the right password after the burst');
  const failures = sql(server.db, `SELECT count(*) FROM auth_failures WHERE key = 'acct:${acct.email}'`).trim();
  assert.equal(failures, '5', 'exactly the limit was recorded');
});

test('a right password takes back the attempt it was counted as (4 failures + a success still leave one try)', async () => {
  const acct = demoAccount(server.db, 'professional', 1);
  for (let i = 1; i <= 4; i++) {
    const res = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: `Faux-${i}` } });
    assertProblem(res, 401, 'invalid-credentials', `failure ${i}`);
  }
  const right = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: acct.password } });
  assert.equal(right.status, 200, right.text);
  const fifth = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: 'Faux-5' } });
  assertProblem(fifth, 401, 'invalid-credentials', 'the fifth failure is still checked');
  const sixth = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: 'Faux-6' } });
  assertProblem(sixth, 429, 'too-many-attempts', 'then the limit');
});

test('sign-ups are bounded per address: the 21st within an hour gets 429, nothing is created', async () => {
  const body = (i) => ({ email: `flot-${i}-${Date.now()}@exemple.fr`, password: 'Mot-de-passe-Essai-2024', first_name: 'A',
    last_name: 'B', profession_code: 'AS', profession_label: 'Aide-soignant' });
  for (let i = 1; i <= 20; i++) {
    const res = await api(server, 'POST', '/api/v1/enrolments', { body: body(i) });
    assert.equal(res.status, 202, `sign-up ${i}: ${res.text}`);
  }
  const refused = await api(server, 'POST', '/api/v1/enrolments', { body: body(21) });
  assertProblem(refused, 429, 'too-many-attempts', '21st sign-up');
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  const count = sql(server.db, "SELECT count(*) FROM accounts WHERE email LIKE 'flot-%'").trim();
  assert.equal(count, '20', 'the refused sign-up created no account');
});
