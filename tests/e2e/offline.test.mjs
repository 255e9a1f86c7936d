// Writing the liaison notebook without network (web/src/offline/outbox.ts), on a phone: the infirmier loses the
// network at a home visit, writes the transmission, sees it waiting, and it reaches the care circle when the
// network returns; an entry whose answer was lost on the way is sent again with its idempotency key and written
// once; an alert is never kept for later (the page says it did not leave); logging out deletes what still waits
// on the device, where it was kept encrypted. The server's view is read with the API (node's
// network is not the browser's, so it stays online).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { launch, demoServer, newPage, expectAxeClean, PHONE, loginThroughUi } from './helpers.mjs';
import { login, api } from '../lib/server.mjs';

let browser, env, infirmier, token, patientId;

before(async () => {
  env = await demoServer();
  browser = await launch();
  infirmier = env.accounts.find((a) => a.email === 'infirmier@demo.cordee.fr');
  assert.ok(infirmier, 'the demo has the infirmier');
  token = await login(env.server, infirmier.email, infirmier.password, infirmier.totp_secret);
  const mine = await api(env.server, 'GET', '/api/v1/patients/mine', { token });
  assert.equal(mine.status, 200);
  assert.ok(mine.json.items.length > 0, 'the demo infirmier follows patients');
  patientId = mine.json.items[0].id;
});
after(async () => { await browser?.close(); await env?.server.stop(); });

/** How many entries of the patient's notebook, as the server has them, carry `text`. */
async function entriesWith(text) {
  const r = await api(env.server, 'GET', `/api/v1/patients/${patientId}/notebook?limit=100`, { token });
  assert.equal(r.status, 200);
  return r.json.items.filter((e) => e.body === text);
}
const written = async (text) => (await entriesWith(text)).length;

const waitingEntry = (page, text) => page.getByTestId('pending-entry').filter({ hasText: text });
const listedEntry = (page, text) => page.getByTestId('entry').filter({ has: page.getByTestId('entry-body').filter({ hasText: text }) });

