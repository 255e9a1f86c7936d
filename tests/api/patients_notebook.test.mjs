// The liaison notebook, its attachments, alerts, the timeline, "my patients", break-the-glass and the
// access log (docs/patients.md), with the visibility rules and the audit trail checked along the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { api, backend, outbox, startDemoServer } from '../lib/server.mjs';
import { assertProblem, auditVerify, cookieApi, cookieLogin, demoLogin, mailTo, mailTexts, sleep, sql } from '../lib/flows.mjs';
import {
  P, ELF, PNG_1x1, addMember, allPages, auditCount, auditMaxSeq, canSeeEntry, createPatient, newProfessional,
  headersOnly, pdf, profileOf, randomName, rawApi, text, upload, uploadForSetup, writeEntry, zip,
} from '../lib/patients.mjs';

const MiB = 1024 * 1024;
let server;
let coord, med, nurse, social, operator, outsider;
let pt; // the patient followed by coord (referent), med, nurse, social
const members = {}; // member objects by key

before(async () => {
  server = await startDemoServer();
  operator = await demoLogin(server, 'operator');
  for (const [k, role, i] of [['coord', 'coordinator', 0], ['med', 'professional', 0], ['nurse', 'professional', 1], ['social', 'professional', 2]]) {
    const a = await demoLogin(server, role, i);
    const who = { ...a, ...(await profileOf(server, a.token)) };
    if (k === 'coord') coord = who; else if (k === 'med') med = who; else if (k === 'nurse') nurse = who; else social = who;
  }
  operator = { ...operator, ...(await profileOf(server, operator.token)) };
  outsider = await newProfessional(server, operator.token, { first_name: 'Hors', last_name: 'Cercle' });
  pt = await createPatient(server, coord.token);
  members.med = await addMember(server, coord.token, pt.id, { account_id: med.account_id, role: 'medecin_traitant' });
  members.nurse = await addMember(server, coord.token, pt.id, { account_id: nurse.account_id, role: 'infirmier' });
  members.social = await addMember(server, coord.token, pt.id, { account_id: social.account_id, role: 'assistante_sociale' });
});
after(async () => { await server?.stop(); });

const fieldsOf = (p) => (p.errors || []).map((e) => e.field);
const nb = (pid = pt.id) => `${P}/${pid}/notebook`;
const post = (token, body, pid = pt.id, headers = {}) => api(server, 'POST', nb(pid), { token, body, headers });
const entryBody = (over = {}) => ({ kind: 'observation', visibility: 'circle', body: `Observation ${randomName(6)}`, ...over });

test('entries of every kind and visibility: shape, newest fact first, each reader sees what the rules allow', async () => {
  const pid = (await createPatient(server, coord.token)).id;
  for (const [who, role] of [[med, 'medecin_traitant'], [nurse, 'infirmier'], [social, 'assistante_sociale']]) {
    await addMember(server, coord.token, pid, { account_id: who.account_id, role });
  }
  const written = [];
  let minutes = 200;
  for (const kind of ['observation', 'transmission', 'visit', 'event', 'document']) {
    for (const visibility of ['circle', 'health', 'structure']) {
      const fact_at = new Date(Date.now() - (minutes -= 7) * 60000).toISOString();
      const res = await post(med.token, { kind, visibility, body: `${kind} ${visibility}`, fact_at }, pid);
      assert.equal(res.status, 201, res.text);
      const e = res.json;
      assert.equal(e.kind, kind);
      assert.equal(e.visibility, visibility);
      assert.equal(e.version, 1);
      assert.equal(e.supersedes, null);
      assert.deepEqual(e.previous, []);
      assert.equal(e.author.account_id, med.account_id);
      assert.equal(typeof e.author.name, 'string');
      assert.equal(Date.parse(e.fact_at), Date.parse(fact_at));
      assert.ok(Math.abs(Date.parse(e.written_at) - Date.now()) < 60000, 'written_at is now');
      if (visibility === 'structure') assert.equal(e.author.structure_id, med.structures[0], 'default: the author\'s first structure');
      written.push({ id: e.id, visibility, structure_id: e.author.structure_id, fact_at, kind });
    }
  }
  for (const reader of [med, nurse, social, coord]) {
    const items = await allPages(server, reader.token, nb(pid), { limit: 7 });
    const expected = written.filter((e) => canSeeEntry(reader, e)).map((e) => e.id).reverse();
    assert.deepEqual(items.map((i) => i.id), expected, `${reader.email}: the visible entries, newest fact first`);
  }
  const social_items = await allPages(server, social.token, nb(pid));
  assert.ok(social_items.every((i) => i.visibility !== 'health'), 'a social worker never sees health entries');
  const visits = await api(server, 'GET', `${nb(pid)}?kind=visit`, { token: nurse.token });
  assert.deepEqual(visits.json.items.map((i) => i.kind), ['visit', 'visit'], 'kind filter (circle + health visits for a nurse)');
  const byAuthor = await api(server, 'GET', `${nb(pid)}?author=${nurse.account_id}`, { token: med.token });
  assert.equal(byAuthor.json.items.length, 0, 'author filter');
  const big = await api(server, 'GET', `${nb(pid)}?limit=1000`, { token: med.token });
  if (big.status === 200) assert.ok(big.json.items.length <= 100, 'limit is capped at 100');
  else assertProblem(big, 422, 'invalid-field', 'limit over 100');
});

