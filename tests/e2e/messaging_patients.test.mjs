// The care circle's conversation in the browser, on phones (docs/messaging.md): the demo médecin opens it from the
// patient's page, answers a message with an urgent one for the health professionals only that mentions the
// infirmier; the infirmier (another browser context) sees it live with its marks, copies it to the notebook and
// finds it there; the médecin sees who read it and finds it by searching without accents; the assistante sociale,
// in the circle but not a health professional, does not see it; an urgent message left unread is marked "Signalé au
// référent" live; reopened without network, the infirmier's phone shows the conversations it keeps. Axe on each
// page. CORDEE_SCREENSHOTS=DIR saves screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { launch, newPage, expectAxeClean, PHONE, loginThroughUi, heading } from './helpers.mjs';
import { startServer, runCli, freshDatabase, demoAccounts, login, api } from '../lib/server.mjs';

const shots = process.env.CORDEE_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const shot = async (page, name) => { if (shots) await page.screenshot({ path: join(shots, `${name}.png`) }); };
const CODE = '482913';

let browser, env, doctor, nurse, by, patient, conversationUrl;
before(async () => {
  const db = freshDatabase();
  runCli(['demo'], db);
  // Urgent messages looked at every second, so that an escalation happens within the test.
  const server = await startServer({ db, args: ['--urgent-check-seconds', '1'] });
  env = { server, db, base: server.url.replace('127.0.0.1', 'localhost').replace(/\/$/, ''), accounts: demoAccounts(db) };
  browser = await launch();
  by = (email) => env.accounts.find((a) => a.email === email);
  const token = await login(env.server, by('medecin@demo.cordee.fr').email, by('medecin@demo.cordee.fr').password, by('medecin@demo.cordee.fr').totp_secret);
  const mine = await api(env.server, 'GET', '/api/v1/patients/mine', { token });
  // Pierre Dupont-Aignan: the médecin (referent), the infirmier and the assistante sociale in his circle.
  patient = mine.json.items.find((p) => p.birth_name === 'DUPONT-AIGNAN');
  assert.ok(patient, 'the demo has Pierre Dupont-Aignan');
  doctor = await newPage(browser, env.base, PHONE);
  nurse = await newPage(browser, env.base, PHONE);
  await loginThroughUi(doctor, { ...by('medecin@demo.cordee.fr'), stepOffset: 1 });
  await loginThroughUi(nurse, by('infirmier@demo.cordee.fr'));
});
after(async () => { await browser?.close(); await env?.server.stop(); });

const message = (page, text) => page.getByTestId('message').filter({ has: page.locator('.message__body', { hasText: text }) });
const URGENT = 'Tension élevée ce matin à 17/9';

