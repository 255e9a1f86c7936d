// The hash-chained audit trail: events recorded, operator-only reading, and `cordee audit verify`
// detecting an altered or a removed line, and, through the signed checkpoints kept outside the database,
// a truncated tail, a recomputed chain and a forged checkpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, backend, binary, freshDatabase, runCli, startDemoServer, startServer } from '../lib/server.mjs';

import { assertProblem, demoLogin, enrolAndApprove, sql, sleep, auditVerify } from '../lib/flows.mjs';

let server;
let operator;
let pro;
let approved;
before(async () => {
  server = await startDemoServer({ args: ['--audit-anchor-seconds', '1'] });
  operator = await demoLogin(server, 'operator');
  pro = await demoLogin(server, 'professional');
  approved = await enrolAndApprove(server, operator.token);
  // A failed login too.
  await api(server, 'POST', '/api/v1/auth/login', { body: { email: pro.email, password: 'Mauvais-mot-de-passe' } });
});
after(async () => { await server?.stop(); });

async function allAudit(query = '') {
  const items = [];
  let before = null;
  for (let page = 0; page < 50; page++) {
    const q = `limit=50${query}${before ? `&before=${before}` : ''}`;
    const res = await api(server, 'GET', `/api/v1/audit?${q}`, { token: operator.token });
    assert.equal(res.status, 200, res.text);
    items.push(...res.json.items);
    if (res.json.next_before == null) break;
    assert.ok(res.json.next_before < (before ?? Infinity), 'pages go backwards');
    before = res.json.next_before;
  }
  return items;
}

test('logins, failures and approvals are in the audit trail', async () => {
  const items = await allAudit();
  assert.ok(items.length > 0);
  for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].seq > items[i].seq, 'newest first, strictly decreasing seq');
  const mine = items.filter((e) => e.actor_id === pro.account_id || e.actor_email === pro.email || e.target_id === pro.account_id);
  assert.ok(mine.some((e) => /login|auth|totp/i.test(e.action) && /success|ok/i.test(e.outcome)),
    `a successful login of the professional: ${JSON.stringify(mine.slice(0, 5))}`);
  assert.ok(mine.some((e) => /login|auth/i.test(e.action) && !/success|ok/i.test(e.outcome)),
    `a failed login of the professional: ${JSON.stringify(mine.slice(0, 5))}`);
  const approval = items.find((e) => /approv/i.test(e.action) && e.target_id === approved.id);
  assert.ok(approval, 'the approval is recorded with the enrolment as target');
  assert.ok(approval.actor_id === operator.account_id || approval.actor_email === operator.email, 'by the operator');
  assert.ok(approval.ip, 'with the client address');
  assert.ok(!Number.isNaN(Date.parse(approval.at)));
  const text = JSON.stringify(items);
  assert.ok(!text.includes(pro.password) && !text.includes('Mauvais-mot-de-passe'), 'no password in the audit trail');
});

test('GET /audit filters by action and outcome', async () => {
  const all = await allAudit();
  const action = all[all.length - 1].action;
  const filtered = await allAudit(`&action=${encodeURIComponent(action)}`);
  assert.ok(filtered.length > 0 && filtered.every((e) => e.action === action), `action=${action}`);
  const outcome = all[0].outcome;
  const byOutcome = await allAudit(`&outcome=${encodeURIComponent(outcome)}`);
  assert.ok(byOutcome.every((e) => e.outcome === outcome));
  const byActor = await allAudit(`&actor=${operator.account_id}`);
  assert.ok(byActor.length > 0 && byActor.every((e) => e.actor_id === operator.account_id));
  const small = await api(server, 'GET', '/api/v1/audit?limit=2', { token: operator.token });
  assert.equal(small.json.items.length, 2);
  assert.equal(small.json.next_before, small.json.items[1].seq);
});

test('GET /audit and /audit/verify are for operators only (403 for a professional, 401 without session)', async () => {
  assertProblem(await api(server, 'GET', '/api/v1/audit', { token: pro.token }), 403, 'forbidden');
  assertProblem(await api(server, 'GET', '/api/v1/audit/verify', { token: pro.token }), 403, 'forbidden', 'verify');
  assertProblem(await api(server, 'GET', '/api/v1/audit'), 401, 'unauthenticated', 'anonymous');
  // The refusal itself is audited.
  const denied = (await allAudit()).filter((e) => e.actor_id === pro.account_id && /denied|forbidden|refus/i.test(e.outcome));
  assert.ok(denied.length > 0, 'denied access is recorded');
});

