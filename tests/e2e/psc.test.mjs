// Pro Santé Connect in a real browser (phone), against a real OpenID provider shaped like PSC
// (tests/lib/psc_provider.mjs: its own login page) and the real binary on both backends:
//  1. a doctor of the directory logs in with PSC for the first time, creates an account at a structure PSC proves
//     (active at once), lands on the portal; logs out; PSC again goes straight to the portal, no TOTP asked;
//  2. the demo nurse links the account he has: PSC, then "J'ai déjà un compte", password and TOTP once, portal
//     with a notice; his account is now proven by PSC;
//  3. an ID token with another nonce: back on the login page with the refusal in words; an expired identity;
//  4. a professional whose structure PSC does not prove: "Créer mon compte" with a structure proposal waits for
//     approval; PSC again says so on the login page.
// Axe on the login page and on the choice page; screenshots (390×844) when CORDEE_SCREENSHOTS names a directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { launch, newPage, expectAxeClean, heading, totp, PHONE } from './helpers.mjs';
import { freshDatabase, runCli, startServer } from '../lib/server.mjs';
import { demoAccount, freeRpps, sql, uniqueEmail } from '../lib/flows.mjs';
import { startPscProvider, sampleSubjectRefPro } from '../lib/psc_provider.mjs';

const shots = process.env.CORDEE_SCREENSHOTS;
let browser, server, psc, base, finess, structureOfFiness;

const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});

before(async () => {
  psc = await startPscProvider({ accounts: {} });
  const port = await freePort();
  // The address the redirect URI names: the browser uses it too (Chromium treats 127.0.0.1 as a secure context,
  // so the server's Secure `__Host-` cookies are kept over plain HTTP).
  base = `http://127.0.0.1:${port}`;
  psc.setRedirectUris([`${base}/api/v1/auth/psc/callback`]);
  const db = freshDatabase();
  runCli(['demo'], db);
  server = await startServer({ db, args: ['--port', String(port), '--public-url', base, '--psc-issuer', psc.issuer,
    '--psc-client-id', psc.clientId, '--psc-client-secret', psc.clientSecret] });
  [structureOfFiness, finess] = sql(db, "SELECT id, finess FROM structures WHERE finess IS NOT NULL AND status = 'active' ORDER BY id LIMIT 1")
    .trim().split('|');
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); await psc?.close(); });

/** A PSC account of the provider for a directory entry (profession taken from it), working at `finessSite`. */
function pscAccountFor(rpps, { finessSite = '999999999' } = {}) {
  const [code, first, last] = sql(server.db, `SELECT profession_code, first_name, last_name FROM professionals WHERE rpps = '${rpps}'`)
    .trim().split('|');
  const id = '8' + rpps;
  psc.addAccount(id, { given_name: first.toLocaleUpperCase('fr-FR'), family_name: last.toLocaleUpperCase('fr-FR'),
    SubjectRefPro: sampleSubjectRefPro({ exercice: { codeProfession: code }, activity: { numeroFinessSite: finessSite } }) });
  return id;
}

/** "Dr Claire FONTAINE, Médecin (RPPS …)" as the choice page writes the directory entry. */
function directoryWho(rpps) {
  const [civility, first, last, label] = sql(server.db,
    `SELECT civility, first_name, last_name, profession_label FROM professionals WHERE rpps = '${rpps}'`).trim().split('|');
  return `${[civility, first, last.toLocaleUpperCase('fr-FR')].filter(Boolean).join(' ')}, ${label} (RPPS ${rpps})`;
}

/** GET through the page (its cookies, its origin). */
const pageGet = (page, path) => page.evaluate(async (p) => {
  const r = await fetch(p, { headers: { accept: 'application/json' } });
  return { status: r.status, json: await r.json().catch(() => null) };
}, path);

/** The committed navigations of the page's main frame (redirects do not commit: the chain is invisible). */
function navigations(page) {
  const urls = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) urls.push(f.url()); });
  return urls;
}

/** Login page → "Se connecter avec Pro Santé Connect" → the provider's page → national id → back on Cordée. */
async function pscLogin(page, nationalId) {
  const link = page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' });
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), '/api/v1/auth/psc/start', 'a plain link: a full navigation');
  await link.click();
  await page.getByRole('heading', { name: 'Pro Santé Connect (test)' }).waitFor();
  assert.ok(page.url().startsWith(psc.issuer + '/interaction/'), page.url());
  await page.getByLabel('Identifiant national').fill(nationalId);
  await page.getByRole('button', { name: 'Se connecter avec ma e-CPS' }).click();
  await page.waitForURL((u) => u.origin === base);
}

