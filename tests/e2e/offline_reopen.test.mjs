// Reopening the installed app without network (docs/architecture.md, "Offline"), on a phone: the service worker
// serves the app, the device code opens the encrypted store, "Mes patients" and a patient's notebook are readable
// with their freshness, an entry written then is sent exactly once when the network returns; a revocation made
// while the phone was offline wipes its store at the next sync; logout leaves nothing readable in IndexedDB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { launch, demoServer, expectAxeClean, PHONE, loginThroughUi } from './helpers.mjs';
import { login, api } from '../lib/server.mjs';

const SHOTS = '/tmp/shots-offline';
const CODE = '482913';
let browser, env;

before(async () => { env = await demoServer(); browser = await launch(); });
after(async () => { await browser?.close(); await env?.server.stop(); });

async function account(email) {
  const a = env.accounts.find((x) => x.email === email);
  assert.ok(a, `the demo has ${email}`);
  const token = await login(env.server, a.email, a.password, a.totp_secret);
  return { ...a, token };
}

/** A phone whose service worker may install (the other e2e tests block it). */
async function phone() {
  const context = await browser.newContext({
    baseURL: env.base, viewport: PHONE, locale: 'fr-FR', timezoneId: 'Europe/Paris', isMobile: true, hasTouch: true,
    serviceWorkers: 'allow',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  return page;
}

/** What IndexedDB holds, read from the page: every record of every store of every database. */
const idbDump = (page) => page.evaluate(async () => {
  const out = {};
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((res, rej) => { const r = indexedDB.open(name); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    out[name] = {};
    for (const store of db.objectStoreNames) {
      out[name][store] = await new Promise((res, rej) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => res(r.result.map((v) => {
          // Binary fields as text, so that a plaintext search sees inside them too.
          const text = (x) => x instanceof ArrayBuffer || ArrayBuffer.isView(x) ? new TextDecoder().decode(x) : x;
          return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'object' && x && !ArrayBuffer.isView(x) && !(x instanceof ArrayBuffer)
            ? JSON.stringify(x, (_, y) => text(y)) : text(x)]));
        }));
        r.onerror = () => rej(r.error);
      });
    }
    db.close();
  }
  return out;
});

const syncedAt = async (page) => (await idbDump(page))['cordee-offline']?.meta?.[0]?.synced_at ?? null;

/** Logs in, chooses the device code, waits for the first sync and for the service worker to control the page. */
async function installOffline(page, who) {
  await loginThroughUi(page, { ...who, stepOffset: 1 });
  await page.goto('/');  // offered on the portal
  await page.getByRole('button', { name: 'Activer l’accès hors ligne' }).click();
  await expectAxeClean(page, 'device code dialog (phone)');
  await page.getByLabel('Code de l’appareil', { exact: true }).fill(CODE);
  await page.getByLabel('Code, une deuxième fois').fill(CODE);
  await page.getByRole('button', { name: 'Enregistrer le code' }).click();
  await page.getByRole('status').filter({ hasText: 'Accès hors ligne activé' }).waitFor();
  for (let i = 0; i < 100 && !(await syncedAt(page)); i++) await page.waitForTimeout(200);
  assert.ok(await syncedAt(page), 'the first sync finished');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the service worker controls the app');
}

