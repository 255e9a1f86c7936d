// Seeds patients, their care circles and liaison-notebook entries through the API, concurrently, for the
// patient benchmarks (bench/notebook_writes.sh, bench/patient_reads.sh):
//
//   BENCH_CREATOR_TOKEN=… BENCH_MEMBER_TOKEN=… node bench/seed_patients.mjs URL \
//       --patients N --member ACCOUNT_ID [--entries N] [--entries-each N] [--parallel 32] [--out FILE]
//
// 1. the creator (the demo coordinatrice) creates N patients: POST /api/v1/patients with
//    `confirm_not_duplicate` (it becomes their first member and referent);
// 2. the creator adds the member account (the demo médecin) to each circle: POST /api/v1/patients/{id}/circle
//    `{"account_id","role":"medecin_traitant"}`;
// 3. the member writes `--entries` notebook entries on the first patient (POST …/notebook, unique
//    Idempotency-Key each), facts spread back in time, some with vitals, some `health` only; with
//    `--entries-each N`, N entries on every patient instead (bench/first_sync.sh).
// Every step runs `--parallel` requests at a time over keep-alive connections (Node's fetch keeps its
// connections alive and reuses them). Any answer other than 201 stops the seeding (exit 1, with the answer).
// `--out` receives the patient ids, one a line, the one holding the entries first. The last line printed is
// `seed patients=… circle=… entries=… seconds=… patients_s=… entries_s=…` (seconds and rates of each step).
import { writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const url = args.shift();
const opt = (name, dflt) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : dflt;
};
const nPatients = Number(opt('patients', '8'));
const each = Number(opt('entries-each', '0'));
const nEntries = each > 0 ? each * nPatients : Number(opt('entries', '0'));
const parallel = Number(opt('parallel', '32'));
const member = opt('member');
const out = opt('out');
const creatorToken = process.env.BENCH_CREATOR_TOKEN;
const memberToken = process.env.BENCH_MEMBER_TOKEN;
if (!url || !member || !creatorToken || !memberToken) {
  console.error('usage: BENCH_CREATOR_TOKEN=… BENCH_MEMBER_TOKEN=… node seed_patients.mjs URL --patients N --member ACCOUNT_ID [--entries N] [--parallel 32] [--out FILE]');
  process.exit(2);
}
const run = Date.now().toString(36);

async function call(method, path, token, body, headers = {}) {
  const res = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

// Runs job(i) for i in [0, n) with `parallel` in flight; stops at the first failure.
async function pool(n, job) {
  let next = 0;
  let failed = null;
  const worker = async () => {
    while (!failed && next < n) {
      const i = next++;
      try { await job(i); } catch (e) { failed = failed || e; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, Math.max(n, 1)) }, worker));
  if (failed) throw failed;
}

