// Directory search relevance on the demo territory + the fixtures of tests/fixtures/directory (imported with the
// CLI), filters, distance, facets, pagination, robustness against any `q`; then activities and capacities
// (rights, history, validation) on the demo's EHPAD Les Tilleuls.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { api, binary, freshDatabase, repoRoot, runCli, startServer, startDemoServer } from '../lib/server.mjs';
import { assertProblem, demoLogin } from '../lib/flows.mjs';

const FIX = join(repoRoot, 'tests', 'fixtures', 'directory');
const fold = (s) => String(s ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/œ/gi, 'oe').toLowerCase();
const label = (i) => `${i.kind}:${i.name ?? ''}|${i.first_name ?? ''} ${i.last_name ?? ''}|${i.commune}`;
const show = (r) => JSON.stringify((r.items || []).slice(0, 6).map(label));

function importFixture(kind, file, db) {
  const args = ['import', kind, join(FIX, file), '--data', db.dataDir];
  if (db.databaseUrl) args.push('--database', db.databaseUrl);
  execFileSync(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

let server, token;
before(async () => {
  const db = freshDatabase();
  runCli(['demo'], db);
  importFixture('finess', 'finess.csv', db);
  importFixture('rpps', 'rpps.txt', db);
  server = await startServer({ db });
  token = (await demoLogin(server, 'operator')).token;
});
after(async () => { await server?.stop(); });

async function search(params, tok = token) {
  const qs = new URLSearchParams(params).toString();
  const res = await api(server, 'GET', '/api/v1/directory/search?' + qs, { token: tok });
  assert.equal(res.status, 200, `search ${qs} → ${res.status} ${res.text.slice(0, 300)}`);
  assertShape(res.json, qs);
  return res.json;
}
function assertShape(r, what) {
  assert.ok(Number.isInteger(r.total) && r.total >= 0, `total ${what}`);
  assert.ok(Array.isArray(r.items), `items ${what}`);
  assert.ok(r.items.length <= r.per_page, `at most per_page items ${what}`);
  assert.ok(r.facets && r.facets.kind, `facets ${what}`);
  for (const i of r.items) {
    assert.ok(i.kind === 'professional' || i.kind === 'structure', `kind ${what}`);
    assert.equal(typeof i.id, 'string');
    assert.equal(typeof i.score, 'number');
  }
}
const isPro = (first, last) => (i) => i.kind === 'professional' && i.first_name === first && i.last_name === last;
const isStruct = (re) => (i) => i.kind === 'structure' && re.test(fold(i.name));

// The search index follows writes through the change log: a write shows in search results within a moment.
async function eventually(check, what, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    try { return await check(); } catch (e) {
      if (Date.now() > end) { e.message = `${what} (still failing after ${ms} ms): ${e.message}`; throw e; }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectFirst(params, predicate, what) {
  const r = await search(params);
  assert.ok(r.items.length > 0, `${what}: no result`);
  assert.ok(predicate(r.items[0]), `${what}: first is ${label(r.items[0])}; top: ${show(r)}`);
  return r;
}
async function expectAmong(params, predicate, n, what) {
  const r = await search({ per_page: '50', ...params });
  const at = r.items.findIndex(predicate);
  assert.ok(at >= 0 && at < n, `${what}: expected in the first ${n}, found at ${at}; top: ${show(r)}`);
  return r;
}

describe('relevance', () => {
  test('full name, either order, any case', async () => {
    await expectFirst({ q: 'ghislain martin' }, isPro('Ghislain', 'MARTIN'), 'ghislain martin');
    await expectFirst({ q: 'MARTIN Ghislain' }, isPro('Ghislain', 'MARTIN'), 'MARTIN Ghislain');
  });
  test('prefix of a rare first name', async () => {
    await expectFirst({ q: 'ghisl' }, isPro('Ghislain', 'MARTIN'), 'ghisl');
  });
  test('accents ignored both ways', async () => {
    await expectAmong({ q: 'helene lefevre' }, isPro('Hélène', 'LEFÈVRE'), 5, 'helene lefevre');
    await expectFirst({ q: 'étienne grandjean' }, isPro('Étienne', 'GRANDJEAN'), 'étienne grandjean');
    await expectFirst({ q: 'etienne GRANDJEAN' }, isPro('Étienne', 'GRANDJEAN'), 'etienne GRANDJEAN');
    await expectFirst({ q: 'aissatou' }, isPro('Aïssatou', "N'DIAYE"), 'aissatou');
  });
  test('ligature Œ matches "oe"', async () => {
    await expectFirst({ q: 'coeurderoy' }, isPro('Benoît', 'CŒURDEROY'), 'coeurderoy');
    await expectFirst({ q: 'Cœurderoy' }, isPro('Benoît', 'CŒURDEROY'), 'Cœurderoy');
  });
  test('apostrophes and hyphens', async () => {
    await expectFirst({ q: "d'almeida" }, isPro('Inès', "D'ALMEIDA"), "d'almeida");
    await expectAmong({ q: 'almeida' }, isPro('Inès', "D'ALMEIDA"), 1, 'almeida');
    await expectFirst({ q: "n'diaye aissatou" }, isPro('Aïssatou', "N'DIAYE"), "n'diaye aissatou");
    await expectFirst({ q: 'dupont-morel' }, isPro('Anne-Sophie', 'DUPONT-MOREL'), 'dupont-morel');
    await expectFirst({ q: 'dupont morel' }, isPro('Anne-Sophie', 'DUPONT-MOREL'), 'dupont morel');
    await expectFirst({ q: 'morel anne-sophie' }, isPro('Anne-Sophie', 'DUPONT-MOREL'), 'morel anne-sophie');
  });
  test('one typo in a word of 5+ letters', async () => {
    await expectFirst({ q: 'grandjian' }, isPro('Étienne', 'GRANDJEAN'), 'grandjian (substitution)');
    await expectFirst({ q: 'petitjan marc' }, isPro('Marc', 'PETITJEAN'), 'petitjan (deletion)');
    await expectFirst({ q: 'schneidder' }, isPro('Claire', 'SCHNEIDER'), 'schneidder (insertion)');
  });
  test('one typo in the word being typed (a prefix) is forgiven too', async () => {
    await expectFirst({ q: 'ehpad marronie' }, isStruct(/marronniers/), 'marronie (a letter missing in the prefix)');
    await expectFirst({ q: 'grandjia' }, isPro('Étienne', 'GRANDJEAN'), 'grandjia (a wrong letter in the prefix)');
    await expectFirst({ q: 'ehpad capuicn' }, isStruct(/capucins/), 'capuicn (two letters swapped in the prefix)');
    // Not in a word already typed: "marronie ehpad" wants "marronie" as a whole word (one typo away: none).
    const r = await search({ q: 'marronie ehpad' });
    assert.ok(!r.items.some(isStruct(/marronniers/)), `a finished word is not a prefix: ${show(r)}`);
  });
  test('no typo tolerance on short words: "marc" does not match "mars"-like noise, a 2-typo word finds nothing', async () => {
    const r = await search({ q: 'grxndjixn' });
    assert.ok(!r.items.some(isPro('Étienne', 'GRANDJEAN')), `two typos: ${show(r)}`);
  });
  test('"cardilogie" (typo) finds the cardiologists, and only them', async () => {
    const r = await search({ q: 'cardilogie', kind: 'professional', per_page: '50' });
    assert.ok(r.items.some(isPro('Ghislain', 'MARTIN')), show(r));
    assert.ok(r.items.some(isPro('Ève', 'BERNARD')), show(r));
    for (const i of r.items) assert.match(fold(i.specialty), /cardio/, label(i));
  });
  test('profession + commune: "cardiologie reims" puts the Reims cardiologist before the Troyes one', async () => {
    const r = await search({ q: 'cardiologie reims', per_page: '50' });
    const reims = r.items.findIndex(isPro('Ghislain', 'MARTIN'));
    assert.ok(reims >= 0, show(r));
    const troyes = r.items.findIndex(isPro('Ève', 'BERNARD'));
    assert.ok(troyes === -1 || troyes > reims, show(r));
  });
  test('"kiné 10000": kinés of postal code 10000 only', async () => {
    const r = await search({ q: 'kiné 10000', per_page: '50' });
    assert.ok(r.items.some(isPro('Étienne', 'GRANDJEAN')), show(r));
    assert.ok(!r.items.some(isPro('Maëlle', 'LE GOFF')), 'the Brest kiné is not in 10000');
    for (const i of r.items.filter((x) => x.kind === 'professional')) {
      assert.equal(i.postal_code, '10000', label(i));
      assert.match(fold(i.profession_label), /kine/, label(i));
    }
  });
  test('"dr martin 51": the Marne Dr Martin, nobody outside the 51', async () => {
    const r = await search({ q: 'dr martin 51', per_page: '50' });
    assert.ok(r.items.some(isPro('Ghislain', 'MARTIN')), show(r));
    for (const i of r.items) assert.ok(i.departement === '51' || String(i.postal_code).startsWith('51'), label(i));
  });
  test('structure names with a prefix: "ehpad chal" → EHPAD Les Capucins in Châlons', async () => {
    const r = await expectAmong({ q: 'ehpad chal' }, isStruct(/capucins/), 2, 'ehpad chal');
    for (const i of r.items.filter((x) => x.kind === 'structure')) assert.match(fold(i.commune), /chalons/, label(i));
  });
  test('structures: "felix guyon", "hopitaux universitaires strasbourg", "ch epernay"', async () => {
    await expectFirst({ q: 'felix guyon' }, isStruct(/felix guyon/), 'felix guyon');
    await expectFirst({ q: 'hopitaux universitaires strasbourg' }, (i) => i.kind === 'structure' && fold(i.commune).includes('strasbourg'), 'HUS');
    await expectAmong({ q: 'ch epernay', kind: 'structure' }, (i) => /epernay/.test(fold(i.name)) && i.category_label === 'Centre Hospitalier (C.H.)', 2, 'ch epernay');
  });
  test('a query matching nothing gives an empty list with total 0', async () => {
    const r = await search({ q: 'zzyzxquorble' });
    assert.equal(r.total, 0);
    assert.deepEqual(r.items, []);
  });
});

describe('filters, facets, pagination', () => {
  test('kind filter', async () => {
    const s = await search({ q: 'reims', kind: 'structure', per_page: '50' });
    assert.ok(s.items.length > 0);
    assert.ok(s.items.every((i) => i.kind === 'structure'), show(s));
    const p = await search({ q: 'reims', kind: 'professional', per_page: '50' });
    assert.ok(p.items.length > 0);
    assert.ok(p.items.every((i) => i.kind === 'professional'), show(p));
  });
  test('facets of "strasbourg": exactly 2 professionals (10, 92) and 1 structure, all in the 67', async () => {
    const r = await search({ q: 'strasbourg' });
    assert.equal(r.total, 3, show(r));
    assert.deepEqual(r.facets.kind, { professional: 2, structure: 1 });
    const prof = Object.fromEntries(r.facets.profession.map((f) => [f.code, f.count]));
    assert.deepEqual(prof, { 10: 1, 92: 1 });
    assert.deepEqual(r.facets.departement.map((f) => [f.code, f.count]), [['67', 3]]);
    assert.equal(r.facets.profession.find((f) => f.code === '92').label, 'Orthoptiste');
  });
  test('a facet ignores its own filter: choosing a profession still counts the others', async () => {
    const all = await search({ q: 'strasbourg' });
    const one = await search({ q: 'strasbourg', profession: '10' });
    assert.equal(one.total, 1, show(one));
    const prof = Object.fromEntries(one.facets.profession.map((f) => [f.code, f.count]));
    assert.deepEqual(prof, { 10: 1, 92: 1 }, 'the orthoptist is still offered');
    assert.deepEqual(one.facets.kind, { professional: 1, structure: 0 }, 'other facets follow the profession filter');
    const onlyStructures = await search({ q: 'strasbourg', kind: 'structure' });
    assert.deepEqual(onlyStructures.facets.kind, all.facets.kind, 'the kind facet ignores the kind filter');
  });
  test('facets count the whole result set, not the page', async () => {
    const r = await search({ q: 'infirmier', per_page: '1' });
    assert.ok(r.total > 1, 'several nurses');
    const byKind = r.facets.kind.professional + r.facets.kind.structure;
    assert.equal(byKind, r.total);
    const sumDep = r.facets.departement.reduce((n, f) => n + f.count, 0);
    assert.ok(sumDep <= r.total && sumDep > 1, `departement facet counts ${sumDep} of ${r.total}`);
  });
  test('profession filter', async () => {
    const r = await search({ q: 'kine', profession: '70', per_page: '50' });
    assert.ok(r.items.some(isPro('Étienne', 'GRANDJEAN')));
    assert.ok(r.items.some(isPro('Maëlle', 'LE GOFF')));
    assert.ok(r.items.every((i) => i.profession_code === '70'), show(r));
    const none = await search({ q: 'grandjean', profession: '60' });
    assert.ok(!none.items.some(isPro('Étienne', 'GRANDJEAN')), 'a kiné is not a nurse');
  });
  test('departement, commune and postal code filters', async () => {
    const d = await search({ q: 'infirmier', departement: '10', per_page: '50' });
    assert.ok(d.items.some(isPro('Lucas', 'MARTINEZ')), show(d));
    assert.ok(d.items.every((i) => i.departement === '10'), show(d));
    const c = await search({ q: 'infirmier', commune: 'Troyes', per_page: '50' });
    assert.ok(c.items.some(isPro('Lucas', 'MARTINEZ')), show(c));
    assert.ok(c.items.every((i) => fold(i.commune) === 'troyes'), show(c));
    const p = await search({ q: 'medecin', postal_code: '51200', per_page: '50' });
    assert.ok(p.items.some(isPro('Hélène', 'LEFÈVRE')), show(p));
    assert.ok(p.items.every((i) => i.postal_code === '51200'), show(p));
  });
  test('practice mode filter (any of the professional\'s activities)', async () => {
    const b = await search({ q: "n'diaye", practice_mode: 'B' });
    assert.ok(b.items.some(isPro('Aïssatou', "N'DIAYE")), 'her second activity is bénévole');
    const s = await search({ q: 'ghislain', practice_mode: 'S' });
    assert.ok(s.items.some(isPro('Ghislain', 'MARTIN')));
    const none = await search({ q: 'ghislain', practice_mode: 'B' });
    assert.equal(none.items.filter(isPro('Ghislain', 'MARTIN')).length, 0);
  });
  test('specialty filter (text)', async () => {
    const r = await search({ q: 'martin', specialty: 'cardiologie', per_page: '50' });
    assert.ok(r.items.some(isPro('Ghislain', 'MARTIN')), show(r));
    assert.ok(r.items.every((i) => /cardio/.test(fold(i.specialty))), show(r));
  });
  test('pagination: pages do not overlap, the total stays, past the end is empty', async () => {
    const p1 = await search({ q: 'infirmier', per_page: '3', page: '1' });
    const p2 = await search({ q: 'infirmier', per_page: '3', page: '2' });
    assert.equal(p1.page, 1);
    assert.equal(p2.page, 2);
    assert.equal(p1.per_page, 3);
    assert.equal(p1.items.length, 3);
    assert.equal(p1.total, p2.total);
    const ids1 = new Set(p1.items.map((i) => i.id));
    assert.ok(p2.items.every((i) => !ids1.has(i.id)), 'no overlap');
    const all = await search({ q: 'infirmier', per_page: '50' });
    assert.deepEqual([...p1.items, ...p2.items].map((i) => i.id), all.items.slice(0, 6).map((i) => i.id), 'pages follow the same order');
    const past = await search({ q: 'infirmier', per_page: '50', page: '1000' });
    assert.deepEqual(past.items, []);
    assert.equal(past.total, p1.total);
  });
  test('per_page default 20, at most 50', async () => {
    const d = await search({ q: 'infirmier' });
    assert.equal(d.per_page, 20);
    const res = await api(server, 'GET', '/api/v1/directory/search?q=infirmier&per_page=500', { token });
    assert.ok(res.status === 422 || (res.status === 200 && res.json.per_page <= 50 && res.json.items.length <= 50), `${res.status} ${res.text.slice(0, 200)}`);
  });
});

describe('distance', () => {
  // EHPAD Les Capucins (Châlons-en-Champagne) is at 48.9562 N, 4.3598 E; the CH d'Épernay at ≈ 49.04 N, 3.96 E.
  test('radius filter and distance_km: the Châlons EHPAD first, nothing beyond the radius', async () => {
    const r = await search({ q: 'ehpad', kind: 'structure', lat: '48.9562', lon: '4.3598', radius_km: '30', per_page: '50' });
    assert.ok(r.items.length > 0);
    assert.ok(isStruct(/capucins/)(r.items[0]), show(r));
    assert.ok(r.items[0].distance_km < 1, `distance to itself ${r.items[0].distance_km}`);
    for (const i of r.items) {
      assert.equal(typeof i.distance_km, 'number', label(i));
      assert.ok(i.distance_km <= 30, `${label(i)} at ${i.distance_km} km`);
    }
    assert.ok(!r.items.some(isStruct(/roseraie/)), 'Romilly (≈ 75 km) is out');
    assert.ok(!r.items.some(isStruct(/val des champs/)), 'Sézanne (≈ 55 km) is out');
  });
  test('distances are right: Épernay → CHU de Reims ≈ 23 km', async () => {
    const r = await search({ q: 'centre hospitalier', kind: 'structure', lat: '49.0400', lon: '3.9600', radius_km: '40', per_page: '50' });
    const chu = r.items.find((i) => /reims/.test(fold(i.commune)) && /universitaire|chu/.test(fold(i.name)));
    assert.ok(chu, show(r));
    assert.ok(chu.distance_km > 20 && chu.distance_km < 27, `Épernay → CHU Reims ${chu.distance_km} km`);
    const small = await search({ q: 'centre hospitalier', kind: 'structure', lat: '49.0400', lon: '3.9600', radius_km: '10', per_page: '50' });
    assert.ok(small.items.some((i) => /epernay/.test(fold(i.commune))), show(small));
    assert.ok(!small.items.some((i) => /reims/.test(fold(i.commune))), show(small));
  });
  test('same relevance → nearer first', async () => {
    const r = await search({ q: 'ehpad', kind: 'structure', lat: '48.2900', lon: '4.0650', radius_km: '200', per_page: '50' });
    const near = r.items.findIndex(isStruct(/marronniers/));
    const far = r.items.findIndex(isStruct(/capucins/));
    assert.ok(near >= 0 && far >= 0, show(r));
    assert.ok(near < far, `Troyes EHPAD before the Châlons one from Troyes: ${show(r)}`);
  });
});

describe('has_capacity', () => {
  test('structures with a "disponible" count > 0 for that activity field', async () => {
    const capucins = (await search({ q: 'ehpad les capucins', kind: 'structure' })).items.find(isStruct(/capucins/));
    const marronniers = (await search({ q: 'ehpad les marronniers', kind: 'structure' })).items.find(isStruct(/marronniers/));
    assert.ok(capucins && marronniers);
    const field = 'Hébergement temporaire';
    const acts = {};
    for (const s of [capucins, marronniers]) {
      const a = await api(server, 'POST', `/api/v1/directory/structures/${s.id}/activities`, {
        token, body: { field, care_mode: 'Hébergement complet', label: 'Hébergement temporaire Alzheimer', public_min_age: 60 },
      });
      assert.equal(a.status, 201, a.text);
      acts[s.id] = a.json.id;
    }
    const put = (s, count) => api(server, 'PUT', `/api/v1/directory/structures/${s.id}/activities/${acts[s.id]}/capacities/disponible`, { token, body: { count, unit: 'lits' } });
    assert.equal((await put(capucins, 2)).status, 200);
    assert.equal((await put(marronniers, 0)).status, 200);
    await eventually(async () => {
      const r = await search({ q: 'ehpad', has_capacity: field, per_page: '50' });
      assert.ok(r.items.some(isStruct(/capucins/)), show(r));
      assert.ok(!r.items.some(isStruct(/marronniers/)), 'a count of 0 is not a capacity');
      assert.ok(r.items.every((i) => i.kind === 'structure'), 'professionals have no capacity');
    }, 'capacity set on Les Capucins');
    assert.equal((await put(capucins, 0)).status, 200);
    assert.equal((await put(marronniers, 4)).status, 200);
    await eventually(async () => {
      const r = await search({ q: 'ehpad', has_capacity: field, per_page: '50' });
      assert.ok(!r.items.some(isStruct(/capucins/)), show(r));
      assert.ok(r.items.some(isStruct(/marronniers/)), show(r));
    }, 'capacities swapped');
    const other = await search({ q: 'ehpad', has_capacity: 'Accueil de jour', per_page: '50' });
    assert.ok(!other.items.some(isStruct(/marronniers/)), 'another field has no capacity');
  });
});

describe('robustness: any q gives 200 and a list', () => {
  const cases = [
    ['10,000 characters', 'martin '.repeat(1429)],
    ['one 10,000-letter word', 'a'.repeat(10000)],
    ['emoji', '👩‍⚕️ infirmière 🏥'],
    ['control characters', 'mar\u0001tin\u0007\u001b[31m\ttab\u007f'],
    ['LIKE metacharacters', '%_%'],
    ['SQL quote', "d'almeida' OR '1'='1"],
    ['double quotes and backslash', '"martin\\" \\\\'],
    ['FTS syntax', 'martin* OR NEAR(a b) ^ -x "unterminated'],
    ['tsquery syntax', 'martin & | ! <-> :* ()'],
    ['only punctuation', "'-'.,;:!?"],
    ['empty', ''],
    ['spaces', '     '],
    ['right-to-left and combining', '\u202Emartin\u0301\u0301\u0301'],
    ['Unicode letters', 'Ωμέγα 漢字 ДОКТОР'],
  ];
  for (const [what, q] of cases) {
    test(what, async () => {
      const res = await api(server, 'GET', '/api/v1/directory/search?q=' + encodeURIComponent(q), { token });
      assert.equal(res.status, 200, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
      assertShape(res.json, what);
    });
  }
  test('LIKE wildcards are not wildcards: "gh%ain", "gh_slain", "mart_n" find nobody; "%" alone is no text at all', async () => {
    for (const q of ['gh%ain', 'gh_slain', 'mart_n', '%slain']) {
      const r = await search({ q });
      assert.ok(!r.items.some(isPro('Ghislain', 'MARTIN')) && !r.items.some((i) => i.last_name === 'MARTIN'), `${q}: ${show(r)}`);
    }
    const none = (await search({ q: '' })).total;
    for (const q of ['%', '_', '%%%', '___']) assert.equal((await search({ q })).total, none, q);
  });
  test('raw invalid encodings in the URL: lone surrogate, overlong, truncated UTF-8', async () => {
    for (const raw of ['%ED%A0%80', '%ED%B0%80martin', '%C0%AF', '%E2%82', '%FF%FE', 'martin%', '%zz', '%00']) {
      const res = await api(server, 'GET', '/api/v1/directory/search?q=' + raw, { token });
      assert.ok(res.status === 200 || res.status === 400, `${raw}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.match(res.headers.get('content-type') || '', /^application\/(problem\+)?json/, `${raw}: an API answer, not ${res.headers.get('content-type')} ${res.text.slice(0, 60)}`);
      if (res.status === 200) assertShape(res.json, raw);
      else assertProblem(res, 400, res.json?.type?.replace('urn:cordee:problem:', '') || 'bad-request', raw);
    }
  });
  test('q longer than 200 characters is cut, not refused', async () => {
    const q = 'ghislain ' + 'x'.repeat(300);
    const res = await api(server, 'GET', '/api/v1/directory/search?q=' + encodeURIComponent(q), { token });
    assert.equal(res.status, 200);
  });
  test('bad filter values never give a 500', async () => {
    for (const qs of ['page=0', 'page=-1', 'page=abc', 'per_page=0', 'per_page=-5', 'lat=abc&lon=4&radius_km=5',
      'lat=91&lon=4&radius_km=5', 'lat=49&lon=4&radius_km=-1', 'lat=49&lon=4', 'kind=robot', 'practice_mode=Z',
      'page=99999999999999999999', 'radius_km=1e308&lat=49&lon=4']) {
      const res = await api(server, 'GET', `/api/v1/directory/search?q=martin&${qs}`, { token });
      assert.ok(res.status === 200 || res.status === 422 || res.status === 400, `${qs}: ${res.status} ${res.text.slice(0, 200)}`);
      if (res.status !== 200) assert.match(res.headers.get('content-type') || '', /problem\+json/, qs);
    }
  });
  test('unauthenticated → 401, everywhere in the directory', async () => {
    for (const path of ['/api/v1/directory/search?q=martin', '/api/v1/directory/professionals/x', '/api/v1/directory/structures/x']) {
      const res = await api(server, 'GET', path);
      assert.equal(res.status, 401, `${path}: ${res.status}`);
      const bad = await api(server, 'GET', path, { token: 'not-a-token' });
      assert.equal(bad.status, 401, `${path} with a bad token: ${bad.status}`);
    }
  });
});

describe('activities and capacities (demo: EHPAD Les Tilleuls)', () => {
  let demo, op, admin, pro, tilleuls, other;
  before(async () => {
    demo = await startDemoServer();
    op = await demoLogin(demo, 'operator');
    admin = await demoLogin(demo, 'structure_admin');
    pro = await demoLogin(demo, 'professional');
    const find = async (q) => {
      const r = await api(demo, 'GET', '/api/v1/directory/search?' + new URLSearchParams({ q, kind: 'structure' }), { token: op.token });
      assert.equal(r.status, 200, r.text);
      return r.json.items.find((i) => fold(i.name) === fold(q));
    };
    tilleuls = await find('EHPAD Les Tilleuls');
    other = await find('EHPAD Saint-Joseph');
    assert.ok(tilleuls && other, 'both demo EHPADs are in the directory');
  });
  after(async () => { await demo?.stop(); });

  const path = (s, a, rest = '') => `/api/v1/directory/structures/${s.id}/activities${a ? '/' + a : ''}${rest}`;
  const body = { field: 'Hébergement permanent', care_mode: 'Hébergement complet', label: 'Unité de vie protégée', public_min_age: 60, area: 'Reims et alentours' };

  test('operator and structure administrator create activities; the administrator only on his structure', async () => {
    const byOp = await api(demo, 'POST', path(tilleuls), { token: op.token, body });
    assert.equal(byOp.status, 201, byOp.text);
    assert.equal(byOp.json.field, body.field);
    assert.equal(byOp.json.label, body.label);
    assert.equal(byOp.json.public_min_age, 60);
    assert.equal(typeof byOp.json.id, 'string');
    const byAdmin = await api(demo, 'POST', path(tilleuls), { token: admin.token, body: { ...body, field: 'Accueil de jour', label: 'Accueil de jour Alzheimer' } });
    assert.equal(byAdmin.status, 201, byAdmin.text);
    const elsewhere = await api(demo, 'POST', path(other), { token: admin.token, body });
    assertProblem(elsewhere, 403, elsewhere.json?.type?.replace('urn:cordee:problem:', '') || 'forbidden', 'admin of another structure');
    const byPro = await api(demo, 'POST', path(tilleuls), { token: pro.token, body });
    assert.equal(byPro.status, 403, byPro.text);
  });

  test('disponible updated twice: current value, history newest first, stale false', async () => {
    const a = await api(demo, 'POST', path(tilleuls), { token: admin.token, body: { ...body, label: 'Hébergement permanent' } });
    assert.equal(a.status, 201, a.text);
    const cap = (count, tok = admin.token, type = 'disponible', unit = 'lits') =>
      api(demo, 'PUT', path(tilleuls, a.json.id, `/capacities/${type}`), { token: tok, body: { count, unit } });
    const first = await cap(5);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.type, 'disponible');
    assert.equal(first.json.count, 5);
    assert.equal(first.json.unit, 'lits');
    assert.equal(first.json.stale, false);
    assert.ok(first.json.age_seconds >= 0 && first.json.age_seconds < 60, `age ${first.json.age_seconds}`);
    assert.ok(first.json.updated_at, 'updated_at');
    await new Promise((r) => setTimeout(r, 1100));
    const second = await cap(3, op.token);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.json.count, 3);
    assert.equal((await cap(40, admin.token, 'installee')).status, 200);

    const s = await api(demo, 'GET', `/api/v1/directory/structures/${tilleuls.id}`, { token: pro.token });
    assert.equal(s.status, 200, s.text);
    const act = s.json.activities.find((x) => x.id === a.json.id);
    assert.ok(act, 'the activity is in the structure');
    const byType = Object.fromEntries(act.capacities.map((c) => [c.type, c]));
    assert.equal(byType.disponible.count, 3);
    assert.equal(byType.installee.count, 40);
    assert.equal(byType.disponible.stale, false);

    const h = await api(demo, 'GET', path(tilleuls, a.json.id, '/history'), { token: op.token });
    assert.equal(h.status, 200, h.text);
    const disp = h.json.items.filter((i) => i.type === 'disponible');
    assert.deepEqual(disp.map((i) => i.count), [3, 5], 'newest first');
    assert.ok(new Date(disp[0].at) >= new Date(disp[1].at));
    assert.ok(disp.every((i) => i.by && i.unit === 'lits'));
    assert.notEqual(disp[0].by, disp[1].by, 'who changed it is kept (operator, then the administrator)');
    assert.equal(h.json.items[0].type, 'installee', 'the latest change of any type comes first');
  });

  test('a professional cannot update a capacity (403); unauthenticated → 401', async () => {
    const a = await api(demo, 'POST', path(tilleuls), { token: op.token, body: { ...body, label: 'Places SSR' } });
    const url = path(tilleuls, a.json.id, '/capacities/disponible');
    const res = await api(demo, 'PUT', url, { token: pro.token, body: { count: 1, unit: 'lits' } });
    assert.equal(res.status, 403, res.text);
    const anon = await api(demo, 'PUT', url, { body: { count: 1, unit: 'lits' } });
    assert.equal(anon.status, 401, anon.text);
    const h = await api(demo, 'GET', path(tilleuls, a.json.id, '/history'), { token: op.token });
    assert.deepEqual(h.json.items, [], 'nothing recorded');
  });

  test('validation: unknown type, negative or non-integer count, unknown unit → 422; unknown activity → 404', async () => {
    const a = await api(demo, 'POST', path(tilleuls), { token: op.token, body: { ...body, label: 'Validation' } });
    const put = (type, b) => api(demo, 'PUT', path(tilleuls, a.json.id, `/capacities/${type}`), { token: op.token, body: b });
    for (const [type, b, what] of [
      ['libres', { count: 1, unit: 'lits' }, 'unknown type'],
      ['disponible', { count: -1, unit: 'lits' }, 'negative count'],
      ['disponible', { count: 2.5, unit: 'lits' }, 'fractional count'],
      ['disponible', { count: '3', unit: 'lits' }, 'count as text'],
      ['disponible', { count: 3, unit: 'chambres' }, 'unknown unit'],
      ['disponible', { unit: 'lits' }, 'missing count'],
    ]) {
      const res = await put(type, b);
      assert.equal(res.status, 422, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.match(res.headers.get('content-type') || '', /problem\+json/, what);
    }
    const missing = await api(demo, 'PUT', path(tilleuls, '00000000-0000-7000-8000-000000000000', '/capacities/disponible'), { token: op.token, body: { count: 1, unit: 'lits' } });
    assert.equal(missing.status, 404, missing.text);
    const wrongStructure = await api(demo, 'PUT', path(other, a.json.id, '/capacities/disponible'), { token: op.token, body: { count: 1, unit: 'lits' } });
    assert.equal(wrongStructure.status, 404, `an activity under another structure: ${wrongStructure.text}`);
    const badActivity = await api(demo, 'POST', path(tilleuls), { token: op.token, body: { care_mode: 'x' } });
    assert.equal(badActivity.status, 422, badActivity.text);
    const h = await api(demo, 'GET', path(tilleuls, a.json.id, '/history'), { token: op.token });
    assert.deepEqual(h.json.items, [], 'no rejected update in the history');
  });

  test('local structure: operator only, 201 with source "local", searchable within 3 s', async () => {
    const b = { name: 'CLIC du Pays de Brie', category_label: 'CLIC', commune: 'Sézanne', postal_code: '51120', email: 'clic@exemple.fr' };
    const refused = await api(demo, 'POST', '/api/v1/directory/structures', { token: admin.token, body: b });
    assert.equal(refused.status, 403, refused.text);
    const res = await api(demo, 'POST', '/api/v1/directory/structures', { token: op.token, body: b });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.source, 'local');
    assert.equal(res.json.name, b.name);
    assert.equal(res.json.active, true);
    await eventually(async () => {
      const r = await api(demo, 'GET', '/api/v1/directory/search?' + new URLSearchParams({ q: 'clic brie' }), { token: op.token });
      assert.ok(r.json.items.some((i) => i.id === res.json.id), r.text.slice(0, 300));
    }, 'the new local structure in search');
    const bad = await api(demo, 'POST', '/api/v1/directory/structures', { token: op.token, body: { category_label: 'CLIC' } });
    assert.equal(bad.status, 422, bad.text);
  });
});
