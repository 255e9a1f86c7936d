// Sign-up with an RPPS number (phone): an unknown number gets a calm hint; the number of a professional of
// the demo directory prefills the empty fields, says who was found, and offers their structure in one tap;
// the request is then linked to the directory entry and to that structure. Axe on each step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, demoServer, newPage, expectAxeClean, heading, PHONE } from './helpers.mjs';
import { sql } from '../lib/flows.mjs';

let browser, env;
before(async () => { env = await demoServer(); browser = await launch(); });
after(async () => { await browser?.close(); await env?.server.stop(); });

test('sign-up with an RPPS number prefills the form from the directory (phone)', async () => {
  // A health professional of the demo (a profession of the sign-up list) who works in a structure.
  const row = sql(env.db, "SELECT p.id, p.rpps, p.first_name, p.last_name, p.profession_code FROM professionals p " +
    "WHERE p.active = 1 AND p.profession_code IN ('10', '21', '40', '50', '60', '70', '91') AND EXISTS (SELECT 1 FROM " +
    'professional_activities a WHERE a.professional_id = p.id AND a.structure_id IS NOT NULL) ORDER BY p.id LIMIT 1').trim();
  assert.ok(row, 'the demo has a professional working in a structure');
  const [id, rpps, first, last, code] = row.split('|');
  const email = `rpps.${Date.now()}@exemple.fr`;
  const page = await newPage(browser, env.base, PHONE);
  await page.goto('/inscription');
  await heading(page).filter({ hasText: 'Demander un compte' }).waitFor();

  const number = page.getByLabel('Numéro RPPS');
  const lookup = page.getByTestId('rpps-lookup');
  assert.equal(await lookup.getAttribute('role'), 'status', 'the lookup result is announced');

  // An unknown number: a calm hint on leaving the field, nothing prefilled, no error.
  await number.fill('99999999999');
  await number.blur();
  await lookup.filter({ hasText: 'Numéro inconnu de l’annuaire : vérifiez-le ou continuez sans.' }).waitFor();
  assert.equal(await page.getByLabel('Prénom').inputValue(), '');
  assert.equal(await number.getAttribute('aria-invalid'), null);
  await expectAxeClean(page, 'inscription, unknown RPPS number (phone)');

  // The number of the demo professional: the lookup starts once the 11 digits are typed.
  await number.fill('');
  await number.pressSequentially(rpps, { delay: 10 });
  await lookup.filter({ hasText: 'Nous vous avons trouvé dans l’annuaire' }).waitFor();
  const found = await lookup.innerText();
  assert.ok(found.includes(`${first} ${last.toLocaleUpperCase('fr-FR')}`), `who was found: ${found}`);
  assert.equal(await page.getByLabel('Prénom').inputValue(), first);
  assert.equal(await page.getByLabel('Nom', { exact: true }).inputValue(), last);
  assert.equal(await page.getByLabel('Profession', { exact: true }).inputValue(), code);
  await expectAxeClean(page, 'inscription, RPPS number found (phone)');

  // What the user typed is kept when the number is looked up again.
  await page.getByLabel('Prénom').fill('Marie-Léa');
  await number.fill('');
  await number.fill(rpps);
  await lookup.filter({ hasText: 'Nous vous avons trouvé dans l’annuaire' }).waitFor();
  assert.equal(await page.getByLabel('Prénom').inputValue(), 'Marie-Léa');

  // One tap chooses a structure of the entry (its sites come sorted by name), like a structure picked in the search.
  const [structureId, site] = sql(env.db, 'SELECT structure_id, site_name FROM professional_activities WHERE ' +
    `professional_id = '${id}' AND structure_id IS NOT NULL ORDER BY site_name LIMIT 1`).trim().split('|');
  const choose = page.getByRole('button', { name: /^Choisir / }).first();
  assert.ok((await choose.innerText()).startsWith(`Choisir ${site}`), await choose.innerText());
  await choose.click();
  await page.getByTestId('structure-chosen').filter({ hasText: site }).waitFor();
  await page.getByText(/\(structure choisie\)$/).first().waitFor();
  await expectAxeClean(page, 'inscription, structure chosen from the directory entry (phone)');

  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill('une phrase de passe bien longue');
  await page.getByLabel('Confirmez le mot de passe').fill('une phrase de passe bien longue');
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
  await page.getByTestId('signup-done').waitFor();

  // The request names the directory entry and the chosen structure.
  const [account, linked] = sql(env.db, 'SELECT a.professional_id, l.structure_id FROM accounts a JOIN account_structures l ' +
    `ON l.account_id = a.id WHERE a.email = '${email}'`).trim().split('|');
  assert.equal(account, id);
  assert.equal(linked, structureId);
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});
