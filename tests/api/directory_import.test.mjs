// `cordee import rpps|finess FILE`: summary counts, rejected lines named by number, unusable files refused with
// nothing changed, re-import (updated / deactivated, local structures untouched), then the imported entries
// read back through the API. Fixtures: tests/fixtures/directory/ (README.md there says what each file holds).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { api, binary, freshDatabase, repoRoot, runCli, startServer } from '../lib/server.mjs';
import { demoLogin } from '../lib/flows.mjs';

const FIX = join(repoRoot, 'tests', 'fixtures', 'directory');
const fx = (name) => join(FIX, name);

// Runs `cordee import KIND FILE` on db; { code, stdout, stderr, summary } (summary parsed from the last line).
export function importCli(kind, file, db) {
  const args = ['import', kind, file, '--data', db.dataDir];
  if (db.databaseUrl) args.push('--database', db.databaseUrl);
  const r = spawnSync(binary, args, { encoding: 'utf8', timeout: 120000 });
  const lines = (r.stdout || '').trim().split('\n');
  const last = lines[lines.length - 1] || '';
  const m = last.match(/^Import (rpps|finess) terminé : lues (\d+), créées (\d+), mises à jour (\d+), désactivées (\d+), rejetées (\d+)\.$/);
  const summary = m ? { kind: m[1], read: +m[2], created: +m[3], updated: +m[4], deactivated: +m[5], rejected: +m[6] } : null;
  return { code: r.status, signal: r.signal, stdout: r.stdout || '', stderr: r.stderr || '', summary, last };
}

function assertImported(r, expected, what) {
  const where = `${what}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr.slice(0, 2000)}`;
  assert.equal(r.code, 0, where);
  assert.ok(r.summary, `the last stdout line is the summary (${JSON.stringify(r.last)}) ${where}`);
  assert.deepEqual(r.summary, expected, where);
}