test('notebook input is checked: kind, visibility, body length, fact_at, structure; Idempotency-Key replays', async () => {
  const cases = [
    [{ kind: 'rumeur' }, 'kind'], [{ visibility: 'tous' }, 'visibility'], [{ body: '' }, 'body'], [{ body: 'x'.repeat(20001) }, 'body'],
    [{ fact_at: new Date(Date.now() + 3600e3).toISOString() }, 'fact_at'], [{ fact_at: 'hier' }, 'fact_at'],
    [{ visibility: 'structure', structure_id: members.nurse.id }, 'structure_id'],
  ];
  for (const [over, field] of cases) {
    const p = assertProblem(await post(med.token, entryBody(over)), 422, 'invalid-field', JSON.stringify(over).slice(0, 80));
    assert.ok(fieldsOf(p).includes(field), `${field}: ${JSON.stringify(p.errors)}`);
  }
  // A structure the author does not belong to.
  const p = assertProblem(await post(med.token, entryBody({ visibility: 'structure', structure_id: nurse.structures[0] })), 422, 'invalid-field');
  assert.ok(fieldsOf(p).includes('structure_id'));
  const soon = await post(med.token, entryBody({ fact_at: new Date(Date.now() + 2 * 60000).toISOString(), body: 'x'.repeat(20000) }));
  assert.equal(soon.status, 201, `fact_at within now + 5 min and a 20000-char body: ${soon.text.slice(0, 200)}`);
  const key = `nb-${randomName(10)}`;
  const a = await post(med.token, entryBody({ body: 'Passage infirmier prévu demain' }), pt.id, { 'idempotency-key': key });
  const b = await post(med.token, entryBody({ body: 'Passage infirmier prévu demain' }), pt.id, { 'idempotency-key': key });
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  assert.equal(b.json.id, a.json.id, 'the replay returns the first entry');
  const items = await allPages(server, med.token, `${nb()}?author=${med.account_id}`);
  assert.equal(items.filter((i) => i.id === a.json.id).length, 1);
  // The same request sent twice at once (a phone replaying its queue): still one entry.
  for (let round = 0; round < 4; round++) {
    const k = `nb-race-${round}-${randomName(8)}`;
    const body = entryBody({ body: `Rejoué ${k}` });
    const both = await Promise.all([post(nurse.token, body, pt.id, { 'idempotency-key': k }), post(nurse.token, body, pt.id, { 'idempotency-key': k })]);
    assert.deepEqual(both.map((r) => r.status), [201, 201], both.map((r) => `${r.status} ${r.text.slice(0, 100)}`).join(' | '));
    assert.equal(both[0].json.id, both[1].json.id, `round ${round}: the same entry`);
    const mine = await allPages(server, nurse.token, `${nb()}?author=${nurse.account_id}`);
    assert.equal(mine.filter((i) => i.body === body.body).length, 1, 'one entry');
  }
});

test('vitals are bounded: each bound accepted, beyond → 422 on vitals.<name>', async () => {
  const bounds = { systolic: [40, 300], diastolic: [20, 200], heart_rate: [20, 250], temperature: [30, 45], spo2: [50, 100],
    weight: [0.3, 400], glycemia: [0.2, 6], pain: [0, 10] };
  const low = Object.fromEntries(Object.entries(bounds).map(([k, [lo]]) => [k, lo]));
  const high = Object.fromEntries(Object.entries(bounds).map(([k, [, hi]]) => [k, hi]));
  for (const vitals of [low, high, { temperature: 37.8, weight: 71.5, glycemia: 1.05 }]) {
    const res = await post(nurse.token, entryBody({ vitals }));
    assert.equal(res.status, 201, `${JSON.stringify(vitals)}: ${res.text}`);
    for (const [k, v] of Object.entries(vitals)) assert.equal(res.json.vitals[k], v, k);
  }
  for (const [k, [lo, hi]] of Object.entries(bounds)) {
    const step = hi - lo > 10 ? 1 : 0.1;
    for (const bad of [lo - step, hi + step, 'beaucoup']) {
      const p = assertProblem(await post(nurse.token, entryBody({ vitals: { [k]: bad } })), 422, 'invalid-field', `${k}=${bad}`);
      assert.ok(fieldsOf(p).includes(`vitals.${k}`), `${k}=${bad}: ${JSON.stringify(p.errors)}`);
    }
  }
  const unknown = await post(nurse.token, entryBody({ vitals: { cholesterol: 2 } }));
  assertProblem(unknown, 422, 'invalid-field', 'unknown vital');
});

test('corrections: author only, If-Match, new version pointing to the old one, older versions listed', async () => {
  const orig = await writeEntry(server, med.token, pt.id, { kind: 'visit', visibility: 'health', body: 'TA 150/90', vitals: { systolic: 150, diastolic: 90 } });
  const url = (id) => `${nb()}/${id}/corrections`;
  assertProblem(await api(server, 'POST', url(orig.id), { token: med.token, body: { body: 'TA 140/90' } }), 428, 'precondition-required');
  const other = await api(server, 'POST', url(orig.id), { token: nurse.token, body: { body: 'TA 140/90' }, headers: { 'if-match': '1' } });
  assert.ok([403, 404].includes(other.status), `a non-author cannot correct: ${other.status} ${other.text}`);
  const hidden = await api(server, 'POST', url(orig.id), { token: social.token, body: { body: 'x' }, headers: { 'if-match': '1' } });
  assertProblem(hidden, 404, 'not-found', 'a health entry the social worker cannot see');

  const v2 = await api(server, 'POST', url(orig.id), { token: med.token, body: { body: 'TA 140/90 (corrigé)', vitals: { systolic: 140, diastolic: 90 } }, headers: { 'if-match': '1' } });
  assert.equal(v2.status, 201, v2.text);
  assert.equal(v2.json.version, 2);
  assert.equal(v2.json.supersedes, orig.id);
  assert.equal(v2.json.kind, 'visit', 'kind defaults to the corrected one');
  assert.equal(v2.json.visibility, 'health', 'visibility defaults to the corrected one');
  const stale = assertProblem(await api(server, 'POST', url(orig.id), { token: med.token, body: { body: 'autre' }, headers: { 'if-match': '1' } }), 409, 'conflict');
  assert.equal(stale.current?.version, 2, 'the current version comes with the conflict');
  assert.equal(stale.current?.body, 'TA 140/90 (corrigé)');
  const v3 = await api(server, 'POST', url(v2.json.id), { token: med.token, body: { body: 'TA 145/90 (corrigé deux fois)' }, headers: { 'if-match': '2' } });
  assert.equal(v3.status, 201, v3.text);
  assert.equal(v3.json.version, 3);

  const items = await allPages(server, nurse.token, nb());
  const shown = items.filter((i) => [orig.id, v2.json.id, v3.json.id].includes(i.id));
  assert.equal(shown.length, 1, 'the list shows the latest version only');
  assert.equal(shown[0].version, 3);
  assert.equal(shown[0].body, 'TA 145/90 (corrigé deux fois)');
  assert.deepEqual(shown[0].previous.map((p) => p.version).sort(), [1, 2], 'older versions are listed');
  assert.equal(shown[0].previous.find((p) => p.version === 1).body, 'TA 150/90');
  assert.equal(shown[0].previous.find((p) => p.version === 1).vitals?.systolic, 150);

  // A correction that widens the visibility does not reveal the older, restricted text.
  const secret = await writeEntry(server, med.token, pt.id, { visibility: 'health', body: 'Sérologie positive, à annoncer en consultation' });
  const widened = await api(server, 'POST', url(secret.id), { token: med.token, body: { body: 'Consultation à programmer', visibility: 'circle' }, headers: { 'if-match': '1' } });
  assert.equal(widened.status, 201, widened.text);
  const socialView = (await allPages(server, social.token, nb())).find((i) => i.id === widened.json.id);
  assert.ok(socialView, 'the social worker sees the corrected, shared entry');
  assert.ok(!JSON.stringify(socialView).includes('Sérologie'), `no restricted older version: ${JSON.stringify(socialView.previous)}`);
  const socialTl = await allPages(server, social.token, `${P}/${pt.id}/timeline?kind=notebook`);
  assert.ok(!JSON.stringify(socialTl).includes('Sérologie'), 'nor in the timeline');
  const medView = (await allPages(server, med.token, nb())).find((i) => i.id === widened.json.id);
  assert.equal(medView.previous[0]?.body, 'Sérologie positive, à annoncer en consultation', 'health readers keep the history');
});