test('the médecin opens the circle conversation from the patient page and sends an urgent health-only reply with a mention', async () => {
  await doctor.goto(`/patients/${patient.id}`);
  const open = doctor.getByRole('button', { name: 'Conversation du cercle de soins' });
  await open.waitFor();
  await shot(doctor, 'patient-page-phone');
  const box = await open.boundingBox();
  assert.ok(box.height >= 44 && box.y + box.height <= PHONE.height, `the entry is on the first screen, 44 px high (${JSON.stringify(box)})`);
  await expectAxeClean(doctor, 'patient page with the circle conversation entry (phone)');
  await open.click();
  await doctor.waitForURL(/\/messages\/[^/]+$/);
  conversationUrl = new URL(doctor.url()).pathname;
  await heading(doctor).filter({ hasText: 'DUPONT-AIGNAN' }).waitFor();
  await doctor.getByTestId('patient-link').filter({ hasText: 'Dossier de Pierre DUPONT-AIGNAN' }).waitFor();
  const members = await doctor.getByTestId('conversation-members').innerText();
  assert.match(members, /Benali/);
  assert.match(members, /Lemoine/);

  await doctor.getByLabel('Votre message').fill('Bonjour à tous, point sur le retour à domicile de M. Dupont-Aignan.');
  await doctor.getByRole('button', { name: 'Envoyer' }).click();
  await message(doctor, 'retour à domicile').waitFor();

  // The infirmier opens it from his list: a patient row, with the patient's name.
  await nurse.goto('/messages');
  const row = nurse.getByTestId('conversation-row').filter({ hasText: 'DUPONT-AIGNAN' });
  await row.waitFor();
  assert.match(await row.innerText(), /retour à domicile/);
  await row.click();
  await message(nurse, 'retour à domicile').waitFor();

  // Répondre, "@" and the member, Réservé aux soignants, Urgent dans 4 h.
  await message(doctor, 'retour à domicile').getByRole('button', { name: 'Actions du message' }).click();
  await doctor.getByRole('button', { name: 'Répondre' }).click();
  await doctor.getByTestId('replying').filter({ hasText: 'retour à domicile' }).waitFor();
  const text = doctor.getByLabel('Votre message');
  await text.fill(`${URGENT}, `);
  await text.press('End');
  await text.pressSequentially('@');
  const who = doctor.getByRole('combobox', { name: 'Personne à mentionner' });
  await who.waitFor();
  await expectAxeClean(doctor, 'mention picker (phone)');
  await who.fill('ben');
  await doctor.getByRole('option', { name: /Karim Benali/ }).click();
  assert.equal(await text.inputValue(), `${URGENT}, @Karim Benali `);
  await text.pressSequentially('merci de recontrôler ce soir.');
  await doctor.getByLabel('Réservé aux soignants').check();
  await doctor.getByLabel('Urgent', { exact: true }).check();
  await doctor.getByLabel('Échéance').selectOption('h4');
  assert.match(await doctor.getByTestId('urgent-deadline').innerText(), /^À lire avant \d\d:\d\d|^À lire avant \d\d\/\d\d/);
  await shot(doctor, 'composer-options-phone');
  await expectAxeClean(doctor, 'composer with its options (phone)');
  for (const target of await doctor.locator('.composer button, .composer .toggle, .composer select').all()) {
    const b = await target.boundingBox();
    if (b) assert.ok(b.height >= 44 && b.width >= 44, `tap target ${await target.innerText()} is ${b.width}×${b.height}`);
  }
  await doctor.getByRole('button', { name: 'Envoyer' }).click();
  const sent = message(doctor, URGENT);
  await sent.waitFor();
  await sent.getByTestId('urgent-mark').waitFor();
  assert.equal(await doctor.getByTestId('replying').count(), 0, 'the composer is ready for the next message');

  // The infirmier sees it live, with its marks and the quote.
  const got = message(nurse, URGENT);
  await got.waitFor();
  assert.match(await got.getByTestId('urgent-mark').innerText(), /Urgent\s*À lire avant/);
  assert.match(await got.getByTestId('health-mark').innerText(), /Soignants/);
  await got.getByTestId('mention-mark').filter({ hasText: 'Vous êtes mentionné' }).waitFor();
  assert.match(await got.getByTestId('quote').innerText(), /Claire Fontaine[\s\S]*retour à domicile/);
  assert.match(await got.getAttribute('class'), /message--mention/);
  await shot(nurse, 'conversation-marks-phone');
  await expectAxeClean(nurse, 'patient conversation with an urgent mention (phone, infirmier)');
  // The quote leads to the message it answers.
  await got.getByTestId('quote').click();
  await nurse.waitForFunction(() => document.activeElement?.textContent?.includes('retour à domicile'));

  // Copy to the notebook, then see it there.
  await got.getByRole('button', { name: 'Actions du message' }).click();
  await got.getByRole('button', { name: 'Copier dans le cahier de liaison' }).click();
  const copied = got.getByTestId('copied');
  await copied.filter({ hasText: 'Copié dans le cahier de liaison.' }).waitFor();
  await expectAxeClean(nurse, 'message copied to the notebook (phone)');
  await copied.getByRole('link', { name: 'Voir le cahier' }).click();
  await nurse.waitForURL(/\/patients\/[^/]+\?onglet=cahier/);
  await nurse.getByTestId('entry-body').filter({ hasText: URGENT }).waitFor();

  // Who read it: the infirmier, and not the assistante sociale (it is not for her).
  await sent.getByRole('button', { name: 'Actions du message' }).click();
  await sent.getByRole('button', { name: 'Qui l’a lu ?' }).click();
  const receipts = sent.getByTestId('receipts');
  await receipts.filter({ hasText: 'Karim Benali' }).waitFor();
  assert.match(await receipts.innerText(), /Karim Benali \(Infirmier\) : lu/);
  assert.doesNotMatch(await receipts.innerText(), /Lemoine/);
  await expectAxeClean(doctor, 'receipts (phone)');
  assert.deepEqual([...nurse.jsErrors, ...doctor.jsErrors], []);
});

