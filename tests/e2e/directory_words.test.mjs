// Finding people in their own words, on a phone (390 × 844): the médecin searches "généraliste reims" and sees what
// the directory understood, opens a professional (tap-to-call, mail and MSSanté links, the RPPS in 11 digits) and a
// structure, then adds the demo's assistante sociale — who has no RPPS — to a care circle by typing her name in the
// add-member picker (no id field). Axe on every page.
// CORDEE_SCREENSHOTS=DIR saves the phone screenshots of the search, the professional page and the picker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, demoServer, newPage, expectAxeClean, heading, loginThroughUi, PHONE } from './helpers.mjs';
import { sql } from '../lib/flows.mjs';

const shots = process.env.CORDEE_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const shoot = (page, name) => (shots ? page.screenshot({ path: join(shots, `${name}.png`), fullPage: false }) : null);

let browser, env, medecin;
before(async () => {
  env = await demoServer();
  browser = await launch();
  medecin = env.accounts.find((a) => a.email === 'medecin@demo.cordee.fr');
});
after(async () => { await browser?.close(); await env?.server.stop(); });

test('vocabulary search, contact links, and a colleague without RPPS added to a circle by name', async () => {
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, medecin);

  await page.goto('/annuaire?q=' + encodeURIComponent('généraliste reims'));
  await page.getByTestId('results').waitFor();
  await page.getByTestId('understood').filter({ hasText: 'Compris : Médecin généraliste' }).waitFor();
  const names = await page.locator('.result__what').allInnerTexts();
  assert.ok(names.length > 0 && names.every((w) => /Médecin · Médecine générale/.test(w)), `only GPs: ${names}`);
  const places = await page.locator('.result__where').allInnerTexts();
  assert.ok(places.every((w) => /Reims/.test(w)), `in Reims: ${places}`);
  await expectAxeClean(page, 'directory search, vocabulary query (phone)');
  await shoot(page, 'annuaire-generaliste-reims');

  // A liberal GP of the demo: phone and email of the practice, MSSanté address, RPPS number.
  const [proId, rpps] = sql(env.db, "SELECT id, rpps FROM professionals WHERE profession_code = '10' AND practice_mode = 'L' " +
    "AND commune = 'Reims' AND rpps LIKE '19%' ORDER BY last_name LIMIT 1").trim().split('|');
  await page.goto(`/annuaire/professionnels/${proId}`);
  await heading(page).filter({ hasText: /^Dr / }).waitFor();
  assert.equal(await page.getByTestId('rpps').innerText(), rpps, 'the RPPS number, 11 digits');
  const tel = page.locator('a[href^="tel:"]').first();
  assert.match(await tel.getAttribute('href'), /^tel:0\d{9}$/);
  const mails = await page.locator('a[href^="mailto:"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(mails.some((m) => /@medecin\.mssante\.fr$/.test(m)), `a MSSanté link: ${mails}`);
  assert.ok(mails.some((m) => !/mssante/.test(m)), `an email link: ${mails}`);
  const box = await tel.boundingBox();
  assert.ok(box.height >= 44, `the call link is a tap target: ${box.height}px`);
  await expectAxeClean(page, 'professional page (phone)');
  await shoot(page, 'fiche-professionnel');

  // A structure page carries them too.
  await page.goto('/annuaire?q=ssiad+reims');
  await page.getByTestId('results').getByRole('link', { name: 'SSIAD du Pays rémois' }).click();
  await heading(page).filter({ hasText: 'SSIAD du Pays rémois' }).waitFor();
  assert.equal(await page.locator('a[href^="tel:"]').count() > 0, true, 'tel: link on the structure page');
  assert.ok((await page.locator('a[href^="mailto:"]').count()) >= 2, 'email and MSSanté links on the structure page');
  await expectAxeClean(page, 'structure page (phone)');

  // The demo's last patient has no assistante sociale in her circle: the médecin adds her by name.
  const patientId = sql(env.db, "SELECT id FROM patients WHERE birth_name = 'PETIT' LIMIT 1").trim();
  assert.ok(patientId, 'the demo patient Emma Petit');
  await page.goto(`/patients/${patientId}?onglet=cercle`);
  await page.getByTestId('member').first().waitFor();
  assert.equal(await page.getByText('Identifiant du compte').count(), 0, 'no id field');
  const before = await page.getByTestId('member').count();
  const picker = page.getByRole('combobox', { name: 'Rechercher dans l’annuaire' });
  await picker.fill('Nadia Lem');
  const option = page.getByRole('option').filter({ hasText: 'Nadia Lemoine' });
  await option.first().waitFor();
  assert.match(await option.first().innerText(), /Sur Cordée/, 'she has an account');
  await expectAxeClean(page, 'add-member picker open (phone)');
  await page.getByRole('listbox').evaluate((el) => el.scrollIntoView({ block: 'end' }));
  await shoot(page, 'ajout-membre-picker');
  await option.first().click();
  await page.getByTestId('directory-chosen').filter({ hasText: 'Nadia Lemoine' }).waitFor();
  await page.getByLabel('Rôle dans le cercle').selectOption('assistante_sociale');
  await page.getByRole('button', { name: 'Ajouter au cercle' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="member"]').length > n, before);
  const members = await page.getByTestId('member').allInnerTexts();
  assert.ok(members.some((m) => /Nadia Lemoine/.test(m) && /Assistant\(e\) de service social/.test(m)), members.join(' | '));
  await expectAxeClean(page, 'care circle after adding by name (phone)');
  assert.deepEqual(page.jsErrors, []);
});
