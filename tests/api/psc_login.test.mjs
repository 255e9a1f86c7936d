// Pro Santé Connect against a real OpenID provider (oidc-provider, tests/lib/psc_provider.mjs) and the real
// binary: the code flow with PKCE, state and nonce; every check of the ID token; key rotation; first login
// (create an account, or link an existing one after its password and TOTP); a PSC login needs no TOTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { api, freshDatabase, runCli, startServer } from '../lib/server.mjs';
import { cookieLogin, demoLogin, freeRpps, sql, uniqueEmail } from '../lib/flows.mjs';
import { startPscProvider, sampleSubjectRefPro } from '../lib/psc_provider.mjs';

let server, psc, finess, structureOfFiness;

const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});

before(async () => {
  psc = await startPscProvider({ accounts: {} });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  psc.setRedirectUris([`${base}/api/v1/auth/psc/callback`]);
  const db = freshDatabase();
  runCli(['demo'], db);
  server = await startServer({ db, args: ['--port', String(port), '--public-url', base, '--psc-issuer', psc.issuer,
    '--psc-client-id', psc.clientId, '--psc-client-secret', psc.clientSecret] });
  [structureOfFiness, finess] = sql(server.db, "SELECT id, finess FROM structures WHERE finess IS NOT NULL AND status = 'active' ORDER BY id LIMIT 1")
    .trim().split('|');
});
after(async () => { await server?.stop(); await psc?.close(); });

const cookiesOf = (res) => Object.fromEntries((res.headers.getSetCookie?.() ?? []).map((c) => {
  const [pair] = c.split(';');
  const i = pair.indexOf('=');
  return [pair.slice(0, i), pair.slice(i + 1)];
}));

// A PSC account of the provider for a directory entry (profession taken from it), working at `finessSite`.
function pscAccountFor(rpps, { finessSite = '999999999' } = {}) {
  const [code, first, last] = sql(server.db, `SELECT profession_code, first_name, last_name FROM professionals WHERE rpps = '${rpps}'`)
    .trim().split('|');
  const id = '8' + rpps;
  psc.addAccount(id, { given_name: first, family_name: last,
    SubjectRefPro: sampleSubjectRefPro({ exercice: { codeProfession: code }, activity: { numeroFinessSite: finessSite } }) });
  return id;
}

