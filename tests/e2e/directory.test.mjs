// The directory on a phone: a professional searches as they type, filters, pages, opens a structure with
// its capacities and a professional; the administrator of "EHPAD Les Tilleuls" sets the places available
// in two taps and the new value and its freshness show on the structure page. Axe on every page.
// CORDEE_SCREENSHOTS=DIR saves phone screenshots of the search, structure and management pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, demoServer, newPage, expectAxeClean, heading, loginThroughUi, PHONE } from './helpers.mjs';
import { api, login } from '../lib/server.mjs';
import { sql } from '../lib/flows.mjs';

const shots = process.env.CORDEE_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const shoot = (page, name) => (shots ? page.screenshot({ path: join(shots, `${name}.png`), fullPage: true }) : null);

const STRUCTURE = 'EHPAD Les Tilleuls';
let browser, env, structureId, token, proId, proLast;

before(async () => {
  env = await demoServer();
  browser = await launch();
  // The demo doctor's account is linked to a directory entry (as a sign-up with an RPPS number does), before
  // any of its sessions exists: the server caches the account of a session.
  [proId, proLast] = sql(env.db, 'SELECT id, last_name FROM professionals WHERE active = 1 ORDER BY id LIMIT 1').trim().split('|');
  sql(env.db, `UPDATE accounts SET professional_id = '${proId}' WHERE email = 'medecin@demo.cordee.fr'`);
  // The operator (never used in the browser here, so its TOTP step stays free) makes sure that the
  // EHPAD has an activity with capacities.
  const op = env.accounts.find((a) => a.role === 'operator');
  token = await login(env.server, op.email, op.password, op.totp_secret);
  const found = await api(env.server, 'GET', `/api/v1/directory/search?q=${encodeURIComponent(STRUCTURE)}&kind=structure`, { token });
  assert.equal(found.status, 200, `GET /directory/search: ${found.text}`);
  const item = found.json.items.find((i) => i.name === STRUCTURE);
  assert.ok(item, `${STRUCTURE} found by the search: ${found.text.slice(0, 500)}`);
  structureId = item.id;
  const got = await api(env.server, 'GET', `/api/v1/directory/structures/${structureId}`, { token });
  assert.equal(got.status, 200, got.text);
  let activity = got.json.activities.find((a) => a.capacities?.some((c) => c.type === 'disponible')) ?? got.json.activities[0];
  if (!activity) {
    const made = await api(env.server, 'POST', `/api/v1/directory/structures/${structureId}/activities`, {
      token, body: { field: 'hébergement permanent', care_mode: 'hébergement complet', label: 'Hébergement permanent', public_min_age: 60 },
    });
    assert.equal(made.status, 201, `POST activities: ${made.text}`);
    activity = made.json;
  }
  const base = `/api/v1/directory/structures/${structureId}/activities/${activity.id}/capacities`;
  if (!activity.capacities?.some((c) => c.type === 'installee')) {
    const r = await api(env.server, 'PUT', `${base}/installee`, { token, body: { count: 80, unit: 'places' } });
    assert.equal(r.status, 200, `PUT installee: ${r.text}`);
  }
  if (!activity.capacities?.some((c) => c.type === 'disponible')) {
    const r = await api(env.server, 'PUT', `${base}/disponible`, { token, body: { count: 3, unit: 'places' } });
    assert.equal(r.status, 200, `PUT disponible: ${r.text}`);
  }
});
after(async () => { await browser?.close(); await env?.server.stop(); });

const resultCount = (page) => page.getByTestId('result-count');

// The answer of the search whose URL contains `part`: waiting for it (not only for the page's URL) avoids reading
// the previous results before the new request has even left.
function searchAnswered(page, part) {
  return page.waitForResponse((r) => r.url().includes('/api/v1/directory/search') && r.url().includes(part));
}

