// Password guessing is throttled per account: after 5 failures even the right password waits.
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

test('sign-ups are bounded per address: the 21st within an hour gets 429, nothing is created', async () => {
  const body = (i) => ({ email: `flot-${i}-${Date.now()}@exemple.fr`, password: 'Mot-de-passe-Essai-2024', first_name: 'A',
    last_name: 'B', profession_code: '60', profession_label: 'Infirmier' });
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
