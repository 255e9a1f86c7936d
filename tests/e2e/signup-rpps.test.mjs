// Sign-up with an RPPS number (phone). A typed RPPS number proves nothing: the names and profession shown and
// kept are the directory entry's, read-only; what the person had typed goes to the approver. An unknown number
// gets a calm hint then an error on sending; the number of an entry that an active account holds gets the
// server's 409 with what to do. The operator then sees the directory entry beside what was typed, must say
// whether it is this person, confirms, and the account is linked to the entry. Axe on each step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, demoServer, newPage, expectAxeClean, heading, loginThroughUi, waitForMail, PHONE } from './helpers.mjs';
import { enrolAndApprove, freeRpps, sql, mailTo, tokenFromMail } from '../lib/flows.mjs';
import { api, login, totp } from '../lib/server.mjs';

let browser, env;
before(async () => { env = await demoServer(); browser = await launch(); });
after(async () => { await browser?.close(); await env?.server.stop(); });

const shots = process.env.CORDEE_SCREENSHOTS;
const PASSWORD = 'une phrase de passe bien longue';

/** Confirms the e-mail and enrols TOTP through the API (the e2e of these steps is enrolment.test.mjs). */
async function confirmAndEnrolTotp(email) {
  const server = env.server;
  const mail = await waitForMail(env.db, (m) => mailTo(email)(m) && tokenFromMail(m, '/confirmer') !== null);
  const confirmed = await api(server, 'POST', '/api/v1/enrolments/confirm-email', { body: { token: tokenFromMail(mail, '/confirmer') } });
  assert.equal(confirmed.status, 200, confirmed.text);
  const pending = confirmed.json.pending_token;
  const start = await api(server, 'GET', '/api/v1/auth/totp/enrol', { token: pending });
  assert.equal(start.status, 200, start.text);
  const done = await api(server, 'POST', '/api/v1/auth/totp/enrol', { token: pending, body: { code: totp(start.json.secret) } });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.status, 'pending_approval');
  return start.json.secret;
}

