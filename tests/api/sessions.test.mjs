// Sessions: idle and absolute time-outs, logout, logout everywhere, CSRF for cookie sessions,
// password reset by e-mail.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase, runCli, api, login, totp, waitForMail, startDemoServer } from '../lib/server.mjs';
import {
  assertProblem, demoAccount, demoLogin, cookieApi, cookieLogin, enrolAndApprove, tokenFromMail, mailTo, sleep, uniqueEmail,
} from '../lib/flows.mjs';

describe('with the demo territory', () => {
  let server;
  let operator;
  before(async () => {
    server = await startDemoServer();
    operator = await demoLogin(server, 'operator');
  });
  after(async () => { await server?.stop(); });

  test('logout ends this session only', async () => {
    const acct = demoAccount(server.db, 'professional');
    const token = await login(server, acct.email, acct.password, acct.totp_secret);
    assert.equal((await api(server, 'GET', '/api/v1/me', { token })).status, 200);
    const out = await api(server, 'POST', '/api/v1/auth/logout', { token });
    assert.equal(out.status, 204, out.text);
    const after = await api(server, 'GET', '/api/v1/me', { token });
    assert.equal(after.status, 401, after.text);
    assert.match(after.json?.type || '', /unauthenticated|session-expired/);
    // The operator's session is untouched.
    assert.equal((await api(server, 'GET', '/api/v1/me', { token: operator.token })).status, 200);
  });

  test('logout-all ends every session of the account', async () => {
    const acct = demoAccount(server.db, 'coordinator');
    const t1 = await login(server, acct.email, acct.password, acct.totp_secret);
    const t2 = await login(server, acct.email, acct.password, acct.totp_secret);
    assert.notEqual(t1, t2);
    assert.equal((await api(server, 'GET', '/api/v1/me', { token: t2 })).status, 200);
    const out = await api(server, 'POST', '/api/v1/auth/logout-all', { token: t1 });
    assert.equal(out.status, 204, out.text);
    for (const t of [t1, t2]) {
      const res = await api(server, 'GET', '/api/v1/me', { token: t });
      assert.equal(res.status, 401, res.text);
    }
    assert.equal((await api(server, 'GET', '/api/v1/me', { token: operator.token })).status, 200, 'other accounts keep theirs');
  });

  test('cookie sessions need X-CSRF-Token on writes; bearer sessions do not', async () => {
    const acct = demoAccount(server.db, 'structure_admin');
    // The pending cookie session already needs the token.
    const jar0 = {};
    const first = await cookieApi(server, jar0, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: acct.password } });
    assert.equal(first.status, 200, first.text);
    const noCsrfTotp = await cookieApi(server, jar0, 'POST', '/api/v1/auth/totp', { body: { code: totp(acct.totp_secret) } });
    assertProblem(noCsrfTotp, 403, 'csrf', 'pending cookie without X-CSRF-Token');

    const { jar, csrf, res } = await cookieLogin(server, acct.email, acct.password, acct.totp_secret);
    const setCookies = res.headers.getSetCookie();
    const session = setCookies.find((c) => c.startsWith('__Host-cordee_session='));
    const csrfCookie = setCookies.find((c) => c.startsWith('__Host-cordee_csrf='));
    assert.ok(session && csrfCookie, `both cookies have the __Host- prefix: ${setCookies.join(' | ')}`);
    for (const c of [session, csrfCookie]) {
      // What the __Host- prefix requires, or the browser drops the cookie.
      assert.match(c, /;\s*Secure(;|$)/i, `Secure: ${c}`);
      assert.match(c, /;\s*Path=\/(;|$)/i, `Path=/: ${c}`);
      assert.doesNotMatch(c, /;\s*Domain=/i, `no Domain: ${c}`);
      assert.match(c, /;\s*SameSite=Strict/i, `SameSite=Strict: ${c}`);
    }
    assert.match(session, /;\s*HttpOnly/i, 'session cookie is HttpOnly');
    assert.doesNotMatch(csrfCookie, /HttpOnly/i, 'the CSRF cookie is readable by the app');
    assert.equal(jar['__Host-cordee_csrf'], csrf, 'the readable CSRF cookie holds the csrf token');
    // The HttpOnly cookie is the only copy of a browser's session token: not in the body.
    assert.equal(res.json.token, undefined, 'no session token in the JSON of a cookie login');
    assert.ok(res.json.csrf_token && res.json.account?.email, 'the body has the CSRF token and the account');
    assert.ok(!JSON.stringify(res.json).includes(jar['__Host-cordee_session']), 'the session token appears nowhere in the body');

    const me = await cookieApi(server, jar, 'GET', '/api/v1/me');
    assert.equal(me.status, 200, 'GET needs no CSRF token');
    assert.equal(me.json.csrf_token, csrf);

    const fav = { label: 'Annuaire', url: '/annuaire' };
    const missing = await cookieApi(server, jar, 'POST', '/api/v1/me/favorites', { body: fav });
    assertProblem(missing, 403, 'csrf', 'missing X-CSRF-Token');
    const wrong = await cookieApi(server, jar, 'POST', '/api/v1/me/favorites', { body: fav, csrf: csrf + 'x' });
    assertProblem(wrong, 403, 'csrf', 'wrong X-CSRF-Token');
    const list0 = await cookieApi(server, jar, 'GET', '/api/v1/me/favorites');
    assert.equal(list0.json.items.length, 0, 'refused writes wrote nothing');
    const ok = await cookieApi(server, jar, 'POST', '/api/v1/me/favorites', { body: fav, csrf });
    assert.equal(ok.status, 201, ok.text);

    // An API client (Bearer) gets its token in the body and no cookie.
    const pending = await api(server, 'POST', '/api/v1/auth/login', { body: { email: acct.email, password: acct.password } });
    assert.equal(pending.status, 200, pending.text);
    let second;
    for (const offset of [0, 1, 2]) {
      second = await api(server, 'POST', '/api/v1/auth/totp', {
        token: pending.json.pending_token, body: { code: totp(acct.totp_secret, Date.now(), offset) },
      });
      if (second.status === 200) break;
    }
    assert.equal(second.status, 200, second.text);
    assert.ok(second.json.token, 'a Bearer client gets its session token in the body');
    assert.deepEqual(second.headers.getSetCookie(), [], 'and no cookie');
    const bearer = second.json.token;
    const viaBearer = await api(server, 'POST', '/api/v1/me/favorites', { token: bearer, body: { label: 'Portail', url: '/' } });
    assert.equal(viaBearer.status, 201, viaBearer.text);

    const logoutNoCsrf = await cookieApi(server, jar, 'POST', '/api/v1/auth/logout');
    assertProblem(logoutNoCsrf, 403, 'csrf', 'logout with cookie but no token');
    const logout = await cookieApi(server, jar, 'POST', '/api/v1/auth/logout', { csrf });
    assert.equal(logout.status, 204, logout.text);
  });

  test('password reset by e-mailed link: old password refused, sessions ended, link single-use', async () => {
    const a = await enrolAndApprove(server, operator.token);
    const token = await login(server, a.email, a.password, a.secret);
    const unknown = await api(server, 'POST', '/api/v1/auth/password-reset', { body: { email: uniqueEmail('absent') } });
    assert.equal(unknown.status, 202, 'unknown e-mail: same 202');
    const asked = await api(server, 'POST', '/api/v1/auth/password-reset', { body: { email: a.email } });
    assert.equal(asked.status, 202, asked.text);
    const mail = await waitForMail(server.db, (m) => mailTo(a.email)(m) && tokenFromMail(m, '/reinitialiser') !== null);
    const resetToken = tokenFromMail(mail, '/reinitialiser');

    const weak = await api(server, 'POST', '/api/v1/auth/password-reset/confirm', { body: { token: resetToken, password: 'court' } });
    const p = assertProblem(weak, 422, 'invalid-field', 'password too short');
    assert.ok(p.errors?.some((e) => e.field === 'password'));

    const newPassword = 'Nouveau-Mot-de-Passe-2025';
    const done = await api(server, 'POST', '/api/v1/auth/password-reset/confirm', { body: { token: resetToken, password: newPassword } });
    assert.equal(done.status, 204, done.text);
    const reuse = await api(server, 'POST', '/api/v1/auth/password-reset/confirm', { body: { token: resetToken, password: 'Encore-un-autre-2025' } });
    assertProblem(reuse, 400, 'invalid-token', 'reset link reused');

    const old = await api(server, 'POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } });
    assertProblem(old, 401, 'invalid-credentials', 'old password');
    const ended = await api(server, 'GET', '/api/v1/me', { token });
    assert.equal(ended.status, 401, 'the session opened before the reset is over');
    const fresh = await api(server, 'POST', '/api/v1/auth/login', { body: { email: a.email, password: newPassword } });
    assert.equal(fresh.status, 200, fresh.text);
  });
});

