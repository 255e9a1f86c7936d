// The operator's audit page lists events, filters them, pages with "Afficher plus" and verifies the
// hash chain; a failed login shows a plain French message; the PWA manifest and worker are served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, demoServer, newPage, expectAxeClean, heading, loginThroughUi, PHONE, DESKTOP } from './helpers.mjs';

let browser, env;
before(async () => { env = await demoServer(); browser = await launch(); });
after(async () => { await browser?.close(); await env?.server.stop(); });

test('a failed login shows a plain French error, announced and tied to the form', async () => {
  const { base, accounts } = env;
  const pro = accounts.find((a) => a.role === 'professional');
  const page = await newPage(browser, base, PHONE);
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(pro.email);
  await page.getByLabel('Mot de passe', { exact: true }).fill('ce nest pas le bon mot de passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Adresse e-mail ou mot de passe incorrect' });
  await alert.waitFor();
  assert.ok(await alert.evaluate((el) => el === document.activeElement), 'the error summary takes the focus');
  await expectAxeClean(page, 'connexion with an error (phone)');

  // An unknown address gets the same answer (no account enumeration).
  await page.getByLabel('Adresse e-mail').fill('personne@exemple.fr');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('alert').filter({ hasText: 'Adresse e-mail ou mot de passe incorrect' }).waitFor();

  // Too many failures on one account: the wait time is given in plain words.
  const coordinator = accounts.find((a) => a.role === 'coordinator');
  await page.getByLabel('Adresse e-mail').fill(coordinator.email);
  const throttled = page.getByRole('alert').filter({ hasText: 'Trop de tentatives' });
  for (let i = 0; i < 8 && !(await throttled.count()); i++) {
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await answered;
    await page.waitForTimeout(50);
  }
  await throttled.waitFor();
  assert.match(await throttled.innerText(), /Réessayez dans \d+ (minutes?|secondes?)/);
  await expectAxeClean(page, 'connexion, too many attempts (phone)');
  await page.context().close();
});

test('audit trail: list, filter, load more, verify the chain', async () => {
  const { base, accounts } = env;
  const operator = accounts.find((a) => a.role === 'operator');
  const page = await newPage(browser, base, DESKTOP);
  await loginThroughUi(page, operator);
  await page.getByRole('link', { name: 'Journal', exact: true }).first().click();
  await page.waitForURL(/\/journal$/);
  await heading(page).filter({ hasText: 'Journal de traçabilité' }).waitFor();
  const rows = page.getByTestId('audit-table').locator('tbody tr');
  await rows.first().waitFor();
  assert.ok(await rows.count() > 0);
  assert.match(await page.getByTestId('audit-table').innerText(), /login/i);
  await expectAxeClean(page, 'journal');

  const more = page.getByRole('button', { name: 'Afficher plus' });
  if (await more.count()) {
    const n = await rows.count();
    await more.click();
    await page.waitForFunction((k) => document.querySelectorAll('[data-testid="audit-table"] tbody tr').length > k, n);
  }

  await page.getByRole('button', { name: 'Vérifier la chaîne' }).click();
  const result = page.getByTestId('verify-result');
  await result.filter({ hasText: /Chaîne intègre/ }).waitFor();
  assert.match(await result.innerText(), /\d+ événements? vérifiés?/);
  await expectAxeClean(page, 'journal after verification');

  // Filter on the outcome: only failures remain (the failed logins of the other test at least).
  await page.getByLabel('Résultat').selectOption('failure');
  const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('outcome=failure'));
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await filtered;
  await page.waitForFunction(() => !document.querySelector('form[role="search"] [aria-disabled="true"]'));
  const outcomes = await page.locator('[data-testid="audit-table"] tbody tr td:nth-child(7)').allInnerTexts().catch(() => []);
  for (const o of outcomes) assert.equal(o.trim(), 'Échec');

  // Phone size.
  await page.setViewportSize(PHONE);
  await expectAxeClean(page, 'journal (phone)');
  await page.goto('/page-qui-nexiste-pas');
  await heading(page).filter({ hasText: 'Page introuvable' }).waitFor();
  await expectAxeClean(page, '404');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('PWA: manifest in French, service worker and OpenAPI served', async () => {
  const { base } = env;
  const manifest = await (await fetch(`${base}/manifest.webmanifest`)).json();
  assert.equal(manifest.name, 'Cordée');
  assert.equal(manifest.lang, 'fr');
  assert.ok(manifest.icons.some((i) => i.sizes === '512x512'));
  const sw = await fetch(`${base}/sw.js`);
  assert.equal(sw.status, 200);
  assert.match(await sw.text(), /precache/i);
  assert.equal((await fetch(`${base}/openapi.json`)).status, 200);

  // The service worker caches the app shell: offline, the app still opens and says it is offline.
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await page.goto(`${base}/connexion`);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.waitForFunction(async () => (await caches.keys()).length > 0);
  await context.setOffline(true);
  await page.goto(`${base}/mot-de-passe-oublie`);
  await page.locator('main h1').filter({ hasText: 'Mot de passe oublié' }).waitFor();
  await page.locator('.offline-banner').filter({ hasText: 'hors ligne' }).waitFor();
  await expectAxeClean(page, 'offline (phone)');
  await context.close();
});