test('three corrections with the same If-Match at once: one 201, the others 409 with the winner as current', async () => {
  for (let round = 0; round < 8; round++) {
    const e = await writeEntry(server, nurse.token, pt.id, { body: `Pansement ${round}` });
    const send = (body) => api(server, 'POST', `${nb()}/${e.id}/corrections`, { token: nurse.token, body: { body }, headers: { 'if-match': '1' } });
    const results = await Promise.all([send('Correction A'), send('Correction B'), send('Correction C')]);
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409], `round ${round}: ${results.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join(' | ')}`);
    const won = results.find((r) => r.status === 201).json;
    for (const r of results.filter((x) => x.status === 409)) {
      const lost = assertProblem(r, 409, 'conflict');
      assert.equal(lost.current?.id, won.id, `round ${round}: the loser gets the winner as current (not a version that was never kept)`);
    }
    const items = await allPages(server, nurse.token, `${nb()}?author=${nurse.account_id}`);
    assert.equal(items.filter((i) => i.supersedes === e.id).length, 1, 'one version 2 only');
  }
});

test('attachments accepted by content: PDF, PNG, text; stored once by hash; attached to an entry', async () => {
  const doc = pdf({ text: `Ordonnance ${randomName(8)}` });
  const a = await upload(server, med.token, pt.id, 'ordonnance.pdf', doc, 'image/png'); // the header lies: content decides
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.mime, 'application/pdf');
  assert.equal(a.json.size, doc.length);
  assert.equal(a.json.name, 'ordonnance.pdf');
  const again = await upload(server, med.token, pt.id, 'copie.pdf', doc);
  assert.equal(again.status, 201, again.text);
  if (backend === 'sqlite') {
    const hash = createHash('sha256').update(doc).digest('hex');
    const found = [];
    (function walk(dir) {
      for (const f of readdirSync(dir)) {
        const full = join(dir, f);
        if (statSync(full).isDirectory()) walk(full); else if (full.includes(hash.slice(4)) || f.includes(hash)) found.push(full);
      }
    })(join(server.db.dataDir, 'blobs'));
    assert.equal(found.length, 1, `one blob file named by its SHA-256 under DATA/blobs: ${found.join(', ')}`);
  }
  const png = await upload(server, med.token, pt.id, 'plaie.png', PNG_1x1);
  assert.equal(png.status, 201, png.text);
  assert.equal(png.json.mime, 'image/png');
  const txt = await upload(server, med.token, pt.id, 'notes.txt', text('Synthèse : tout va bien, café à 15 h.\n'));
  assert.equal(txt.status, 201, txt.text);
  assert.match(txt.json.mime, /^text\/plain/);
  const e = await writeEntry(server, med.token, pt.id, { kind: 'document', body: 'Ordonnance et photo', attachments: [a.json.id, png.json.id, txt.json.id] });
  assert.deepEqual(e.attachments.map((x) => x.id).sort(), [a.json.id, png.json.id, txt.json.id].sort());
  assert.ok(e.attachments.every((x) => x.name && x.mime && Number.isInteger(x.size)));
  const unknown = await post(med.token, entryBody({ attachments: ['01890000-0000-7000-8000-000000000000'] }));
  assertProblem(unknown, 422, 'invalid-field', 'an unknown attachment id');
});