function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 500)}`);
  return res.json;
}

// Names are letters only (the RNIV refuses digits): a surname from the list plus a letter code of the index.
const SURNAMES = ['MARTIN', 'BERNARD', 'THOMAS', 'PETIT', 'ROBERT', 'RICHARD', 'DURAND', 'DUBOIS', 'MOREAU', 'LAURENT',
  'SIMON', 'MICHEL', 'LEFÈVRE', 'LEROY', 'ROUX', 'DAVID', 'BERTRAND', 'MOREL', 'FOURNIER', 'GIRARD', 'BONNET', 'DUPONT'];
const FIRST_F = ['Marie', 'Jeanne', 'Françoise', 'Monique', 'Catherine', 'Nathalie', 'Isabelle', 'Hélène', 'Élise'];
const FIRST_M = ['Jean', 'Pierre', 'Michel', 'André', 'Philippe', 'René', 'Louis', 'Bernard', 'Joël'];
const COMMUNES = ['51454', '51108', '51230', '10387', '08105', '52121', '51649', '02691'];
const letters = (i) => {
  let s = '';
  for (let k = 0; k < 4; k++) { s = String.fromCharCode(65 + (i % 26)) + s; i = Math.floor(i / 26); }
  return s;
};
const pad = (n) => String(n).padStart(2, '0');
function patientBody(i) {
  const female = i % 2 === 0;
  const first = (female ? FIRST_F : FIRST_M)[i % 9];
  return {
    birth_name: `${SURNAMES[i % SURNAMES.length]}-${letters(i)}`,
    birth_first_names: `${first} ${(female ? FIRST_F : FIRST_M)[(i + 4) % 9]}`,
    first_name: first,
    birth_date: `${1925 + (i % 70)}-${pad(1 + (i % 12))}-${pad(1 + (i % 28))}`,
    sex: female ? 'F' : 'M',
    birthplace_code: COMMUNES[i % COMMUNES.length],
    confirm_not_duplicate: true,
  };
}

const BODIES = [
  'Passage du matin : toilette au lavabo avec aide partielle, patiente orientée, bonne nuit selon la famille.',
  'Pansement de l’ulcère de jambe gauche refait, plaie propre, bourgeonnante, pas de signe d’infection.',
  'Repas de midi pris en totalité, hydratation correcte (1 L), transit normal. Moral plutôt bon aujourd’hui.',
  'Chute sans gravité dans la salle de bain hier soir, pas de douleur à la mobilisation, famille prévenue.',
  'Visite à domicile : tension un peu haute, traitement inchangé, contrôle dans huit jours. Renouvellement fait.',
  'Aide au lever difficile ce matin, fatigue marquée. À surveiller, prévenir le médecin si cela persiste demain.',
];
const KINDS = ['observation', 'transmission', 'visit', 'event'];
function entryBody(i, now) {
  const e = {
    kind: KINDS[i % KINDS.length],
    visibility: i % 5 === 3 ? 'health' : 'circle',
    body: `${BODIES[i % BODIES.length]} (n° ${i + 1})`,
    fact_at: new Date(now - (i + 1) * 47_000).toISOString(),
  };
  if (i % 4 === 0) e.vitals = { systolic: 120 + (i % 30), diastolic: 70 + (i % 15), heart_rate: 60 + (i % 30), temperature: 36.8, spo2: 96 };
  return e;
}

const ids = new Array(nPatients);
const t0 = performance.now();
let creator = creatorToken;
let circleAdds = 0;
let fallback = false;
// The first patient alone: it tells whether the creator may create patients.
{
  let res = await call('POST', '/api/v1/patients', creator, patientBody(0));
  if (res.status === 403) {
    // The creator may not create patients: the member creates them (it is then their first member).
    console.error(`seed: creator refused (${res.status} ${res.text.slice(0, 200)}); the member creates the patients`);
    creator = memberToken;
    fallback = true;
    res = await call('POST', '/api/v1/patients', creator, patientBody(0));
  }
  ids[0] = expect(res, 201, 'POST /api/v1/patients').id;
}
await pool(nPatients - 1, async (k) => {
  const i = k + 1;
  ids[i] = expect(await call('POST', '/api/v1/patients', creator, patientBody(i)), 201, 'POST /api/v1/patients').id;
});
const t1 = performance.now();
if (!fallback) {
  await pool(nPatients, async (i) => {
    expect(await call('POST', `/api/v1/patients/${ids[i]}/circle`, creator, { account_id: member, role: 'medecin_traitant' }),
      201, 'POST /api/v1/patients/{id}/circle');
    circleAdds++;
  });
}
const t2 = performance.now();
const now = Date.now();
await pool(nEntries, async (i) => {
  const pid = each > 0 ? ids[i % nPatients] : ids[0];
  expect(await call('POST', `/api/v1/patients/${pid}/notebook`, memberToken, entryBody(each > 0 ? Math.floor(i / nPatients) : i, now), { 'idempotency-key': `seed-${run}-${i}` }),
    201, 'POST /api/v1/patients/{id}/notebook');
});
const t3 = performance.now();
if (out) writeFileSync(out, ids.join('\n') + '\n');

const s = (a, b) => (b - a) / 1000;
const rate = (n, secs) => (secs > 0 ? Math.round(n / secs) : 0);
console.log(`seed patients=${nPatients} circle=${circleAdds} entries=${nEntries} seconds=${s(t0, t3).toFixed(1)}` +
  ` patients_s=${s(t0, t1).toFixed(1)} circle_s=${s(t1, t2).toFixed(1)} entries_s=${s(t2, t3).toFixed(1)}` +
  ` requests_per_s=${rate(nPatients + circleAdds + nEntries, s(t0, t3))} entries_per_s=${rate(nEntries, s(t2, t3))}` +
  ` creator=${fallback ? 'member' : 'coordinator'} parallel=${parallel}`);
