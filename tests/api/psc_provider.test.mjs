// The Pro Santé Connect test provider (tests/lib/psc_provider.mjs) itself: a real oidc-provider,
// driven here with plain fetch only (no cordee binary): discovery, JWKS, the code flow with PKCE done
// by hand, userinfo (JSON and JWT), key rotation, the algorithms, the tampered id_tokens, the form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { startPscProvider, sampleSubjectRefPro, TAMPERED, PSC_SUB_PREFIX } from '../lib/psc_provider.mjs';

// Never contacted: the test reads the Location header that points there.
const REDIRECT = 'http://127.0.0.1:9/api/v1/auth/psc/callback';
const MARIE = '810001234567';
const JEAN = '810009876543';
const jeanRefPro = sampleSubjectRefPro({
  codeCivilite: 'M',
  exercice: { codeProfession: '60', codeSavoirFaire: '', codeTypeSavoirFaire: '', nomDexercice: 'VALJEAN', prenomDexercice: 'JEAN' },
  activity: { numeroFinessSite: '', numeroSiretSite: '12345678900011', raisonSocialeSite: 'CABINET INFIRMIER VALJEAN', codeModeExercice: 'L' },
});

let psc;
let disc;
before(async () => {
  psc = await startPscProvider({
    clientId: 'cordee', clientSecret: 's3cret', redirectUris: ['http://127.0.0.1:1/placeholder'],
    accounts: {
      [MARIE]: { given_name: 'Marie', family_name: 'Curie', SubjectRefPro: sampleSubjectRefPro() },
      [JEAN]: { given_name: 'Jean', family_name: 'Valjean', SubjectRefPro: jeanRefPro },
    },
  });
  psc.setRedirectUris([REDIRECT]); // as a test does once the server under test has its port
  disc = await (await fetch(psc.discoveryUrl)).json();
});
after(async () => { await psc?.close(); });

async function jwksNow() {
  const res = await fetch(disc.jwks_uri);
  assert.equal(res.status, 200);
  return res.json();
}

function cookieJar() {
  const cookies = new Map();
  return {
    cookies,
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    store(res) {
      for (const c of res.headers.getSetCookie()) {
        const [pair, ...attrs] = c.split(';');
        const i = pair.indexOf('=');
        const name = pair.slice(0, i).trim();
        const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
        if (expired) cookies.delete(name); else cookies.set(name, pair.slice(i + 1));
      }
    },
  };
}

const b64sha256 = (s) => createHash('sha256').update(s).digest('base64url');

// GET authorize, then follow the redirects by hand (keeping cookies) until the redirect_uri.
// Returns the hops and the final redirect's parameters, or the first non-redirect response.
async function authorize({ jar = cookieJar(), params = {}, omit = [], redirectUri = REDIRECT } = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const nonce = randomBytes(8).toString('hex');
  const query = {
    response_type: 'code', client_id: 'cordee', redirect_uri: redirectUri, scope: 'openid scope_all',
    state, nonce, code_challenge: b64sha256(verifier), code_challenge_method: 'S256', acr_values: 'eidas1',
    ...params,
  };
  for (const k of omit) delete query[k];
  let url = `${disc.authorization_endpoint}?${new URLSearchParams(query)}`;
  const hops = [];
  for (let i = 0; i < 10; i++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(res);
    const location = res.headers.get('location');
    if (!location) return { hops, res, text: await res.text(), verifier, state, nonce, jar };
    hops.push({ url, status: res.status, location });
    if (location.startsWith(redirectUri)) {
      return { hops, final: new URL(location).searchParams, verifier, state, nonce, jar };
    }
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

async function token(code, verifier, { auth = 'basic', secret = 's3cret', extra = {} } = {}) {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, ...extra });
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth === 'basic' || auth === 'both') headers.authorization = `Basic ${Buffer.from(`cordee:${secret}`).toString('base64')}`;
  if (auth === 'post' || auth === 'both') { body.set('client_id', 'cordee'); body.set('client_secret', secret); }
  const res = await fetch(disc.token_endpoint, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json() };
}