test('the search finds it without accents and leads to the message', async () => {
  await doctor.goto('/messages');
  const search = doctor.getByRole('searchbox', { name: 'Rechercher dans mes messages' });
  await search.waitFor();
  const box = await search.boundingBox();
  assert.ok(box.y < 250, 'the search is at the top of the first screen');
  await search.fill('tension elevee');
  const result = doctor.getByTestId('search-result').filter({ hasText: 'recontrôler' });
  await result.waitFor();
  assert.deepEqual(await result.locator('mark').allInnerTexts(), ['Tension', 'élevée']);
  assert.match(await result.innerText(), /Claire Fontaine[\s\S]*dans Pierre DUPONT-AIGNAN/);
  await shot(doctor, 'search-phone');
  await expectAxeClean(doctor, 'message search (phone)');
  await result.click();
  await doctor.waitForURL(/\?message=/);
  await doctor.waitForFunction((t) => document.activeElement?.textContent?.includes(t), URGENT);
  assert.match(await message(doctor, URGENT).getAttribute('class'), /message--target/);
});

test('the assistante sociale does not see the health-only message', async () => {
  const social = await newPage(browser, env.base, PHONE);
  await loginThroughUi(social, { ...by('assistante.sociale@demo.cordee.fr'), stepOffset: 1 });
  await social.goto(conversationUrl);
  await message(social, 'retour à domicile').waitFor();
  assert.equal(await message(social, URGENT).count(), 0);
  // She may not write for the health professionals only.
  assert.equal(await social.getByLabel('Réservé aux soignants').count(), 0);
  await social.getByLabel('Urgent', { exact: true }).waitFor();
  await social.goto('/messages');
  await social.getByRole('searchbox', { name: 'Rechercher dans mes messages' }).fill('tension');
  await social.locator('p.muted', { hasText: 'Aucun message trouvé' }).waitFor();
  await social.context().close();
});

test('an urgent message unread at its deadline is marked as told to the referent, live', async () => {
  const nurseAccount = by('infirmier@demo.cordee.fr');
  const token = await login(env.server, nurseAccount.email, nurseAccount.password, nurseAccount.totp_secret);
  const id = conversationUrl.split('/').pop();
  const text = `Pansement à refaire avant midi ${randomUUID().slice(0, 6)}`;
  const r = await api(env.server, 'POST', `/api/v1/conversations/${id}/messages`, { token,
    body: { id: randomUUID(), body: text, urgent_until: new Date(Date.now() + 2500).toISOString() } });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  await doctor.goto('/messages');
  await nurse.goto(conversationUrl);
  const m = message(nurse, text);
  await m.waitFor();
  // The assistante sociale has not read it: the referent (the médecin) is told, and the infirmier's page says so.
  await m.getByTestId('escalation').filter({ hasText: 'Signalé au référent' }).waitFor({ timeout: 20000 });
  assert.match(await m.getByTestId('urgent-mark').innerText(), /Échéance dépassée/);
  await expectAxeClean(nurse, 'urgent message escalated (phone)');
});

