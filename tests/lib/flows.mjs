// User journeys shared by the API tests: reading links in emails, cookie sessions, self-enrolment up to
// approval, and running SQL against the test database on either backend.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { api, totp, waitForMail, login, demoAccounts, binary } from './server.mjs';

export const PROBLEM_PREFIX = 'urn:cordee:problem:';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Emails may be quoted-printable or base64: return every readable form of one .eml.
export function mailTexts(eml) {
  const forms = [eml];
  const unfolded = eml.replace(/=\r?\n/g, '');
  forms.push(unfolded.replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))));
  for (const m of eml.matchAll(/^([A-Za-z0-9+/=]{16,}\r?\n)+/gm)) {
    try { forms.push(Buffer.from(m[0].replace(/\s+/g, ''), 'base64').toString('utf8')); } catch { /* not base64 */ }
  }
  return forms;
}

// The `jeton` of the first link to PATH (e.g. '/confirmer') in an email.
export function tokenFromMail(eml, path) {
  const re = new RegExp(path.replace(/[/]/g, '\\/') + '\\?jeton=([A-Za-z0-9_\\-.~%]+)');
  for (const text of mailTexts(eml)) {
    const m = text.match(re);
    if (m) return decodeURIComponent(m[1]);
  }
  return null;
}

export function mailTo(email) {
  return (eml) => mailTexts(eml).some((t) => t.toLowerCase().includes(email.toLowerCase()));
}

// Asserts an RFC 9457 answer with the given status and slug; returns the body.
export function assertProblem(res, status, slug, message = '') {
  const where = `${message} → ${res.status} ${res.text?.slice(0, 400)}`;
  assert.equal(res.status, status, `status ${where}`);
  assert.match(res.headers.get('content-type') || '', /^application\/problem\+json/, `content-type ${where}`);
  assert.ok(res.json, `problem body is JSON ${where}`);
  assert.equal(res.json.type, PROBLEM_PREFIX + slug, `type ${where}`);
  assert.equal(res.json.status, status, `body status ${where}`);
  assert.equal(typeof res.json.title, 'string', `title ${where}`);
  assert.ok(res.json.title.length > 0, `title not empty ${where}`);
  return res.json;
}

// --- cookie sessions (what the browser does) --------------------------------------------------
export function cookiesFrom(res, jar = {}) {
  const list = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
  for (const line of list) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') delete jar[name];
    else jar[name] = value;
  }
  return jar;
}
export function cookieHeader(jar) {
  return Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
}
// A request carrying the cookie jar; updates it from Set-Cookie.
export async function cookieApi(server, jar, method, path, { body, csrf, headers = {} } = {}) {
  const h = { ...headers, cookie: cookieHeader(jar) };
  if (csrf) h['x-csrf-token'] = csrf;
  const res = await api(server, method, path, { body, headers: h });
  cookiesFrom(res, jar);
  return res;
}

// Password + TOTP through cookies; returns { jar, csrf, res }.
export async function cookieLogin(server, email, password, secret) {
  for (let attempt = 0; attempt < 4; attempt++) {
    const jar = {};
    const first = await cookieApi(server, jar, 'POST', '/api/v1/auth/login', { body: { email, password } });
    assert.equal(first.status, 200, `login ${email}: ${first.text}`);
    assert.ok(jar['__Host-cordee_session'], `login sets cookie __Host-cordee_session (${first.headers.get('set-cookie')})`);
    const second = await cookieApi(server, jar, 'POST', '/api/v1/auth/totp', {
      body: { code: totp(secret, Date.now(), attempt % 2) }, csrf: first.json.csrf_token,
    });
    if (second.status === 200) return { jar, csrf: second.json.csrf_token, res: second };
    if (second.json?.type !== PROBLEM_PREFIX + 'code-already-used') {
      throw new Error(`totp ${email}: ${second.status} ${second.text}`);
    }
    if (attempt % 2 === 1) await sleep(30000 - (Date.now() % 30000) + 100);
  }
  throw new Error(`totp ${email}: every code was already used`);
}

// --- accounts -----------------------------------------------------------------------------------
export function demoAccount(db, role, index = 0) {
  const all = demoAccounts(db).filter((a) => a.role === role);
  if (all.length <= index) throw new Error(`the demo has no ${role} #${index}`);
  return all[index];
}
export async function demoLogin(server, role, index = 0) {
  const a = demoAccount(server.db, role, index);
  const token = await login(server, a.email, a.password, a.totp_secret);
  return { ...a, token };
}

export function uniqueEmail(prefix = 'test') {
  return `${prefix}.${randomBytes(4).toString('hex')}@exemple.fr`;
}

