// Vital signs of the notebook (docs/patients.md, "Vital signs"): values outside the territory's usual ranges are
// flagged (bounds configurable with vital_ranges); vital signs are health data, so the assistante sociale (ASS) gets
// none — not in an entry shared with the whole circle, not in its older versions, not in the history — and cannot
// write any; the history of each measure feeds the patient page's chart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, binary, startDemoServer, startServer, freshDatabase, runCli } from '../lib/server.mjs';
import { assertProblem, demoLogin } from '../lib/flows.mjs';
import { checkAnswer } from '../lib/openapi_check.mjs';
import { P, addMember, createPatient, newProfessional, profileOf } from '../lib/patients.mjs';

let server;
let med, nurse, social;
let pid;

before(async () => {
  server = await startDemoServer();
  med = { ...(await demoLogin(server, 'professional', 0)) };
  nurse = { ...(await demoLogin(server, 'professional', 1)) };
  social = { ...(await demoLogin(server, 'professional', 2)) };
  for (const a of [med, nurse, social]) Object.assign(a, await profileOf(server, a.token));
  assert.equal(nurse.profession_code, '60');
  assert.equal(social.profession_code, 'ASS');
  pid = (await createPatient(server, med.token)).id;
  await addMember(server, med.token, pid, { account_id: nurse.account_id, role: 'infirmier' });
  await addMember(server, med.token, pid, { account_id: social.account_id, role: 'assistante_sociale' });
});
after(async () => { await server?.stop(); });

const write = (who, body) => api(server, 'POST', `${P}/${pid}/notebook`, {
  token: who.token, body: { kind: 'visit', visibility: 'circle', body: 'Passage du soir.', ...body },
});
const listed = async (who) => {
  const res = await api(server, 'GET', `${P}/${pid}/notebook?limit=50`, { token: who.token });
  assert.equal(res.status, 200, res.text);
  return res.json.items;
};

test('values outside the usual ranges are flagged high or low; those inside are not', async () => {
  const res = await write(nurse, { vitals: { systolic: 165, diastolic: 85, heart_rate: 72, spo2: 91, temperature: 37.2 } });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.json.vitals, { systolic: 165, diastolic: 85, heart_rate: 72, spo2: 91, temperature: 37.2 });
  assert.deepEqual(res.json.vitals_flags, { systolic: 'high', spo2: 'low' });
  assert.deepEqual(checkAnswer('POST', '/api/v1/patients/{id}/notebook', res), [], 'as docs/openapi.yaml says');
  const again = (await listed(med)).find((e) => e.id === res.json.id);
  assert.deepEqual(again.vitals_flags, { systolic: 'high', spo2: 'low' }, 'the list flags the same');
});

test('the assistante sociale reads an entry shared with the circle without its vital signs, also in older versions', async () => {
  const first = await write(nurse, { body: 'Tension prise au domicile.', vitals: { systolic: 150, pain: 5 } });
  assert.equal(first.status, 201, first.text);
  const fix = await api(server, 'POST', `${P}/${pid}/notebook/${first.json.id}/corrections`, {
    token: nurse.token, headers: { 'if-match': '1' },
    body: { body: 'Tension prise au domicile (corrigée).', vitals: { systolic: 145, pain: 4 } },
  });
  assert.equal(fix.status, 201, fix.text);
  const seen = (await listed(social)).find((e) => e.root_id === first.json.id);
  assert.ok(seen, 'the entry itself is shared with the circle');
  assert.equal(seen.body, 'Tension prise au domicile (corrigée).');
  assert.equal(seen.vitals, null, 'no vital signs for a social professional');
  assert.deepEqual(seen.vitals_flags, {});
  assert.equal(seen.previous.length, 1);
  assert.equal(seen.previous[0].vitals, null, 'nor in the older version');
  // The timeline does not say either that the entry holds vital signs.
  const timeline = async (who) => {
    const res = await api(server, 'GET', `${P}/${pid}/timeline?limit=100`, { token: who.token });
    assert.equal(res.status, 200, res.text);
    return res.json.items.filter((i) => i.kind === 'notebook');
  };
  assert.ok((await timeline(nurse)).some((i) => i.summary.has_vitals === true), 'the nurse sees that there are vital signs');
  const socialTimeline = await timeline(social);
  assert.ok(socialTimeline.length > 0);
  assert.ok(socialTimeline.every((i) => !('has_vitals' in i.summary)), 'the assistante sociale does not');
  const nurseSees = (await listed(nurse)).find((e) => e.root_id === first.json.id);
  assert.deepEqual(nurseSees.vitals, { systolic: 145, pain: 4 });
  assert.deepEqual(nurseSees.previous[0].vitals, { systolic: 150, pain: 5 });
  assert.deepEqual(nurseSees.vitals_flags, { systolic: 'high', pain: 'high' });
});

