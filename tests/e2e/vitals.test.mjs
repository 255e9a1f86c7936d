// The nurse's vital signs on a phone (docs/patients.md, "Vital signs"): on a demo patient whose tension climbed during
// the last rounds, the infirmier sees the value flagged in words in the notebook and the chart of each measure with
// its usual range; the assistante sociale of the same circle opens the same record and sees neither values nor
// charts. Axe on both. CORDEE_SCREENSHOTS=DIR saves phone screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, demoServer, newPage, expectAxeClean, PHONE, loginThroughUi } from './helpers.mjs';
import { login, api } from '../lib/server.mjs';

const shots = process.env.CORDEE_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

let browser, env, infirmier, sociale, patientId;

before(async () => {
  env = await demoServer();
  browser = await launch();
  const by = (email) => env.accounts.find((a) => a.email === email);
  infirmier = by('infirmier@demo.cordee.fr');
  sociale = by('assistante.sociale@demo.cordee.fr');
  // A patient both follow (the demo puts them in the same circles).
  const mine = async (a) => {
    const token = await login(env.server, a.email, a.password, a.totp_secret);
    const res = await api(env.server, 'GET', '/api/v1/patients/mine?limit=100', { token });
    assert.equal(res.status, 200, res.text);
    return { token, ids: res.json.items.map((i) => i.id) };
  };
  const nurse = await mine(infirmier);
  const social = await mine(sociale);
  // The demo patient whose tension climbed during the last rounds (Jeanne Lefèvre's story in src/demo/demo.cpp).
  for (const id of nurse.ids.filter((i) => social.ids.includes(i))) {
    const history = await api(env.server, 'GET', `/api/v1/patients/${id}/vitals`, { token: nurse.token });
    assert.equal(history.status, 200, history.text);
    if (history.json.series.systolic?.[0]?.value > 140) { patientId = id; break; }
  }
  assert.ok(patientId, 'a demo patient followed by both whose last rounds end above the usual systolic range');
});
after(async () => { await browser?.close(); await env?.server.stop(); });

test('the infirmier sees the climbing tension flagged in words and the chart of each measure (phone)', async () => {
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, infirmier);
  await page.goto(`/patients/${patientId}`);
  const charts = page.getByTestId('vitals-charts');
  await charts.waitFor();
  const systolic = page.getByTestId('vital-chart-systolic');
  assert.equal(await systolic.getAttribute('data-flag'), 'high');
  await systolic.getByText('au-dessus de l’habituel').waitFor();
  await systolic.getByText(/Habituel : de 90 à 140 mmHg/).waitFor();
  assert.equal(await systolic.locator('canvas').count(), 1, 'drawn by uPlot');
  assert.match(await systolic.locator('.sr-only').textContent(), /relevés du .* de \d+ à \d+ mmHg/, 'the same facts as text');
  // In the notebook, the latest round's tension carries the flag in words too.
  const flagged = page.locator('.vitals li[data-flag="high"]').first();
  await flagged.waitFor();
  assert.match(await flagged.textContent(), /Pression artérielle systolique.*au-dessus de l’habituel/);
  await expectAxeClean(page, 'patient page with vital signs (phone)');
  if (shots) {
    await systolic.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'vitals-chart-phone.png') });
  }
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('the assistante sociale opens the same record: the notebook without any vital sign, no chart (phone)', async () => {
  const page = await newPage(browser, env.base, PHONE);
  await loginThroughUi(page, sociale);
  await page.goto(`/patients/${patientId}`);
  await page.getByTestId('entry').first().waitFor();
  assert.ok(await page.getByTestId('entry').count() > 0, 'she reads the entries shared with the circle');
  assert.equal(await page.locator('.vitals li').count(), 0, 'no vital sign in any entry');
  assert.equal(await page.getByTestId('vitals-charts').count(), 0, 'no chart');
  await expectAxeClean(page, 'patient page of the assistante sociale (phone)');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});
