// Patients on a phone (docs/patients.md): the médecin creates a patient, adds the infirmier and the assistante
// sociale to the care circle by account, writes one notebook entry of each visibility (with a file, vitals and
// a correction) and raises an alert; the assistante sociale sees the "circle" entry but not the "health" one;
// a professional outside the circle breaks the glass with a reason and sees the record; the médecin (the
// referent) finds that access in the access log; the territory operator finds two records of the same person and
// merges one into the other through the dialog. Axe on every patient page visited.
// CORDEE_SCREENSHOTS=DIR saves phone screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { launch, demoServer, newPage, expectAxeClean, heading, PHONE, loginThroughUi } from './helpers.mjs';
import { login, api } from '../lib/server.mjs';
import { enrolAndApprove } from '../lib/flows.mjs';

const shots = process.env.CORDEE_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const shoot = (page, name) => (shots ? page.screenshot({ path: join(shots, `${name}.png`), fullPage: true }) : null);

// A name no demo patient has: letters only, as the RNIV asks.
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const BIRTH_NAME = 'ESSAI' + Array.from({ length: 6 }, () => LETTERS[randomInt(26)]).join('');
const FIRST_NAMES = 'Jeanne Marie';
const TEXT = {
  circle: 'Passage au domicile : patiente souriante, repas pris, aide au lever à prévoir le matin.',
  health: 'Plaie du talon gauche en voie de cicatrisation, pansement refait, température à surveiller.',
  structure: 'Note interne au cabinet : prévoir le renouvellement de l’ordonnance de soins la semaine prochaine.',
};
const CORRECTED = TEXT.health + ' Antalgique donné à 14 h.';
const REASON = 'Patiente amenée aux urgences inconsciente, besoin des traitements en cours et des antécédents.';

let browser, env, medecin, infirmier, sociale, outsider, patientId;

before(async () => {
  env = await demoServer();
  browser = await launch();
  const by = (email) => env.accounts.find((a) => a.email === email);
  medecin = by('medecin@demo.cordee.fr');
  infirmier = { ...by('infirmier@demo.cordee.fr'), first_name: 'Karim', last_name: 'Benali' };
  sociale = { ...by('assistante.sociale@demo.cordee.fr'), first_name: 'Nadia', last_name: 'Lemoine' };
  assert.ok(medecin && infirmier && sociale, 'the demo has the médecin, the infirmier and the assistante sociale');
  // A nurse who is in no care circle: enrolled and approved by the operator (never used in the browser).
  const op = env.accounts.find((a) => a.role === 'operator');
  const opToken = await login(env.server, op.email, op.password, op.totp_secret);
  const o = await enrolAndApprove(env.server, opToken, { first_name: 'Urbain', last_name: 'Garde' });
  outsider = { email: o.email, password: o.password, totp_secret: o.secret };
});
after(async () => { await browser?.close(); await env?.server.stop(); });

const tab = (page, name) => page.getByRole('tab', { name });
async function openTab(page, name) {
  await tab(page, name).click();
  await page.locator(`[role="tabpanel"]`).getByRole('heading', { level: 2, name }).waitFor();
}
const entry = (page, text) => page.getByTestId('entry').filter({ has: page.getByTestId('entry-body').filter({ hasText: text }) });