test('a professional searches the directory on a phone and opens a structure and a professional', async () => {
  const pro = env.accounts.find((a) => a.email === 'medecin@demo.cordee.fr') ?? env.accounts.find((a) => a.role === 'professional');
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, pro);

  // The portal tile leads to the directory.
  await page.locator('[data-service="directory"] a').click();
  await page.waitForURL(/\/annuaire$/);
  await heading(page).filter({ hasText: 'Annuaire' }).waitFor();
  await resultCount(page).filter({ hasText: /résultat/ }).waitFor();
  await expectAxeClean(page, 'annuaire (phone)');

  // Search as you type: one request per pause, the count is announced, the query is in the URL.
  const box = page.getByLabel('Rechercher un professionnel ou une structure');
  const searches = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/directory/search')) searches.push(r.url()); });
  const typed = searchAnswered(page, 'q=ehpad');
  await box.pressSequentially('ehpad', { delay: 30 });
  await page.waitForURL(/[?&]q=ehpad/);
  await typed;
  await page.getByTestId('results').getByRole('link', { name: STRUCTURE }).waitFor();
  await page.waitForFunction(() => document.querySelector('.results')?.getAttribute('aria-busy') === 'false');
  assert.ok(searches.length <= 3, `typing 5 letters quickly sends few requests (debounce): ${searches.join(', ')}`);
  assert.match(await resultCount(page).innerText(), /^\d+ résultats?$/);
  assert.equal(await resultCount(page).getAttribute('role'), 'status');
  await expectAxeClean(page, 'annuaire, results for "ehpad" (phone)');
  await shoot(page, 'annuaire-ehpad');

  // A filter pushes a history entry: the back button removes it again. One search is one request (the
  // server's facets are disjunctive: no extra request per filtered group).
  await page.locator('summary').filter({ hasText: 'Filtres' }).click();
  const searchesBefore = searches.length;
  // Wait for the filtered answer itself: the URL changes before the request leaves, and until then the
  // list still shows the unfiltered (not busy) results.
  const filtered = searchAnswered(page, 'kind=structure');
  await page.getByLabel(/^Structures/).check();
  await page.waitForURL(/kind=structure/);
  await filtered;
  await page.waitForFunction(() => document.querySelector('.results')?.getAttribute('aria-busy') === 'false');
  assert.equal(await page.locator('.result--professional').count(), 0, 'only structures once filtered');
  assert.equal(searches.slice(searchesBefore).length, 1, `one request for one filter: ${searches.slice(searchesBefore).join(', ')}`);
  assert.match(await page.getByLabel(/^Professionnels/).locator('xpath=..').innerText(), /^Professionnels \(\d+\)$/,
    'the other kind keeps its count');
  await expectAxeClean(page, 'annuaire, filtered (phone)');
  await page.goBack();
  await page.waitForURL((u) => !u.search.includes('kind='));
  assert.ok(await page.getByLabel(/^Tous/).isChecked());
  assert.equal(await box.inputValue(), 'ehpad', 'the search text comes back with the URL');

  // "Autour de moi": the browser's position (Reims) becomes lat/lon and a radius; distances are shown.
  await page.context().grantPermissions(['geolocation']);
  await page.context().setGeolocation({ latitude: 49.2583, longitude: 4.0317 });
  const around = searchAnswered(page, 'radius_km=10');
  await page.getByRole('button', { name: 'Autour de moi' }).click();
  await page.waitForURL((u) => u.searchParams.get('lat') === '49.2583' && u.searchParams.get('radius_km') === '10');
  await around;
  await page.waitForFunction(() => document.querySelector('.results')?.getAttribute('aria-busy') === 'false');
  const wider = searchAnswered(page, 'radius_km=50');
  await page.getByLabel('Rayon autour de moi').selectOption('50');
  await page.waitForURL(/radius_km=50/);
  await wider;
  await page.waitForFunction(() => document.querySelector('.results')?.getAttribute('aria-busy') === 'false');
  await resultCount(page).filter({ hasText: /résultat/ }).waitFor();
  const distances = await page.locator('.result__distance').allInnerTexts();
  for (const d of distances) assert.match(d, /à (\d+(,\d)? km|moins de 100 m)/);
  await expectAxeClean(page, 'annuaire around me (phone)');
  await page.getByRole('button', { name: 'Ne plus utiliser ma position' }).click();
  await page.waitForURL((u) => !u.searchParams.has('lat'));

  // The structure page: capacities with count, unit and freshness in words.
  await page.getByTestId('results').getByRole('link', { name: STRUCTURE }).click();
  await page.waitForURL(new RegExp(`/annuaire/structures/${structureId}$`));
  await heading(page).filter({ hasText: STRUCTURE }).waitFor();
  const available = page.getByTestId('capacity-disponible').first();
  await available.waitFor();
  assert.match(await available.innerText(), /\d+ (places?|lits?) disponibles?/);
  assert.match(await available.innerText(), /mis à jour (à l’instant|il y a \d+)/);
  assert.equal(await page.getByRole('link', { name: 'Gérer les activités et les places' }).count(), 0,
    'a professional does not get the management link');
  await expectAxeClean(page, 'structure (phone)');
  await shoot(page, 'structure');

  // Back to the search with its query; then a professional's page.
  await page.getByRole('link', { name: 'Retour à l’annuaire' }).click();
  await page.waitForURL(/\/annuaire\?.*q=ehpad/);
  await page.goto('/annuaire?kind=professional');
  const first = page.getByTestId('results').getByRole('link').first();
  await first.waitFor();
  // A profession filter: the results follow, and the other professions stay in the list with their counts.
  const profession = page.getByLabel('Profession', { exact: true });
  const medecins = searchAnswered(page, 'profession=10');
  await profession.selectOption('10');
  await page.waitForURL(/profession=10/);
  await medecins;
  await page.waitForFunction(() => document.querySelector('.results')?.getAttribute('aria-busy') === 'false');
  for (const w of await page.locator('.result__what').allInnerTexts()) assert.match(w, /^Médecin/);
  const options = await profession.locator('option').allInnerTexts();
  assert.ok(options.length > 3 && options.some((o) => /^Infirmier \(\d+\)$/.test(o)), `other professions offered: ${options}`);
  await expectAxeClean(page, 'annuaire, médecins (phone)');
  // Paging: "Résultats suivants" opens page 2 (the demo has hundreds of professionals).
  const next = page.getByRole('link', { name: 'Résultats suivants' });
  if (await next.count()) {
    const before = await first.innerText();
    await next.click();
    await page.waitForURL(/page=2/);
    await page.getByText(/^Page 2 sur \d+$/).waitFor();
    await page.waitForFunction((b) => document.querySelector('[data-testid="results"] a')?.textContent !== b, before);
    await expectAxeClean(page, 'annuaire, page 2 (phone)');
  }
  const name = (await first.innerText()).trim();
  await first.click();
  await page.waitForURL(/\/annuaire\/professionnels\/[^/]+$/);
  await heading(page).filter({ hasText: name }).waitFor();
  await page.getByRole('heading', { name: 'Lieux d’exercice' }).waitFor();
  for (const tel of await page.locator('a[href^="tel:"]').all()) assert.match(await tel.getAttribute('href'), /^tel:\+?\d+$/);
  await expectAxeClean(page, 'professional (phone)');

  // The profile links to the account's own directory entry when it has one (linked in before()).
  await page.goto('/profil');
  const own = page.getByRole('link', { name: 'Ma fiche dans l’annuaire' });
  await own.waitFor();
  await expectAxeClean(page, 'profil with the directory entry link (phone)');
  await own.click();
  await page.waitForURL(new RegExp(`/annuaire/professionnels/${proId}$`));
  await heading(page).filter({ hasText: proLast }).waitFor();

  // The management page refuses a plain professional.
  await page.goto(`/annuaire/structures/${structureId}/gestion`);
  await page.getByTestId('refused').waitFor();
  await expectAxeClean(page, 'gestion refused (phone)');

  // Unknown record: a plain message.
  await page.goto('/annuaire/structures/inconnue-0000');
  await page.getByRole('alert').filter({ hasText: 'n’existe pas' }).waitFor();
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('the structure administrator sets the places available in two taps', async () => {
  const admin = env.accounts.find((a) => a.email === 'admin.ehpad@demo.cordee.fr');
  const adminName = sql(env.db, "SELECT first_name || ' ' || last_name FROM accounts WHERE email = 'admin.ehpad@demo.cordee.fr'").trim();
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, admin);
  await page.goto(`/annuaire/structures/${structureId}`);
  await heading(page).filter({ hasText: STRUCTURE }).waitFor();
  await page.getByRole('link', { name: 'Gérer les activités et les places' }).click();
  await page.waitForURL(/\/gestion$/);
  const editor = page.getByTestId('activity-editor').filter({ has: page.getByText(/Places disponibles|Lits disponibles/) }).first();
  await editor.waitFor();
  await expectAxeClean(page, 'gestion (phone)');
  await shoot(page, 'gestion');

  const field = editor.getByRole('spinbutton', { name: /disponibles$/ });
  const start = Number(await field.inputValue());
  const unitWord = /Lits/.test(await editor.locator('.stepper__label').innerText()) ? 'lit' : 'place';
  // Tap 1: "+"; tap 2: "Enregistrer".
  await editor.getByRole('button', { name: /disponibles : ajouter 1$/ }).tap();
  await editor.getByRole('button', { name: 'Enregistrer' }).first().tap();
  const expected = start + 1;
  const text = `${expected} ${unitWord}${expected > 1 ? 's' : ''} disponible${expected > 1 ? 's' : ''}`;
  await editor.getByRole('status').filter({ hasText: `${text}, enregistré` }).waitFor();
  await editor.getByTestId('current').filter({ hasText: `${text}, mis à jour à l’instant par ${adminName}` }).waitFor();
  // The history lists the update, with the name of the account.
  await editor.locator('summary').filter({ hasText: 'Historique des mises à jour' }).click();
  await editor.getByRole('cell', { name: 'Disponibles' }).first().waitFor();
  assert.equal(await editor.locator('tbody tr').first().locator('td').last().innerText(), adminName);
  await expectAxeClean(page, 'gestion after saving (phone)');

  // The structure page shows the new value, updated just now.
  await page.getByRole('link', { name: 'Retour à la fiche de la structure' }).click();
  await heading(page).filter({ hasText: STRUCTURE }).waitFor();
  const cap = page.getByTestId('capacity-disponible').filter({ hasText: text });
  await cap.waitFor();
  assert.match(await cap.innerText(), /mis à jour (à l’instant|il y a 1 min)/);
  assert.ok((await cap.innerText()).includes(`par ${adminName}`), `the name of who updated it: ${await cap.innerText()}`);
  assert.equal(await cap.getByTestId('stale').count(), 0, 'a fresh value is not marked stale');
  await expectAxeClean(page, 'structure after update (phone)');
  await shoot(page, 'structure-after-update');

  // Adding an activity from the phone.
  await page.getByRole('link', { name: 'Gérer les activités et les places' }).click();
  await page.getByLabel('Champ d’activité').fill('accueil de jour');
  await page.getByLabel('Mode de prise en charge').fill('accueil de jour');
  await page.getByLabel('Intitulé affiché').fill('Accueil de jour Alzheimer');
  await page.getByLabel('Âge minimum').fill('60');
  await page.getByRole('button', { name: 'Ajouter l’activité' }).click();
  await page.getByRole('status').filter({ hasText: 'Activité « Accueil de jour Alzheimer » ajoutée.' }).waitFor();
  await page.getByRole('heading', { name: 'Accueil de jour Alzheimer' }).waitFor();
  await expectAxeClean(page, 'gestion after adding an activity (phone)');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});