function assertRefused(r, what, pattern = /./) {
  const where = `${what}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.equal(r.code, 1, `exit 1 ${where}`);
  assert.equal(r.summary, null, `no summary line ${where}`);
  assert.doesNotMatch(r.stdout, /terminé/, where);
  // A clear French message: a sentence in French, no C++ exception text or stack.
  assert.match(r.stderr, /fichier|Fichier/, `French message naming the file ${where}`);
  assert.match(r.stderr, pattern, where);
  assert.doesNotMatch(r.stderr, /std::|terminate called|what\(\)|Segmentation|Abort/i, where);
}

const fold = (s) => String(s ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
const near = (a, b, tol = 0.01) => typeof a === 'number' && Math.abs(a - b) <= tol;

async function search(server, token, params) {
  const qs = new URLSearchParams({ per_page: '50', ...params }).toString();
  const res = await api(server, 'GET', '/api/v1/directory/search?' + qs, { token });
  assert.equal(res.status, 200, `search ${qs}: ${res.text}`);
  return res.json;
}
// The id of the structure with this FINESS number, among the search results of the queries.
async function findByFiness(server, token, queries, finess, required = true) {
  for (const q of queries) {
    const r = await search(server, token, { q, kind: 'structure' });
    for (const i of r.items) {
      const full = (await api(server, 'GET', `/api/v1/directory/structures/${i.id}`, { token })).json;
      if (full?.finess === finess) return i.id;
    }
  }
  if (required) assert.fail(`no structure with FINESS ${finess} found by ${queries.join(' / ')}`);
  return null;
}
async function findId(server, token, q, kind, predicate = () => true) {
  const r = await search(server, token, { q, kind });
  const item = r.items.find((i) => i.kind === kind && predicate(i));
  assert.ok(item, `search ${q} (${kind}) finds it: ${JSON.stringify(r.items.slice(0, 5))}`);
  return item.id;
}

// --- pure CLI: every case on its own fresh database --------------------------------------------------

test('rpps fixture: 19 lines, 17 professionals created, none rejected; re-import of the same file changes nothing', () => {
  const db = freshDatabase();
  assertImported(importCli('rpps', fx('rpps.txt'), db),
    { kind: 'rpps', read: 19, created: 17, updated: 0, deactivated: 0, rejected: 0 }, 'first import');
  assertImported(importCli('rpps', fx('rpps.txt'), db),
    { kind: 'rpps', read: 19, created: 0, updated: 0, deactivated: 0, rejected: 0 }, 'same file again');
});

test('finess fixture (ISO-8859-1, CRLF): 13 structures created; the UTF-8 LF extraction is read too', () => {
  const db = freshDatabase();
  assertImported(importCli('finess', fx('finess.csv'), db),
    { kind: 'finess', read: 13, created: 13, updated: 0, deactivated: 0, rejected: 0 }, 'finess.csv');
  const other = freshDatabase();
  assertImported(importCli('finess', fx('finess_utf8_lf.csv'), other),
    { kind: 'finess', read: 3, created: 3, updated: 0, deactivated: 0, rejected: 0 }, 'finess_utf8_lf.csv');
});

test('truncated last line: rejected with its line number (7), the other professionals imported', () => {
  const db = freshDatabase();
  const r = importCli('rpps', fx('rpps_truncated.txt'), db);
  assertImported(r, { kind: 'rpps', read: 6, created: 3, updated: 0, deactivated: 0, rejected: 1 }, 'truncated');
  assert.match(r.stderr, /^ligne 7 : .+/m, r.stderr);
  assert.doesNotMatch(r.stderr, /^ligne [1-68] /m, 'only line 7 is named');
});

test('invalid FINESS numbers (letters, 8 characters): lines 3 and 4 rejected by number, the 2 others created', () => {
  const db = freshDatabase();
  const r = importCli('finess', fx('finess_invalid_number.csv'), db);
  assertImported(r, { kind: 'finess', read: 4, created: 2, updated: 0, deactivated: 0, rejected: 2 }, 'invalid numbers');
  assert.match(r.stderr, /^ligne 3 : .+/m, r.stderr);
  assert.match(r.stderr, /^ligne 4 : .+/m, r.stderr);
  assert.doesNotMatch(r.stderr, /^ligne [12567] /m, r.stderr);
});

test('duplicate nofinesset: the second occurrence (line 4) is rejected, one structure kept', () => {
  const db = freshDatabase();
  const r = importCli('finess', fx('finess_duplicates.csv'), db);
  assertImported(r, { kind: 'finess', read: 3, created: 2, updated: 0, deactivated: 0, rejected: 1 }, 'duplicates');
  assert.match(r.stderr, /^ligne 4 : .+/m, r.stderr);
});

test('duplicate RPPS identifier under another name on a later line (9): one professional, line 9 reported', () => {
  const db = freshDatabase();
  const r = importCli('rpps', fx('rpps_duplicates.txt'), db);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.summary, r.stdout);
  assert.equal(r.summary.read, 8);
  assert.equal(r.summary.created, 5, 'five distinct identifiers → five professionals');
  assert.match(r.stderr, /^ligne 9 : .+/m, `the conflicting line is named: ${r.stderr}`);
});

test('coordinates out of France: geolocalisation line 5 reported, no position outside France stored', async () => {
  const db = freshDatabase();
  runCli(['demo'], db);
  const r = importCli('finess', fx('finess_out_of_france.csv'), db);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.summary?.read, 2, r.stdout);
  assert.match(r.stderr, /^ligne 5 : .+/m, r.stderr);
  const server = await startServer({ db });
  try {
    const token = (await demoLogin(server, 'operator')).token;
    const id = await findByFiness(server, token, ['CH TROYES', 'centre hospitalier troyes'], '100003870', false);
    if (id) {  // kept without a position (or rejected altogether: then it is not found)
      const st = (await api(server, 'GET', `/api/v1/directory/structures/${id}`, { token })).json;
      assert.ok(st.lat === null || st.lat === undefined, `no latitude kept for the bad point: ${st.lat}`);
      assert.ok(st.lon === null || st.lon === undefined, `no longitude kept for the bad point: ${st.lon}`);
    }
    const ep = await findByFiness(server, token, ['CH EPERNAY'], '510000516');
    const st = (await api(server, 'GET', `/api/v1/directory/structures/${ep}`, { token })).json;
    assert.ok(near(st.lat, 49.04) && near(st.lon, 3.96), `the good line of the same file keeps its position: ${st.lat} ${st.lon}`);
  } finally { await server.stop(); }
});

test('unusable files → exit 1, a French message, nothing imported', () => {
  const db = freshDatabase();
  const cases = [
    ['rpps', 'empty.txt', /vide/i],
    ['finess', 'empty.txt', /vide/i],
    ['rpps', 'rpps_wrong_separator.txt', /./],
    ['rpps', 'rpps_missing_column.txt', /Nom d'exercice/],
    ['finess', 'rpps.txt', /rpps/i],
    ['rpps', 'finess.csv', /finess/i],
    ['rpps', 'inexistant.txt', /./],
  ];
  for (const [kind, file, pattern] of cases) assertRefused(importCli(kind, fx(file), db), `${kind} ${file}`, pattern);
  // Nothing was written: the first real import still creates everything.
  assertImported(importCli('rpps', fx('rpps.txt'), db),
    { kind: 'rpps', read: 19, created: 17, updated: 0, deactivated: 0, rejected: 0 }, 'after the refused files');
  assertImported(importCli('finess', fx('finess.csv'), db),
    { kind: 'finess', read: 13, created: 13, updated: 0, deactivated: 0, rejected: 0 }, 'after the refused files');
});

test('import without a kind or a file → usage error, exit ≠ 0', () => {
  const db = freshDatabase();
  const r = spawnSync(binary, ['import', 'ror', fx('rpps.txt'), '--data', db.dataDir], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, r.stdout);
  const r2 = spawnSync(binary, ['import', 'rpps', '--data', db.dataDir], { encoding: 'utf8' });
  assert.notEqual(r2.status, 0, r2.stdout);
});

// --- the full story on one demo database: import, read, refuse bad files, re-import -------------------

let db, server, operator;
const ids = {};

before(async () => {
  db = freshDatabase();
  runCli(['demo'], db);
  assertImported(importCli('finess', fx('finess.csv'), db),
    { kind: 'finess', read: 13, created: 13, updated: 0, deactivated: 0, rejected: 0 }, 'finess on the demo');
  assertImported(importCli('rpps', fx('rpps.txt'), db),
    { kind: 'rpps', read: 19, created: 17, updated: 0, deactivated: 0, rejected: 0 }, 'rpps on the demo');
  server = await startServer({ db });
  operator = await demoLogin(server, 'operator');
});
after(async () => { await server?.stop(); });

test('imported structures read by id: Lambert-93 and UTM converted to WGS84, codes and labels kept', async () => {
  const t = operator.token;
  ids.epernay = await findByFiness(server, t, ['CH EPERNAY', 'centre hospitalier epernay'], '510000516');
  ids.troyes = await findByFiness(server, t, ['CH TROYES', 'centre hospitalier troyes'], '100003870');
  const ep = await api(server, 'GET', `/api/v1/directory/structures/${ids.epernay}`, { token: t });
  assert.equal(ep.status, 200, ep.text);
  const s = ep.json;
  assert.equal(s.kind, 'structure');
  assert.equal(s.id, ids.epernay);
  assert.equal(s.finess, '510000516');
  assert.equal(s.finess_ej, '510000516');
  assert.equal(s.category_code, '355');
  assert.equal(s.category_label, 'Centre Hospitalier (C.H.)');
  assert.equal(s.postal_code, '51200');
  assert.equal(s.departement, '51');
  assert.equal(fold(s.commune), 'epernay');
  assert.equal(s.source, 'finess');
  assert.equal(s.active, true);
  assert.equal(s.siret, '26510013300016');
  assert.match(fold(s.long_name), /auban moet d'epernay/);
  assert.ok(near(s.lat, 49.04), `lat ≈ 49.04 N: ${s.lat}`);
  assert.ok(near(s.lon, 3.96), `lon ≈ 3.96 E: ${s.lon}`);

  const romilly = await findByFiness(server, t, ['EHPAD LA ROSERAIE ROMILLY', 'roseraie'], '100008994');
  const ro = (await api(server, 'GET', `/api/v1/directory/structures/${romilly}`, { token: t })).json;
  assert.equal(ro.finess, '100008994');
  assert.equal(ro.finess_ej, '100008986');
  assert.equal(ro.category_code, '500');
  assert.equal(ro.category_label, "Etablissement d'hébergement pour personnes âgées dépendantes", 'ISO-8859-1 label decoded');
  assert.ok(near(ro.lat, 48.52) && near(ro.lon, 3.73), `Romilly ≈ 48.52 N 3.73 E: ${ro.lat} ${ro.lon}`);

  const reunion = await findByFiness(server, t, ['FELIX GUYON', 'chu saint denis'], '974110017');
  const re = (await api(server, 'GET', `/api/v1/directory/structures/${reunion}`, { token: t })).json;
  assert.equal(re.finess, '974110017');
  assert.equal(re.departement, '974', 'FINESS département 9D is La Réunion, 974');
  assert.ok(near(re.lat, -20.897) && near(re.lon, 55.451), `UTM 40S → ≈ 20.90 S 55.45 E: ${re.lat} ${re.lon}`);

  const unknown = await api(server, 'GET', '/api/v1/directory/structures/00000000-0000-7000-8000-000000000000', { token: t });
  assert.equal(unknown.status, 404, unknown.text);
});

test('imported professionals read by id: RPPS and ADELI identifiers, activities one per line, accents kept', async () => {
  const t = operator.token;
  ids.martin = await findId(server, t, 'Ghislain Martin', 'professional', (i) => i.first_name === 'Ghislain');
  const res = await api(server, 'GET', `/api/v1/directory/professionals/${ids.martin}`, { token: t });
  assert.equal(res.status, 200, res.text);
  const p = res.json;
  assert.equal(p.kind, 'professional');
  assert.equal(p.id, ids.martin);
  assert.equal(p.id_type, 'RPPS');
  assert.equal(p.national_id, '810000000011');
  assert.equal(p.last_name, 'MARTIN');
  assert.equal(p.first_name, 'Ghislain');
  assert.equal(p.profession_code, '10');
  assert.equal(p.profession_label, 'Médecin');
  assert.ok(p.specialties.includes('Cardiologie et maladies vasculaires'), JSON.stringify(p.specialties));
  assert.deepEqual([...p.practice_modes].sort(), ['L', 'S']);
  assert.equal(p.active, true);
  assert.equal(p.activities.length, 2, 'two lines → two activities');
  const cab = p.activities.find((a) => a.practice_mode === 'L');
  assert.equal(cab.site_name, 'CABINET DE CARDIOLOGIE DU BOULINGRIN');
  assert.equal(cab.postal_code, '51100');
  assert.equal(cab.commune_code, '51454');
  assert.equal(cab.commune, 'Reims');
  assert.equal(cab.departement, '51');
  assert.equal(cab.phone, '0326470011');
  assert.equal(cab.email, 'ghislain.martin@medecin.mssante.fr');
  assert.equal(cab.siret, '81234567800011');
  assert.match(cab.address, /12/);
  assert.match(cab.address, /de Mars/);
  const chu = p.activities.find((a) => a.practice_mode === 'S');
  assert.equal(chu.finess_site, '510004542');
  const chuId = await findByFiness(server, t, ['CHU REIMS', 'centre hospitalier universitaire reims'], '510004542');
  assert.equal(chu.structure_id, chuId, 'the salaried activity points to the imported structure with that FINESS');

  const adeli = await findId(server, t, "d'almeida", 'professional', (i) => fold(i.last_name) === "d'almeida");
  const a = (await api(server, 'GET', `/api/v1/directory/professionals/${adeli}`, { token: t })).json;
  assert.equal(a.id_type, 'ADELI');
  assert.equal(a.national_id, '0519100011');
  assert.equal(a.last_name, "D'ALMEIDA");
  assert.equal(a.first_name, 'Inès');

  const boeuf = await findId(server, t, 'coeurderoy', 'professional');
  const b = (await api(server, 'GET', `/api/v1/directory/professionals/${boeuf}`, { token: t })).json;
  assert.equal(b.last_name, 'CŒURDEROY');
  assert.equal(b.activities[0].commune, 'Reims');

  const unknown = await api(server, 'GET', '/api/v1/directory/professionals/00000000-0000-7000-8000-000000000000', { token: t });
  assert.equal(unknown.status, 404, unknown.text);
});

test('mixed UTF-8 / ISO-8859-1 lines with CRLF: both decoded', async () => {
  const other = freshDatabase();
  runCli(['demo'], other);
  const r = importCli('rpps', fx('rpps_mixed_encoding.txt'), other);
  assertImported(r, { kind: 'rpps', read: 5, created: 3, updated: 0, deactivated: 0, rejected: 0 }, 'mixed encodings');
  const s = await startServer({ db: other });
  try {
    const t = (await demoLogin(s, 'operator')).token;
    const id = await findId(s, t, 'Hélène Lefèvre', 'professional', (i) => i.first_name === 'Hélène' && i.last_name === 'LEFÈVRE');
    const p = (await api(s, 'GET', `/api/v1/directory/professionals/${id}`, { token: t })).json;
    assert.equal(p.last_name, 'LEFÈVRE', 'the ISO-8859-1 line is decoded');
    assert.equal(p.first_name, 'Hélène');
    assert.equal(p.profession_label, 'Médecin');
    assert.equal(fold(p.activities[0].commune), 'epernay');
    assert.equal(p.activities[0].commune, 'Épernay');
    assert.ok(!/\r/.test(JSON.stringify(p)), 'no carriage return left in any field');
  } finally { await s.stop(); }
});

// Search results as a stable string (ids and names) for before/after comparisons.
async function snapshot(s, token) {
  const out = [];
  for (const q of ['martin', 'ehpad', 'epernay', 'infirmier reims', 'dubois capucine', 'roussel']) {
    const r = await search(s, token, { q });
    out.push(q + ':' + r.total + ':' + r.items.map((i) => `${i.id}/${i.name ?? i.last_name}/${i.commune}`).join(','));
  }
  return out.join('\n');
}

test('unusable files on a populated database: exit 1 and the search answers exactly as before', async () => {
  const t = operator.token;
  const beforeSnap = await snapshot(server, t);
  for (const [kind, file] of [['rpps', 'empty.txt'], ['finess', 'empty.txt'], ['rpps', 'rpps_wrong_separator.txt'],
    ['rpps', 'rpps_missing_column.txt'], ['finess', 'rpps.txt'], ['rpps', 'finess.csv']]) {
    assertRefused(importCli(kind, fx(file), db), `${kind} ${file} on the populated database`);
  }
  assert.equal(await snapshot(server, t), beforeSnap, 'search results unchanged');
});

test('re-import: updated and deactivated counts, the one who left still readable with active:false, local structures untouched', async () => {
  const t = operator.token;
  ids.dubois = await findId(server, t, 'Capucine Dubois', 'professional', (i) => i.first_name === 'Capucine');
  ids.roussel = await findId(server, t, 'Archibald Roussel', 'professional', (i) => i.first_name === 'Archibald');
  const local = await api(server, 'POST', '/api/v1/directory/structures', {
    token: t, body: { name: 'Association Vivre chez soi en Champagne', category_label: 'Association', commune: 'Reims', postal_code: '51100', phone: '0326000000' },
  });
  assert.equal(local.status, 201, local.text);
  assert.equal(local.json.source, 'local');
  const localBefore = (await api(server, 'GET', `/api/v1/directory/structures/${local.json.id}`, { token: t })).json;
  await server.stop();

  assertImported(importCli('rpps', fx('rpps_v2.txt'), db),
    { kind: 'rpps', read: 19, created: 1, updated: 2, deactivated: 1, rejected: 0 }, 'rpps v2');
  // A smaller FINESS extraction: 3 structures stay, 10 are deactivated; the local structure is not in any file.
  assertImported(importCli('finess', fx('finess_utf8_lf.csv'), db),
    { kind: 'finess', read: 3, created: 0, updated: 0, deactivated: 10, rejected: 0 }, 'finess subset');

  server = await startServer({ db });
  operator = await demoLogin(server, 'operator');
  const t2 = operator.token;
  const gone = await api(server, 'GET', `/api/v1/directory/professionals/${ids.dubois}`, { token: t2 });
  assert.equal(gone.status, 200, gone.text);
  assert.equal(gone.json.active, false);
  assert.equal(gone.json.last_name, 'DUBOIS', 'kept, not deleted');
  const moved = (await api(server, 'GET', `/api/v1/directory/professionals/${ids.roussel}`, { token: t2 })).json;
  assert.equal(moved.active, true);
  assert.equal(moved.id, ids.roussel, 'same id after the update');
  assert.equal(moved.activities.length, 1);
  assert.equal(moved.activities[0].commune, 'Troyes');
  assert.equal(moved.activities[0].postal_code, '10000');
  assert.equal(moved.activities[0].commune_code, '10387');
  const newcomer = await search(server, t2, { q: 'Faucheur Sidonie', kind: 'professional' });
  assert.ok(newcomer.items.some((i) => i.last_name === 'FAUCHEUR'), 'the newcomer is searchable');
  const localAfter = await api(server, 'GET', `/api/v1/directory/structures/${local.json.id}`, { token: t2 });
  assert.equal(localAfter.status, 200, localAfter.text);
  assert.deepEqual(localAfter.json, localBefore, 'the local structure is exactly as before');
  assert.equal(localAfter.json.active, true);
  assert.ok(ids.troyes, 'the CH de Troyes was found before the re-import');
  const troyes = await api(server, 'GET', `/api/v1/directory/structures/${ids.troyes}`, { token: t2 });
  assert.equal(troyes.status, 200, troyes.text);
  assert.equal(troyes.json?.active, false, 'a structure absent from the new FINESS file is deactivated');
  const epernay = (await api(server, 'GET', `/api/v1/directory/structures/${ids.epernay}`, { token: t2 })).json;
  assert.equal(epernay.active, true, 'a structure still in the file stays active');
});


test('a professional entered locally whose number then appears in the RPPS file is adopted: same id, national data, no twin', async () => {
  const { sql } = await import('../lib/flows.mjs');
  const { readFileSync, writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const db2 = freshDatabase();
  runCli(['demo'], db2);
  const [localId, nationalId] = sql(db2, "SELECT id, national_id FROM professionals WHERE source = 'local' ORDER BY id LIMIT 1")
    .trim().split('|');
  assert.match(nationalId, /^819\d{9}$/, 'the demo numbers start with 19');
  // MARTIN Ghislain (2 lines) now carries the local professional's number.
  const file = join(mkdtempSync(join(tmpdir(), 'cordee-adopt-')), 'rpps.txt');
  writeFileSync(file, readFileSync(fx('rpps.txt'), 'utf8').replaceAll('|10000000011|810000000011|', `|${nationalId.slice(1)}|${nationalId}|`));
  const r = importCli('rpps', file, db2);
  assertImported(r, { kind: 'rpps', read: 19, created: 16, updated: 1, deactivated: 0, rejected: 0 }, 'adoption');
  assert.match(r.stderr, /1 professionnel\(s\) saisi\(s\) localement/);
  const row = sql(db2, `SELECT id, last_name, first_name, source, (SELECT COUNT(*) FROM professional_activities a WHERE a.professional_id = p.id) FROM professionals p WHERE national_id = '${nationalId}'`).trim();
  assert.equal(row, `${localId}|MARTIN|Ghislain|rpps|2`, 'the local row holds the national data and both activities');
  // Importing again changes nothing and adopts nothing more.
  const again = importCli('rpps', file, db2);
  assertImported(again, { kind: 'rpps', read: 19, created: 0, updated: 0, deactivated: 0, rejected: 0 }, 're-import');
});