test('the médecin creates a patient, builds the circle and writes the notebook', async () => {
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, medecin);

  // "Mes patients" from the main navigation.
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mes patients' }).click();
  await page.waitForURL(/\/patients$/);
  await heading(page).filter({ hasText: 'Mes patients' }).waitFor();
  await page.getByRole('heading', { name: 'Patients suivis' }).waitFor();
  await expectAxeClean(page, 'mes patients (phone)');

  // The creation form: the errors of an empty form are shown next to the fields and summed up.
  await page.getByRole('link', { name: 'Nouveau patient' }).click();
  await page.waitForURL(/\/patients\/nouveau$/);
  await heading(page).filter({ hasText: 'Nouveau patient' }).waitFor();
  await expectAxeClean(page, 'nouveau patient (phone)');
  await page.getByRole('button', { name: 'Créer le patient' }).click();
  await page.getByRole('alert').filter({ hasText: 'Le formulaire contient des erreurs' }).waitFor();
  assert.ok(await page.locator('.field-error').count() >= 3, 'required fields are marked');
  await expectAxeClean(page, 'nouveau patient with errors (phone)');

  await page.getByLabel('Nom de naissance', { exact: true }).fill(BIRTH_NAME);
  await page.getByLabel('Prénoms de naissance', { exact: true }).fill(FIRST_NAMES);
  await page.getByLabel('Jour').fill('12');
  await page.getByLabel('Mois').fill('03');
  await page.getByLabel('Année').fill('1948');
  await page.getByLabel('Féminin').check();
  // The birthplace is found by its name: typed in words, chosen with the keyboard, its code goes in the field.
  const birthplace = page.getByRole('combobox', { name: 'Code de la commune de naissance' });
  await birthplace.fill('epernay');
  const option = page.getByRole('option').filter({ hasText: 'Épernay' }).first();
  await option.waitFor();
  assert.match(await option.innerText(), /51230 · Marne \(51\)/);
  await expectAxeClean(page, 'birthplace list (phone)');
  await birthplace.press('ArrowDown');
  await birthplace.press('Enter');
  assert.equal(await birthplace.inputValue(), '51230');
  assert.match(await page.getByTestId('birthplace-named').innerText(), /^Épernay — 51230 · Marne/);
  // A postal code typed for a commune code shows at once: Reims' postal code is the code of La Caure, Châlons'
  // (51000) no commune's; a foreign country (99xxx) is taken as typed.
  await birthplace.fill('51100');
  await page.getByTestId('birthplace-named').filter({ hasText: 'La Caure — 51100' }).waitFor();
  await birthplace.fill('51000');
  await page.getByTestId('birthplace-named').filter({ hasText: 'n’est pas celui d’une commune' }).waitFor();
  await birthplace.fill('99134');
  await page.waitForFunction(() => document.querySelector('[data-testid="birthplace-named"]')?.textContent === '');
  await birthplace.fill('51454');
  await page.getByTestId('birthplace-named').filter({ hasText: 'Reims — 51454' }).waitFor();
  await shoot(page, 'nouveau-patient');
  await page.getByRole('button', { name: 'Créer le patient' }).click();
  // A homonym in the demo would bring the duplicate check: this is a new patient.
  const created = await Promise.race([
    page.waitForURL(/\/patients\/(?!nouveau)[^/?]+/).then(() => 'page'),
    page.getByTestId('duplicates').waitFor().then(() => 'duplicates'),
  ]);
  if (created === 'duplicates') {
    await expectAxeClean(page, 'possible duplicates (phone)');
    await page.getByRole('button', { name: 'Ce n’est aucun d’eux : créer' }).click();
    await page.waitForURL(/\/patients\/(?!nouveau)[^/?]+/);
  }
  patientId = new URL(page.url()).pathname.split('/').pop();
  await heading(page).filter({ hasText: `${BIRTH_NAME} Jeanne` }).waitFor();
  // The page opens on the notebook under a compact banner; the identity has its own tab.
  await page.getByTestId('identity-status').filter({ hasText: 'Identité provisoire' }).waitFor();
  assert.equal(await tab(page, 'Cahier de liaison').getAttribute('aria-selected'), 'true');
  await expectAxeClean(page, 'patient page (phone)');
  await openTab(page, 'Identité');
  const identity = page.getByTestId('identity');
  await identity.getByText('Identité provisoire').waitFor();
  assert.match(await identity.innerText(), /12\/03\/1948/);
  assert.equal(await page.getByTestId('ins').count(), 0, 'no INS before qualification');

  // The care circle: the médecin is the referent; the infirmier and the assistante sociale join by name (every
  // account is in the directory; the assistante sociale has no RPPS: her entry is a local one).
  await openTab(page, 'Cercle de soins');
  await page.getByTestId('member').first().waitFor();
  for (const [who, role] of [[infirmier, 'infirmier'], [sociale, 'assistante_sociale']]) {
    const before = await page.getByTestId('member').count();
    const name = `${who.first_name} ${who.last_name}`;
    await page.getByRole('combobox', { name: 'Rechercher dans l’annuaire' }).fill(name);
    await page.getByRole('option').filter({ hasText: name }).first().click();
    await page.getByLabel('Rôle dans le cercle').selectOption(role);
    await page.getByRole('button', { name: 'Ajouter au cercle' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="member"]').length > n, before);
    await page.getByRole('status').filter({ hasText: 'ajouté(e) au cercle de soins' }).waitFor();
  }
  const members = await page.getByTestId('member').allInnerTexts();
  assert.ok(members.some((m) => /Référent/.test(m)), `a referent is marked: ${members.join(' | ')}`);
  assert.ok(members.some((m) => /Infirmier\(ère\)/.test(m)), 'the infirmier is listed with his role');
  assert.ok(members.some((m) => /Assistant\(e\) de service social/.test(m)), 'the assistante sociale is listed with her role');
  await expectAxeClean(page, 'cercle de soins (phone)');
  await shoot(page, 'cercle');

  // The notebook: one entry per visibility; the "circle" one with a file, the "health" one with vitals.
  await openTab(page, 'Cahier de liaison');
  const write = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Écrire dans le cahier' }) });
  await write.getByRole('button', { name: 'Écrire une entrée' }).click();
  await expectAxeClean(page, 'cahier de liaison, writing form (phone)');
  for (const vis of ['circle', 'health', 'structure']) {
    const label = { circle: 'Tout le cercle', health: 'Professionnels de santé', structure: 'Ma structure' }[vis];
    await write.getByLabel('Type', { exact: true }).selectOption(vis === 'circle' ? 'visit' : 'observation');
    await write.getByLabel(label, { exact: true }).check();
    await write.getByLabel('Texte', { exact: true }).fill(TEXT[vis]);
    if (vis === 'circle') {
      await write.getByLabel(/Joindre des fichiers/).setInputFiles({
        name: 'compte-rendu.txt', mimeType: 'text/plain', buffer: Buffer.from('Compte rendu de passage : RAS.\n', 'utf8'),
      });
      // The upload shows its progress, then the file is ready to be attached.
      await write.getByText('« compte-rendu.txt » est joint.').first().waitFor();
    }
    if (vis === 'health') {
      await write.locator('summary').filter({ hasText: 'Constantes' }).click();
      await write.getByLabel(/^Température/).fill('38,2');
      await write.getByLabel(/^Fréquence cardiaque/).fill('92');
    }
    await write.getByRole('button', { name: 'Ajouter au cahier' }).click();
    await write.getByRole('status').filter({ hasText: 'Entrée ajoutée au cahier.' }).waitFor();
    await entry(page, TEXT[vis]).waitFor();
    assert.equal(await entry(page, TEXT[vis]).getByTestId('visibility').innerText(), label);
  }
  const circleEntry = entry(page, TEXT.circle);
  const file = circleEntry.getByRole('link', { name: /compte-rendu\.txt/ });
  await file.waitFor();
  const got = await page.request.get(await file.getAttribute('href'));
  assert.equal(got.status(), 200, 'the attachment is served to the circle');
  assert.equal(await got.text(), 'Compte rendu de passage : RAS.\n');
  assert.match(await entry(page, TEXT.health).innerText(), /Température : 38,2 °C/);
  await expectAxeClean(page, 'cahier de liaison with entries (phone)');

  // A correction of my own entry: the older text stays, struck through.
  const health = entry(page, TEXT.health);
  await health.getByRole('button', { name: 'Corriger' }).click();
  await health.getByLabel('Texte', { exact: true }).fill(CORRECTED);
  await expectAxeClean(page, 'correction form (phone)');
  await health.getByRole('button', { name: 'Enregistrer la correction' }).click();
  const correctedEntry = entry(page, 'Antalgique donné à 14 h.');
  await correctedEntry.waitFor();
  await correctedEntry.locator('del').filter({ hasText: 'Plaie du talon gauche' }).waitFor();
  await shoot(page, 'cahier');

  // An alert for every member.
  await openTab(page, 'Alertes');
  await page.getByLabel('Type d’alerte').selectOption('aggravation');
  await page.getByLabel('Urgente').check();
  await page.getByLabel('Message', { exact: true }).fill('Fièvre à 38,2 °C depuis ce matin, merci de passer avant 18 h.');
  await page.getByRole('button', { name: 'Lancer l’alerte' }).click();
  await page.getByRole('status').filter({ hasText: 'Alerte envoyée.' }).waitFor();
  await page.getByTestId('alert').filter({ hasText: 'Fièvre à 38,2 °C' }).waitFor();
  await expectAxeClean(page, 'alertes (phone)');

  // The timeline lists what happened.
  await openTab(page, 'Chronologie');
  await page.getByTestId('timeline').locator('li').first().waitFor();
  const events = (await page.getByTestId('event').allInnerTexts()).join('\n');
  assert.match(events, /Nouvelle entrée au cahier : Passage/, events);
  assert.match(events, /Ajout au cercle de soins/, events);
  assert.doesNotMatch(events, /\[object Object\]/);
  // The kind filter keeps only the circle events.
  await page.getByLabel('Afficher', { exact: true }).selectOption('circle');
  await page.waitForFunction(() => {
    const all = [...document.querySelectorAll('[data-testid="event"]')];
    return all.length > 0 && all.every((e) => e.textContent.includes('Cercle de soins'));
  });
  await expectAxeClean(page, 'chronologie (phone)');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('the assistante sociale sees the "circle" entry but not the "health" one', async () => {
  assert.ok(patientId, 'the first test created the patient');
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, sociale);
  // The portal counts her unread alert.
  await page.getByTestId('open-alerts-count').filter({ hasText: /alertes? non lues?/ }).waitFor();
  await expectAxeClean(page, 'portal with the alerts counter (phone)');
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mes patients' }).click();
  const link = page.getByTestId('my-patients').getByRole('link', { name: `${BIRTH_NAME} Jeanne` });
  await link.waitFor();
  await expectAxeClean(page, 'mes patients, assistante sociale (phone)');
  await link.click();
  await heading(page).filter({ hasText: BIRTH_NAME }).waitFor();
  await entry(page, TEXT.circle).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="entry"]').length >= 1);
  const bodies = (await page.getByTestId('entry-body').allInnerTexts()).join('\n');
  assert.ok(!bodies.includes('Plaie du talon'), `no "health" entry for a social professional: ${bodies}`);
  assert.ok(!bodies.includes('Antalgique'), 'nor its correction');
  assert.equal(await page.getByTestId('entries').getByText('Plaie du talon').count(), 0);
  await expectAxeClean(page, 'patient page, assistante sociale (phone)');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('a professional outside the circle breaks the glass; the referent sees it in the access log', async () => {
  assert.ok(patientId, 'the first test created the patient');
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, outsider);
  await page.goto('/patients');
  await heading(page).filter({ hasText: 'Mes patients' }).waitFor();
  // A precise query (name + full birth date) finds a patient outside my circles.
  await page.getByLabel('Rechercher un patient').fill(BIRTH_NAME);
  await page.getByText('Date de naissance, INS').click();
  await page.getByLabel('Date de naissance').fill('1948-03-12');
  const found = page.getByTestId('patient-results').locator('li').filter({ hasText: BIRTH_NAME });
  await found.waitFor();
  assert.equal(await found.getByRole('link').count(), 0, 'no link to a record I may not open');
  await expectAxeClean(page, 'search outside the circle (phone)');
  await found.getByRole('button', { name: 'Accès en urgence' }).click();
  const dialog = page.getByRole('dialog', { name: 'Accès en urgence' });
  await dialog.waitFor();
  await dialog.getByText(/enregistré dans le journal des accès/).waitFor();
  // Too short a reason is refused before sending.
  await dialog.getByLabel('Motif de l’accès en urgence').fill('Urgence');
  await dialog.getByRole('button', { name: 'Accéder en urgence' }).click();
  await dialog.getByText('Le motif doit contenir au moins 15 caractères.').first().waitFor();
  await expectAxeClean(page, 'break-the-glass dialog (phone)');
  await dialog.getByLabel('Motif de l’accès en urgence').fill(REASON);
  await dialog.getByRole('button', { name: 'Accéder en urgence' }).click();
  await page.waitForURL(new RegExp(`/patients/${patientId}`));
  await heading(page).filter({ hasText: BIRTH_NAME }).waitFor();
  await page.getByTestId('break-glass-banner').filter({ hasText: /Accès en urgence jusqu’à \d{2}:\d{2}/ }).waitFor();
  await entry(page, TEXT.circle).waitFor();
  await expectAxeClean(page, 'patient page through break-the-glass (phone)');
  await shoot(page, 'bris-de-glace');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();

  // The médecin, referent, opens the access log.
  const doc = await newPage(browser, env.base, PHONE);
  await loginThroughUi(doc, medecin);
  await doc.goto(`/patients/${patientId}`);
  await heading(doc).filter({ hasText: BIRTH_NAME }).waitFor();
  await openTab(doc, 'Journal des accès');
  const glass = doc.getByTestId('access').filter({ hasText: 'Accès en urgence' }).filter({ hasText: REASON });
  await glass.first().waitFor();
  assert.match(await glass.first().innerText(), /Urbain Garde|Garde/);
  await expectAxeClean(doc, 'journal des accès (phone)');
  await shoot(doc, 'journal-des-acces');
  assert.deepEqual(doc.jsErrors, []);
  await doc.context().close();
});

test('the operator merges two records of the same patient through the dialog', async () => {
  // The médecin creates the same person twice (the second time past the duplicate check) and writes on the second.
  const docToken = await login(env.server, medecin.email, medecin.password, medecin.totp_secret);
  const name = 'DOUBLON' + Array.from({ length: 6 }, () => LETTERS[randomInt(26)]).join('');
  const traits = { birth_name: name, birth_first_names: 'Lucienne Andrée', birth_date: '1937-07-21', sex: 'F', birthplace_code: '51454' };
  const first = await api(env.server, 'POST', '/api/v1/patients', { token: docToken, body: traits });
  assert.equal(first.status, 201, first.text);
  const second = await api(env.server, 'POST', '/api/v1/patients', { token: docToken, body: { ...traits, confirm_not_duplicate: true } });
  assert.equal(second.status, 201, second.text);
  const [keep, dup] = [first.json.id, second.json.id];
  const NOTE = 'Passage du soir sur le second dossier : patiente fatiguée, repas pris en partie.';
  const wrote = await api(env.server, 'POST', `/api/v1/patients/${dup}/notebook`,
    { token: docToken, body: { kind: 'visit', visibility: 'circle', body: NOTE } });
  assert.equal(wrote.status, 201, wrote.text);

  // The operator, on a phone: no followed patients, a search by name and birth date, then the first record.
  const op = env.accounts.find((a) => a.email === 'operateur@demo.cordee.fr');
  assert.ok(op, 'the demo has the operator');
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, op);
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mes patients' }).click();
  await heading(page).filter({ hasText: 'Mes patients' }).waitFor();
  await page.getByTestId('operator-no-list').filter({ hasText: 'Les opérateurs n’ont pas de patients suivis' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Nouveau patient' }).count(), 0, 'operators do not create patients');
  await page.getByLabel('Rechercher un patient').fill(name);
  await page.getByText('Date de naissance, INS').click();
  await page.getByLabel('Date de naissance').fill('1937-07-21');
  const results = page.getByTestId('patient-results').locator('li').filter({ hasText: name });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="patient-results"] li').length === 2);
  assert.equal(await results.count(), 2, 'both records are found');
  await expectAxeClean(page, 'mes patients, operator search (phone)');
  await page.locator(`a[href="/patients/${keep}"]`).click();
  await page.waitForURL(new RegExp(`/patients/${keep}`));
  await heading(page).filter({ hasText: name }).waitFor();

  // Identity and circle only: no clinical tab, no error.
  await page.getByTestId('operator-notice').waitFor();
  // Without clinical access, the record opens on the identity, the operator's work.
  await page.getByTestId('identity').waitFor();
  assert.equal(await tab(page, 'Identité').getAttribute('aria-selected'), 'true');
  await openTab(page, 'Cercle de soins');
  await page.getByTestId('member').first().waitFor();
  for (const clinical of ['Cahier de liaison', 'Alertes', 'Chronologie']) assert.equal(await tab(page, clinical).count(), 0, `no ${clinical} tab`);
  assert.equal(await page.getByRole('alert').filter({ hasText: /\S/ }).count(), 0, 'no error shown to the operator');
  await expectAxeClean(page, 'patient page, operator (phone)');

  // The dialog: search, choose the other record, read what the merge does, merge.
  await page.getByRole('button', { name: 'Fusionner un doublon' }).click();
  const dialog = page.getByRole('dialog', { name: 'Fusionner un doublon dans ce dossier' });
  await dialog.waitFor();
  await dialog.getByLabel('Nom ou prénom').fill(name);
  await dialog.getByLabel('Date de naissance').fill('1937-07-21');
  await dialog.getByRole('button', { name: 'Rechercher' }).click();
  await dialog.getByRole('status').filter({ hasText: '1 autre dossier trouvé' }).waitFor();
  const candidates = dialog.getByTestId('merge-candidate');
  assert.equal(await candidates.count(), 1, 'the record shown is not offered');
  const candidate = await candidates.first().innerText();
  assert.match(candidate, /21\/07\/1937/);
  assert.match(candidate, /Féminin/);
  assert.match(candidate, /Identité provisoire/);
  await expectAxeClean(page, 'merge dialog with candidates (phone)');
  await shoot(page, 'fusion-recherche');
  await dialog.getByRole('button', { name: `Choisir le dossier de ${name} Lucienne` }).click();
  const confirm = dialog.getByTestId('merge-confirm');
  await confirm.waitFor();
  assert.match(await confirm.innerText(),
    new RegExp(`Le dossier de ${name} Lucienne \\(née le 21/07/1937\\) sera fusionné dans celui-ci : son cercle de soins, ` +
      'son cahier de liaison, ses alertes et sa chronologie rejoignent ce dossier ; l’autre dossier ne pourra plus être modifié\\. ' +
      'Cette action est tracée\\.'));
  await expectAxeClean(page, 'merge dialog, confirmation (phone)');
  await shoot(page, 'fusion-confirmation');
  await dialog.getByRole('button', { name: 'Fusionner', exact: true }).click();
  await page.getByTestId('merge-status').getByRole('status').filter({ hasText: 'a été fusionné dans ce dossier' }).waitFor();
  assert.equal(await dialog.isVisible(), false, 'the dialog is closed');
  await expectAxeClean(page, 'patient page after the merge (phone)');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();

  // The médecin: the second record points to the first, and its entry is now in the first one's notebook.
  const merged = await api(env.server, 'GET', `/api/v1/patients/${dup}`, { token: docToken });
  assert.equal(merged.status, 200, merged.text);
  assert.equal(merged.json.status, 'merged');
  assert.equal(merged.json.merged_into, keep);
  const notebook = await api(env.server, 'GET', `/api/v1/patients/${keep}/notebook`, { token: docToken });
  assert.equal(notebook.status, 200, notebook.text);
  assert.ok(notebook.json.items.some((e) => e.body === NOTE), 'the entry followed the record');
});
