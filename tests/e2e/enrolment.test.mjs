// A professional without an RPPS number (an aide-soignante: a profession of the closed list) asks for an account
// on a phone, confirms the e-mail, enrols TOTP and waits; an operator approves the request (no directory entry to
// confirm); the professional then logs in and lands on the portal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, demoServer, newPage, expectAxeClean, linkFrom, heading, loginThroughUi, totp, waitForMail, PHONE, DESKTOP,
} from './helpers.mjs';

let browser, env;
before(async () => { env = await demoServer(); browser = await launch(); });
after(async () => { await browser?.close(); await env?.server.stop(); });

async function someStructure(base) {
  for (const q of ['centre', 'maison', 'cabinet', 'pharmacie', 'hôpital', 'ehpad', 'clinique', 'santé', 'ca', 'ma', 'er']) {
    const res = await fetch(`${base}/api/v1/structures?q=${encodeURIComponent(q)}`);
    if (res.ok) { const { items } = await res.json(); if (items?.length) return items[0]; }
  }
  return null;
}

test('sign-up, e-mail link, TOTP enrolment, approval, first login (phone)', async () => {
  const { base, db, accounts } = env;
  const email = `camille.martin.${Date.now()}@exemple.fr`;
  const password = 'une phrase de passe bien longue';
  const page = await newPage(browser, base, PHONE);

  // Unauthenticated visitors land on the login page.
  await page.goto('/');
  await page.waitForURL(/\/connexion/);
  await heading(page).filter({ hasText: 'Connexion' }).waitFor();
  await expectAxeClean(page, 'connexion (phone)');

  await page.getByRole('link', { name: 'Demander un compte' }).click();
  await page.waitForURL(/\/inscription$/);
  await heading(page).filter({ hasText: 'Demander un compte' }).waitFor();
  await expectAxeClean(page, 'inscription (phone)');

  // Submitting empty shows the errors, tied to their fields.
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'Le formulaire contient des erreurs' });
  await summary.waitFor();
  const firstName = page.getByLabel('Prénom');
  assert.equal(await firstName.getAttribute('aria-invalid'), 'true');
  const describedBy = await firstName.getAttribute('aria-describedby');
  assert.match(await page.locator('#' + describedBy.split(' ').pop()).innerText(), /obligatoire/);
  // Without an RPPS number the profession is required, and only professions without a national register are offered.
  const profession = page.getByLabel('Profession', { exact: true });
  assert.equal(await profession.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await profession.locator('option').evaluateAll((os) => os.map((o) => o.value)),
    ['', 'AS', 'AP', 'ASS', 'EDS', 'CESF', 'COORD', 'SEC', 'AUTRE']);
  assert.deepEqual(await profession.locator('option').evaluateAll((os) => os.map((o) => o.textContent)).then((l) => l.slice(1)),
    ['Aide-soignant', 'Auxiliaire de puériculture', 'Assistant(e) de service social', 'Éducateur spécialisé',
      'Conseiller en économie sociale familiale', 'Coordinateur de parcours', 'Secrétaire médical(e)', 'Autre']);
  const professionHint = await page.locator('#' + (await profession.getAttribute('aria-describedby')).split(' ')[0]).innerText();
  assert.equal(professionHint, 'Médecin, infirmier, kinésithérapeute… : indiquez votre numéro RPPS, votre profession sera reprise de l’annuaire.');
  // "Autre" asks what the profession is.
  await profession.selectOption('AUTRE');
  await page.getByLabel('Précisez votre profession').waitFor();

  await firstName.fill('Camille');
  await page.getByLabel('Nom', { exact: true }).fill('Martin');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Téléphone').fill('06 12 34 56 78');
  await profession.selectOption('AS');
  assert.equal(await page.getByLabel('Précisez votre profession').count(), 0);

  const structure = await someStructure(base);
  if (structure) {
    const search = page.getByRole('combobox', { name: 'Rechercher votre structure' });
    await search.fill(structure.name.slice(0, 6));
    const option = page.getByRole('listbox', { name: 'Rechercher votre structure' }).getByRole('option').first();
    await option.waitFor();
    await expectAxeClean(page, 'inscription with the structure list open (phone)');
    await search.press('ArrowDown');
    await search.press('Enter');
    await page.getByTestId('structure-chosen').waitFor();
  } else {
    await page.getByLabel('Ma structure n’est pas dans la liste').check();
    await page.getByLabel('Nom de la structure').fill('Cabinet infirmier des Tilleuls');
    await page.getByLabel('Commune').fill('Vannes');
  }
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByLabel('Confirmez le mot de passe').fill(password);
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
  await page.getByTestId('signup-done').waitFor();
  await expectAxeClean(page, 'inscription done (phone)');

  // The e-mail link confirms the address and leads to the TOTP enrolment.
  const mail = await waitForMail(db, (m) => m.includes(email) && /confirmer/.test(m));
  await page.goto(linkFrom(mail, '/confirmer'));
  await page.waitForURL(/\/double-authentification$/);
  const secretEl = page.getByTestId('totp-secret');
  await secretEl.waitFor();
  await page.locator('.qr__img svg').waitFor();
  await expectAxeClean(page, 'double-authentification (phone)');
  const secret = (await secretEl.innerText()).replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  await page.getByLabel('Code à 6 chiffres affiché par l’application').fill(totp(secret));
  await page.getByRole('button', { name: 'Activer la double authentification' }).click();

  const codes = page.getByTestId('recovery-codes').locator('li');
  await codes.first().waitFor();
  assert.equal(await codes.count(), 10);
  await expectAxeClean(page, 'recovery codes (phone)');
  await page.getByLabel('J’ai conservé mes codes de secours').check();
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.getByTestId('pending-approval').waitFor();
  await expectAxeClean(page, 'pending approval (phone)');

  // Logging in before the approval says so plainly.
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('alert').filter({ hasText: 'Compte en attente d’approbation' }).waitFor();

  // An operator approves the request.
  const operator = accounts.find((a) => a.role === 'operator');
  assert.ok(operator, 'the demo has an operator');
  const op = await newPage(browser, base, DESKTOP);
  await loginThroughUi(op, operator);
  await op.getByTestId('pending-count').waitFor();
  await expectAxeClean(op, 'portal (operator, desktop)');
  await op.goto('/approbations');
  const card = op.locator(`[data-testid="enrolment"][data-email="${email}"]`);
  await card.waitFor();
  const before = await op.getByTestId('enrolment').count();
  await expectAxeClean(op, 'approbations');
  await card.getByRole('button', { name: /^Approuver/ }).click();
  const dialog = op.getByRole('dialog');
  await dialog.waitFor();
  // Camille Martin gave no RPPS number: no directory entry to compare nor link to confirm.
  assert.equal(await card.getByTestId('claim').count(), 0);
  assert.equal(await dialog.getByRole('group', { name: 'Lien avec la fiche de l’annuaire' }).count(), 0);
  await dialog.getByLabel('Rôle attribué').selectOption('professional');
  await expectAxeClean(op, 'approbations, approve dialog');
  await dialog.getByRole('button', { name: 'Confirmer l’approbation' }).click();
  await op.getByRole('status').filter({ hasText: 'La demande de Camille Martin a été approuvée.' }).waitFor();
  await card.waitFor({ state: 'detached' });
  assert.equal(await op.getByTestId('enrolment').count(), before - 1);
  await waitForMail(db, (m) => m.includes(email) && !/confirmer\?/.test(m.replace(/=\r?\n/g, '')));

  // Refusing another request needs a reason.
  const other = op.getByTestId('enrolment').first();
  if (await other.count()) {
    const otherEmail = await other.getAttribute('data-email');
    await other.getByRole('button', { name: /^Refuser/ }).click();
    const rejectDialog = op.getByRole('dialog');
    await rejectDialog.getByRole('button', { name: 'Confirmer le refus' }).click();
    await rejectDialog.getByRole('alert').filter({ hasText: 'Indiquez le motif du refus' }).waitFor();
    const reason = rejectDialog.getByLabel('Motif du refus');
    assert.equal(await reason.getAttribute('aria-invalid'), 'true');
    await expectAxeClean(op, 'approbations, reject dialog with an error');
    await reason.fill('Structure hors du territoire couvert.');
    await rejectDialog.getByRole('button', { name: 'Confirmer le refus' }).click();
    await op.locator(`[data-testid="enrolment"][data-email="${otherEmail}"]`).waitFor({ state: 'detached' });
    await op.getByRole('status').filter({ hasText: 'a été refusée' }).waitFor();
  }

  // The applicant logs in (next TOTP step: the enrolment used this one) and sees the portal.
  await loginThroughUi(page, { email, password, secret, stepOffset: 1 });
  await page.waitForURL((u) => new URL(u).pathname === '/');
  assert.match(await page.getByTestId('greeting').innerText(), /Camille Martin/);
  assert.match(await page.getByTestId('user-name').innerText(), /Camille Martin/);
  // The profession is the one of the list, with the server's label; no directory entry.
  const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
  assert.equal(me.profession_code, 'AS');
  assert.equal(me.profession_label, 'Aide-soignant');
  assert.equal(me.rpps, null);
  // No national entry: a local one of its own, so that colleagues find this account by name.
  assert.equal(me.professional_link, 'local');
  await page.locator('.tiles li').first().waitFor();
  await expectAxeClean(page, 'portal (phone)');
  if (process.env.CORDEE_SCREENSHOTS) {
    await page.screenshot({ path: `${process.env.CORDEE_SCREENSHOTS}/portal-phone.png`, fullPage: true });
  }

  // Profile page: edit the phone number.
  await page.goto('/profil');
  await page.getByLabel('Téléphone').fill('02 97 00 00 00');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('status').filter({ hasText: 'enregistrées' }).waitFor();
  await expectAxeClean(page, 'profil (phone)');

  // A stale edit (another tab saved first) gets the current values back.
  const tab = await page.context().newPage();
  await tab.goto('/profil');
  await tab.getByLabel('Spécialité').fill('Soins palliatifs');
  await page.getByLabel('Téléphone').fill('02 97 11 11 11');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  assert.equal((await saved).status(), 200);
  await tab.getByRole('button', { name: 'Enregistrer' }).click();
  await tab.getByRole('alert').filter({ hasText: 'Modification concurrente' }).waitFor();
  assert.equal(await tab.getByLabel('Téléphone').inputValue(), '02 97 11 11 11');
  await expectAxeClean(tab, 'profil after a conflict');
  await tab.close();

  assert.deepEqual(page.jsErrors, []);
  assert.deepEqual(op.jsErrors, []);
  await page.context().close();
  await op.context().close();
});