test('sign-up with an RPPS number: the directory\'s names and profession, then the approver confirms the link (phone)', async () => {
  // A doctor of the demo directory who works in a structure and whom no account holds or claims.
  const row = sql(env.db, 'SELECT p.id, p.rpps, p.civility, p.first_name, p.last_name, p.profession_code, p.profession_label, ' +
    "COALESCE(p.specialty, '') FROM professionals p WHERE p.active = 1 AND p.profession_code = '10' AND p.civility <> '' " +
    'AND EXISTS (SELECT 1 FROM professional_activities a WHERE a.professional_id = p.id AND a.structure_id IS NOT NULL) ' +
    'AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.professional_id = p.id OR a.claimed_professional_id = p.id) ' +
    'ORDER BY p.id LIMIT 1').trim();
  assert.ok(row, 'the demo has a doctor working in a structure, without an account');
  const [id, rpps, civility, first, last, code, label, specialty] = row.split('|');
  assert.equal(code, '10');
  // A nurse of the directory already has an active account, linked to her entry by the approver.
  const held = freeRpps(env.db, '60');
  const operator = env.accounts.find((a) => a.role === 'operator');
  const opToken = await login(env.server, operator.email, operator.password, operator.totp_secret);
  await enrolAndApprove(env.server, opToken, { extra: { rpps: held } });
  // The demo's pending physiotherapist claims an entry that someone else, signing up with the same number, has
  // had confirmed first.
  const kineEmail = 'kine.attente@demo.cordee.fr';
  const kineRpps = sql(env.db, 'SELECT p.rpps FROM accounts a JOIN professionals p ON p.id = a.claimed_professional_id ' +
    `WHERE a.email = '${kineEmail}'`).trim();
  assert.match(kineRpps, /^\d{11}$/, 'the demo has a pending sign-up that claims a directory entry');
  await enrolAndApprove(env.server, opToken, { extra: { rpps: kineRpps } });

  const email = `rpps.${Date.now()}@exemple.fr`;
  const page = await newPage(browser, env.base, PHONE);
  await page.goto('/inscription');
  await heading(page).filter({ hasText: 'Demander un compte' }).waitFor();

  const number = page.getByLabel('Numéro RPPS');
  const lookup = page.getByTestId('rpps-lookup');
  const firstName = page.getByLabel('Prénom');
  const lastName = page.getByLabel('Nom', { exact: true });
  const profession = page.getByLabel('Profession', { exact: true });
  assert.equal(await lookup.getAttribute('role'), 'status', 'the lookup result is announced');
  // No health profession can be picked: it comes with the RPPS number.
  const offered = await profession.locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(offered, ['', 'AS', 'AP', 'ASS', 'EDS', 'CESF', 'COORD', 'SEC', 'AUTRE']);
  await page.getByText('Médecin, infirmier, kinésithérapeute… : indiquez votre numéro RPPS, votre profession sera reprise de l’annuaire.').waitFor();

  // What the person types before giving the number (the approver will see it beside the entry).
  await firstName.fill('Marie-Léa');
  await lastName.fill(last.toLocaleLowerCase('fr-FR'));
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirmez le mot de passe').fill(PASSWORD);

  // An unknown number: a calm hint on leaving the field, nothing replaced; sending it is refused, on the number.
  await number.fill('99999999999');
  await number.blur();
  await lookup.filter({ hasText: 'Ce numéro n’est pas dans l’annuaire national : vérifiez-le.' }).waitFor();
  assert.equal(await firstName.inputValue(), 'Marie-Léa');
  assert.equal(await number.getAttribute('aria-invalid'), null);
  await expectAxeClean(page, 'inscription, unknown RPPS number (phone)');
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
  await page.getByRole('alert').filter({ hasText: 'Le formulaire contient des erreurs' }).waitFor();
  assert.equal(await number.getAttribute('aria-invalid'), 'true');
  await page.getByText('Ce numéro RPPS n’est pas dans l’annuaire national : vérifiez-le, ou effacez-le et choisissez votre profession.').first().waitFor();
  // The profession is not asked for with a number (the server takes it from the entry).
  assert.equal(await profession.getAttribute('aria-invalid'), null);

  // The number of the doctor, typed digit by digit: the lookup starts at the 11th; the names and the profession
  // become the entry's, read-only.
  await number.fill('');
  await number.pressSequentially(rpps, { delay: 10 });
  const fullName = `${civility} ${first} ${last.toLocaleUpperCase('fr-FR')}`;
  const summary = `Vos nom, prénom et profession sont ceux de l’annuaire national : ${fullName}, ${label}` +
    `${specialty ? ` (${specialty})` : ''}.`;
  await lookup.filter({ hasText: summary }).waitFor();
  assert.equal(await number.getAttribute('aria-invalid'), null, 'the error of the former number is gone');
  assert.equal(await firstName.inputValue(), first);
  assert.equal(await lastName.inputValue(), last);
  assert.equal(await profession.inputValue(), label);
  for (const field of [firstName, lastName, profession]) assert.equal(await field.evaluate((e) => e.readOnly), true);
  assert.equal(await page.locator('select[name="profession_code"]').count(), 0, 'no profession to choose');
  assert.equal(await page.getByLabel('Spécialité').inputValue(), specialty);
  await page.getByText('Repris de l’annuaire national avec votre numéro RPPS. Pour les changer, effacez le numéro.').waitFor();
  await expectAxeClean(page, 'inscription, RPPS number found (phone)');

  // One tap chooses a structure of the entry (its sites come sorted by name).
  const [structureId, site] = sql(env.db, 'SELECT structure_id, site_name FROM professional_activities WHERE ' +
    `professional_id = '${id}' AND structure_id IS NOT NULL ORDER BY site_name LIMIT 1`).trim().split('|');
  const choose = page.getByRole('button', { name: /^Choisir / }).first();
  assert.ok((await choose.innerText()).startsWith(`Choisir ${site}`), await choose.innerText());
  await choose.click();
  await page.getByTestId('structure-chosen').filter({ hasText: site }).waitFor();
  await expectAxeClean(page, 'inscription, structure chosen from the directory entry (phone)');
  if (shots) {
    await page.getByTestId('rpps-lookup').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/signup-rpps-found-phone.png` });
    await page.screenshot({ path: `${shots}/signup-rpps-found-phone-full.png`, fullPage: true });
  }

  // Clearing the number gives back what was typed; the number again, the entry's values.
  await number.fill('');
  assert.equal(await firstName.inputValue(), 'Marie-Léa');
  assert.equal(await firstName.evaluate((e) => e.readOnly), false);
  await number.fill(rpps);
  await lookup.filter({ hasText: summary }).waitFor();

  // The number of an entry that an active account holds: the server's 409, with what to do, on the number.
  await number.fill(held);
  await lookup.filter({ hasText: 'Vos nom, prénom et profession sont ceux de l’annuaire national' }).waitFor();
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
  const duplicate = page.getByRole('alert').filter({ hasText: 'Déjà utilisé' });
  await duplicate.waitFor();
  const detail = 'Ce numéro RPPS est déjà celui d’un compte Cordée actif. Si c’est le vôtre, connectez-vous';
  const detailOf = (s) => s.replace(/'/g, '’');
  // The summary links to the number, under which the detail says what to do (once, not twice).
  await duplicate.getByRole('link', { name: 'Numéro RPPS : déjà utilisé' }).waitFor();
  assert.equal(await duplicate.getByTestId('problem-detail').count(), 0);
  assert.equal(await number.getAttribute('aria-invalid'), 'true');
  const numberError = await page.locator('#f-rpps-error').innerText();
  assert.ok(detailOf(numberError).includes(detail) && numberError.includes('Pro Santé Connect'), numberError);
  await expectAxeClean(page, 'inscription, RPPS number of an active account (phone)');
  if (shots) await page.screenshot({ path: `${shots}/signup-rpps-duplicate-phone.png` });

  // Back to the doctor's number: sent.
  await number.fill(rpps);
  await lookup.filter({ hasText: summary }).waitFor();
  assert.equal(await number.getAttribute('aria-invalid'), null);
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
  await page.getByTestId('signup-done').waitFor();

  // The request carries the entry's names and profession and only claims the entry; what was typed is kept apart.
  const [accFirst, accLast, accCode, proven, claimed, linked] = sql(env.db, 'SELECT a.first_name, a.last_name, ' +
    "a.profession_code, COALESCE(a.professional_id, ''), a.claimed_professional_id, l.structure_id FROM accounts a " +
    `JOIN account_structures l ON l.account_id = a.id WHERE a.email = '${email}'`).trim().split('|');
  assert.deepEqual([accFirst, accLast, accCode, proven, claimed, linked], [first, last, code, '', id, structureId]);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();

  const secret = await confirmAndEnrolTotp(email);

  // The operator, on a phone: the entry beside what was typed, and the link to decide.
  const op = await newPage(browser, env.base, PHONE);
  await loginThroughUi(op, operator);
  await op.goto('/approbations');
  const card = op.locator(`[data-testid="enrolment"][data-email="${email}"]`);
  await card.waitFor();
  assert.equal(await card.getByRole('heading', { level: 2 }).innerText(), `${first} ${last}`);
  const directory = card.getByTestId('claim-directory');
  const declared = card.getByTestId('claim-declared');
  assert.equal(await directory.getByRole('heading').innerText(), 'Fiche de l’annuaire national');
  assert.equal(await declared.getByRole('heading').innerText(), 'Saisi par la personne');
  const values = (col) => col.locator('dl > div').evaluateAll((ds) => ds.map((d) =>
    [d.querySelector('dt').textContent, d.querySelector('dd').textContent]));
  assert.deepEqual(await values(directory), [['Civilité', civility], ['Prénom', first], ['Nom', last], ['Profession', label],
    ['Spécialité', specialty || '—'], ['RPPS', rpps]]);
  // The first name differs (in words); the last name typed in lower case does not; no profession was typed.
  assert.deepEqual(await values(declared), [['Prénom', 'Marie-Léadifférent'], ['Nom', last.toLocaleLowerCase('fr-FR')],
    ['Profession', 'non saisi']]);
  assert.equal(await declared.locator('[data-field="first_name"] .diff').innerText(), 'différent');
  assert.equal(await card.getByTestId('claim-differences').innerText(), '1 différence entre la fiche et ce que la personne a saisi.');
  await expectAxeClean(op, 'approbations with a claimed directory entry (phone)');
  if (shots) {
    await card.scrollIntoViewIfNeeded();
    await op.screenshot({ path: `${shots}/approvals-card-phone.png` });
  }

  await card.getByRole('button', { name: /^Approuver/ }).click();
  const dialog = op.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByTestId('claim-directory').waitFor();
  const group = dialog.getByRole('group', { name: 'Lien avec la fiche de l’annuaire' });
  const yes = group.getByLabel('C’est bien cette personne : lier son compte à la fiche');
  const no = group.getByLabel('Je ne la reconnais pas : valider sans ce lien (la profession ne sera pas reprise)');
  assert.equal(await yes.isChecked(), false);
  assert.equal(await no.isChecked(), false);
  // The choice is required.
  await dialog.getByRole('button', { name: 'Confirmer l’approbation' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'Dites si c’est bien la personne de la fiche de l’annuaire.' }).waitFor();
  assert.equal(await yes.getAttribute('aria-invalid'), 'true');
  await expectAxeClean(op, 'approbations, approve dialog without the link choice (phone)');
  if (shots) await op.screenshot({ path: `${shots}/approvals-dialog-error-phone.png` });
  await dialog.getByLabel('Rôle attribué').selectOption('professional');
  await yes.check();
  assert.equal(await yes.getAttribute('aria-invalid'), null);
  await expectAxeClean(op, 'approbations, approve dialog with the link chosen (phone)');
  if (shots) {
    await group.scrollIntoViewIfNeeded();
    await op.screenshot({ path: `${shots}/approvals-dialog-phone.png` });
  }
  const answer = op.waitForResponse((r) => r.url().includes('/approve') && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Confirmer l’approbation' }).click();
  const sent = await answer;
  assert.deepEqual(sent.request().postDataJSON(), { role: 'professional', confirm_professional: true });
  assert.equal(sent.status(), 200);
  await op.getByRole('status').filter({ hasText: `La demande de ${first} ${last} a été approuvée ; son compte est lié à sa fiche de l’annuaire.` }).waitFor();
  await card.waitFor({ state: 'detached' });

  // The physiotherapist's entry is now another account's: linking is refused on the choice, with what to do;
  // approving without the link remains.
  const kineCard = op.locator(`[data-testid="enrolment"][data-email="${kineEmail}"]`);
  await kineCard.getByRole('button', { name: /^Approuver/ }).click();
  await dialog.waitFor();
  await dialog.getByLabel('C’est bien cette personne : lier son compte à la fiche').check();
  await dialog.getByRole('button', { name: 'Confirmer l’approbation' }).click();
  const refused = dialog.getByRole('alert').filter({ hasText: 'Déjà utilisé' });
  await refused.getByRole('link', { name: 'Lien avec la fiche de l’annuaire : déjà utilisé' }).waitFor();
  const linkGroup = dialog.getByRole('group', { name: 'Lien avec la fiche de l’annuaire' });
  assert.equal((await linkGroup.locator('.field-error').innerText()).replace(/'/g, '’'),
    'Ce professionnel de l’annuaire a déjà un compte actif : refusez cette inscription ou validez-la sans ce lien.');
  assert.equal(await dialog.getByLabel('C’est bien cette personne : lier son compte à la fiche').getAttribute('aria-invalid'), 'true');
  await expectAxeClean(op, 'approbations, approve dialog: the entry is another account\'s (phone)');
  if (shots) {
    await linkGroup.scrollIntoViewIfNeeded();
    await op.screenshot({ path: `${shots}/approvals-dialog-duplicate-phone.png` });
  }
  await dialog.getByLabel('Je ne la reconnais pas : valider sans ce lien (la profession ne sera pas reprise)').check();
  const unlinked = op.waitForResponse((r) => r.url().includes('/approve') && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Confirmer l’approbation' }).click();
  assert.equal((await unlinked).request().postDataJSON().confirm_professional, false);
  await op.getByRole('status').filter({ hasText: 'sans lien avec la fiche de l’annuaire (profession non vérifiée).' }).waitFor();
  await kineCard.waitFor({ state: 'detached' });
  // Not linked to the RPPS entry: the account has its own local directory entry (findable by name), nothing more.
  assert.deepEqual(sql(env.db, "SELECT profession_code, COALESCE(professional_link, ''), " +
    "CASE WHEN professional_id = id THEN 'own local entry' ELSE COALESCE(professional_id, '') END, COALESCE(claimed_professional_id, '') " +
    `FROM accounts WHERE email = '${kineEmail}'`).trim().split('|'), ['NV', 'local', 'own local entry', '']);
  assert.deepEqual(op.jsErrors, []);
  await op.context().close();

  // The account is now the directory entry, proven by the approver.
  const server = env.server;
  const token = await login(server, email, PASSWORD, secret);
  const me = await api(server, 'GET', '/api/v1/me', { token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.professional_id, id);
  assert.equal(me.json.professional_link, 'confirmed');
  assert.equal(me.json.first_name, first);
  assert.equal(me.json.last_name, last);
  assert.equal(me.json.profession_code, '10');
  assert.equal(me.json.profession_label, label);
  assert.equal(me.json.rpps, rpps);
});