test('reopened without network: the device code opens my patients and their notebook; an entry written then is sent once', async () => {
  const nurse = await account('infirmier@demo.cordee.fr');
  const mine = await api(env.server, 'GET', '/api/v1/patients/mine', { token: nurse.token });
  assert.ok(mine.json.items.length > 1);
  const pt = mine.json.items[0];
  const notebook = await api(env.server, 'GET', `/api/v1/patients/${pt.id}/notebook?limit=20`, { token: nurse.token });
  const page = await phone();
  await installOffline(page, nurse);

  // Everything at rest is ciphertext: no name or entry text in clear in IndexedDB.
  const dump = JSON.stringify(await idbDump(page));
  assert.ok(dump.includes('"items"'), 'the store has items');
  for (const p of mine.json.items) assert.equal(dump.includes(p.birth_name), false, `${p.birth_name} is not readable at rest`);
  for (const e of notebook.json.items.slice(0, 5)) assert.equal(dump.includes(e.body.slice(0, 30)), false, 'entries are not readable at rest');

  // No network, the app reopened: the service worker serves it, the device code opens the store.
  await page.context().setOffline(true);
  await page.reload();
  await page.getByRole('heading', { name: 'Ouvrir sans réseau' }).waitFor();
  await expectAxeClean(page, 'offline unlock (phone)');
  await page.getByLabel('Code de l’appareil', { exact: true }).fill('000000');
  await page.getByRole('button', { name: 'Ouvrir' }).click();
  await page.getByText(/Code incorrect\. 4 essais restants/).waitFor();
  await page.getByLabel('Code de l’appareil', { exact: true }).fill(CODE);
  await page.getByRole('button', { name: 'Ouvrir' }).click();
  const list = page.getByTestId('offline-patients');
  await list.waitFor();
  for (const p of mine.json.items) await list.getByRole('link', { name: `${p.birth_name} ${p.first_name}` }).waitFor();
  assert.match(await page.getByTestId('freshness').innerText(), /Synchronisé (à l’instant|il y a \d+ min)/);
  const favorites = await api(env.server, 'GET', '/api/v1/me/favorites', { token: nurse.token });
  assert.ok(favorites.json.items.length > 0, 'the demo infirmier has favourites');
  for (const f of favorites.json.items) await page.getByTestId('offline-favorites').getByText(f.label).waitFor();
  await expectAxeClean(page, 'offline patient list (phone)');
  await page.screenshot({ path: `${SHOTS}/offline-patients.png` });

  await list.getByRole('link', { name: `${pt.birth_name} ${pt.first_name}` }).click();
  await page.getByRole('heading', { name: `${pt.birth_name} ${pt.first_name}` }).waitFor();
  const bodies = await page.getByTestId('entry-body').allInnerTexts();
  assert.deepEqual(bodies, notebook.json.items.map((e) => e.body), 'the recent entries, newest first, as the server has them');
  await page.getByTestId('freshness').waitFor();
  await expectAxeClean(page, 'offline patient page (phone)');
  await page.screenshot({ path: `${SHOTS}/offline-patient.png` });

  // An entry written without network waits in the outbox.
  const text = `Passage sans réseau après réouverture ${randomUUID().slice(0, 8)} : pansement refait.`;
  const count = async () => (await api(env.server, 'GET', `/api/v1/patients/${pt.id}/notebook?limit=100`, { token: nurse.token }))
    .json.items.filter((e) => e.body === text).length;
  await page.getByRole('button', { name: 'Écrire une entrée' }).click();
  await page.getByLabel('Texte', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Ajouter au cahier' }).click();
  await page.getByTestId('pending-entry').filter({ hasText: text }).waitFor();
  await expectAxeClean(page, 'offline patient page, entry waiting (phone)');
  assert.equal(await count(), 0);
  assert.equal(JSON.stringify(await idbDump(page)).includes(text.slice(0, 30)), false, 'the waiting entry is encrypted too');

  // The network returns: the session is still valid, the entry is sent, once.
  await page.context().setOffline(false);
  for (let i = 0; i < 100 && (await count()) === 0; i++) await page.waitForTimeout(200);
  assert.equal(await count(), 1, 'sent');
  await page.getByTestId('pending-entry').waitFor({ state: 'detached' });
  await page.waitForTimeout(1500);
  assert.equal(await count(), 1, 'sent exactly once');

  // A write the server answers with a conflict is shown as such and kept, never replaced nor dropped silently.
  const clash = `Entrée en conflit ${randomUUID().slice(0, 8)}.`;
  // Back online with a valid session, the app left the offline pages for the usual ones.
  await page.goto(`/patients/${pt.id}?onglet=cahier`);
  await page.getByRole('button', { name: 'Écrire une entrée' }).click();
  await page.context().setOffline(true);
  await page.getByLabel('Texte', { exact: true }).fill(clash);
  await page.getByRole('button', { name: 'Ajouter au cahier' }).click();
  await page.getByTestId('pending-entry').filter({ hasText: clash }).waitFor();
  await page.route('**/api/v1/patients/*/notebook', (route) => (route.request().method() !== 'POST' ? route.continue()
    : route.fulfill({ status: 409, contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:cordee:problem:conflict', title: 'Modification concurrente', status: 409 }) })));
  await page.context().setOffline(false);
  await page.getByTestId('pending-entry').filter({ hasText: clash }).getByText(/Conflit, non envoyée/).waitFor();
  await expectAxeClean(page, 'offline write refused with a conflict (phone)');
  await page.unroute('**/api/v1/patients/*/notebook');
  page.once('dialog', (d) => { void d.accept(); });
  await page.getByTestId('pending-entry').filter({ hasText: clash }).getByRole('button', { name: /Supprimer/ }).click();
  await page.getByTestId('pending-entry').waitFor({ state: 'detached' });

  // Logout: nothing readable is left in IndexedDB.
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(/\/connexion/);
  const left = await idbDump(page);
  const records = Object.values(left).flatMap((db) => Object.values(db).flat());
  assert.deepEqual(records, [], `nothing left after logout: ${JSON.stringify(left).slice(0, 300)}`);
  await page.context().close();
});

test('a revocation made while the phone is offline wipes its store at the next sync', async () => {
  const doctor = await account('medecin@demo.cordee.fr');
  const page = await phone();
  await installOffline(page, doctor);
  assert.ok(((await idbDump(page))['cordee-offline']?.items ?? []).length > 0, 'the store has items');

  await page.context().setOffline(true);
  // From another device of the same account (here the API): "effacer les données hors ligne de mes appareils".
  assert.equal((await api(env.server, 'DELETE', '/api/v1/sync/key', { token: doctor.token })).status, 204);
  await page.context().setOffline(false);
  await page.getByTestId('offline-wiped').filter({ hasText: 'révoqué' }).waitFor();
  const left = await idbDump(page);
  assert.deepEqual(Object.values(left).flatMap((db) => Object.values(db).flat()), [], 'the store is gone');
  await expectAxeClean(page, 'store wiped after a revocation (phone)');
  await page.context().close();
});