test('`cordee audit verify` passes, then detects an altered line and a removed line', async () => {
  let v = auditVerify(server.db);
  assert.equal(v.code, 0, `intact chain: ${v.output}`);
  const api1 = await api(server, 'GET', '/api/v1/audit/verify', { token: operator.token });
  assert.equal(api1.status, 200, api1.text);
  assert.equal(api1.json.ok, true);
  assert.ok(api1.json.checked >= 5, `checked ${api1.json.checked}`);
  assert.equal(api1.json.first_bad_seq, null);

  // Alter seq 3 (keeping a copy to put it back).
  sql(server.db, 'CREATE TABLE audit_backup_t AS SELECT * FROM audit_log WHERE seq = 3');
  sql(server.db, "UPDATE audit_log SET detail = 'x' WHERE seq = 3");
  v = auditVerify(server.db);
  assert.equal(v.code, 1, `altered line detected: ${v.output}`);
  assert.match(v.output, /\b3\b/, `the message names seq 3: ${v.output}`);
  const api2 = await api(server, 'GET', '/api/v1/audit/verify', { token: operator.token });
  assert.equal(api2.json.ok, false);
  assert.equal(api2.json.first_bad_seq, 3);
  assert.ok(api2.json.problem);

  sql(server.db, 'UPDATE audit_log SET detail = (SELECT detail FROM audit_backup_t) WHERE seq = 3');
  sql(server.db, 'DROP TABLE audit_backup_t');
  v = auditVerify(server.db);
  assert.equal(v.code, 0, `restored chain is intact again: ${v.output}`);

  // Remove a line in the middle.
  const max = Number(sql(server.db, 'SELECT max(seq) FROM audit_log').trim());
  assert.ok(max >= 6, `enough lines (${max})`);
  const victim = Math.floor(max / 2);
  sql(server.db, `CREATE TABLE audit_backup_t AS SELECT * FROM audit_log WHERE seq = ${victim}`);
  sql(server.db, `DELETE FROM audit_log WHERE seq = ${victim}`);
  v = auditVerify(server.db);
  assert.equal(v.code, 1, `removed line detected: ${v.output}`);
  assert.match(v.output, new RegExp(`\\b(${victim}|${victim + 1})\\b`), `names seq ${victim} or ${victim + 1}: ${v.output}`);

  // Put it back for the next test.
  try {
    sql(server.db, 'INSERT INTO audit_log SELECT * FROM audit_backup_t');
  } catch {
    sql(server.db, 'INSERT INTO audit_log OVERRIDING SYSTEM VALUE SELECT * FROM audit_backup_t');
  }
  sql(server.db, 'DROP TABLE audit_backup_t');
  v = auditVerify(server.db);
  assert.equal(v.code, 0, `restored chain is intact again: ${v.output}`);
});

// --- the chain anchored outside the database: signed checkpoints (docs/architecture.md, "Audit trail") -----------

