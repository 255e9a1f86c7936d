// The phone app a nurse opens thirty times a day, at 390 × 844: a compact header with the profession, a bottom tab
// bar usable by keyboard, "Mes patients" showing the patients on the first screen (one search that filters at each
// letter, each row one tap target), the patient page opening on the notebook under a compact banner with the
// identity on its own tab, the portal counting what its tiles say, and the TOTP enrolment opening the
// authenticator app of the same phone. Every tap target measured ≥ 44 × 44 px; axe on every page.
// CORDEE_SCREENSHOTS=DIR saves the screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, demoServer, newPage, expectAxeClean, heading, PHONE, loginThroughUi, waitForMail, linkFrom, totp } from './helpers.mjs';
import { api, login } from '../lib/server.mjs';
import { uniqueEmail } from '../lib/flows.mjs';

const shots = process.env.CORDEE_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const shoot = (page, name) => (shots ? page.screenshot({ path: join(shots, `${name}.png`) }) : null);

let browser, env, nurse, nurseToken, medecin, medecinToken;

before(async () => {
  env = await demoServer();
  browser = await launch();
  nurse = env.accounts.find((a) => a.email === 'infirmier@demo.cordee.fr');
  assert.ok(nurse, 'the demo has its infirmier');
  nurseToken = await login(env.server, nurse.email, nurse.password, nurse.totp_secret);
  medecin = env.accounts.find((a) => a.email === 'medecin@demo.cordee.fr');
  medecinToken = await login(env.server, medecin.email, medecin.password, medecin.totp_secret);
});
after(async () => { await browser?.close(); await env?.server.stop(); });

/** Every visible element of `locator` measures at least 44 × 44 px. */
async function assertTapTargets(page, locator, what) {
  const n = await locator.count();
  assert.ok(n > 0, `${what}: something to measure`);
  for (let i = 0; i < n; i++) {
    const el = locator.nth(i);
    if (!(await el.isVisible())) continue;
    const box = await el.boundingBox();
    const label = (await el.innerText().catch(() => '')).trim().slice(0, 40) || (await el.getAttribute('aria-label')) || i;
    assert.ok(box.width >= 44 && box.height >= 44, `${what} « ${label} » is ${box.width.toFixed(0)} × ${box.height.toFixed(0)} px`);
  }
}

/** The first screen: what lies above the tab bar without scrolling. */
async function firstScreenBottom(page) {
  const bar = await page.locator('.tab-bar').boundingBox();
  return bar ? bar.y : PHONE.height;
}