async function writeEntry(page, text) {
  await page.getByLabel('Texte', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Ajouter au cahier' }).click();
}

test('an entry written without network waits on the phone and is sent when the network returns, once', async () => {
  const page = await newPage(browser, env.base, PHONE);
  // The API login above used this step's code: start with the next one.
  await loginThroughUi(page, { ...infirmier, stepOffset: 1 });
  await page.goto(`/patients/${patientId}?onglet=cahier`);
  await page.getByRole('button', { name: 'Écrire une entrée' }).click();

  // No network: the entry is kept on the device, listed as waiting, and the banner counts it.
  const offlineText = `Passage du soir sans réseau ${randomUUID().slice(0, 8)} : pansement refait, patiente apaisée.`;
  await page.context().setOffline(true);
  await page.locator('.offline-banner').filter({ hasText: 'hors ligne' }).waitFor();
  await writeEntry(page, offlineText);
  await page.getByRole('status').filter({ hasText: 'Pas de réseau : votre entrée est gardée sur cet appareil' }).waitFor();
  await waitingEntry(page, offlineText).getByText('En attente d’envoi').waitFor();
  await page.locator('.offline-banner').filter({ hasText: '1 entrée du cahier attend le réseau' }).waitFor();
  assert.equal(await page.getByLabel('Texte', { exact: true }).inputValue(), '', 'the form is ready for the next entry');
  assert.equal(await written(offlineText), 0, 'nothing reached the server yet');
  assert.equal(await waitingEntry(page, offlineText).getByRole('button', { name: 'Réessayer maintenant' }).count(), 0,
    'no retry offered while there is no network');
  await expectAxeClean(page, 'cahier de liaison, entry waiting for the network (phone)');

  // The network returns: the entry is sent by itself and listed with the others.
  await new Promise((r) => setTimeout(r, 1100));
  const backOnline = Date.now();
  await page.context().setOffline(false);
  await listedEntry(page, offlineText).waitFor();
  await page.getByTestId('pending-entry').waitFor({ state: 'detached' });
  const [sent, ...twice] = await entriesWith(offlineText);
  assert.equal(twice.length, 0, 'the waiting entry was written once');
  assert.ok(Date.parse(sent.fact_at) < backOnline && Date.parse(sent.written_at) >= backOnline - 1000,
    `the facts keep the time they were written on the phone (fact ${sent.fact_at}, written ${sent.written_at})`);

  // The answer is lost on the way back (the server wrote the entry): the phone keeps it, sends it again with the
  // same key when asked, and the server answers with the first entry instead of writing a second one.
  const lostText = `Transmission dont la réponse s’est perdue ${randomUUID().slice(0, 8)}.`;
  let dropped = 0;
  await page.route('**/api/v1/patients/*/notebook', async (route) => {
    if (route.request().method() !== 'POST' || dropped > 0) return route.continue();
    dropped++;
    await route.fetch();
    await route.abort('connectionreset');
  });
  await writeEntry(page, lostText);
  await waitingEntry(page, lostText).waitFor();
  assert.equal(dropped, 1);
  assert.equal(await written(lostText), 1, 'the server did write it');
  await page.getByRole('button', { name: 'Réessayer maintenant' }).click();
  await listedEntry(page, lostText).waitFor();
  await page.getByTestId('pending-entry').waitFor({ state: 'detached' });
  assert.equal(await written(lostText), 1, 'the replay did not write it twice');
  assert.equal(await listedEntry(page, lostText).count(), 1);
  await page.unroute('**/api/v1/patients/*/notebook');

  // An alert is not kept for later: without network the page says it did not leave (and to call the 15 in an
  // emergency); sent again once the network is back, it is raised once.
  const alertText = `Chute dans la salle de bains ${randomUUID().slice(0, 8)}, patiente relevée.`;
  const alertsFor = async () => {
    const r = await api(env.server, 'GET', `/api/v1/patients/${patientId}/alerts?state=all`, { token });
    assert.equal(r.status, 200);
    return r.json.items.filter((a) => a.body === alertText).length;
  };
  await page.getByRole('tab', { name: 'Alertes' }).click();
  await page.getByLabel('Type d’alerte').selectOption('chute');
  await page.getByLabel('Message', { exact: true }).fill(alertText);
  await page.context().setOffline(true);
  await page.getByRole('button', { name: 'Lancer l’alerte' }).click();
  await page.getByTestId('problem-detail').filter({ hasText: 'L’alerte n’est pas partie' }).waitFor();
  assert.match(await page.getByTestId('problem-detail').innerText(), /appelez le 15/);
  await expectAxeClean(page, 'alert not sent, no network (phone)');
  assert.equal(await alertsFor(), 0);
  await page.context().setOffline(false);
  await page.getByRole('button', { name: 'Lancer l’alerte' }).click();
  await page.getByTestId('alert').filter({ hasText: alertText }).waitFor();
  assert.equal(await alertsFor(), 1);
  await page.getByRole('tab', { name: 'Cahier de liaison' }).click();
  await page.getByRole('button', { name: 'Écrire une entrée' }).click();

  // Logging out with an entry still waiting asks first, then deletes it from the device.
  const leftText = `Entrée laissée sur l’appareil ${randomUUID().slice(0, 8)}.`;
  await page.context().setOffline(true);
  await writeEntry(page, leftText);
  await waitingEntry(page, leftText).waitFor();
  // Kept encrypted in the device's store (web/src/offline/outbox.ts): one record, and its text not in clear.
  const stored = () => page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('cordee-offline');
    req.onsuccess = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('outbox')) { db.close(); resolve([]); return; }
      const all = db.transaction('outbox').objectStore('outbox').getAll();
      all.onsuccess = () => { resolve(all.result.map((e) => JSON.stringify(e) + new TextDecoder().decode(e.data))); db.close(); };
      all.onerror = () => reject(all.error);
    };
    req.onerror = () => reject(req.error);
  }));
  const kept = await stored();
  assert.equal(kept.length, 1, 'one write waits on the device');
  assert.equal(kept[0].includes(leftText.slice(0, 20)), false, 'its text is not readable at rest');
  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); void d.accept(); });
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(/\/connexion/);
  assert.match(asked[0] ?? '', /pas encore envoyée/);
  assert.deepEqual(await stored(), [], 'nothing is left on the device after logout');
  await page.context().setOffline(false);
  assert.equal(await written(leftText), 0);
  await page.context().close();
});