const inFirstScreen = async (locator) => {
  const box = await locator.boundingBox();
  assert.ok(box, 'visible');
  return box.y >= 0 && box.y + box.height <= PHONE.height;
};

test('first PSC login: "Créer mon compte" at a structure PSC proves, portal at once; PSC again: no TOTP (phone)', async () => {
  const rpps = freeRpps(server.db, '10');
  const id = pscAccountFor(rpps, { finessSite: finess });
  const page = await newPage(browser, base, PHONE);
  const visited = navigations(page);

  await page.goto('/connexion');
  await heading(page).filter({ hasText: 'Connexion' }).waitFor();
  const link = page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' });
  await link.waitFor();
  // The line under the button is its description.
  assert.equal(await page.locator(`#${await link.getAttribute('aria-describedby')}`).innerText(), 'avec votre e-CPS ou votre carte CPS');
  assert.ok(await inFirstScreen(link), 'the PSC button is on the first screen');
  await expectAxeClean(page, 'connexion with Pro Santé Connect (phone)');
  if (shots) await page.screenshot({ path: `${shots}/psc-login-phone.png` });

  await pscLogin(page, id);
  await page.waitForURL(`${base}/connexion/pro-sante-connect`);
  await heading(page).filter({ hasText: 'Première connexion avec Pro Santé Connect' }).waitFor();
  const identity = page.getByTestId('psc-identity');
  await identity.filter({ hasText: `Pro Santé Connect a confirmé votre identité : ${directoryWho(rpps)}` }).waitFor();
  // The identity and both choices fit the first screen of a phone.
  const group = page.getByRole('group', { name: 'Avez-vous déjà un compte Cordée ?' });
  const createChoice = group.getByRole('radio', { name: 'Créer mon compte' });
  const linkChoice = group.getByRole('radio', { name: 'J’ai déjà un compte Cordée' });
  for (const [what, l] of [['identity', identity], ['link choice', linkChoice], ['create choice', createChoice],
    ['create hint', page.locator('#psc-choice-create-hint')]]) {
    assert.ok(await inFirstScreen(l), `${what} on the first screen`);
  }
  await expectAxeClean(page, 'pro-sante-connect choice (phone)');
  if (shots) await page.screenshot({ path: `${shots}/psc-choice-phone.png` });

  // Keyboard: the choice is a radio group.
  await linkChoice.focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await createChoice.isChecked(), true, 'arrow keys move in the choice');
  const email = page.getByLabel('Adresse e-mail');
  await email.waitFor();
  await page.getByTestId('psc-structure-proven')
    .filter({ hasText: 'Votre structure est reconnue grâce à Pro Santé Connect : votre compte sera actif tout de suite.' }).waitFor();
  assert.equal(await page.getByRole('combobox', { name: 'Rechercher votre structure' }).count(), 0, 'no structure to choose');
  await expectAxeClean(page, 'pro-sante-connect, create form (phone)');
  if (shots) await page.screenshot({ path: `${shots}/psc-create-phone.png`, fullPage: true });

  // An address that has an account: the server's 409, with what to do, under the field.
  const nurse = demoAccount(server.db, 'professional', 1);
  await email.fill(nurse.email);
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await page.getByRole('alert').filter({ hasText: 'Déjà utilisé' }).getByRole('link', { name: 'Adresse e-mail : déjà utilisé' }).waitFor();
  assert.equal(await email.getAttribute('aria-invalid'), 'true');
  const emailError = page.locator('#f-email-error');
  assert.match((await emailError.innerText()).replace(/'/g, '’'), /choisissez « J’ai déjà un compte »/);
  assert.ok((await email.getAttribute('aria-describedby')).split(' ').includes('f-email-error'), 'the error is tied to the field');
  await expectAxeClean(page, 'pro-sante-connect, create: address already used (phone)');
  if (shots) await page.screenshot({ path: `${shots}/psc-create-duplicate-phone.png` });

  // …with a way to that choice, which the person does not take here.
  await page.getByRole('button', { name: 'C’est mon compte : le lier à Pro Santé Connect' }).waitFor();

  const mine = uniqueEmail('psc.medecin');
  await email.fill(mine);
  await page.getByLabel('Téléphone').fill('06 12 34 56 78');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/psc/register'));
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  const sent = await answer;
  assert.deepEqual(sent.request().postDataJSON(), { email: mine, phone: '06 12 34 56 78' });
  assert.equal(sent.status(), 200);
  await page.getByTestId('greeting').waitFor();
  assert.equal(page.url(), `${base}/`);
  const me = await pageGet(page, '/api/v1/me');
  assert.equal(me.status, 200, JSON.stringify(me.json));
  assert.equal(me.json.email, mine);
  assert.equal(me.json.professional_link, 'psc');
  assert.equal(me.json.rpps, rpps);
  assert.deepEqual(me.json.structures.map((s) => s.id), [structureOfFiness]);
  // The session is the server's Secure __Host- cookie, kept by Chromium on http://127.0.0.1.
  const cookies = await page.context().cookies(base);
  const session = cookies.find((c) => c.name === '__Host-cordee_session');
  assert.ok(session, `session cookie kept: ${cookies.map((c) => c.name).join(', ')}`);
  assert.equal(session.secure, true);
  assert.equal(session.httpOnly, true);
  assert.equal(cookies.some((c) => c.name === 'cordee_psc_link' && c.value), false, 'the identity cookie is cleared');

  // Log out, then PSC again: the portal at once, never the code step.
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.getByRole('status').filter({ hasText: 'Vous êtes déconnecté.' }).waitFor();
  assert.equal((await pageGet(page, '/api/v1/me')).status, 401);
  const from = visited.length;
  await pscLogin(page, id);
  await page.getByTestId('greeting').waitFor();
  assert.deepEqual(visited.slice(from).filter((u) => u.startsWith(base)), [`${base}/`],
    'from the provider straight to the portal (callback → /)');
  assert.equal(await page.getByLabel('Code à 6 chiffres').count(), 0);
  assert.equal((await pageGet(page, '/api/v1/me')).json.email, mine);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('first PSC login of the demo nurse: "J\'ai déjà un compte", password and TOTP once, linked (phone)', async () => {
  const nurse = demoAccount(server.db, 'professional', 1);
  assert.equal(nurse.profession, 'Infirmier');
  const rpps = freeRpps(server.db, '60');
  const id = pscAccountFor(rpps);
  const page = await newPage(browser, base, PHONE);
  await page.goto('/connexion');
  await pscLogin(page, id);
  await page.waitForURL(`${base}/connexion/pro-sante-connect`);
  await page.getByTestId('psc-identity').filter({ hasText: directoryWho(rpps) }).waitFor();

  await page.getByLabel('J’ai déjà un compte Cordée').check();
  const section = page.getByRole('region', { name: 'Lier mon compte Cordée' });
  await section.getByLabel('Adresse e-mail').fill(nurse.email);
  await section.getByLabel('Mot de passe', { exact: true }).fill(nurse.password);
  await expectAxeClean(page, 'pro-sante-connect, link form (phone)');
  if (shots) await page.screenshot({ path: `${shots}/psc-link-phone.png` });
  await section.getByRole('button', { name: 'Continuer' }).click();
  const code = section.getByLabel('Code à 6 chiffres');
  await code.waitFor();
  await expectAxeClean(page, 'pro-sante-connect, link: TOTP step (phone)');
  if (shots) await page.screenshot({ path: `${shots}/psc-link-totp-phone.png` });
  // A TOTP step serves once per account: if this one was used, the next one.
  const notice = page.getByRole('status').filter({ hasText: 'Votre compte est maintenant lié à Pro Santé Connect' });
  const used = page.getByRole('alert').filter({ hasText: 'déjà été utilisé' });
  for (let attempt = 0; ; attempt++) {
    assert.ok(attempt < 3, 'a TOTP code was accepted');
    await code.fill(totp(nurse.totp_secret, Date.now(), attempt));
    await section.getByRole('button', { name: 'Valider et lier mon compte' }).click();
    if (await Promise.race([notice.waitFor().then(() => 'ok'), used.waitFor().then(() => 'used')]) === 'ok') break;
  }
  await page.getByTestId('greeting').waitFor();
  assert.equal(page.url(), `${base}/`);
  if (shots) await page.screenshot({ path: `${shots}/psc-linked-portal-phone.png` });
  const me = await pageGet(page, '/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.email, nurse.email);
  assert.equal(me.json.professional_link, 'psc');
  assert.equal(me.json.rpps, rpps);
  assert.equal(me.json.professional_id, sql(server.db, `SELECT id FROM professionals WHERE rpps = '${rpps}'`).trim());
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('a tampered ID token: the login page says the login was refused; an expired identity says to reconnect (phone)', async () => {
  const rpps = freeRpps(server.db, '70');
  const id = pscAccountFor(rpps);
  const page = await newPage(browser, base, PHONE);
  await page.goto('/connexion');
  psc.tamper('nonce');
  await pscLogin(page, id);
  const refused = page.getByTestId('psc-result');
  await refused.waitFor();
  assert.equal(await refused.getAttribute('role'), 'alert');
  assert.equal(await refused.getByRole('heading').innerText(), 'Connexion Pro Santé Connect refusée');
  assert.match(await refused.innerText(), /la connexion a été refusée/);
  assert.equal(await refused.evaluate((e) => e === document.activeElement), true, 'the message takes the focus');
  // The address no longer carries the code (a reload does not show it again); the form is there.
  await page.waitForURL(`${base}/connexion`);
  await page.getByLabel('Adresse e-mail').waitFor();
  await expectAxeClean(page, 'connexion after a refused PSC login (phone)');
  if (shots) await page.screenshot({ path: `${shots}/psc-refused-phone.png` });
  assert.equal(sql(server.db, "SELECT outcome FROM audit_log WHERE action = 'auth.psc' ORDER BY seq DESC LIMIT 1").trim(), 'denied');

  // The choice page without a waiting identity (expired, used, or another browser).
  await page.goto('/connexion/pro-sante-connect');
  const expired = page.getByTestId('psc-expired');
  await expired.filter({ hasText: 'Reconnectez-vous avec Pro Santé Connect' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Se reconnecter avec Pro Santé Connect' }).getAttribute('href'),
    '/api/v1/auth/psc/start');
  await expectAxeClean(page, 'pro-sante-connect, identity expired (phone)');
  if (shots) await page.screenshot({ path: `${shots}/psc-expired-phone.png` });
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('"Créer mon compte" without a structure PSC proves: a proposal, the account waits; PSC again says so (phone)', async () => {
  const rpps = freeRpps(server.db, '50');
  const id = pscAccountFor(rpps);
  const page = await newPage(browser, base, PHONE);
  await page.goto('/connexion');
  await pscLogin(page, id);
  await page.waitForURL(`${base}/connexion/pro-sante-connect`);
  await page.getByTestId('psc-identity').filter({ hasText: directoryWho(rpps) }).waitFor();
  await page.getByLabel('Créer mon compte').check();
  await page.getByText('Votre compte sera actif quand votre structure l’aura validé ; vous serez prévenu par e-mail.').waitFor();
  assert.equal(await page.getByTestId('psc-structure-proven').count(), 0);
  const email = uniqueEmail('psc.sagefemme');
  await page.getByLabel('Adresse e-mail').fill(email);
  // A structure is needed: chosen in the list or proposed.
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await page.getByRole('alert').getByRole('link', { name: 'Rechercher votre structure : Choisissez votre structure dans la liste ou proposez-en une.' }).waitFor();
  assert.equal(await page.getByRole('combobox', { name: 'Rechercher votre structure' }).getAttribute('aria-invalid'), 'true');
  await expectAxeClean(page, 'pro-sante-connect, create without a structure (phone)');
  if (shots) await page.screenshot({ path: `${shots}/psc-create-structure-phone.png`, fullPage: true });
  await page.getByLabel('Ma structure n’est pas dans la liste').check();
  await page.getByLabel('Nom de la structure').fill('Cabinet de sages-femmes du Mail');
  await page.getByLabel('Commune').fill('Reims');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/psc/register'));
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  const sent = await answer;
  assert.deepEqual(sent.request().postDataJSON(), { email, structure_proposal: { name: 'Cabinet de sages-femmes du Mail', commune: 'Reims' } });
  assert.equal(sent.status(), 202);
  await page.getByTestId('psc-pending').filter({ hasText: 'Votre compte attend la validation de votre structure ; vous serez prévenu par e-mail. ' +
    'Vous vous connecterez ensuite avec Pro Santé Connect.' }).waitFor();
  assert.equal(await page.getByRole('group', { name: 'Avez-vous déjà un compte Cordée ?' }).count(), 0, 'the identity has served: nothing to choose');
  await expectAxeClean(page, 'pro-sante-connect, account waiting for approval (phone)');
  if (shots) await page.screenshot({ path: `${shots}/psc-pending-phone.png` });
  assert.equal((await pageGet(page, '/api/v1/me')).status, 401, 'no session while the account waits');
  assert.equal(sql(server.db, `SELECT status FROM accounts WHERE email = '${email}'`).trim(), 'pending_approval');

  // PSC again, before the approval: the login page says the account waits (information, not an error).
  await page.goto('/connexion');
  await pscLogin(page, id);
  const waiting = page.getByTestId('psc-result');
  await waiting.filter({ hasText: 'votre compte attend encore la validation de votre structure' }).waitFor();
  assert.equal(await waiting.getAttribute('role'), 'status');
  assert.equal(await waiting.getByRole('heading').innerText(), 'Compte en attente de validation');
  await expectAxeClean(page, 'connexion, PSC account waiting for approval (phone)');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});