test('an emergency access does not open the circle conversation, and the page says so', async () => {
  // The coordinatrice is not in Pierre Dupont-Aignan's circle: she breaks the glass (API), then opens his page.
  const outsider = by('coordinatrice@demo.cordee.fr');
  const token = await login(env.server, outsider.email, outsider.password, outsider.totp_secret);
  const bg = await api(env.server, 'POST', `/api/v1/patients/${patient.id}/break-glass`, { token,
    body: { reason: 'Appel du SAMU, patient inconscient au domicile' } });
  assert.ok(bg.status === 200 || bg.status === 201, JSON.stringify(bg.json));
  assert.equal((await api(env.server, 'POST', `/api/v1/patients/${patient.id}/conversation`, { token })).status, 403);
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, { ...outsider, stepOffset: 1 });
  await page.goto(`/patients/${patient.id}`);
  await page.getByTestId('break-glass-banner').waitFor();
  await page.getByTestId('circle-conversation-closed').filter({ hasText: 'réservée à ses membres' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Conversation du cercle de soins' }).count(), 0);
  await expectAxeClean(page, 'patient page through an emergency access (phone)');
  await page.context().close();
});

test('reopened without network, the phone shows the conversations it keeps', async () => {
  const context = await browser.newContext({
    baseURL: env.base, viewport: PHONE, locale: 'fr-FR', timezoneId: 'Europe/Paris', isMobile: true, hasTouch: true,
    serviceWorkers: 'allow',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  await loginThroughUi(page, { ...by('infirmier@demo.cordee.fr'), stepOffset: 1 });
  await page.getByRole('button', { name: 'Activer l’accès hors ligne' }).click();
  await page.getByLabel('Code de l’appareil', { exact: true }).fill(CODE);
  await page.getByLabel('Code, une deuxième fois').fill(CODE);
  await page.getByRole('button', { name: 'Enregistrer le code' }).click();
  await page.getByRole('status').filter({ hasText: 'Accès hors ligne activé' }).waitFor();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.goto('/messages');
  await page.getByTestId('conversation-row').filter({ hasText: 'DUPONT-AIGNAN' }).waitFor();
  // The list and the messages are kept (encrypted: no text in clear at rest).
  const kept = () => page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('cordee-offline');
    req.onsuccess = () => {
      const db = req.result;
      const all = db.transaction('items').objectStore('items').getAll();
      all.onsuccess = () => { resolve(all.result.map((x) => ({ collection: x.collection, clear: JSON.stringify(x) + new TextDecoder().decode(x.data) }))); db.close(); };
      all.onerror = () => reject(all.error);
    };
    req.onerror = () => reject(req.error);
  }));
  let items = [];
  for (let i = 0; i < 100; i++) {
    items = await kept();
    if (items.filter((x) => x.collection === 'messages').length >= 3 && items.some((x) => x.collection === 'conversations')) break;
    await page.waitForTimeout(300);
  }
  assert.ok(items.filter((x) => x.collection === 'conversations').length >= 3, 'the conversations are kept');
  assert.ok(items.filter((x) => x.collection === 'messages').length >= 3, 'their messages are kept');
  assert.equal(items.some((x) => x.clear.includes('DUPONT') || x.clear.includes('Tension')), false, 'nothing readable at rest');
  await page.reload();
  assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the service worker controls the app');

  // The network drops with the session open: the conversation opens from the device's copy, and writing still waits.
  await page.getByTestId('conversation-row').filter({ hasText: 'DUPONT-AIGNAN' }).waitFor();
  await context.setOffline(true);
  await page.getByTestId('conversation-row').filter({ hasText: 'DUPONT-AIGNAN' }).click();
  await page.getByTestId('messages-offline').waitFor();
  await message(page, URGENT).waitFor();
  await page.getByLabel('Votre message').fill('Écrit sans réseau depuis la copie de l’appareil.');
  await page.getByRole('button', { name: 'Envoyer' }).click();
  await page.getByTestId('message-waiting').filter({ hasText: 'En attente de réseau' }).waitFor();
  await page.goBack();

  await context.setOffline(true);
  await page.reload();
  await page.getByLabel('Code de l’appareil', { exact: true }).fill(CODE);
  await page.getByRole('button', { name: 'Ouvrir' }).click();
  await page.getByTestId('messages-offline').filter({ hasText: 'Hors ligne : messages enregistrés sur cet appareil' }).waitFor();
  const row = page.getByTestId('conversation-row').filter({ hasText: 'DUPONT-AIGNAN' });
  await row.waitFor();
  assert.ok(await page.getByTestId('conversation-row').count() >= 3);
  await shot(page, 'messages-offline-phone');
  await expectAxeClean(page, 'conversations kept on the device, offline (phone)');
  await row.click();
  const m = message(page, URGENT);
  await m.waitFor();
  await m.getByTestId('urgent-mark').waitFor();
  await page.getByTestId('messages-offline').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Actions du message' }).count(), 0, 'read only');
  await shot(page, 'conversation-offline-phone');
  await expectAxeClean(page, 'conversation kept on the device, offline (phone)');
  await context.setOffline(false);
  await context.close();
});
