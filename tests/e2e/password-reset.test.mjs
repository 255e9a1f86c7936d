// Forgotten password: the e-mail link leads to the new-password page; the new password works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, demoServer, newPage, expectAxeClean, linkFrom, heading, loginThroughUi, waitForMail, PHONE, DESKTOP } from './helpers.mjs';

let browser, env;
before(async () => { env = await demoServer(); browser = await launch(); });
after(async () => { await browser?.close(); await env?.server.stop(); });

test('password reset through the e-mail link', async () => {
  const { base, db, accounts } = env;
  const pro = accounts.find((a) => a.role === 'professional');
  assert.ok(pro, 'the demo has a professional');
  const page = await newPage(browser, base, PHONE);
  await page.goto('/connexion');
  await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
  await page.waitForURL(/\/mot-de-passe-oublie$/);
  await heading(page).filter({ hasText: 'Mot de passe oublié' }).waitFor();
  await expectAxeClean(page, 'mot-de-passe-oublie (phone)');
  await page.getByLabel('Adresse e-mail').fill(pro.email);
  await page.getByRole('button', { name: 'Recevoir le lien' }).click();
  await page.getByTestId('reset-sent').waitFor();
  await expectAxeClean(page, 'mot-de-passe-oublie sent (phone)');

  const mail = await waitForMail(db, (m) => m.includes(pro.email) && /reinitialiser/.test(m));
  await page.goto(linkFrom(mail, '/reinitialiser'));
  await heading(page).filter({ hasText: 'Nouveau mot de passe' }).waitFor();
  await expectAxeClean(page, 'reinitialiser (phone)');

  // Too short: refused on the page, the error is tied to the field.
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('court');
  await page.getByLabel('Confirmez le mot de passe').fill('court');
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
  await page.getByRole('alert').filter({ hasText: '12 caractères' }).waitFor();
  await expectAxeClean(page, 'reinitialiser with errors (phone)');

  const password = 'nouvelle phrase de passe solide';
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(password);
  await page.getByLabel('Confirmez le mot de passe').fill(password);
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
  await page.getByTestId('reset-done').waitFor();

  // The link is single use.
  const again = await newPage(browser, base, DESKTOP);
  await again.goto(linkFrom(mail, '/reinitialiser'));
  await again.getByLabel('Nouveau mot de passe', { exact: true }).fill('encore une autre phrase');
  await again.getByLabel('Confirmez le mot de passe').fill('encore une autre phrase');
  await again.getByRole('button', { name: 'Changer le mot de passe' }).click();
  await again.getByRole('alert').filter({ hasText: 'Lien invalide ou expiré' }).waitFor();

  // The old password no longer works; the new one does.
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(pro.email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(pro.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('alert').filter({ hasText: 'Adresse e-mail ou mot de passe incorrect' }).waitFor();
  await loginThroughUi(page, { ...pro, password });
  assert.match(await page.getByTestId('greeting').innerText(), /Bonjour/);

  // Logging out leads back to the login page, and the portal is closed again.
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.getByRole('status').filter({ hasText: 'Vous êtes déconnecté' }).waitFor();
  await page.goto('/');
  await page.waitForURL(/\/connexion/);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
  await again.context().close();
});