// The browser's journey: /start → provider (logged in without a form) → /callback. Returns the callback's answer.
async function pscJourney(nationalId, { binding = true, keepCallback = false } = {}) {
  const start = await fetch(server.url + '/api/v1/auth/psc/start', { redirect: 'manual' });
  assert.equal(start.status, 303, await start.text());
  const bindingCookie = cookiesOf(start).cordee_psc;
  assert.ok(bindingCookie, 'the browser is bound to its login');
  psc.loginAs(nationalId);
  let url = start.headers.get('location');
  const jar = {};
  for (let i = 0; i < 6 && !url.startsWith(server.url); i++) {
    const res = await fetch(url, { redirect: 'manual',
      headers: { cookie: Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ') } });
    Object.assign(jar, cookiesOf(res));
    assert.ok([302, 303].includes(res.status), `provider step ${i}: ${res.status} ${await res.text()}`);
    url = new URL(res.headers.get('location'), url).toString();
  }
  assert.ok(url.startsWith(server.url + '/api/v1/auth/psc/callback?'), url);
  const headers = binding ? { cookie: `cordee_psc=${bindingCookie}` } : {};
  const cb = await fetch(url, { redirect: 'manual', headers });
  assert.equal(cb.status, 303);
  const out = { location: cb.headers.get('location'), cookies: cookiesOf(cb), callbackUrl: url, bindingCookie };
  if (keepCallback) out.replay = () => fetch(url, { redirect: 'manual', headers });
  return out;
}

const sessionOf = (j) => j.cookies['__Host-cordee_session'];
const me = (token) => api(server, 'GET', '/api/v1/me', { token });

test('first PSC login: the account is created from the directory entry, active at once at a structure PSC proves', async () => {
  const rpps = freeRpps(server.db, '10');
  const id = pscAccountFor(rpps, { finessSite: finess });
  const j = await pscJourney(id);
  assert.equal(j.location, '/connexion/pro-sante-connect');
  const link = j.cookies.cordee_psc_link;
  assert.ok(link, 'the verified identity waits for the person to choose');
  assert.equal(sessionOf(j), undefined, 'no session before the choice');
  // What the browser sent to the provider.
  const authz = psc.requestsTo('authorization').at(-1).query;
  assert.equal(authz.code_challenge_method, 'S256');
  assert.match(authz.code_challenge, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(authz.scope.split(' ').sort(), ['openid', 'scope_all']);
  assert.equal(authz.acr_values, 'eidas1');
  assert.ok(authz.state.length >= 24 && authz.nonce.length >= 24 && authz.state !== authz.nonce);
  const token = psc.requestsTo('token').at(-1);
  assert.ok(token.body.code_verifier?.length >= 43, 'PKCE verifier sent to the token endpoint');

  const pending = await fetch(server.url + '/api/v1/auth/psc/pending', { headers: { cookie: `cordee_psc_link=${link}` } });
  const who = await pending.json();
  assert.equal(pending.status, 200, JSON.stringify(who));
  assert.equal(who.rpps, rpps);
  assert.equal(who.structures_proven, 1);
  const email = uniqueEmail('psc');
  const reg = await fetch(server.url + '/api/v1/auth/psc/register', { method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `cordee_psc_link=${link}` }, body: JSON.stringify({ email }) });
  const body = await reg.json();
  assert.equal(reg.status, 200, JSON.stringify(body));
  assert.equal(body.status, 'active');
  assert.equal(body.token, undefined, 'a browser gets no token in the body');
  const session = cookiesOf(reg)['__Host-cordee_session'];
  const m = await me(session);
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.professional_link, 'psc');
  assert.equal(m.json.rpps, rpps);
  assert.equal(m.json.profession_code, '10');
  assert.deepEqual(m.json.structures.map((s) => s.id), [structureOfFiness]);
  // The identity was used once: registering again is refused.
  const again = await fetch(server.url + '/api/v1/auth/psc/register', { method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `cordee_psc_link=${link}` }, body: JSON.stringify({ email: uniqueEmail('x') }) });
  assert.equal(again.status, 400);
  // The next PSC login opens a session directly, with no TOTP.
  const next = await pscJourney(id);
  assert.equal(next.location, '/');
  assert.equal((await me(sessionOf(next))).json.email, email);
  // No password on such an account, and a reset cannot give it one.
  const before = sql(server.db, `SELECT COUNT(*) FROM emails WHERE to_addr = '${email}'`).trim();
  assert.equal((await api(server, 'POST', '/api/v1/auth/password-reset', { body: { email } })).status, 202);
  assert.equal(sql(server.db, `SELECT COUNT(*) FROM emails WHERE to_addr = '${email}'`).trim(), before, 'no reset mail');
});

test('first PSC login of someone who has an account: linked after the password and TOTP', async () => {
  const rpps = freeRpps(server.db, '60');
  const id = pscAccountFor(rpps);
  const j = await pscJourney(id);
  const link = j.cookies.cordee_psc_link;
  assert.ok(link);
  // The demo infirmier signs in as usual (browser cookie flow), then links.
  const nurse = await demoLogin(server, 'professional', 1);
  assert.equal(nurse.profession, 'Infirmier');
  // Only his own local entry so far (every account is in the directory).
  assert.equal((await me(nurse.token)).json.professional_link, 'local');
  const { jar, csrf } = await cookieLogin(server, nurse.email, nurse.password, nurse.totp_secret);
  const session = Object.entries(jar).find(([k]) => k.endsWith('cordee_session'));
  const res = await fetch(server.url + '/api/v1/auth/psc/link', { method: 'POST', headers: {
    cookie: `${session[0]}=${session[1]}; cordee_psc_link=${link}`, 'x-csrf-token': csrf } });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  const m = await me(nurse.token);
  assert.equal(m.json.professional_link, 'psc');
  assert.equal(m.json.rpps, rpps);
  assert.equal(m.json.professional_id, sql(server.db, `SELECT id FROM professionals WHERE rpps = '${rpps}'`).trim());
  assert.equal(sql(server.db, `SELECT active FROM professionals WHERE id = '${nurse.account_id}'`).trim(), '0',
    'his local entry gives way to the national one: one entry per person');
  // From now on PSC opens the nurse's account.
  const next = await pscJourney(id);
  assert.equal(next.location, '/');
  assert.equal((await me(sessionOf(next))).json.email, nurse.email);
});

test('every check of the ID token refuses the login: nonce, audience, expiry, issuer, unknown key, unsigned', async () => {
  const rpps = freeRpps(server.db, '70');
  const id = pscAccountFor(rpps);
  for (const [mode, reason] of [['nonce', /nonce/], ['aud', /autre service/], ['expired', /expiré/], ['iss', /émetteur/],
    ['unknown-key', /clé de signature inconnue/], ['alg-none', /algorithme/]]) {
    psc.tamper(mode);
    const j = await pscJourney(id);
    assert.equal(j.location, '/connexion?psc=refuse', mode);
    assert.equal(sessionOf(j), undefined, `${mode}: no session`);
    assert.equal(j.cookies.cordee_psc_link, undefined, `${mode}: no identity kept`);
    const last = sql(server.db, "SELECT detail FROM audit_log WHERE action = 'auth.psc' ORDER BY seq DESC LIMIT 1").trim();
    assert.match(last, reason, `${mode}: audited with its reason`);
  }
  // Untampered, the same account goes through.
  assert.equal((await pscJourney(id)).location, '/connexion/pro-sante-connect');
});

test('rotated keys, ES256 and a signed userinfo are accepted; a replayed or unbound callback is refused', async () => {
  const rpps = freeRpps(server.db, '70');
  const id = pscAccountFor(rpps);
  psc.rotateKeys();
  psc.dropOldKeys();
  assert.equal((await pscJourney(id)).location, '/connexion/pro-sante-connect', 'new RS256 key fetched on its kid');
  psc.setAlg('ES256');
  psc.userinfoAsJwt(true);
  assert.equal((await pscJourney(id)).location, '/connexion/pro-sante-connect', 'ES256 and a JWT userinfo');
  const ui = psc.requestsTo('userinfo').at(-1);
  assert.equal(ui.status, 200);
  psc.setAlg('RS256');
  psc.userinfoAsJwt(false);
  const j = await pscJourney(id, { keepCallback: true });
  assert.equal(j.location, '/connexion/pro-sante-connect');
  const replay = await j.replay();
  assert.equal(replay.headers.get('location'), '/connexion?psc=refuse', 'a state serves once');
  const unbound = await pscJourney(id, { binding: false });
  assert.equal(unbound.location, '/connexion?psc=refuse', 'a callback from another browser is refused');
});

test('without a structure PSC proves, creating the account needs one to approve it', async () => {
  const rpps = freeRpps(server.db, '21');
  const id = pscAccountFor(rpps);
  const j = await pscJourney(id);
  const link = j.cookies.cordee_psc_link;
  const register = (body) => fetch(server.url + '/api/v1/auth/psc/register', { method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `cordee_psc_link=${link}` }, body: JSON.stringify(body) });
  const none = await register({ email: uniqueEmail('nostructure') });
  const p = await none.json();
  assert.equal(none.status, 422, JSON.stringify(p));
  assert.equal(p.errors[0].field, 'structure_id');
  // The refusal kept the identity: with a structure, the account waits for its approver.
  const ok = await register({ email: uniqueEmail('withstructure'), structure_id: structureOfFiness });
  const body = await ok.json();
  assert.equal(ok.status, 202, JSON.stringify(body));
  assert.equal(body.status, 'pending_approval');
  assert.equal(cookiesOf(ok)['__Host-cordee_session'], undefined, 'no session before approval');
  assert.equal((await pscJourney(id)).location, '/connexion?psc=en-attente');
});

test('PSC says whether it is configured', async () => {
  const res = await api(server, 'GET', '/api/v1/auth/psc');
  assert.equal(res.status, 200);
  assert.equal(res.json.enabled, true);
});