describe('time-outs (idle 2 s, absolute 6 s)', () => {
  let server;
  const email = 'operatrice.essai@exemple.fr';
  const password = 'Mot-de-passe-Operatrice-2024';
  let secret;
  before(async () => {
    const db = freshDatabase();
    runCli(['admin', 'create-operator', '--email', email, '--password', password, '--first-name', 'Odile', '--last-name', 'Essai'], db);
    server = await startServer({ db, env: { CORDEE_SESSION_IDLE_SECONDS: '2', CORDEE_SESSION_ABSOLUTE_SECONDS: '6' } });
    // First login of a CLI-made operator goes through TOTP enrolment and opens a full session.
    const first = await api(server, 'POST', '/api/v1/auth/login', { body: { email, password } });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.next, 'totp_enrol');
    const start = await api(server, 'GET', '/api/v1/auth/totp/enrol', { token: first.json.pending_token });
    assert.equal(start.status, 200, start.text);
    secret = start.json.secret;
    const done = await api(server, 'POST', '/api/v1/auth/totp/enrol', { token: first.json.pending_token, body: { code: totp(secret) } });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.status, 'active', 'an approved account gets a session right after enrolment');
    assert.ok(done.json.token);
  });
  after(async () => { await server?.stop(); });

  test('idle session → 401 session-expired after 3 s', async () => {
    const token = await login(server, email, password, secret);
    assert.equal((await api(server, 'GET', '/api/v1/me', { token })).status, 200);
    await sleep(3000);
    const res = await api(server, 'GET', '/api/v1/me', { token });
    assertProblem(res, 401, 'session-expired');
  });

  test('activity keeps the session alive until the absolute time-out', async () => {
    const token = await login(server, email, password, secret);
    const born = Date.now();
    while (Date.now() - born < 4000) {
      await sleep(800);
      const res = await api(server, 'GET', '/api/v1/me', { token });
      assert.equal(res.status, 200, `active session alive at ${Date.now() - born} ms: ${res.text}`);
    }
    while (Date.now() - born < 7000) {
      await sleep(800);
      const res = await api(server, 'GET', '/api/v1/me', { token });
      if (res.status === 401) {
        assertProblem(res, 401, 'session-expired');
        assert.ok(Date.now() - born >= 5500, `expired only after the absolute time-out (${Date.now() - born} ms)`);
        return;
      }
    }
    assert.fail('the session outlived CORDEE_SESSION_ABSOLUTE_SECONDS=6');
  });
});