test('attachments refused: SVG/HTML/ZIP/bomb/executable → 415, PDF with JavaScript refused, lying name → 422, > 10 MiB → 413', async () => {
  // Control: the same route takes a plain file with these headers (so that a 415 below is the content's).
  const control = await upload(server, med.token, pt.id, 'controle.txt', text());
  assert.equal(control.status, 201, `a raw text upload (Content-Type application/octet-stream) is accepted: ${control.text}`);
  const refused415 = [
    ['dessin.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>')],
    ['page.html', Buffer.from('<!DOCTYPE html><html><body><script>fetch("/api/v1/me")</script></body></html>')],
    ['archive.zip', zip('compte-rendu.txt', Buffer.from('bonjour'))],
    ['courrier.docx', zip('word/document.xml', Buffer.from('<w:document/>'))],
    ['bombe.zip', zip('zeros.bin', Buffer.alloc(64 * MiB))],
    ['programme.exe', ELF],
  ];
  for (const [name, bytes] of refused415) {
    const res = await upload(server, med.token, pt.id, name, bytes);
    const p = assertProblem(res, 415, 'unsupported-media-type', name);
    assert.ok(p.detail || p.title, 'a clear problem');
  }
  // Markup under a text name is not plain text either.
  const disguised = await upload(server, med.token, pt.id, 'notes.txt', Buffer.from('<html><script>alert(1)</script></html>'));
  assert.ok([415, 422].includes(disguised.status), `HTML named .txt is refused: ${disguised.status} ${disguised.text}`);
  const js = await upload(server, med.token, pt.id, 'piege.pdf', pdf({ javascript: true }));
  assert.ok([415, 422].includes(js.status), `a PDF holding JavaScript is refused: ${js.status} ${js.text}`);
  assert.match(js.headers.get('content-type') || '', /problem\+json/);
  for (const [name, bytes] of [['scan.pdf', PNG_1x1], ['lettre.png', pdf()], ['photo.jpg', text()]]) {
    const p = assertProblem(await upload(server, med.token, pt.id, name, bytes), 422, 'invalid-field', name);
    assert.ok(fieldsOf(p).includes('name'), `${name}: ${JSON.stringify(p.errors)}`);
  }
  const noName = await rawApi(server, 'POST', `${P}/${pt.id}/attachments`, { token: med.token, body: text(), headers: { 'content-type': 'text/plain' } });
  if (noName.status === 201) assert.ok(noName.json.name, 'a file without a name gets one');
  else assertProblem(noName, 422, 'invalid-field', 'no name');
  const traversal = await upload(server, med.token, pt.id, '../../../etc/cron.d/x.txt', text());
  if (traversal.status === 201) assert.ok(!/[/\\]/.test(traversal.json.name), `no path in a stored name: ${traversal.json.name}`);
  else assertProblem(traversal, 422, 'invalid-field', 'a name with a path');
  const mid = await upload(server, med.token, pt.id, 'scanner.txt', Buffer.alloc(3 * MiB, 'b'));
  assert.equal(mid.status, 201, `a 3 MiB file is accepted (files up to 10 MiB): ${mid.text.slice(0, 200)}`);
  const atLimit = await upload(server, med.token, pt.id, 'limite.txt', Buffer.alloc(10 * MiB, 'a'));
  assert.equal(atLimit.status, 201, `exactly 10 MiB is accepted: ${atLimit.text.slice(0, 200)}`);
  // Judged on the declared length, before the body is read…
  const declared = await headersOnly(server, 'POST', `${P}/${pt.id}/attachments?name=gros.txt`, {
    authorization: `Bearer ${med.token}`, 'content-type': 'text/plain', 'content-length': String(10 * MiB + 1),
  });
  assert.equal(declared.status, 413, `a declared 10 MiB + 1 byte is refused at once: ${declared.text.slice(0, 200)}`);
  // …and a client that sends the whole body still reads the 413 problem (no reset in its face).
  const over = await upload(server, med.token, pt.id, 'gros.txt', Buffer.alloc(10 * MiB + 1, 'a'));
  assertProblem(over, 413, 'payload-too-large', '10 MiB + 1 byte sent in full');
});