test('the assistante sociale cannot write vital signs, nor read their history', async () => {
  const p = assertProblem(await write(social, { vitals: { weight: 62 } }), 422, 'invalid-field', 'vital signs by a social professional');
  assert.deepEqual(p.errors.map((e) => e.field), ['vitals']);
  const none = await write(social, { body: 'Dossier APA déposé.' });
  assert.equal(none.status, 201, none.text);
  const refused = await api(server, 'GET', `${P}/${pid}/vitals`, { token: social.token });
  assertProblem(refused, 403, 'forbidden', 'history for ASS');
  assert.deepEqual(checkAnswer('GET', '/api/v1/patients/{id}/vitals', refused), []);
});

test('the history lists each measure newest first, with the usual ranges; someone outside the circle gets nothing', async () => {
  const res = await api(server, 'GET', `${P}/${pid}/vitals`, { token: nurse.token });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(checkAnswer('GET', '/api/v1/patients/{id}/vitals', res), [], 'as docs/openapi.yaml says');
  const systolic = res.json.series.systolic.map((p) => p.value);
  assert.deepEqual(systolic, [145, 165], 'latest versions only, newest first (the corrected 150 is gone)');
  assert.deepEqual(res.json.series.spo2.map((p) => p.value), [91]);
  assert.deepEqual(res.json.series.weight, [], 'every measure is listed, empty when never taken');
  assert.ok(res.json.series.systolic.every((p) => typeof p.entry_id === 'string' && !Number.isNaN(Date.parse(p.at))));
  assert.deepEqual(res.json.ranges.systolic, { low: 90, high: 140 });
  const operator = await demoLogin(server, 'operator');
  const outsider = await newProfessional(server, operator.token);  // a médecin outside the circle
  const refused = await api(server, 'GET', `${P}/${pid}/vitals`, { token: outsider.token });
  assert.ok([403, 404].includes(refused.status), `not a member: ${refused.status}`);
  assert.equal(refused.json.series, undefined, 'no data in a refusal');
});

test('the territory sets its own ranges (vital_ranges); a wrong setting stops the server with a message naming it', async () => {
  const db = freshDatabase();
  runCli(['demo'], db);
  const own = await startServer({ db, args: ['--vital-ranges', 'systolic=100-170,spo2=90-100'] });
  try {
    const n = await demoLogin(own, 'professional', 1);
    const mine = await api(own, 'GET', `${P}/mine?limit=1`, { token: n.token });
    assert.equal(mine.status, 200, mine.text);
    const res = await api(own, 'POST', `${P}/${mine.json.items[0].id}/notebook`, {
      token: n.token, body: { kind: 'visit', visibility: 'circle', body: 'Contrôle.', vitals: { systolic: 165, spo2: 91, heart_rate: 130 } },
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.json.vitals_flags, {}, '165 and 91 are usual here; heart rate has no range in this setting');
  } finally {
    await own.stop();
  }
  let message = '';
  try {
    execFileSync(binary, ['serve', '--data', db.dataDir, '--port', '0', '--vital-ranges', 'systolic=140-90',
      ...(db.databaseUrl ? ['--database', db.databaseUrl] : [])], { encoding: 'utf8', stdio: 'pipe', timeout: 20000 });
  } catch (e) {
    message = `${e.stdout}${e.stderr}`;
    assert.notEqual(e.status, 0, 'a non-zero exit');
  }
  assert.match(message, /vital_ranges/, message);
  assert.match(message, /borne basse/, message);
});
