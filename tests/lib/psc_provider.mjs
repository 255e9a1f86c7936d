// A real OpenID Connect provider shaped like Pro Santé Connect (PSC), for the tests.
//
// It is the npm package `oidc-provider` (no mock): real discovery, JWKS, authorization, token and
// userinfo endpoints, served over HTTP on 127.0.0.1 and a free port. Endpoint paths are those of a
// Keycloak realm, as PSC is one (…/protocol/openid-connect/auth, /token, /userinfo, /certs): a client
// must read them from discovery.
//
//   import { startPscProvider, sampleSubjectRefPro } from '../lib/psc_provider.mjs';
//   const psc = await startPscProvider({
//     clientId: 'cordee', clientSecret: 's3cret',            // defaults: 'cordee' / 's3cret'
//     redirectUris: ['http://127.0.0.1:PORT/api/v1/auth/psc/callback'],
//     accounts: { '810001234567': { given_name: 'Marie', family_name: 'Curie', SubjectRefPro: {...} } },
//     // keyed by SubjectNameID; without `accounts`, the one account of SAMPLE_ACCOUNTS.
//     // An account may also give `sub` and any other PSC claim (preferred_username, SubjectRole, …).
//     alg: 'RS256',         // initial signature algorithm (see setAlg)
//     sso: false,           // true: an authorization request made with a live provider session
//                           // skips the login interaction, as Keycloak's SSO does. Default false: the
//                           // authorization endpoint ignores the psc_session cookie, so every
//                           // authorization request goes through the login interaction
//   });
//   psc.issuer                 // 'http://127.0.0.1:43210' (no trailing slash); discovery at psc.discoveryUrl
//   psc.port, psc.discoveryUrl
//   psc.setRedirectUris([...]) // replaces the client's redirect_uris (the server under test learns its port late)
//   psc.setPostLogoutRedirectUris([...]) // same for post_logout_redirect_uris (option postLogoutRedirectUris);
//                              // end_session_endpoint: with id_token_hint its confirmation page submits
//                              // itself (script), then 303 to post_logout_redirect_uri
//   psc.loginAs(subjectNameId) // the NEXT authorization request logs this account in without a form
//                              // (throws if the account is unknown); taken by that request whatever
//                              // its outcome (a refused request does not leave it pending)
//   psc.rotateKeys()           // a new RS256 key and a new ES256 key (new kids) sign from now on; the old
//                              // keys stay in the JWKS. Returns { RS256: kid, ES256: kid } of the new keys
//   psc.dropOldKeys()          // the JWKS keeps only the current RS256 key and the current ES256 key
//   psc.currentKid(alg?)       // kid of the key that signs now for alg (default: the current alg)
//   psc.tamper(mode)           // the NEXT token response's id_token is altered then re-signed:
//                              //   'nonce'       nonce = TAMPERED.nonce
//                              //   'aud'         aud = TAMPERED.aud (azp removed)
//                              //   'expired'     exp = now - 3600, iat = now - 7200
//                              //   'unknown-key' signed by a fresh key of the current alg, not in the
//                              //                 JWKS, kid = 'unknown-<hex>' (claims untouched)
//                              //   'iss'         iss = issuer + TAMPERED.issSuffix ('/other-realm')
//                              //   'alg-none'    header alg 'none', no kid, empty signature (unsigned)
//                              //   null          normal. The mode is cleared once a token response
//                              //                 carrying an id_token was altered.
//   psc.setAlg('RS256'|'ES256')// alg of the id_token and of the userinfo JWT (both key types are always in the JWKS)
//   psc.userinfoAsJwt(true)    // userinfo answered as a signed JWT (Content-Type application/jwt), as PSC may
//   psc.addAccount(subjectNameId, claims)
//   psc.requests               // every request received, in order: { method, path, query, body, status }
//                              // query: object of the URL's parameters; body: the parsed form body of the
//                              // provider's POST endpoints (token: grant_type, code, code_verifier, …), else
//                              // undefined; status: filled when the response is sent
//   psc.requestsTo(name)       // the entries for 'authorization' | 'token' | 'userinfo' | 'jwks' | 'discovery'
//   psc.clientId, psc.clientSecret
//   await psc.close()
// Also exported: SAMPLE_ACCOUNTS, sampleSubjectRefPro({ codeCivilite, exercice, activity }) (overrides),
// TAMPERED ({ nonce, aud, issSuffix }), TAMPER_MODES, ALGS, PSC_SUB_PREFIX.
// Changing the configuration (setRedirectUris, setAlg, userinfoAsJwt, rotateKeys, dropOldKeys,
// addAccount) builds a new oidc-provider Provider on the same port and storage: codes, tokens and
// sessions already issued stay valid. oidc-provider 9 prints "Unsupported runtime" on Node 20 (it wants
// Node 22); everything used here works on Node 20.
//
// Login without a page (API tests): after psc.loginAs(id), a client that follows the redirects by hand
// and keeps the cookies goes through exactly 3 redirects (all 303 See Other):
//   GET  authorization_endpoint?…            → /interaction/<uid>   sets psc_interaction (path /interaction/<uid>)
//                                                                    and psc_interaction_resume (path …/auth/<uid>)
//   GET  /interaction/<uid>                   → …/auth/<uid>         (the harness logs the account in and grants the scopes)
//   GET  …/protocol/openid-connect/auth/<uid> → redirect_uri?code=…&state=…&iss=…   sets psc_session
// Every cookie has its ".sig" companion (signed cookies). The names start with "psc_" so that they do
// not collide with the server under test, which shares the host 127.0.0.1 (cookies ignore ports).
// Without loginAs, GET /interaction/<uid> shows the page "Pro Santé Connect (test)": a text input
// labelled "Identifiant national" (name "identifiant") and a button "Se connecter avec ma e-CPS" that
// posts to /interaction/<uid>/login; an unknown identifier shows the page again with an error (401).
//
// Claims (scope "openid scope_all"), in the id_token AND in userinfo:
//   sub (PSC_SUB_PREFIX + SubjectNameID unless the account gives one: 'f:<uuid>:<id>' is the form of
//   PSC's Keycloak federated subjects), SubjectNameID, preferred_username (= SubjectNameID unless given),
//   given_name, family_name, SubjectRefPro, and any other claim the account gives. The id_token also
//   carries iss, aud (= clientId), iat, exp (+600 s), auth_time, acr 'eidas1' and the request's nonce.
// SubjectRefPro field names are those PSC sends (checked against public code that consumes PSC's
// userinfo, e.g. the ANS' own context-sharing API model, which deserialises codeCivilite, exercices[],
// activities[] with numeroFinessSite, numeroSiretSite, …): see sampleSubjectRefPro below.
//
// Other PSC-like rules: PKCE is required and only S256 is accepted; state and nonce are passed
// through; client authentication client_secret_basic or client_secret_post (not both at once);
// acr_values_supported ['eidas1']; no refresh token; devInteractions off; only loopback traffic.
import http from 'node:http';
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import * as jose from 'jose';

