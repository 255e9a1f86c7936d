// Messaging in the browser, on phones (docs/messaging.md): the infirmier sees the unread badge of the demo's
// conversation with the médecin, opens it (the badge clears), and the two chat live in two browser contexts; the
// infirmier loses the network, writes, sees the message waiting, gets the network back, and the médecin receives it
// exactly once. A group is made from the directory by name. Axe on each page. CORDEE_SCREENSHOTS=DIR saves screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, demoServer, newPage, expectAxeClean, PHONE, loginThroughUi, heading } from './helpers.mjs';

const shots = process.env.CORDEE_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const shot = async (page, name) => { if (shots) await page.screenshot({ path: join(shots, `${name}.png`) }); };

let browser, env, nurse, doctor;
before(async () => {
  env = await demoServer();
  browser = await launch();
  const by = (email) => env.accounts.find((a) => a.email === email);
  nurse = await newPage(browser, env.base, PHONE);
  doctor = await newPage(browser, env.base, PHONE);
  await loginThroughUi(nurse, by('infirmier@demo.cordee.fr'));
  await loginThroughUi(doctor, by('medecin@demo.cordee.fr'), { stepOffset: 1 });
});
after(async () => { await browser?.close(); await env?.server.stop(); });

const bodies = async (page) => page.getByTestId('message').locator('.message__body').allInnerTexts();

test('the unread badge leads to the conversation, which clears it', async () => {
  const tabBadge = nurse.locator('.tab-bar').getByTestId('nav-badge');
  await tabBadge.waitFor();
  assert.match(await tabBadge.innerText(), /^\s*1\s*/, 'one unread message from the médecin');
  assert.match(await nurse.locator('[data-service="messages"]').innerText(), /1 message non lu/);
  await nurse.locator('.tab-bar').getByRole('link', { name: /Messages/ }).click();
  await heading(nurse).filter({ hasText: 'Messages' }).waitFor();
  const rows = nurse.getByTestId('conversation-row');
  await rows.first().waitFor();
  assert.ok(await rows.count() >= 2, 'the direct conversation and the group of the demo');
  await shot(nurse, 'messages-list-phone');
  await expectAxeClean(nurse, 'conversations (phone)');
  const withDoctor = rows.filter({ has: nurse.getByTestId('unread') }).filter({ hasText: 'amlodipine' });
  await withDoctor.click();
  await nurse.getByTestId('message').first().waitFor();
  assert.ok((await bodies(nurse)).some((b) => b.includes('amlodipine')));
  await tabBadge.waitFor({ state: 'detached' });
  await shot(nurse, 'conversation-phone');
  await expectAxeClean(nurse, 'conversation (phone)');
});

test('two people chat live; written without network, a message waits and arrives exactly once', async () => {
  const url = new URL(nurse.url()).pathname;
  await doctor.goto(url);
  await doctor.getByTestId('message').first().waitFor();
  const before = (await bodies(doctor)).length;

  await nurse.getByLabel('Votre message').fill('Valeurs du soir : 14,8 / 8,6.');
  await nurse.getByRole('button', { name: 'Envoyer' }).click();
  await doctor.getByTestId('message').filter({ hasText: '14,8 / 8,6' }).waitFor();

  await nurse.context().setOffline(true);
  await nurse.getByLabel('Votre message').fill('Écrit sans réseau chez la patiente.');
  await nurse.getByRole('button', { name: 'Envoyer' }).click();
  const waiting = nurse.getByTestId('message-waiting');
  await waiting.waitFor();
  assert.match(await waiting.innerText(), /En attente de réseau/);
  await doctor.waitForTimeout(1500);
  assert.equal((await bodies(doctor)).filter((b) => b.includes('sans réseau')).length, 0, 'not sent while offline');

  await nurse.context().setOffline(false);
  await doctor.getByTestId('message').filter({ hasText: 'sans réseau' }).waitFor({ timeout: 20000 });
  await waiting.waitFor({ state: 'detached', timeout: 20000 });
  await doctor.waitForTimeout(1500);
  assert.equal((await bodies(doctor)).filter((b) => b.includes('sans réseau')).length, 1, 'received once');
  assert.equal((await bodies(nurse)).filter((b) => b.includes('sans réseau')).length, 1, 'shown once to its author');
  assert.equal((await bodies(doctor)).length, before + 2);

  // The médecin answers; the nurse's page shows it live, and the receipt of her message says "Lu".
  await doctor.getByLabel('Votre message').fill('Merci, je passe demain.');
  await doctor.getByRole('button', { name: 'Envoyer' }).click();
  await nurse.getByTestId('message').filter({ hasText: 'je passe demain' }).waitFor();
  await nurse.getByTestId('message').filter({ hasText: 'sans réseau' }).getByTestId('receipt').filter({ hasText: 'Lu' }).waitFor();
  await expectAxeClean(doctor, 'conversation (phone, médecin)');
  assert.deepEqual([...nurse.jsErrors, ...doctor.jsErrors], []);
});

test('a group made from the directory by name', async () => {
  await doctor.goto('/messages');
  await doctor.getByTestId('new-conversation').locator('summary').click();
  const search = doctor.getByRole('combobox');
  for (const name of ['Aubert', 'Benali']) {
    await search.fill(name);
    await doctor.getByRole('option').filter({ hasText: name }).filter({ hasText: 'Sur Cordée' }).first().click();
  }
  await doctor.getByLabel(/Nom du groupe/).fill('Sortie d’hospitalisation de M. Dupont-Aignan');
  await doctor.getByRole('button', { name: 'Ouvrir la conversation' }).click();
  await heading(doctor).filter({ hasText: 'Dupont-Aignan' }).waitFor();
  const members = await doctor.getByTestId('conversation-members').innerText();
  assert.match(members, /Aubert/);
  assert.match(members, /Benali/);
  await doctor.getByLabel('Votre message').fill('Sortie prévue vendredi, qui passe samedi matin ?');
  await doctor.getByRole('button', { name: 'Envoyer' }).click();
  await doctor.getByTestId('receipt').filter({ hasText: 'Lu par 0 sur 2' }).waitFor();
  await expectAxeClean(doctor, 'new group (phone)');
});
