// Patient data only through a grant's scope (DESIGN.md §3, src/patients/scope.hpp), enforced: every repository function
// whose SQL names a patient table takes a `Scope&` (whose statements are bound to the granted patient), unless it is
// one of the few below, each with the reason it reaches patient rows without a grant's scope. A new function that
// reads notebook entries, alerts or circles from a raw session fails this test, naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, basename } from 'node:path';
import { repoRoot } from '../lib/server.mjs';

const PATIENT_TABLES = /\b(patients|circle_members|notebook_entries|attachments|alerts|alert_recipients|timeline_events|patient_reads|break_glass)\b/;

// file (relative to src/) → function → why it may reach patient rows without a scope.
const ALLOWED = {
  'patients/policy_repository.cpp': {
    BestMembership: 'the policy itself: what Decide reads to grant or refuse',
    RunningBreakGlass: 'the policy itself: a running emergency access is a grant',
  },
  'patients/repository.cpp': {
    PatientStatus: 'the emergency door: whether the record exists and is active, before any grant',
    HasRunningBreakGlass: 'the emergency door: an access already open',
    OpposedMembership: 'the emergency door: the patient opposed this professional (the door stays shut)',
    BreakGlassOpenedSince: 'the emergency door: one account\'s openings, counted across patients',
    QueueInsertBreakGlass: 'the emergency door: opening it is what creates the grant',
    QueueInsertPatient: 'creation: there is no record, hence no grant, yet',
    QueueInsertCreator: 'creation: the first member, whose membership is the grant',
    FindTwins: 'identity vigilance: records close to the traits typed, across patients (each one then decided)',
    OtherActiveWithIns: 'identity vigilance: another record holding the same INS',
    FindPatients: 'lists across patients: ids chosen by MinePage\'s membership clause',
    SearchMine: 'lists across patients: the membership clause is in the statement',
    SearchAll: 'search for an emergency access: identity only, audited per patient shown',
    MinePage: 'lists across patients: the membership clause is in the statement',
    CountMine: 'lists across patients: how many MinePage lists, the membership clause in the statement, no identity read',
    ReadTimes: 'lists across patients: the caller\'s own reading marks',
    UnreadCounts: 'lists across patients: counts under the caller\'s visibility clause',
    OpenAlertCounts: 'lists across patients: counts of alerts addressed to the caller, under its visibility clause',
  },
  'notebook/repository.cpp': {
    UploadedBytes: 'the uploader\'s quota: sizes of its own files across patients',
    BlobReferenced: 'the blob collector: whether a hash is referenced (no patient data read)',
    ReferencedBlobs: 'the blob collector: which hashes are referenced (no patient data read)',
  },
  'alerts/repository.cpp': {
    OpenAlertsOf: 'the caller\'s open alerts across patients; each patient is then opened through its scope',
  },
};

const files = (dir) => readdirSync(dir).flatMap((n) => {
  const p = join(dir, n);
  return statSync(p).isDirectory() ? files(p) : /^repository.*\.cpp$|_repository\.cpp$/.test(n) ? [p] : [];
});

// The namespace-level functions of a C++ file: name, parameter text and body, from a definition line to its closing `}`.
export function functionsOf(text) {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i].match(/^[A-Za-z][\w:<>,*& ]*?[\s*&]([A-Z]\w*)\(/);
    if (!head || lines[i].startsWith('namespace') || lines[i].endsWith(';')) continue;
    if (/\{.*\}\s*$/.test(lines[i])) {  // on one line
      out.push({ name: head[1], params: lines[i].slice(lines[i].indexOf('('), lines[i].indexOf('{')), body: lines[i].slice(lines[i].indexOf('{')) });
      continue;
    }
    let sig = lines[i];
    let j = i;
    while (!/\)\s*(const\s*)?\{\s*$/.test(lines[j]) && j + 1 < lines.length && !lines[j].endsWith(';')) sig += lines[++j];
    if (lines[j].endsWith(';')) continue;  // a declaration
    let k = j + 1;
    while (k < lines.length && lines[k] !== '}') k++;
    out.push({ name: head[1], params: sig.slice(sig.indexOf('(')), body: lines.slice(j + 1, k).join('\n') });
    i = k;
  }
  return out;
}

const literals = (body) => body.match(/"(?:[^"\\]|\\.)*"/g) ?? [];
// Named pieces of SQL (`constexpr const char* kEntryFrom = " FROM notebook_entries e …";`) that name a patient table.
export function patientConstants(text) {
  const names = [];
  for (const m of text.matchAll(/constexpr\s+const\s+char\s*\*\s*(\w+)\s*=([^;]*);/g))
    if (literals(m[2]).some((l) => PATIENT_TABLES.test(l))) names.push(m[1]);
  return names;
}
const reachesPatientTable = (f, constants = []) =>
  literals(f.body).some((l) => PATIENT_TABLES.test(l)) || constants.some((c) => new RegExp(`\\b${c}\\b`).test(f.body));
const takesScope = (f) => /\bScope&/.test(f.params);

test('every repository function that reaches a patient table takes a grant\'s scope, or is listed with its reason', () => {
  const src = join(repoRoot, 'src');
  const found = [];
  const listed = new Set();
  for (const file of files(src)) {
    const rel = relative(src, file);
    const text = readFileSync(file, 'utf8');
    const constants = patientConstants(text);
    for (const f of functionsOf(text)) {
      if (!reachesPatientTable(f, constants) || takesScope(f)) continue;
      if (ALLOWED[rel]?.[f.name]) listed.add(`${rel}:${f.name}`);
      else found.push(`${rel}: ${f.name}${f.params.slice(0, 80)}`);
    }
  }
  assert.deepEqual(found, [], `patient rows reached without a scope:\n${found.join('\n')}`);
  // The list holds nothing stale: each entry is still a function reaching patient rows without a scope.
  const stale = Object.entries(ALLOWED).flatMap(([f, names]) => Object.keys(names).map((n) => `${f}:${n}`)).filter((k) => !listed.has(k));
  assert.deepEqual(stale, [], `listed but no longer reaching patient rows without a scope:\n${stale.join('\n')}`);
});

test('the check finds a function that reads patient rows from a raw session (it can fail)', () => {
  const sample = [
    'std::optional<EntryRow> FindEntry(storage::Session& s, const std::string& id) {',
    '    auto row = s.One("SELECT body FROM notebook_entries WHERE id = ?", {id});',
    '    return row;',
    '}',
    '',
    'std::optional<EntryRow> FindScoped(patients::Scope& sc,',
    '                                   const std::string& id) {',
    '    return sc.One("SELECT body FROM notebook_entries WHERE id = ? AND patient_id = {patient}", {id});',
    '}',
    'bool StructureExists(storage::Session& s, const std::string& id) {',
    '    return s.One("SELECT 1 FROM structures WHERE id = ?", {id}).has_value();',
    '}',
    'constexpr const char* kFrom = " FROM alerts a ";',
    'int64_t Count(storage::Session& s) { return s.One(std::string("SELECT COUNT(*)") + kFrom)->Int(0); }',
  ].join('\n');
  const fns = functionsOf(sample);
  const constants = patientConstants(sample);
  assert.deepEqual(constants, ['kFrom']);
  assert.deepEqual(fns.map((f) => f.name), ['FindEntry', 'FindScoped', 'StructureExists', 'Count']);
  assert.deepEqual(fns.map((f) => [reachesPatientTable(f, constants), takesScope(f)]),
    [[true, false], [true, true], [false, false], [true, false]]);
});