const anchorFile = (db) => join(db.dataDir, 'audit-anchors.jsonl');
const keyFile = (db) => join(db.dataDir, 'audit.key');
function checkpoints(db) {
  if (!existsSync(anchorFile(db))) return [];
  return readFileSync(anchorFile(db), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
// `cordee audit verify` with extra settings (e.g. another anchor file).
function verifyWith(db, extra = []) {
  const args = ['audit', 'verify', '--data', db.dataDir, ...extra];
  if (db.databaseUrl) args.push('--database', db.databaseUrl);
  const r = spawnSync(binary, args, { encoding: 'utf8' });
  return { code: r.status, output: (r.stdout || '') + (r.stderr || '') };
}
// The chain alone, as if nothing were anchored.
const chainOnly = (db) => verifyWith(db, ['--audit-anchor-file', join(db.dataDir, 'aucun-ancrage.jsonl')]);

// The lane holding the most entries (SQLite has one, lane 0) and its entries in chain order.
function busiestLane(db) {
  return Number(sql(db, 'SELECT lane FROM audit_log GROUP BY lane ORDER BY count(*) DESC, lane LIMIT 1').trim());
}
function laneEntries(db, lane) {
  const cols = ['seq', 'at', 'actor_id', 'action', 'target_type', 'target_id', 'ip', 'outcome', 'detail'];
  const text = db.databaseUrl
    ? sql(db, `SELECT json_agg(json_build_object(${cols.map((c) => `'${c}', ${c}`).join(', ')}) ORDER BY seq) FROM audit_log WHERE lane = ${lane}`)
    : sql(db, `SELECT json_group_array(json_object(${cols.map((c) => `'${c}', ${c}`).join(', ')})) FROM (SELECT * FROM audit_log WHERE lane = ${lane} ORDER BY seq)`);
  return JSON.parse(text.trim()).map((e) => ({ ...e, seq: Number(e.seq), at: Number(e.at) }));
}
// src/audit/audit.cpp EntryHash: SHA-256 over the length-prefixed fields and the previous hash.
function entryHash(prev, e) {
  const fields = [prev, String(e.seq), String(e.at), e.actor_id, e.action, e.target_type, e.target_id, e.ip, e.outcome, e.detail]
    .map((v) => v ?? '');
  return createHash('sha256').update(fields.map((v) => `${Buffer.byteLength(v)}:${v};`).join('')).digest('hex');
}
const quote = (v) => `'${String(v).replace(/'/g, "''")}'`;
// What someone with write access to the database can do: recompute every hash and link of a lane, and its head.
function rewriteLane(db, lane, entries) {
  let prev = '0'.repeat(64);
  const statements = [];
  for (const e of entries) {
    const h = entryHash(prev, e);
    statements.push(`UPDATE audit_log SET outcome = ${quote(e.outcome)}, detail = ${quote(e.detail)}, prev_hash = '${prev}', hash = '${h}' WHERE seq = ${e.seq};`);
    prev = h;
  }
  statements.push(`UPDATE audit_head SET seq = ${entries.at(-1).seq}, hash = '${prev}' WHERE id = ${lane + 1};`);
  sql(db, statements.join('\n'));
}
// src/audit/anchor.hpp: mac = HMAC-SHA256(key, "cordee-audit-anchor/1\n" lane "\n" seq "\n" hash "\n" at).
function checkpointLine(key, { lane, seq, hash, at }) {
  const mac = createHmac('sha256', key).update(`cordee-audit-anchor/1\n${lane}\n${seq}\n${hash}\n${at}`).digest('hex');
  return JSON.stringify({ v: 1, lane, seq, hash, at, mac }) + '\n';
}
// A demo database whose server ran and stopped cleanly (the last checkpoint is written at shutdown).
async function anchoredDemo() {
  const s = await startDemoServer({ args: ['--audit-anchor-seconds', '1'] });
  await api(s, 'POST', '/api/v1/auth/login', { body: { email: 'personne@example.org', password: 'Mauvais-mot-de-passe' } });
  await demoLogin(s, 'coordinator');
  await s.stop();
  return s.db;
}
// Waits until the running server has anchored the current head of `lane`.
async function anchoredHead(db, lane) {
  const head = Number(sql(db, `SELECT seq FROM audit_head WHERE id = ${lane + 1}`).trim());
  for (let i = 0; i < 100 && !checkpoints(db).some((c) => c.lane === lane && c.seq === head); i++) await sleep(100);
  assert.ok(checkpoints(db).some((c) => c.lane === lane && c.seq === head), `head ${head} of lane ${lane} anchored`);
  return head;
}

test('removing the newest lines (chain head moved back too) is detected through the anchor', async () => {
  const lane = busiestLane(server.db);
  const head = await anchoredHead(server.db, lane);
  const entries = laneEntries(server.db, lane);
  assert.equal(entries.at(-1).seq, head, `the head is the newest entry of lane ${lane}`);
  assert.ok(entries.length >= 5, `enough entries in lane ${lane}`);
  // The last three entries go, and the head is set to the one before: the chain itself is consistent.
  const kept = entries.at(-4);
  const removed = entries.slice(-3).map((e) => e.seq);
  sql(server.db, `DELETE FROM audit_log WHERE lane = ${lane} AND seq > ${kept.seq}`);
  sql(server.db, `UPDATE audit_head SET seq = ${kept.seq}, hash = (SELECT hash FROM audit_log WHERE seq = ${kept.seq}) WHERE id = ${lane + 1}`);
  const chain = chainOnly(server.db);
  assert.equal(chain.code, 0, `the chain alone cannot see it: ${chain.output}`);

  // SQLite numbers entries without gaps and names the first removed one; PostgreSQL (lanes share one numbering)
  // names the first removed entry that had been anchored.
  const anchored = new Set(checkpoints(server.db).filter((c) => c.lane === lane).map((c) => c.seq));
  const named = backend === 'postgres' ? removed.find((seq) => anchored.has(seq)) : removed[0];
  const v = auditVerify(server.db);
  assert.equal(v.code, 1, `truncated tail detected: ${v.output}`);
  assert.match(v.output, /tronquée/, v.output);
  assert.match(v.output, new RegExp(`ALTÉRÉ à l'entrée ${named}\\b`), `names entry ${named} (removed ${removed}): ${v.output}`);
  const res = await api(server, 'GET', '/api/v1/audit/verify', { token: operator.token });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.ok, false);
  assert.equal(res.json.first_bad_seq, named);
  assert.equal(res.json.anchors.anchored, true);
});

test('before any checkpoint, verify passes and says the trail is not anchored; `serve` makes the key (0600) and anchors', async () => {
  const db = freshDatabase();
  runCli(['demo'], db);
  let v = auditVerify(db);
  assert.equal(v.code, 0, v.output);
  assert.match(v.output, /non ancré/, v.output);
  assert.match(v.output, /clé d'ancrage .* absente/, v.output);
  assert.ok(!existsSync(keyFile(db)), 'no key before the first start');

  const s = await startServer({ db });
  await s.stop();
  assert.equal(statSync(keyFile(db)).mode & 0o777, 0o600, 'the key is 0600');
  assert.match(readFileSync(keyFile(db), 'utf8'), /^[0-9a-f]{64}\n$/);
  const head = Number(sql(db, 'SELECT max(seq) FROM audit_head').trim());
  assert.ok(checkpoints(db).some((c) => c.seq === head), 'the head is anchored');
  v = auditVerify(db);
  assert.equal(v.code, 0, v.output);
  assert.match(v.output, /Ancrage hors base/, v.output);
  assert.doesNotMatch(v.output, /non ancré|Non vérifié/, v.output);

  // An entry written afterwards (the CLI does not anchor): verified by the chain, and said to be not covered yet.
  runCli(['admin', 'create-operator', '--email', `op-${Date.now()}@example.org`, '--first-name', 'Ana', '--last-name', 'Lyse',
    '--password', 'Mot-de-passe-Essai-2024'], db);
  v = auditVerify(db);
  assert.equal(v.code, 0, v.output);
  assert.match(v.output, /Non vérifié : \d+ entrée\(s\) postérieure\(s\) au dernier point d'ancrage/, v.output);
});

test('rewriting an entry and recomputing the whole chain is detected through the anchor', async () => {
  const db = await anchoredDemo();
  const lane = busiestLane(db);
  const entries = laneEntries(db, lane);
  const anchored = checkpoints(db).filter((c) => c.lane === lane).map((c) => c.seq);
  assert.ok(anchored.includes(entries.at(-1).seq), 'the head was anchored at shutdown');
  // Hide a failed login: it becomes a success, and every hash after it is recomputed.
  const victim = entries.find((e) => e.outcome === 'failure') ?? entries[Math.floor(entries.length / 2)];
  victim.outcome = 'success';
  victim.detail = '{}';
  rewriteLane(db, lane, entries);
  const chain = chainOnly(db);
  assert.equal(chain.code, 0, `the recomputed chain is consistent: ${chain.output}`);

  const v = auditVerify(db);
  assert.equal(v.code, 1, `rewrite detected: ${v.output}`);
  assert.match(v.output, /réécrit/, v.output);
  const firstAnchoredAfter = Math.min(...anchored.filter((seq) => seq >= victim.seq));
  assert.match(v.output, new RegExp(`ALTÉRÉ à l'entrée ${firstAnchoredAfter}\\b`), `names the first checkpoint that no longer matches: ${v.output}`);
});

test('a checkpoint line not made with the key is detected; one made with it is accepted', async () => {
  const db = await anchoredDemo();
  const lane = busiestLane(db);
  const head = sql(db, `SELECT seq, hash FROM audit_head WHERE id = ${lane + 1}`).trim().split('|');
  const claim = { lane, seq: Number(head[0]), hash: head[1], at: new Date().toISOString() };
  const genuine = readFileSync(anchorFile(db), 'utf8');

  // The documented format, made with the real key: authentic.
  appendFileSync(anchorFile(db), checkpointLine(Buffer.from(readFileSync(keyFile(db), 'utf8').trim(), 'hex'), claim));
  let v = auditVerify(db);
  assert.equal(v.code, 0, v.output);

  // Without the key, a line can only be forged: detected, naming its line.
  writeFileSync(anchorFile(db), genuine);
  appendFileSync(anchorFile(db), checkpointLine(randomBytes(32), claim));
  const line = genuine.split('\n').filter(Boolean).length + 1;
  v = auditVerify(db);
  assert.equal(v.code, 1, `forged checkpoint detected: ${v.output}`);
  assert.match(v.output, new RegExp(`ligne ${line} de .*non authentique`), v.output);

  // Nor can a genuine line be edited to follow a rewritten chain.
  writeFileSync(anchorFile(db), genuine.replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${'a'.repeat(64)}"`));
  v = auditVerify(db);
  assert.equal(v.code, 1, `edited checkpoint detected: ${v.output}`);
  assert.match(v.output, /ligne 1 de .*non authentique/, v.output);
});