// Self-enrolment up to the TOTP enrolment: the account then waits for approval.
export async function enrol(server, { email = uniqueEmail('inscription'), password = 'Mot-de-passe-Essai-2024',
  first_name = 'Élise', last_name = 'Fontaine', extra = {} } = {}) {
  const res = await api(server, 'POST', '/api/v1/enrolments', {
    body: {
      email, password, first_name, last_name, profession_code: 'AS', profession_label: 'Aide-soignant',
      specialty: 'Soins palliatifs', structure_proposal: { name: 'Cabinet infirmier des Bénédictins', commune: 'Limoges' },
      ...extra,
    },
  });
  assert.equal(res.status, 202, `enrolment: ${res.text}`);
  assert.equal(res.json?.status, 'pending_email');
  const mail = await waitForMail(server.db, (m) => mailTo(email)(m) && tokenFromMail(m, '/confirmer') !== null);
  const confirmToken = tokenFromMail(mail, '/confirmer');
  const confirmed = await api(server, 'POST', '/api/v1/enrolments/confirm-email', { body: { token: confirmToken } });
  assert.equal(confirmed.status, 200, `confirm-email: ${confirmed.text}`);
  assert.equal(confirmed.json.next, 'totp_enrol');
  assert.ok(confirmed.json.pending_token && confirmed.json.csrf_token, 'confirm-email gives pending_token and csrf_token');
  const pending = confirmed.json.pending_token;
  const start = await api(server, 'GET', '/api/v1/auth/totp/enrol', { token: pending });
  assert.equal(start.status, 200, `totp enrol start: ${start.text}`);
  const secret = start.json.secret;
  assert.match(secret, /^[A-Z2-7]+=*$/);
  assert.match(start.json.otpauth_uri, /^otpauth:\/\/totp\/.*secret=/);
  const done = await api(server, 'POST', '/api/v1/auth/totp/enrol', { token: pending, body: { code: totp(secret) } });
  assert.equal(done.status, 200, `totp enrol: ${done.text}`);
  assert.equal(done.json.status, 'pending_approval');
  assert.equal(done.json.recovery_codes?.length, 10);
  return { email, password, secret, recoveryCodes: done.json.recovery_codes, confirmToken };
}

export async function findEnrolment(server, operatorToken, email, status = 'pending_approval') {
  const res = await api(server, 'GET', `/api/v1/enrolments?status=${status}`, { token: operatorToken });
  assert.equal(res.status, 200, `list enrolments: ${res.text}`);
  const item = res.json.items.find((i) => i.email.toLowerCase() === email.toLowerCase());
  assert.ok(item, `${email} is listed with status ${status}`);
  return item;
}

// Enrols then has the operator approve: a usable professional account.
// A sign-up that gave an RPPS number is approved with the directory link confirmed (the approver saw the entry).
export async function enrolAndApprove(server, operatorToken, options = {}) {
  const applicant = await enrol(server, options);
  const item = await findEnrolment(server, operatorToken, applicant.email);
  const body = { role: 'professional' };
  if (options.extra?.rpps) body.confirm_professional = true;
  const approved = await api(server, 'POST', `/api/v1/enrolments/${item.id}/approve`, { token: operatorToken, body });
  assert.equal(approved.status, 200, `approve: ${approved.text}`);
  return { ...applicant, id: item.id };
}

// The RPPS number of a directory entry of this profession that no account holds or claims and no care circle
// lists (so that linking it gives no unintended access).
export function freeRpps(db, professionCode) {
  const rpps = sql(db, `SELECT rpps FROM professionals p WHERE p.active = 1 AND p.profession_code = '${professionCode}' ` +
    'AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.professional_id = p.id OR a.claimed_professional_id = p.id) ' +
    'AND NOT EXISTS (SELECT 1 FROM circle_members m WHERE m.professional_id = p.id) ORDER BY random() LIMIT 1').trim();
  assert.match(rpps, /^\d{11}$/, `a free directory entry of profession ${professionCode}`);
  return rpps;
}

// --- database access for tamper tests -----------------------------------------------------------
export function sql(db, statement) {
  if (db.databaseUrl) {
    return execFileSync('psql', [db.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-Atq', '-c', statement], { encoding: 'utf8' });
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', join(db.dataDir, 'cordee.db'), statement], { encoding: 'utf8' });
}

// `cordee audit verify`: { code, output }.
export function auditVerify(db) {
  const args = ['audit', 'verify', '--data', db.dataDir];
  if (db.databaseUrl) args.push('--database', db.databaseUrl);
  const r = spawnSync(binary, args, { encoding: 'utf8' });
  return { code: r.status, output: (r.stdout || '') + (r.stderr || '') };
}