test('downloads: headers, bytes, who may download (readers of an entry holding the file, the uploader before)', async () => {
  const doc = pdf({ text: `Bilan ${randomName(8)}` });
  const up = await uploadForSetup(server, med.token, pt.id, 'bilan.pdf', doc);
  assert.equal(up.status, 201, up.text);
  const url = `${P}/${pt.id}/attachments/${up.json.id}`;
  const mine = await rawApi(server, 'GET', url, { token: med.token });
  assert.equal(mine.status, 200, 'the uploader gets the file before it is attached');
  const before = await rawApi(server, 'GET', url, { token: nurse.token });
  assertProblem(before, 404, 'not-found', 'nobody else before it is attached');
  await writeEntry(server, med.token, pt.id, { kind: 'document', visibility: 'health', body: 'Bilan biologique', attachments: [up.json.id] });

  const res = await rawApi(server, 'GET', url, { token: nurse.token });
  assert.equal(res.status, 200, res.text.slice(0, 200));
  assert.ok(res.bytes.equals(doc), 'the same bytes');
  assert.match(res.headers.get('content-type') || '', /^application\/pdf/);
  assert.match(res.headers.get('content-disposition') || '', /^attachment/i);
  assert.match(res.headers.get('content-disposition') || '', /bilan\.pdf/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(res.headers.get('cache-control') || '', /private/);
  assert.match(res.headers.get('cache-control') || '', /no-store/);

  const since = auditMaxSeq(server.db);
  for (const who of [social, outsider, operator]) {
    const denied = await rawApi(server, 'GET', url, { token: who.token });
    assertProblem(denied, 404, 'not-found', `${who.email} may not download a health entry's file`);
  }
  assert.ok(auditCount(server.db, since, { actor: outsider.account_id, targetId: pt.id, outcome: 'denied' }) >= 1, 'the refusal is audited');
  assertProblem(await rawApi(server, 'GET', url), 401, 'unauthenticated');
  const t = await uploadForSetup(server, med.token, pt.id, 'mot.txt', text('<b>pas du HTML</b> juste du texte\n'));
  if (t.status === 201) {
    await writeEntry(server, med.token, pt.id, { body: 'Mot', attachments: [t.json.id] });
    const tr = await rawApi(server, 'GET', `${P}/${pt.id}/attachments/${t.json.id}`, { token: social.token });
    assert.equal(tr.status, 200);
    assert.match(tr.headers.get('content-disposition') || '', /^attachment/i, 'text is downloaded, not rendered');
    assert.doesNotMatch(tr.headers.get('content-type') || '', /html/);
  }
  const png = await uploadForSetup(server, med.token, pt.id, 'photo.png', PNG_1x1);
  await writeEntry(server, med.token, pt.id, { body: 'Photo', attachments: [png.json.id] });
  const pr = await rawApi(server, 'GET', `${P}/${pt.id}/attachments/${png.json.id}`, { token: social.token });
  assert.equal(pr.status, 200);
  assert.match(pr.headers.get('content-type') || '', /^image\/png/);
  assert.match(pr.headers.get('content-disposition') || '', /^(inline|attachment)/i);
  assert.equal(pr.headers.get('x-content-type-options'), 'nosniff');
});

test('alerts: to the whole circle or chosen members, ack, open counts across patients, portal and "mine"', async () => {
  const pid = (await createPatient(server, coord.token)).id;
  const m = {};
  for (const [k, who, role] of [['med', med, 'medecin_traitant'], ['nurse', nurse, 'infirmier'], ['social', social, 'assistante_sociale']]) {
    m[k] = await addMember(server, coord.token, pid, { account_id: who.account_id, role });
  }
  await addMember(server, coord.token, pid, { contact: { name: 'Paul Voisin', phone: '06 11 22 33 44', relation: 'voisin' }, role: 'proche_aidant' });
  const openCount = async (who) => {
    const r = await api(server, 'GET', '/api/v1/alerts?state=open', { token: who.token });
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const nurseBefore = (await openCount(nurse)).count;
  const socialBefore = (await openCount(social)).count;
  const mailsBefore = outbox(server.db).length;

  const secret = `Chute dans l'escalier ${randomName(6)}, douleur de hanche`;
  const all = await api(server, 'POST', `${P}/${pid}/alerts`, { token: coord.token, body: { kind: 'chute', severity: 'urgente', body: secret } });
  assert.equal(all.status, 201, all.text);
  const ids = all.json.recipients.map((r) => r.account_id).sort();
  for (const who of [med, nurse, social]) assert.ok(ids.includes(who.account_id), `${who.email} is a recipient`);
  assert.equal(all.json.recipients.length, ids.filter((x) => x).length, 'only members with an account (not the contact)');
  assert.equal(all.json.source, 'member');
  const chosen = await api(server, 'POST', `${P}/${pid}/alerts`, { token: med.token, body: { kind: 'aggravation', body: 'Dyspnée', recipients: [m.nurse.id] } });
  assert.equal(chosen.status, 201, chosen.text);
  assert.deepEqual(chosen.json.recipients.map((r) => r.account_id), [nurse.account_id], 'only the chosen member');
  assert.ok(['info', 'importante', 'urgente'].includes(chosen.json.severity), `a default severity: ${chosen.json.severity}`);

  for (const [body, field] of [[{ kind: 'incendie', body: 'x' }, 'kind'], [{ kind: 'chute', body: '' }, 'body'], [{ kind: 'chute', body: 'x'.repeat(2001) }, 'body'],
    [{ kind: 'chute', body: 'x', severity: 'grave' }, 'severity'], [{ kind: 'chute', body: 'x', recipients: [members.nurse.id] }, 'recipients']]) {
    const p = assertProblem(await api(server, 'POST', `${P}/${pid}/alerts`, { token: med.token, body }), 422, 'invalid-field', JSON.stringify(body).slice(0, 60));
    assert.ok(fieldsOf(p).includes(field), `${field}: ${JSON.stringify(p.errors)}`);
  }

  let n = await openCount(nurse);
  assert.equal(n.count, nurseBefore + 2, 'the nurse has two more open alerts');
  assert.ok(n.items.some((i) => i.id === all.json.id) && n.items.some((i) => i.id === chosen.json.id));
  assert.equal((await openCount(social)).count, socialBefore + 1, 'the social worker only the one to the whole circle');
  const portal = await api(server, 'GET', '/api/v1/portal', { token: nurse.token });
  assert.equal(portal.status, 200);
  assert.equal(portal.json.open_alerts ?? portal.json.counters?.open_alerts, n.count, 'portal open_alerts');
  let mine = (await api(server, 'GET', `${P}/mine?limit=200`, { token: nurse.token })).json.items.find((i) => i.id === pid);
  assert.equal(mine?.open_alerts, 2, '"mine" counts the open alerts of the patient');

  const ack = await api(server, 'POST', `${P}/${pid}/alerts/${all.json.id}/ack`, { token: nurse.token, body: {} });
  assert.equal(ack.status, 200, ack.text);
  assert.equal(ack.json.acknowledged_by_me, true);
  assert.ok(ack.json.recipients.find((r) => r.account_id === nurse.account_id).acknowledged_at, 'acknowledged_at set');
  assert.equal(ack.json.recipients.find((r) => r.account_id === social.account_id).acknowledged_at, null, 'not for the others');
  n = await openCount(nurse);
  assert.equal(n.count, nurseBefore + 1, 'one less open alert');
  assert.ok(!n.items.some((i) => i.id === all.json.id));
  const open = await api(server, 'GET', `${P}/${pid}/alerts?state=open`, { token: nurse.token });
  assert.deepEqual(open.json.items.map((i) => i.id), [chosen.json.id]);
  const every = await api(server, 'GET', `${P}/${pid}/alerts?state=all`, { token: nurse.token });
  assert.ok(every.json.items.some((i) => i.id === all.json.id), 'state=all keeps acknowledged alerts');
  assert.equal((await openCount(social)).count, socialBefore + 1, 'the social worker still has it open');
  mine = (await api(server, 'GET', `${P}/mine?limit=200`, { token: nurse.token })).json.items.find((i) => i.id === pid);
  assert.equal(mine?.open_alerts, 1);
  const portal2 = await api(server, 'GET', '/api/v1/portal', { token: nurse.token });
  assert.equal(portal2.json.open_alerts ?? portal2.json.counters?.open_alerts, n.count);

  // Recipients get an e-mail, without clinical content.
  const deadline = Date.now() + 5000;
  while (!outbox(server.db).slice(mailsBefore).some(mailTo(nurse.email)) && Date.now() < deadline) await sleep(100);
  const mails = outbox(server.db).slice(mailsBefore);
  assert.ok(mails.some(mailTo(nurse.email)), 'the nurse is told by e-mail');
  assert.ok(!mails.some((mail) => mailTexts(mail).some((t) => t.includes(secret) || t.includes('Dyspnée'))), 'no clinical content in e-mails');
  // The alert object names its patient (docs/patients.md), in every answer.
  assert.equal(n.items.find((i) => i.id === chosen.json.id)?.patient?.id, pid, 'GET /alerts: alert.patient');
  assert.equal(all.json.patient?.id, pid, 'POST …/alerts answer: alert.patient');
  assert.equal(every.json.items.find((i) => i.id === all.json.id)?.patient?.id, pid, 'GET …/alerts: alert.patient');
});

test('timeline and notebook: newest first, cursor pages without duplicates or gaps over 120 entries (even while writing), kind filter', async () => {
  const pid = (await createPatient(server, coord.token)).id;
  await addMember(server, coord.token, pid, { account_id: med.account_id, role: 'medecin_traitant' });
  const ids = [];
  for (let i = 0; i < 120; i++) {
    const fact_at = new Date(Date.now() - (120 - i) * 60000 - (i % 7) * 1000).toISOString();
    ids.push((await writeEntry(server, med.token, pid, { body: `Entrée ${i}`, fact_at, kind: i % 2 ? 'visit' : 'observation' })).id);
  }
  const al = await api(server, 'POST', `${P}/${pid}/alerts`, { token: med.token, body: { kind: 'autre', body: 'Contrôle' } });
  assert.equal(al.status, 201);

  for (const [path, key, limit] of [[`${P}/${pid}/timeline?kind=notebook`, 'ref_id', 25], [`${P}/${pid}/notebook`, 'id', 30]]) {
    const seen = [];
    let cursor = null;
    let previousAt = Infinity;
    for (let page = 0; page < 20; page++) {
      const res = await api(server, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: med.token });
      assert.equal(res.status, 200, res.text);
      assert.ok(res.json.items.length <= limit);
      for (const it of res.json.items) {
        const at = Date.parse(it.at ?? it.fact_at);
        assert.ok(at <= previousAt, `${path}: newest first (${it.at ?? it.fact_at})`);
        previousAt = at;
        seen.push(it[key]);
      }
      if (page === 1) for (let k = 0; k < 3; k++) await writeEntry(server, med.token, pid, { body: `Écrite pendant la lecture ${k}` });
      if (!res.json.next_cursor) break;
      cursor = res.json.next_cursor;
    }
    const dups = seen.filter((x, i) => seen.indexOf(x) !== i);
    assert.deepEqual(dups, [], `${path}: no duplicates`);
    assert.deepEqual(ids.filter((x) => !seen.includes(x)), [], `${path}: no gaps`);
  }
  const tl = await allPages(server, med.token, `${P}/${pid}/timeline`);
  assert.ok(tl.some((i) => i.kind === 'alert' && i.ref_id === al.json.id), 'alerts are in the timeline');
  assert.ok(tl.some((i) => i.kind === 'circle'), 'circle changes are in the timeline');
  for (const kind of ['notebook', 'alert', 'circle']) {
    const items = await allPages(server, med.token, `${P}/${pid}/timeline?kind=${kind}`);
    assert.ok(items.length > 0 && items.every((i) => i.kind === kind), `kind=${kind} filter`);
  }
  const visits = await allPages(server, med.token, `${P}/${pid}/notebook?kind=visit`);
  assert.equal(visits.length, 60);

  // Many entries at the very same fact_at: pages still neither repeat nor skip.
  const at = new Date(Date.now() - 3 * 3600e3).toISOString();
  const same = [];
  for (let i = 0; i < 35; i++) same.push((await writeEntry(server, med.token, pid, { body: `Relevé ${i}`, fact_at: at })).id);
  for (const [path, key] of [[`${P}/${pid}/notebook`, 'id'], [`${P}/${pid}/timeline?kind=notebook`, 'ref_id']]) {
    const items = await allPages(server, med.token, path, { limit: 7 });
    const seen = items.map((i) => i[key]);
    assert.equal(seen.length, new Set(seen).size, `${path}: no duplicates among equal times`);
    assert.deepEqual(same.filter((x) => !seen.includes(x)), [], `${path}: no gaps among equal times`);
  }
});

test('"mine": unread count per patient goes to 0 once the timeline is read; newest activity first', async () => {
  const a = await createPatient(server, coord.token);
  const b = await createPatient(server, coord.token);
  for (const x of [a, b]) {
    await addMember(server, coord.token, x.id, { account_id: nurse.account_id, role: 'infirmier' });
    await addMember(server, coord.token, x.id, { account_id: med.account_id, role: 'medecin_traitant' });
  }
  await api(server, 'GET', `${P}/${a.id}/timeline`, { token: nurse.token });
  for (let i = 0; i < 3; i++) await writeEntry(server, med.token, a.id, { body: `Nouvelle ${i}` });
  await writeEntry(server, med.token, b.id, { body: 'Plus récente' });
  let items = (await api(server, 'GET', `${P}/mine?limit=200`, { token: nurse.token })).json.items;
  const ia = items.find((i) => i.id === a.id);
  const ib = items.find((i) => i.id === b.id);
  assert.ok(ia.unread >= 3, `unread after three new entries: ${JSON.stringify(ia)}`);
  assert.equal(ia.role, 'infirmier');
  assert.equal(ia.referent, false);
  assert.ok(items.indexOf(ib) < items.indexOf(ia), 'the patient with the latest activity comes first');
  for (let i = 1; i < items.length; i++) {
    assert.ok(Date.parse(items[i - 1].last_activity_at) >= Date.parse(items[i].last_activity_at), 'ordered by last activity');
  }
  const tl = await api(server, 'GET', `${P}/${a.id}/timeline`, { token: nurse.token });
  assert.equal(tl.status, 200);
  items = (await api(server, 'GET', `${P}/mine?limit=200`, { token: nurse.token })).json.items;
  assert.equal(items.find((i) => i.id === a.id).unread, 0, 'read');
  assert.ok(items.find((i) => i.id === b.id).unread >= 1, 'the other patient is still unread');
  // A social worker does not count health entries as unread.
  await addMember(server, coord.token, a.id, { account_id: social.account_id, role: 'assistante_sociale' });
  await api(server, 'GET', `${P}/${a.id}/timeline`, { token: social.token });
  await writeEntry(server, med.token, a.id, { visibility: 'health', body: 'Traitement modifié' });
  const s = (await api(server, 'GET', `${P}/mine?limit=200`, { token: social.token })).json.items.find((i) => i.id === a.id);
  assert.equal(s.unread, 0, 'health entries are not counted for a social worker');
  // Paging "mine": the same patients, in the same order, without repeats.
  const one = await api(server, 'GET', `${P}/mine?limit=1`, { token: nurse.token });
  assert.equal(one.json.items.length, 1);
  assert.ok(one.json.next_cursor, 'next_cursor with more patients');
  const whole = (await api(server, 'GET', `${P}/mine?limit=200`, { token: nurse.token })).json.items.map((i) => i.id);
  const paged = (await allPages(server, nurse.token, `${P}/mine`, { limit: 2 })).map((i) => i.id);
  assert.ok(whole.length >= 4, `the nurse follows several patients (${whole.length})`);
  assert.deepEqual(paged, whole, 'pages of 2 give the whole list');
  const big = await api(server, 'GET', `${P}/mine?limit=201`, { token: nurse.token });
  if (big.status !== 200) assertProblem(big, 422, 'invalid-field', 'limit over 200');
});

test('break-the-glass: reason checked, not for operators, access logged with the reason, the referent alerted', async () => {
  const x = await createPatient(server, coord.token);
  await writeEntry(server, coord.token, x.id, { body: 'Suivi à domicile organisé' });
  const url = `${P}/${x.id}`;
  assertProblem(await api(server, 'GET', url, { token: outsider.token }), 404, 'not-found', 'before');
  for (const reason of ['', 'trop court !!', 'Urgence vital.', 'x'.repeat(1001)]) {
    const p = assertProblem(await api(server, 'POST', `${url}/break-glass`, { token: outsider.token, body: { reason } }), 422, 'invalid-field', `reason of ${reason.length}`);
    assert.ok(fieldsOf(p).includes('reason'));
  }
  assertProblem(await api(server, 'GET', url, { token: outsider.token }), 404, 'not-found', 'a refused break-the-glass gives no access');
  const op = await api(server, 'POST', `${url}/break-glass`, { token: operator.token, body: { reason: 'Je veux juste regarder le dossier' } });
  assert.ok([403, 404].includes(op.status), `operators may not break the glass: ${op.status}`);
  assertProblem(await api(server, 'GET', `${url}/notebook`, { token: operator.token }), 404, 'not-found', 'operator still has no clinical access');

  const reason = 'Patient aux urgences, inconscient, traitement en cours inconnu';
  const mailsBefore = outbox(server.db).length;
  const bg = await api(server, 'POST', `${url}/break-glass`, { token: outsider.token, body: { reason } });
  assert.equal(bg.status, 201, bg.text);
  assert.equal(bg.json.reason, reason);
  assert.ok(Math.abs(Date.parse(bg.json.until) - Date.now() - 4 * 3600e3) < 300e3, `4 hours: ${bg.json.until}`);
  const read = await api(server, 'GET', url, { token: outsider.token });
  assert.equal(read.status, 200, read.text);
  assert.equal(read.json.access.via, 'break_glass');
  assert.equal(Date.parse(read.json.access.break_glass_until), Date.parse(bg.json.until));
  assert.equal((await api(server, 'GET', `${url}/notebook`, { token: outsider.token })).status, 200);
  const since = auditMaxSeq(server.db);
  await api(server, 'GET', `${url}/timeline`, { token: outsider.token });
  assert.ok(auditCount(server.db, since, { actor: outsider.account_id, targetId: x.id, outcome: 'success', via: 'break_glass' }) >= 1,
    'reads during break-the-glass are audited with via break_glass');
  assert.ok(auditCount(server.db, 0, { actor: outsider.account_id, targetId: x.id, like: `%${reason.slice(0, 30)}%` }) >= 1,
    'the reason is in the audit trail');

  const log = await api(server, 'GET', `${url}/access-log`, { token: coord.token });
  assert.equal(log.status, 200, log.text);
  const mineLog = log.json.items.filter((i) => i.actor?.account_id === outsider.account_id);
  assert.ok(mineLog.some((i) => i.via === 'break_glass' && i.reason === reason), `the access log shows the access and its reason: ${JSON.stringify(mineLog.slice(0, 3))}`);
  assert.ok(mineLog.some((i) => i.outcome === 'denied'), 'the refused reads before are in the log too');
  for (let i = 1; i < log.json.items.length; i++) assert.ok(log.json.items[i - 1].seq > log.json.items[i].seq, 'newest first');
  assert.equal((await api(server, 'GET', `${url}/access-log`, { token: operator.token })).status, 200, 'operators read the access log');
  await addMember(server, coord.token, x.id, { account_id: nurse.account_id, role: 'infirmier' });
  assertProblem(await api(server, 'GET', `${url}/access-log`, { token: nurse.token }), 403, 'forbidden', 'a member who is neither referent nor coordinator');
  const small = await api(server, 'GET', `${url}/access-log?limit=2`, { token: coord.token });
  assert.equal(small.json.items.length, 2);
  const next = await api(server, 'GET', `${url}/access-log?limit=2&before=${small.json.next_before}`, { token: coord.token });
  assert.ok(next.json.items.every((i) => i.seq < small.json.items[1].seq), 'before= pages backwards');

  const access = await allPages(server, coord.token, `${url}/timeline?kind=access`);
  assert.ok(access.some((i) => i.kind === 'access' && i.author?.account_id === outsider.account_id), 'the break-the-glass is in the timeline (kind access)');
  const alerts = await api(server, 'GET', `${url}/alerts?state=open`, { token: coord.token });
  const bdg = alerts.json.items.find((a) => a.kind === 'bris_de_glace');
  assert.ok(bdg, `the referent has a bris_de_glace alert: ${JSON.stringify(alerts.json.items.map((a) => a.kind))}`);
  assert.equal(bdg.for_me, true);
  const deadline = Date.now() + 5000;
  while (!outbox(server.db).slice(mailsBefore).some(mailTo(coord.email)) && Date.now() < deadline) await sleep(100);
  assert.ok(outbox(server.db).slice(mailsBefore).some(mailTo(coord.email)), 'and an e-mail');
  assert.ok(!outbox(server.db).slice(mailsBefore).some((m) => mailTexts(m).some((t) => t.includes('Suivi à domicile organisé'))), 'without clinical content');

  // Four hours later (moved back in the database), the access is over.
  sql(server.db, `UPDATE break_glass SET until_at = ${(Date.now() - 1000) * 1000} WHERE account_id = '${outsider.account_id}' AND patient_id = '${x.id}'`);
  assertProblem(await api(server, 'GET', url, { token: outsider.token }), 404, 'not-found', 'after the 4 hours');
  assertProblem(await api(server, 'GET', `${url}/notebook`, { token: outsider.token }), 404, 'not-found', 'after the 4 hours');
});

test('patient routes need a full session, and the CSRF header with the cookie', async () => {
  const first = await api(server, 'POST', '/api/v1/auth/login', { body: { email: nurse.email, password: nurse.password } });
  assert.equal(first.status, 200, first.text);
  assert.equal((await api(server, 'GET', `${P}/mine`, { token: first.json.pending_token })).status, 401, 'password only: 401');
  assert.equal((await api(server, 'GET', `${P}/${pt.id}`, { token: first.json.pending_token })).status, 401);
  const { jar, csrf } = await cookieLogin(server, med.email, med.password, med.totp_secret);
  const read = await cookieApi(server, jar, 'GET', `${P}/${pt.id}/notebook`);
  assert.equal(read.status, 200, read.text);
  assertProblem(await cookieApi(server, jar, 'POST', nb(), { body: entryBody() }), 403, 'csrf', 'cookie without X-CSRF-Token');
  assertProblem(await cookieApi(server, jar, 'POST', `${P}/${pt.id}/alerts`, { body: { kind: 'autre', body: 'x' }, csrf: 'faux' }), 403, 'csrf', 'wrong token');
  const ok = await cookieApi(server, jar, 'POST', nb(), { body: entryBody({ body: 'Écrit depuis le navigateur' }), csrf });
  assert.equal(ok.status, 201, ok.text);
});

test('a removed member replaying an old request gets 404 (and so does an opposed one); refusals are audited', async () => {
  const x = await createPatient(server, coord.token);
  const nurse2 = await newProfessional(server, operator.token, { profession_code: '60', profession_label: 'Infirmier' });
  const m = await addMember(server, coord.token, x.id, { account_id: nurse2.account_id, role: 'infirmier' });
  const s = await addMember(server, coord.token, x.id, { account_id: social.account_id, role: 'assistante_sociale' });
  const requests = [
    ['GET', `${P}/${x.id}`], ['GET', `${P}/${x.id}/notebook`], ['GET', `${P}/${x.id}/timeline`], ['GET', `${P}/${x.id}/circle`],
    ['POST', `${P}/${x.id}/notebook`, entryBody({ body: 'Passage du soir' })],
  ];
  for (const [method, url, body] of requests) {
    const r = await api(server, method, url, { token: nurse2.token, body });
    assert.ok(r.status === 200 || r.status === 201, `while a member: ${method} ${url} → ${r.status} ${r.text.slice(0, 200)}`);
  }
  const ended = await api(server, 'PATCH', `${P}/${x.id}/circle/${m.id}`, { token: coord.token, body: { end: new Date().toISOString() }, headers: { 'if-match': String(m.version) } });
  assert.equal(ended.status, 200, ended.text);
  assert.equal(ended.json.status, 'ended');
  const opp = await api(server, 'POST', `${P}/${x.id}/circle/${s.id}/opposition`, { token: coord.token, body: { how: 'ecrit', reason: 'Refus du patient' } });
  assert.equal(opp.status, 200, opp.text);
  assert.equal(opp.json.status, 'opposed');
  const since = auditMaxSeq(server.db);
  for (const who of [nurse2, social]) {
    for (const [method, url, body] of requests) {
      assertProblem(await api(server, method, url, { token: who.token, body }), 404, 'not-found', `${who.email} replays ${method} ${url}`);
    }
    assert.ok(auditCount(server.db, since, { actor: who.account_id, targetId: x.id, outcome: 'denied' }) >= requests.length, 'each refusal is audited');
    const mine = await api(server, 'GET', `${P}/mine?limit=200`, { token: who.token });
    assert.ok(!mine.json.items.some((i) => i.id === x.id), 'no longer in "mine"');
  }
  // An unknown id answers exactly the same.
  const unknown = await api(server, 'GET', `${P}/01890000-0000-7000-8000-000000000000`, { token: nurse2.token });
  const known = await api(server, 'GET', `${P}/${x.id}`, { token: nurse2.token });
  assert.equal(unknown.json.title, known.json.title);
  assert.equal(unknown.json.detail, known.json.detail);
});

test('`cordee audit verify` still holds after all this', async () => {
  const v = auditVerify(server.db);
  assert.equal(v.code, 0, v.output);
  const res = await api(server, 'GET', '/api/v1/audit/verify', { token: operator.token });
  assert.equal(res.json.ok, true, res.text);
  const n = Number(auditCount(server.db, 0, { targetType: 'patient' }));
  assert.ok(n > 100, `patient reads and writes are in the audit trail (${n})`);
});

test('text is NFC-normalised; odd ids, cursors and types get a 4xx problem, never a 5xx', async () => {
  const nfd = 'Pre\u0301vention des chutes, e\u0301ducation the\u0301rapeutique';
  const e = await writeEntry(server, nurse.token, pt.id, { body: nfd });
  assert.equal(e.body, nfd.normalize('NFC'), 'notebook body stored NFC');
  const al = await api(server, 'POST', `${P}/${pt.id}/alerts`, { token: nurse.token, body: { kind: 'autre', body: 'Re\u0301union de concertation' } });
  assert.equal(al.status, 201, al.text);
  assert.equal(al.json.body, 'Réunion de concertation'.normalize('NFC'), 'alert body stored NFC');

  const odd = [
    ['GET', `${P}/pas-un-uuid`], ['GET', `${P}/pas-un-uuid/notebook`], ['GET', `${P}/${pt.id}/attachments/pas-un-uuid`],
    ['POST', `${P}/${pt.id}/notebook/pas-un-uuid/corrections`, entryBody(), { 'if-match': '1' }],
    ['POST', `${P}/${pt.id}/alerts/pas-un-uuid/ack`, {}],
    ['PATCH', `${P}/${pt.id}/circle/pas-un-uuid`, { role: 'autre' }, { 'if-match': '1' }],
    ['GET', `${P}/${pt.id}/notebook?cursor=%00%ff-garbage`], ['GET', `${P}/${pt.id}/timeline?cursor=zzz`],
    ['GET', `${P}/mine?cursor=zzz`], ['GET', `${P}/${pt.id}/access-log?before=abc`],
    ['GET', `${P}/${pt.id}/notebook?limit=-5`], ['GET', `${P}/${pt.id}/timeline?kind=rumeur`],
    ['POST', P, { birth_name: 12, birth_first_names: ['x'], birth_date: 19480312, sex: true }],
    ['POST', `${P}/${pt.id}/notebook`, { kind: 'observation', visibility: 'circle', body: { text: 'x' } }],
    ['POST', `${P}/${pt.id}/notebook`, { kind: 'observation', visibility: 'circle', body: 'x', vitals: [120, 80] }],
    ['PATCH', `${P}/${pt.id}`, { phone: 33 }, { 'if-match': 'abc' }],
    ['PATCH', `${P}/${pt.id}`, { nouveau_champ: 'x' }, { 'if-match': String(pt.version) }],
    ['POST', `${P}/${pt.id}/break-glass`, { reason: 42 }],
    ['POST', `${P}/${pt.id}/alerts`, { kind: 'chute', body: 'x', recipients: 'tous' }],
  ];
  for (const [method, url, body, headers] of odd) {
    const res = await api(server, method, url, { token: nurse.token, body, headers });
    assert.ok(res.status >= 400 && res.status < 500, `${method} ${url} ${JSON.stringify(body ?? '')} → ${res.status} ${res.text.slice(0, 200)}`);
    assert.match(res.headers.get('content-type') || '', /problem\+json/, `${method} ${url}`);
  }
  const unknownField = await api(server, 'PATCH', `${P}/${pt.id}`, { token: nurse.token, body: { nouveau_champ: 'x' }, headers: { 'if-match': '999' } });
  assert.ok([409, 422].includes(unknownField.status), `unknown field: ${unknownField.status}`);
});