export const ALGS = ['RS256', 'ES256'];
export const TAMPER_MODES = ['nonce', 'aud', 'expired', 'unknown-key', 'iss', 'alg-none'];
export const TAMPERED = Object.freeze({ nonce: 'tampered-nonce', aud: 'another-client', issSuffix: '/other-realm' });
export const PSC_SUB_PREFIX = 'f:3f6d2c1a-8b4e-4d7a-9c2f-5e1b0a7d4c38:';

// A SubjectRefPro with the field names PSC sends: one exercice (doctor, 'SM54' = médecine générale)
// with one activity (situation d'exercice) at a hospital site. Every field can be overridden.
export function sampleSubjectRefPro({ exercice = {}, activity = {}, codeCivilite = 'M' } = {}) {
  return {
    codeCivilite,
    exercices: [{
      codeProfession: '10',
      codeCategorieProfessionnelle: 'C',
      codeCiviliteDexercice: 'DR',
      nomDexercice: 'CURIE',
      prenomDexercice: 'MARIE',
      codeTypeSavoirFaire: 'S',
      codeSavoirFaire: 'SM54',
      ...exercice,
      activities: [{
        codeModeExercice: 'S',
        codeSecteurDactivite: 'SA01',
        codeSectionPharmacien: '',
        codeRole: '',
        codeGenreActivite: 'GENR01',
        numeroSiretSite: '26510001800013',
        numeroSirenSite: '265100018',
        numeroFinessSite: '510000029',
        numeroFinessetablissementJuridique: '510000037',
        identifiantTechniqueDeLaStructure: 'F510000029',
        raisonSocialeSite: 'CHU de Reims',
        enseigneCommercialeSite: '',
        complementDestinataire: '',
        complementPointGeographique: '',
        numeroVoie: '45',
        indiceRepetitionVoie: '',
        codeTypeDeVoie: 'R',
        libelleVoie: 'COGNACQ JAY',
        mentionDistribution: '',
        bureauCedex: '51092 REIMS CEDEX',
        codePostal: '51092',
        codeCommune: '51454',
        codePays: '',
        telephone: '',
        telephone2: '',
        telecopie: '',
        adresseEMail: '',
        codeDepartement: '51',
        ancienIdentifiantDeLaStructure: '1510000029',
        autoriteDenregistrement: 'ARS/ARS/ARS',
        ...activity,
      }],
    }],
  };
}