async function minePatients(token = nurseToken) {
  const all = [];
  for (let cursor = ''; ;) {
    const r = await api(env.server, 'GET', `/api/v1/patients/mine?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    assert.equal(r.status, 200, r.text);
    all.push(...r.json.items);
    if (!r.json.next_cursor) return all;
    cursor = r.json.next_cursor;
  }
}

/** "6 patients suivis · 2 alertes": the patients listed by the API and the sum of their open alerts. */
async function assertPatientsTile(page, mine) {
  const alerts = mine.reduce((n, p) => n + p.open_alerts, 0);
  const expected = [`${mine.length} patients suivis`, alerts ? `${alerts} alerte${alerts > 1 ? 's' : ''}` : null].filter(Boolean).join(' · ');
  const badge = page.locator('[data-service="patients"]').getByTestId('patients-count');
  assert.equal((await badge.innerText()).trim(), expected);
  return alerts;
}

test('portal: the profession in a compact header, tiles counting what they say, the bottom bar by keyboard', async () => {
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, nurse);
  await page.locator('.tiles li').first().waitFor();

  // The header says "Infirmier", not the role, and stays small.
  assert.equal((await page.getByTestId('user-profession').innerText()).trim(), 'Infirmier');
  assert.doesNotMatch(await page.locator('.site-header').innerText(), /Professionnel/);
  const header = await page.locator('.site-header').boundingBox();
  assert.ok(header.height <= 64, `the header is compact (${header.height} px)`);

  // The patients tile counts the patients the demo nurse follows and his open alerts, as the API lists them.
  await shoot(page, 'portal');
  const mine = await minePatients(nurseToken);
  assert.ok(mine.length >= 6, `the demo nurse follows the demo patients (${mine.length})`);
  await assertPatientsTile(page, mine);
  assert.doesNotMatch(await page.locator('.tiles').innerText(), /élément/, 'no tile counts "éléments"');

  // One navigation on a phone: the bottom bar (the header's menu is hidden), its four places, no dead tab.
  const bar = page.getByRole('navigation', { name: 'Navigation principale' });
  assert.equal(await bar.count(), 1, 'one navigation landmark exposed');
  assert.equal(await bar.getByRole('link').count(), 4, 'Accueil, Patients, Messages, Annuaire: no tab for a service not there yet');
  for (const name of ['Accueil', 'Mes patients', 'Messages', 'Annuaire']) assert.equal(await bar.getByRole('link', { name }).count(), 1, name);
  assert.equal(await bar.getByRole('link', { name: 'Accueil' }).getAttribute('aria-current'), 'page');
  const barBox = await page.locator('.tab-bar').boundingBox();
  assert.ok(Math.abs(barBox.y + barBox.height - PHONE.height) < 1, 'the bar sits at the bottom of the screen');
  await assertTapTargets(page, page.locator('.tab-bar a'), 'tab');
  await assertTapTargets(page, page.locator('.site-header a, .site-header button'), 'header control');
  await assertTapTargets(page, page.locator('.tile__link'), 'tile');
  await expectAxeClean(page, 'portal (phone)');

  // By keyboard: Tab reaches the bar's links, Enter opens "Mes patients", whose heading then has the focus.
  let inBar = false;
  for (let i = 0; i < 80 && !inBar; i++) {
    await page.keyboard.press('Tab');
    inBar = await page.evaluate(() => document.activeElement?.closest('.tab-bar') !== null &&
      document.activeElement?.textContent?.includes('Patients'));
  }
  assert.ok(inBar, 'Tab reaches the "Patients" tab');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/patients$/);
  await heading(page).filter({ hasText: 'Mes patients' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'the focus moves to the new page');
  assert.equal(await bar.getByRole('link', { name: 'Patients' }).getAttribute('aria-current'), 'page');
  assert.equal(await bar.getByRole('link', { name: 'Accueil' }).getAttribute('aria-current'), null);
  await page.context().close();

  // The demo médecin receives the demo's alerts: her tile counts them beside her patients, her header says "Médecin".
  const doc = await newPage(browser, env.base, PHONE);
  await loginThroughUi(doc, medecin);
  await doc.locator('.tiles li').first().waitFor();
  const docMine = await minePatients(medecinToken);
  assert.ok(await assertPatientsTile(doc, docMine) >= 1, 'the médecin has open alerts');
  assert.equal((await doc.getByTestId('user-profession').innerText()).trim(), 'Médecin');
  await doc.context().close();
});

test('"Mes patients": the patients on the first screen, one search filtering at each letter, whole-row tap targets', async () => {
  // The médecin: the demo's alerts and unread entries are hers.
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, medecin);
  await page.goto('/patients');
  const rows = page.getByTestId('patient-row');
  await rows.first().waitFor();
  const mine = await minePatients(medecinToken);
  assert.equal(await rows.count(), Math.min(mine.length, 50));

  // The first screen shows patients, not a form: several whole rows above the tab bar.
  const bottom = await firstScreenBottom(page);
  let onFirstScreen = 0;
  for (let i = 0; i < await rows.count(); i++) {
    const box = await rows.nth(i).boundingBox();
    if (box.y + box.height <= bottom) onFirstScreen++;
  }
  await shoot(page, 'mes-patients');
  assert.ok(onFirstScreen >= 4, `${onFirstScreen} patients wholly on the first screen`);
  // One search field in sight; the other criteria folded away.
  assert.equal(await page.locator('main input:visible').count(), 1, 'one field on the first screen');
  assert.equal(await page.getByLabel('Date de naissance').isVisible(), false);

  // Each row: age, commune, open alerts and unread count, as the API gives them.
  const withAlert = mine.find((p) => p.open_alerts > 0);
  const row = rows.filter({ hasText: withAlert.birth_name });
  assert.match(await row.getByTestId('age').innerText(), /^(environ )?\d+ (ans?|mois)$/);
  assert.equal(await row.getByTestId('commune').innerText(), withAlert.commune);
  assert.match(await row.getByTestId('open-alerts').innerText(), new RegExp(`^${withAlert.open_alerts} alertes?$`));
  if (withAlert.unread > 0) assert.match(await row.getByTestId('unread').innerText(), new RegExp(`^${withAlert.unread} `));
  await assertTapTargets(page, rows, 'patient row');
  await assertTapTargets(page, page.locator('main input:visible, main summary, main .btn:visible'), 'control');
  await expectAxeClean(page, 'mes patients (phone)');

  // Typing filters at once: the first letters of a name leave that patient only (and whoever shares them).
  const target = mine.find((p) => /^lef/i.test(p.birth_name)) ?? mine[0];
  const prefix = target.birth_name.slice(0, 3).toLowerCase();
  const all = await rows.count();
  await page.getByRole('searchbox', { name: 'Rechercher un patient' }).fill(prefix);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="patient-row"]').length < n, all);
  const left = await rows.allInnerTexts();
  const expected = mine.filter((p) => [p.birth_name, p.used_name ?? '', p.first_name].join(' ')
    .normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().split(/[^a-z0-9]+/).some((w) => w.startsWith(prefix.toLowerCase().normalize('NFD').replace(/\p{M}/gu, ''))));
  assert.equal(left.length, expected.length, `rows left for "${prefix}": ${left.join(' | ')}`);
  assert.ok(left.some((x) => x.includes(target.birth_name)));
  await page.getByRole('button', { name: 'Effacer la recherche' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="patient-row"]').length === n, Math.min(mine.length, 50));

  // The whole row is the tap target: a tap on its right edge, away from the name, opens the patient.
  const first = rows.first();
  const box = await first.boundingBox();
  await page.mouse.click(box.x + box.width - 8, box.y + box.height - 8);
  await page.waitForURL(/\/patients\/[^/]+$/);
  await page.getByTestId('patient-banner').waitFor();
  await page.context().close();
});

test('the patient page opens on the notebook under a compact banner; identity on its own tab', async () => {
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, nurse);
  const mine = await minePatients();
  const p = mine[0];
  await page.goto(`/patients/${p.id}`);
  const banner = page.getByTestId('patient-banner');
  await banner.waitFor();
  await heading(page).filter({ hasText: new RegExp(p.birth_name, 'i') }).waitFor();
  // Name, age, sex and the identity status in words (with its icon) in the banner.
  assert.match(await banner.getByTestId('age').innerText(), /\d+ (ans?|mois)$/);
  assert.match(await banner.innerText(), /Femme|Homme|Fille|Garçon|Sexe indéterminé/);
  assert.match(await banner.getByTestId('identity-status').innerText(), /^Identité (provisoire|récupérée|validée|qualifiée)$/);
  assert.equal(await banner.getByTestId('identity-status').locator('svg').count(), 1);
  // For the home visit: the patient's phone to call and address to find, each one tap, from what the API holds.
  const record = await api(env.server, 'GET', `/api/v1/patients/${p.id}`, { token: nurseToken });
  assert.equal(record.status, 200, record.text);
  assert.ok(record.json.phone && record.json.address, 'the demo patients have a phone and an address');
  const call = banner.getByTestId('patient-contact').getByRole('link', { name: `Appeler le ${record.json.phone}` });
  assert.equal(await call.getAttribute('href'), 'tel:' + record.json.phone.replace(/\D/g, ''));
  const map = banner.getByTestId('patient-map');
  assert.equal(await map.getAttribute('href'), `https://www.openstreetmap.org/search?query=${encodeURIComponent(record.json.address)}`);
  assert.equal(await map.innerText(), record.json.address);
  await assertTapTargets(page, banner.getByTestId('patient-contact').getByRole('link'), 'contact link');

  // The notebook is the tab open, and its first entry is on the first screen.
  assert.equal(await page.getByRole('tab', { name: 'Cahier de liaison' }).getAttribute('aria-selected'), 'true');
  const entry = page.getByTestId('entry').first();
  await entry.waitFor();
  const box = await entry.boundingBox();
  assert.ok(box.y < (await firstScreenBottom(page)) - 60, `the first entry starts on the first screen (y = ${box.y})`);
  assert.match(await entry.innerText(), /Constaté le/);
  assert.equal(await page.getByTestId('identity').count(), 0, 'the identity details wait on their tab');
  await assertTapTargets(page, page.getByRole('tab'), 'tab');
  await expectAxeClean(page, 'patient page, notebook (phone)');
  await shoot(page, 'patient-cahier');

  // The tabs by keyboard: arrows move to the identity tab, in plain words.
  await page.getByRole('tab', { name: 'Cahier de liaison' }).focus();
  for (let i = 0; i < 6; i++) {
    if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Identité') break;
    await page.keyboard.press('ArrowRight');
  }
  assert.equal(await page.getByRole('tab', { name: 'Identité' }).getAttribute('aria-selected'), 'true');
  const identity = page.getByTestId('identity');
  await identity.waitFor();
  await page.waitForURL(/onglet=identite/);
  const text = await identity.innerText();
  assert.match(text, /Code de la commune de naissance/);
  assert.doesNotMatch(text, /INSEE du lieu|traits stricts/i);
  await expectAxeClean(page, 'patient page, identity (phone)');
  await shoot(page, 'patient-identite');
  await page.context().close();
});

test('TOTP enrolment on the phone: a button opens the authenticator app, the code field is ready for the code', async () => {
  const email = uniqueEmail('totp-phone');
  const res = await api(env.server, 'POST', '/api/v1/enrolments', {
    body: { email, password: 'Mot-de-passe-Essai-2024', first_name: 'Lina', last_name: 'Roger', profession_code: 'AS',
      profession_label: 'Aide-soignant', structure_proposal: { name: 'Cabinet des Tilleuls', commune: 'Reims' } },
  });
  assert.equal(res.status, 202, res.text);
  const mail = await waitForMail(env.db, (m) => m.includes(email) && /confirmer/.test(m));
  const page = await newPage(browser, env.base, PHONE);
  await page.goto(linkFrom(mail, '/confirmer'));
  await page.waitForURL(/\/double-authentification$/);
  const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');

  // The link-button carries the otpauth:// address of this account's secret; the QR code stays for a computer.
  const open = page.getByRole('link', { name: 'Ouvrir mon application d’authentification' });
  await open.waitFor();
  const href = await open.getAttribute('href');
  assert.match(href, /^otpauth:\/\/totp\//);
  assert.equal(new URL(href).searchParams.get('secret'), secret);
  await assertTapTargets(page, open, 'otpauth button');
  await page.locator('.qr__img svg').waitFor();
  const code = page.getByLabel('Code à 6 chiffres affiché par l’application');
  assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await code.getAttribute('inputmode'), 'numeric');
  await expectAxeClean(page, 'double-authentification (phone)');
  await shoot(page, 'totp-enrolment');

  // Tapping it leaves for the app (the browser has no handler here: stop the navigation); coming back, the code field
  // has the focus, for the code the app now shows.
  await page.evaluate(() => document.querySelector('[data-testid="otpauth-link"]').addEventListener('click', (e) => e.preventDefault()));
  await open.click();
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.waitForFunction(() => document.activeElement?.id === 'f-code');
  await page.keyboard.type(totp(secret));
  await page.getByRole('button', { name: 'Activer la double authentification' }).click();
  await page.getByTestId('recovery-codes').locator('li').first().waitFor();
  await page.context().close();
});