// loginAs + authorize + token: the decoded id_token.
async function flow(account = MARIE, opts = {}) {
  psc.loginAs(account);
  const a = await authorize(opts);
  assert.ok(a.final, `no redirect to the client: ${a.res?.status} ${a.text}`);
  assert.equal(a.final.get('state'), a.state);
  const t = await token(a.final.get('code'), a.verifier);
  assert.equal(t.status, 200, JSON.stringify(t.json));
  const idToken = t.json.id_token;
  return { a, t, idToken, header: jose.decodeProtectedHeader(idToken), payload: jose.decodeJwt(idToken) };
}

async function verify(jwt, options = {}) {
  return jose.jwtVerify(jwt, jose.createLocalJWKSet(await jwksNow()), { issuer: psc.issuer, audience: 'cordee', ...options });
}

test('discovery: issuer, Keycloak-shaped endpoints, eidas1, S256, both algorithms, the PSC claims', () => {
  const i = psc.issuer;
  assert.match(i, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(disc.issuer, i);
  assert.equal(disc.authorization_endpoint, `${i}/protocol/openid-connect/auth`);
  assert.equal(disc.token_endpoint, `${i}/protocol/openid-connect/token`);
  assert.equal(disc.userinfo_endpoint, `${i}/protocol/openid-connect/userinfo`);
  assert.equal(disc.jwks_uri, `${i}/protocol/openid-connect/certs`);
  assert.equal(disc.end_session_endpoint, `${i}/protocol/openid-connect/logout`);
  assert.deepEqual(disc.scopes_supported, ['openid', 'scope_all']);
  assert.deepEqual(disc.acr_values_supported, ['eidas1']);
  assert.deepEqual(disc.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(disc.id_token_signing_alg_values_supported, ['RS256', 'ES256']);
  assert.deepEqual(disc.userinfo_signing_alg_values_supported, ['RS256', 'ES256']);
  for (const c of ['sub', 'SubjectNameID', 'SubjectRefPro', 'given_name', 'family_name', 'acr']) {
    assert.ok(disc.claims_supported.includes(c), c);
  }
  assert.ok(disc.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
  assert.ok(disc.token_endpoint_auth_methods_supported.includes('client_secret_post'));
});

test('JWKS: one RSA (RS256) and one EC P-256 (ES256) public key, kids as the harness reports', async () => {
  const { keys } = await jwksNow();
  assert.equal(keys.length, 2);
  const rsa = keys.find((k) => k.kty === 'RSA');
  const ec = keys.find((k) => k.kty === 'EC');
  assert.equal(rsa.alg, 'RS256');
  assert.equal(rsa.use, 'sig');
  assert.equal(rsa.kid, psc.currentKid('RS256'));
  assert.equal(ec.alg, 'ES256');
  assert.equal(ec.crv, 'P-256');
  assert.equal(ec.kid, psc.currentKid('ES256'));
  for (const k of keys) for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(k[priv], undefined, `${k.kty} ${priv}`);
});

test('code flow with PKCE and loginAs: 3 redirects, id_token with the PSC claims, userinfo JSON then JWT', async () => {
  const before = psc.requests.length;
  const { a, t, header, payload, idToken } = await flow(MARIE);

  // The redirects: authorize → interaction → resume → redirect_uri, all 303.
  assert.deepEqual(a.hops.map((h) => h.status), [303, 303, 303]);
  assert.match(a.hops[0].location, /^\/interaction\/[\w-]+$/);
  assert.match(a.hops[1].location, new RegExp(`^${psc.issuer}/protocol/openid-connect/auth/[\\w-]+$`));
  assert.equal(a.final.get('iss'), psc.issuer);
  assert.ok(a.jar.cookies.has('psc_session'));
  assert.ok(a.jar.cookies.has('psc_session.sig'));
  assert.equal(t.json.token_type, 'Bearer');
  assert.equal(t.json.scope, 'openid scope_all');
  assert.equal(t.json.refresh_token, undefined);

  assert.deepEqual(header, { alg: 'RS256', kid: psc.currentKid('RS256') });
  assert.equal(payload.iss, psc.issuer);
  assert.equal(payload.aud, 'cordee');
  assert.equal(payload.sub, PSC_SUB_PREFIX + MARIE);
  assert.equal(payload.SubjectNameID, MARIE);
  assert.equal(payload.preferred_username, MARIE);
  assert.equal(payload.given_name, 'Marie');
  assert.equal(payload.family_name, 'Curie');
  assert.equal(payload.nonce, a.nonce);
  assert.equal(payload.acr, 'eidas1');
  assert.equal(typeof payload.auth_time, 'number');
  assert.deepEqual(payload.SubjectRefPro, sampleSubjectRefPro());
  const act = payload.SubjectRefPro.exercices[0].activities[0];
  assert.equal(payload.SubjectRefPro.exercices[0].codeProfession, '10');
  assert.equal(payload.SubjectRefPro.exercices[0].codeSavoirFaire, 'SM54');
  assert.equal(act.numeroFinessSite, '510000029');
  assert.equal(act.raisonSocialeSite, 'CHU de Reims');
  assert.equal(payload.exp - payload.iat, 600);

  const verified = await verify(idToken);
  assert.equal(verified.protectedHeader.kid, psc.currentKid('RS256'));

  // What the provider received.
  const authz = psc.requests.slice(before).find((r) => r.path === '/protocol/openid-connect/auth');
  assert.equal(authz.query.code_challenge_method, 'S256');
  assert.equal(authz.query.code_challenge, b64sha256(a.verifier));
  assert.equal(authz.query.state, a.state);
  assert.equal(authz.query.nonce, a.nonce);
  assert.equal(authz.query.acr_values, 'eidas1');
  assert.deepEqual(authz.query.scope.split(' '), ['openid', 'scope_all']);
  const tok = psc.requestsTo('token').at(-1);
  assert.equal(tok.method, 'POST');
  assert.equal(tok.status, 200);
  assert.equal(tok.body.code_verifier, a.verifier);
  assert.equal(tok.body.grant_type, 'authorization_code');

  // userinfo, JSON.
  const ui = await fetch(disc.userinfo_endpoint, { headers: { authorization: `Bearer ${t.json.access_token}` } });
  assert.equal(ui.status, 200);
  assert.match(ui.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(await ui.json(), {
    sub: PSC_SUB_PREFIX + MARIE, SubjectNameID: MARIE, preferred_username: MARIE,
    given_name: 'Marie', family_name: 'Curie', SubjectRefPro: sampleSubjectRefPro(),
  });

  // userinfo as a signed JWT, with the same access token.
  psc.userinfoAsJwt(true);
  try {
    const uj = await fetch(disc.userinfo_endpoint, { headers: { authorization: `Bearer ${t.json.access_token}` } });
    assert.equal(uj.status, 200);
    assert.match(uj.headers.get('content-type'), /^application\/jwt/);
    const jwt = await uj.text();
    const { payload: u, protectedHeader } = await verify(jwt);
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(protectedHeader.kid, psc.currentKid('RS256'));
    assert.equal(u.SubjectNameID, MARIE);
    assert.deepEqual(u.SubjectRefPro, sampleSubjectRefPro());
    assert.equal(u.sub, PSC_SUB_PREFIX + MARIE);
  } finally {
    psc.userinfoAsJwt(false);
  }
});

test('scope openid alone gives no PSC claims; another account gives its own', async () => {
  const { payload } = await flow(MARIE, { params: { scope: 'openid' } });
  assert.equal(payload.sub, PSC_SUB_PREFIX + MARIE);
  assert.equal(payload.SubjectNameID, undefined);
  assert.equal(payload.SubjectRefPro, undefined);

  const jean = await flow(JEAN);
  assert.equal(jean.payload.SubjectNameID, JEAN);
  assert.equal(jean.payload.family_name, 'Valjean');
  assert.equal(jean.payload.SubjectRefPro.exercices[0].codeProfession, '60');
  assert.equal(jean.payload.SubjectRefPro.exercices[0].activities[0].numeroSiretSite, '12345678900011');
});

test('client authentication: basic and post accepted, wrong secret 401, both at once 400', async () => {
  psc.loginAs(MARIE);
  let a = await authorize();
  const post = await token(a.final.get('code'), a.verifier, { auth: 'post' });
  assert.equal(post.status, 200, JSON.stringify(post.json));
  assert.equal(jose.decodeJwt(post.json.id_token).SubjectNameID, MARIE);
  assert.equal(psc.requestsTo('token').at(-1).body.client_secret, 's3cret');

  psc.loginAs(MARIE);
  a = await authorize();
  const wrong = await token(a.final.get('code'), a.verifier, { secret: 'nope' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error, 'invalid_client');

  psc.loginAs(MARIE);
  a = await authorize();
  const both = await token(a.final.get('code'), a.verifier, { auth: 'both' });
  assert.equal(both.status, 400);
  assert.equal(both.json.error, 'invalid_request');
});

test('PKCE: required, S256 only, the verifier must match; a code is used once', async () => {
  psc.loginAs(MARIE);
  let a = await authorize({ omit: ['code_challenge', 'code_challenge_method'] });
  assert.equal(a.final.get('error'), 'invalid_request');
  assert.equal(a.final.get('error_description'), 'Authorization Server policy requires PKCE to be used for this request');
  assert.equal(a.final.get('state'), a.state);

  psc.loginAs(MARIE);
  a = await authorize({ params: { code_challenge_method: 'plain' } });
  assert.equal(a.final.get('error'), 'invalid_request');

  psc.loginAs(MARIE);
  a = await authorize();
  const bad = await token(a.final.get('code'), randomBytes(32).toString('base64url'));
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, 'invalid_grant');

  psc.loginAs(MARIE);
  a = await authorize();
  assert.equal((await token(a.final.get('code'), a.verifier)).status, 200);
  const again = await token(a.final.get('code'), a.verifier);
  assert.equal(again.status, 400);
  assert.equal(again.json.error, 'invalid_grant');
});

test('rotateKeys: the next id_token has the new kid, the JWKS has old and new; dropOldKeys keeps the new only', async () => {
  const oldRsa = psc.currentKid('RS256');
  const oldEc = psc.currentKid('ES256');
  const added = psc.rotateKeys();
  assert.notEqual(added.RS256, oldRsa);
  assert.notEqual(added.ES256, oldEc);
  assert.equal(psc.currentKid('RS256'), added.RS256);

  const { header, idToken } = await flow(MARIE);
  assert.equal(header.kid, added.RS256);
  assert.equal(header.alg, 'RS256');
  let kids = (await jwksNow()).keys.map((k) => k.kid).sort();
  assert.deepEqual(kids, [oldRsa, oldEc, added.RS256, added.ES256].sort());
  await verify(idToken);

  psc.dropOldKeys();
  kids = (await jwksNow()).keys.map((k) => k.kid).sort();
  assert.deepEqual(kids, [added.RS256, added.ES256].sort());
  await verify(idToken); // signed by the key that stays
  const second = await flow(MARIE);
  assert.equal(second.header.kid, added.RS256);
});

test('setAlg ES256: id_token and userinfo JWT signed with the EC key', async () => {
  psc.setAlg('ES256');
  try {
    const { header, idToken, t } = await flow(MARIE);
    assert.deepEqual(header, { alg: 'ES256', kid: psc.currentKid('ES256') });
    const { payload } = await verify(idToken);
    assert.equal(payload.SubjectNameID, MARIE);

    psc.userinfoAsJwt(true);
    const uj = await fetch(disc.userinfo_endpoint, { headers: { authorization: `Bearer ${t.json.access_token}` } });
    const { protectedHeader, payload: u } = await verify(await uj.text());
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(protectedHeader.kid, psc.currentKid('ES256'));
    assert.equal(u.family_name, 'Curie');
  } finally {
    psc.userinfoAsJwt(false);
    psc.setAlg('RS256');
  }
  assert.equal((await flow(MARIE)).header.alg, 'RS256');
  assert.throws(() => psc.setAlg('HS256'), /alg must be one of/);
});

test('tamper: each mode alters the next id_token as named, once', async () => {
  const now = () => Math.floor(Date.now() / 1000);

  psc.tamper('nonce');
  let r = await flow(MARIE);
  assert.equal(r.payload.nonce, TAMPERED.nonce);
  assert.notEqual(r.payload.nonce, r.a.nonce);
  await verify(r.idToken); // re-signed with the current key: only the nonce check can catch it
  assert.equal(r.header.kid, psc.currentKid('RS256'));

  // Used once: the next one is normal.
  r = await flow(MARIE);
  assert.equal(r.payload.nonce, r.a.nonce);

  psc.tamper('aud');
  r = await flow(MARIE);
  assert.equal(r.payload.aud, TAMPERED.aud);
  await verify(r.idToken, { audience: TAMPERED.aud });
  await assert.rejects(verify(r.idToken), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });

  psc.tamper('expired');
  r = await flow(MARIE);
  assert.ok(r.payload.exp <= now() - 3600 && r.payload.exp > now() - 3700, String(r.payload.exp));
  assert.equal(r.payload.iat, r.payload.exp - 3600);
  await assert.rejects(verify(r.idToken), { code: 'ERR_JWT_EXPIRED' });

  psc.tamper('unknown-key');
  r = await flow(MARIE);
  assert.match(r.header.kid, /^unknown-[0-9a-f]{16}$/);
  assert.equal(r.header.alg, 'RS256');
  assert.equal(r.payload.nonce, r.a.nonce);
  assert.ok(!(await jwksNow()).keys.some((k) => k.kid === r.header.kid));
  await assert.rejects(verify(r.idToken), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
  // Nor does it verify with the published RSA key itself (a client that ignores the kid).
  const { keys } = await jwksNow();
  const rsaPub = await jose.importJWK(keys.find((k) => k.kty === 'RSA'), 'RS256');
  await assert.rejects(jose.jwtVerify(r.idToken, rsaPub), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });

  psc.setAlg('ES256');
  try {
    psc.tamper('unknown-key');
    r = await flow(MARIE);
    assert.equal(r.header.alg, 'ES256');
    assert.match(r.header.kid, /^unknown-/);
    await assert.rejects(verify(r.idToken), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
  } finally {
    psc.setAlg('RS256');
  }

  psc.tamper('iss');
  r = await flow(MARIE);
  assert.equal(r.payload.iss, `${psc.issuer}/other-realm`);
  await assert.rejects(verify(r.idToken), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' });

  psc.tamper('alg-none');
  r = await flow(MARIE);
  assert.deepEqual(r.header, { alg: 'none' });
  assert.equal(r.idToken.split('.')[2], '');
  assert.equal(r.payload.SubjectNameID, MARIE);
  await assert.rejects(verify(r.idToken));

  psc.tamper('nonce');
  psc.tamper(null);
  r = await flow(MARIE);
  assert.equal(r.payload.nonce, r.a.nonce);
  await verify(r.idToken);
  assert.throws(() => psc.tamper('sub'), /tamper mode/);
});

test('setRedirectUris: the old URI is refused (no redirect), the new one works', async () => {
  const other = 'http://127.0.0.1:9/other/callback';
  psc.setRedirectUris([other]);
  try {
    psc.loginAs(MARIE);
    const refused = await authorize();
    assert.equal(refused.final, undefined);
    assert.equal(refused.res.status, 400);
    assert.match(refused.text, /<b>error<\/b>: invalid_redirect_uri</);
    assert.equal(psc.requestsTo('authorization').at(-1).status, 400);
    psc.loginAs(MARIE);
    const ok = await authorize({ redirectUri: other });
    assert.ok(ok.final.get('code'));
  } finally {
    psc.setRedirectUris([REDIRECT]);
  }
  assert.throws(() => psc.loginAs('899999999999'), /no PSC test account/);
});

test('without loginAs: the form "Pro Santé Connect (test)", an unknown identifier, then a login', async () => {
  const jar = cookieJar();
  const a = await authorize({ jar });
  assert.equal(a.res.status, 200); // stopped on the page, no redirect
  assert.match(a.res.headers.get('content-type'), /^text\/html/);
  assert.match(a.text, /<title>Pro Santé Connect \(test\)<\/title>/);
  assert.match(a.text, /<label for="identifiant">Identifiant national<\/label>/);
  assert.match(a.text, /<button type="submit">Se connecter avec ma e-CPS<\/button>/);
  const action = a.text.match(/<form method="post" action="([^"]+)"/)[1];
  assert.match(action, /^\/interaction\/[\w-]+\/login$/);

  const post = (identifiant) => fetch(new URL(action, psc.issuer), {
    method: 'POST', redirect: 'manual',
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ identifiant }),
  });
  const unknown = await post('899999999999');
  assert.equal(unknown.status, 401);
  assert.match(await unknown.text(), /role="alert">Identifiant national inconnu\./);

  const ok = await post(` ${JEAN} `);
  assert.equal(ok.status, 303);
  const resume = await fetch(ok.headers.get('location'), { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.store(resume);
  assert.equal(resume.status, 303);
  const final = new URL(resume.headers.get('location'));
  assert.equal(`${final.origin}${final.pathname}`, REDIRECT);
  assert.equal(final.searchParams.get('state'), a.state);
  const t = await token(final.searchParams.get('code'), a.verifier);
  assert.equal(jose.decodeJwt(t.json.id_token).SubjectNameID, JEAN);

  // With that provider session, the next authorization still asks for a login (no SSO by default),
  // and loginAs switches the account.
  const again = await authorize({ jar });
  assert.equal(again.res?.status, 200);
  assert.match(again.text, /Identifiant national/);
  const switched = await flow(MARIE, { jar });
  assert.equal(switched.payload.SubjectNameID, MARIE);
});

test('sso: true lets a live provider session skip the login', async () => {
  const sso = await startPscProvider({ redirectUris: [REDIRECT], sso: true });
  try {
    const d = await (await fetch(sso.discoveryUrl)).json();
    const jar = cookieJar();
    const go = async () => {
      let url = `${d.authorization_endpoint}?${new URLSearchParams({
        response_type: 'code', client_id: 'cordee', redirect_uri: REDIRECT, scope: 'openid scope_all',
        state: 's', nonce: 'n', code_challenge: b64sha256('x'.repeat(43)), code_challenge_method: 'S256',
      })}`;
      const statuses = [];
      for (let i = 0; i < 6; i++) {
        const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
        jar.store(res);
        statuses.push(res.status);
        const loc = res.headers.get('location');
        if (!loc || loc.startsWith(REDIRECT)) return { statuses, loc };
        url = new URL(loc, url).href;
      }
      throw new Error('loop');
    };
    sso.loginAs(MARIE);
    const first = await go();
    assert.deepEqual(first.statuses, [303, 303, 303]);
    const second = await go();
    assert.deepEqual(second.statuses, [303]);
    assert.ok(new URL(second.loc).searchParams.get('code'));
  } finally {
    await sso.close();
  }
});

test('logout: with id_token_hint the confirmation submits itself, then 303 to post_logout_redirect_uri', async () => {
  const back = 'http://127.0.0.1:9/logged-out';
  psc.setPostLogoutRedirectUris([back]);
  try {
    const jar = cookieJar();
    const { idToken } = await flow(MARIE, { jar });
    const page = await fetch(`${disc.end_session_endpoint}?${new URLSearchParams({
      id_token_hint: idToken, post_logout_redirect_uri: back, state: 'bye',
    })}`, { headers: { cookie: jar.header() } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Se déconnecter de Pro Santé Connect \(test\) \?/);
    assert.match(html, /<script>document\.querySelector\('button\[name="logout"\]'\)\.click\(\)<\/script>/);
    assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)/); // nothing loaded from outside
    const action = html.match(/<form[^>]*action="([^"]+)"/)[1];
    const xsrf = html.match(/name="xsrf" value="([^"]+)"/)[1];
    const done = await fetch(action, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `${back}?state=bye`);
  } finally {
    psc.setPostLogoutRedirectUris([]);
  }
});