export const SAMPLE_ACCOUNTS = Object.freeze({
  '810001234567': { given_name: 'Marie', family_name: 'Curie', SubjectRefPro: sampleSubjectRefPro() },
});

// The claims of scope_all besides those an account brings (PSC's userinfo has these names).
const PSC_CLAIMS = [
  'SubjectNameID', 'SubjectRefPro', 'given_name', 'family_name', 'preferred_username',
  'SubjectOrganization', 'SubjectOrganizationID', 'SubjectRole', 'codeCivilite', 'otherIds',
  'Palier_Authentification', 'PSI_Locale', 'UITVersion', 'Secteur_Activite', 'codeGenreActivite',
  'Mode_Acces_Raison', 'Acces_Regulation_Medicale', 'email', 'email_verified',
];

const ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  userinfo: '/protocol/openid-connect/userinfo',
  jwks: '/protocol/openid-connect/certs',
  end_session: '/protocol/openid-connect/logout',
  revocation: '/protocol/openid-connect/revoke',
  introspection: '/protocol/openid-connect/token/introspect',
};

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Synchronous, so that rotateKeys() has taken effect when it returns.
function newKey(alg, kid) {
  const { privateKey } = alg === 'RS256'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { alg, kid, jwk, privateKey };
}

// oidc-provider's storage, kept across rebuilds of the Provider (setAlg, rotateKeys, … build a new
// Provider with the new configuration; sessions, codes and tokens must survive that). One per harness.
function memoryStorage() {
  const store = new Map(); // key -> { payload, expiresAt }
  const get = (key) => {
    const e = store.get(key);
    if (!e) return undefined;
    if (e.expiresAt !== undefined && e.expiresAt <= Date.now()) { store.delete(key); return undefined; }
    return e.payload;
  };
  const set = (key, payload, expiresIn) => store.set(key, {
    payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined,
  });
  const grantMembers = new Map(); // grantId -> Set of keys
  return (model) => ({
    async upsert(id, payload, expiresIn) {
      const key = `${model}:${id}`;
      if (model === 'Session') set(`sessionUid:${payload.uid}`, id, expiresIn);
      if (payload.userCode) set(`userCode:${payload.userCode}`, id, expiresIn);
      if (payload.grantId) {
        if (!grantMembers.has(payload.grantId)) grantMembers.set(payload.grantId, new Set());
        grantMembers.get(payload.grantId).add(key);
      }
      set(key, payload, expiresIn);
    },
    async find(id) { return get(`${model}:${id}`); },
    async findByUid(uid) { const id = get(`sessionUid:${uid}`); return id && get(`${model}:${id}`); },
    async findByUserCode(code) { const id = get(`userCode:${code}`); return id && get(`${model}:${id}`); },
    async consume(id) { const p = get(`${model}:${id}`); if (p) p.consumed = Math.floor(Date.now() / 1000); },
    async destroy(id) { store.delete(`${model}:${id}`); },
    async revokeByGrantId(grantId) {
      for (const key of grantMembers.get(grantId) ?? []) store.delete(key);
      grantMembers.delete(grantId);
    },
  });
}

function readForm(req) {
  return new Promise((ok, fail) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size > 16384) { fail(new Error('body too large')); req.destroy(); } else chunks.push(c); });
    req.on('end', () => ok(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))));
    req.on('error', fail);
  });
}

export async function startPscProvider({
  clientId = 'cordee', clientSecret = 's3cret', redirectUris = [], postLogoutRedirectUris = [], accounts = SAMPLE_ACCOUNTS,
  alg: initialAlg = 'RS256', sso = false,
} = {}) {
  if (!ALGS.includes(initialAlg)) throw new Error(`alg must be one of ${ALGS.join(', ')}`);
  let keyCounter = 0;
  const kidFor = (alg) => `psc-${alg.toLowerCase()}-${++keyCounter}-${randomBytes(3).toString('hex')}`;
  // keys[alg][0] signs; the others are older keys still published.
  const keys = { RS256: [newKey('RS256', kidFor('RS256'))], ES256: [newKey('ES256', kidFor('ES256'))] };
  const cookieKeys = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
  const adapter = memoryStorage();

  const state = {
    alg: initialAlg, userinfoJwt: false, redirectUris: [...redirectUris], postLogoutRedirectUris: [...postLogoutRedirectUris],
    pendingLogin: null, tamperMode: null,
  };
  const bySub = new Map();
  const byNameId = new Map();
  const requests = [];
  const interactionLogins = new Map(); // interaction uid -> SubjectNameID given by loginAs

  function addAccount(subjectNameId, claims = {}) {
    const id = String(subjectNameId);
    const sub = claims.sub ?? PSC_SUB_PREFIX + id;
    const account = { preferred_username: id, ...claims, sub, SubjectNameID: id };
    bySub.set(sub, account);
    byNameId.set(id, account);
  }
  for (const [id, claims] of Object.entries(accounts)) addAccount(id, claims);

  const server = http.createServer();
  await new Promise((ok, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', ok); });
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;

  let provider;
  let handler;
  function build() {
    const claimNames = new Set(PSC_CLAIMS);
    for (const account of bySub.values()) for (const k of Object.keys(account)) if (k !== 'sub') claimNames.add(k);

    const client = {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: state.redirectUris,
      post_logout_redirect_uris: state.postLogoutRedirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic', // oidc-provider also accepts client_secret_post for it
      id_token_signed_response_alg: state.alg,
      require_auth_time: true,
      ...(state.userinfoJwt ? { userinfo_signed_response_alg: state.alg } : {}),
    };

    const p = new Provider(issuer, {
      adapter,
      clients: [client],
      jwks: { keys: [...keys.RS256, ...keys.ES256].map((k) => k.jwk) },
      routes: ROUTES,
      scopes: ['openid', 'scope_all'],
      claims: { acr: null, auth_time: null, iss: null, sid: null, openid: ['sub'], scope_all: [...claimNames] },
      conformIdTokenClaims: false, // PSC puts the scope's claims in the id_token too
      acrValues: ['eidas1'],
      pkce: { required: () => true },
      ttl: {
        AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600,
        RefreshToken: 1800, ClientCredentials: 600, DeviceCode: 600, BackchannelAuthenticationRequest: 600,
        PreAuthorizedCode: 600,
      },
      cookies: {
        keys: cookieKeys,
        names: { session: 'psc_session', interaction: 'psc_interaction', resume: 'psc_interaction_resume' },
      },
      features: {
        devInteractions: { enabled: false },
        userinfo: { enabled: true },
        jwtUserinfo: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          // Local pages (the defaults load a web font from the internet). With an id_token_hint the
          // confirmation submits itself, as Keycloak logs out without asking in that case.
          logoutSource: (ctx, form) => {
            ctx.type = 'html';
            const auto = ctx.oidc.params?.id_token_hint
              ? '<script>document.querySelector(\'button[name="logout"]\').click()</script>' : '';
            ctx.body = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Pro Santé Connect (test): déconnexion</title></head>`
              + `<body><main><h1>Se déconnecter de Pro Santé Connect (test) ?</h1>${form}`
              + '<button type="submit" form="op.logoutForm" value="yes" name="logout">Se déconnecter</button> '
              + `<button type="submit" form="op.logoutForm">Rester connecté</button></main>${auto}</body></html>`;
          },
          postLogoutSuccessSource: (ctx) => {
            ctx.type = 'html';
            ctx.body = '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Pro Santé Connect (test): déconnecté</title></head>'
              + '<body><main><h1>Vous êtes déconnecté de Pro Santé Connect (test).</h1></main></body></html>';
          },
        },
      },
      interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (ctx, sub) => {
        const account = bySub.get(sub);
        if (!account) return undefined;
        return { accountId: sub, claims: async () => structuredClone(account) };
      },
      renderError: (ctx, out) => {
        ctx.type = 'html';
        ctx.body = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Pro Santé Connect (test): erreur</title></head>`
          + `<body><h1>Erreur</h1>${Object.entries(out).map(([k, v]) => `<p><b>${escapeHtml(k)}</b>: ${escapeHtml(v)}</p>`).join('')}</body></html>`;
      },
    });

    // Runs around every provider request: records the parsed body, alters the next id_token.
    p.use(async (ctx, next) => {
      await next();
      const entry = ctx.req.pscLogEntry;
      if (entry && ctx.oidc?.body) entry.body = { ...ctx.oidc.body };
      if (entry && ctx.oidc?.route) entry.route = ctx.oidc.route;
      if (ctx.oidc?.route === 'authorization' && state.pendingLogin) {
        // loginAs belongs to this authorization request: to its interaction, or to nothing if it failed.
        const uid = /^\/interaction\/([^/?#]+)$/.exec(ctx.response.get('location') ?? '')?.[1];
        if (uid) interactionLogins.set(uid, state.pendingLogin);
        state.pendingLogin = null;
      }
      if (state.tamperMode && ctx.oidc?.route === 'token' && ctx.status === 200 && ctx.body?.id_token) {
        const mode = state.tamperMode;
        state.tamperMode = null;
        ctx.body = { ...ctx.body, id_token: await tamperToken(ctx.body.id_token, mode) };
      }
    });
    return p;
  }

  async function tamperToken(jwt, mode) {
    const header = jose.decodeProtectedHeader(jwt);
    const payload = jose.decodeJwt(jwt);
    const now = Math.floor(Date.now() / 1000);
    let key = keys[header.alg]?.find((k) => k.kid === header.kid) ?? keys[state.alg][0];
    switch (mode) {
      case 'nonce': payload.nonce = TAMPERED.nonce; break;
      case 'aud': payload.aud = TAMPERED.aud; delete payload.azp; break;
      case 'expired': payload.iat = now - 7200; payload.exp = now - 3600; break;
      case 'iss': payload.iss = issuer + TAMPERED.issSuffix; break;
      case 'unknown-key': key = newKey(key.alg, `unknown-${randomBytes(8).toString('hex')}`); break;
      case 'alg-none': {
        const { kid, ...rest } = header;
        return `${b64url({ ...rest, alg: 'none' })}.${b64url(payload)}.`;
      }
      default: throw new Error(`unknown tamper mode ${mode}`);
    }
    return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ ...header, alg: key.alg, kid: key.kid })
      .sign(key.privateKey);
  }

  function rebuild() {
    provider = build();
    handler = provider.callback();
  }
  rebuild();

  function page(res, uid, { status = 200, error = null } = {}) {
    const body = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pro Santé Connect (test)</title></head>
<body><main>
<h1>Pro Santé Connect (test)</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="identifiant">Identifiant national</label>
<input id="identifiant" name="identifiant" type="text" autocomplete="username" required>
<button type="submit">Se connecter avec ma e-CPS</button>
</form>
</main></body></html>`;
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  }

  async function finishLogin(req, res, details, account) {
    const grant = new provider.Grant({ accountId: account.sub, clientId: details.params.client_id });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const missingClaims = details.prompt?.details?.missingOIDCClaims;
    if (missingClaims?.length) grant.addOIDCClaims(missingClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, {
      login: { accountId: account.sub, acr: 'eidas1' },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  }

  async function interaction(req, res, url) {
    const m = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (!m) { res.writeHead(404).end(); return; }
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`interaction: ${err.message}\n`);
      return;
    }
    if (details.uid !== m[1]) { res.writeHead(400).end('interaction: uid mismatch\n'); return; }
    if (req.method === 'GET' && !m[2]) {
      const loginAs = interactionLogins.get(details.uid);
      if (loginAs) {
        interactionLogins.delete(details.uid);
        await finishLogin(req, res, details, byNameId.get(loginAs));
      } else {
        page(res, details.uid);
      }
      return;
    }
    if (req.method === 'POST' && m[2]) {
      const form = await readForm(req);
      const account = byNameId.get(String(form.identifiant ?? '').trim());
      if (!account) { page(res, details.uid, { status: 401, error: 'Identifiant national inconnu.' }); return; }
      await finishLogin(req, res, details, account);
      return;
    }
    res.writeHead(405).end();
  }

  server.on('request', (req, res) => {
    const url = new URL(req.url, issuer);
    const entry = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body: undefined, status: undefined };
    requests.push(entry);
    req.pscLogEntry = entry;
    res.on('finish', () => { entry.status = res.statusCode; });
    if (!sso && req.headers.cookie
        && (url.pathname === ROUTES.authorization || url.pathname.startsWith(`${ROUTES.authorization}/`))) {
      // No SSO: the authorization endpoint (and its resume) does not see the provider's session, so
      // every authorization request logs in anew, possibly as another account.
      req.headers.cookie = req.headers.cookie.split(/;\s*/).filter((c) => !/^psc_session(\.sig)?=/.test(c)).join('; ');
    }
    if (url.pathname.startsWith('/interaction/')) {
      interaction(req, res, url).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${err.message}\n`);
      });
      return;
    }
    handler(req, res);
  });

  const routePaths = {
    discovery: '/.well-known/openid-configuration', authorization: ROUTES.authorization, token: ROUTES.token,
    userinfo: ROUTES.userinfo, jwks: ROUTES.jwks,
  };

  return {
    issuer,
    port,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    clientId,
    clientSecret,
    requests,
    requestsTo(name) {
      const path = routePaths[name];
      if (!path) throw new Error(`unknown endpoint ${name}`);
      return requests.filter((r) => r.path === path);
    },
    setRedirectUris(uris) { state.redirectUris = [...uris]; rebuild(); },
    setPostLogoutRedirectUris(uris) { state.postLogoutRedirectUris = [...uris]; rebuild(); },
    loginAs(subjectNameId) {
      const id = String(subjectNameId);
      if (!byNameId.has(id)) throw new Error(`no PSC test account ${id}`);
      state.pendingLogin = id;
    },
    addAccount(subjectNameId, claims) { addAccount(subjectNameId, claims); rebuild(); },
    rotateKeys() {
      const added = {};
      for (const alg of ALGS) {
        const k = newKey(alg, kidFor(alg));
        keys[alg].unshift(k);
        added[alg] = k.kid;
      }
      rebuild();
      return added;
    },
    dropOldKeys() { for (const alg of ALGS) keys[alg].length = 1; rebuild(); },
    currentKid(alg = state.alg) { return keys[alg][0].kid; },
    tamper(mode) {
      if (mode !== null && !TAMPER_MODES.includes(mode)) throw new Error(`tamper mode must be null or one of ${TAMPER_MODES.join(', ')}`);
      state.tamperMode = mode;
    },
    setAlg(alg) {
      if (!ALGS.includes(alg)) throw new Error(`alg must be one of ${ALGS.join(', ')}`);
      state.alg = alg;
      rebuild();
    },
    userinfoAsJwt(on) { state.userinfoJwt = Boolean(on); rebuild(); },
    async close() {
      await new Promise((ok) => { server.close(() => ok()); server.closeAllConnections(); });
    },
  };
}
