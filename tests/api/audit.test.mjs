// The hash-chained audit trail: events recorded, operator-only reading, and `cordee audit verify`
// detecting an altered or a removed line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDemoServer } from '../lib/server.mjs';

import { assertProblem, demoLogin, enrolAndApprove, sql, auditVerify } from '../lib/flows.mjs';

let server;
let operator;
let pro;
let approved;
before(async () => {
  server = await startDemoServer();
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

test('removing the newest lines is detected too (chain head kept outside the table)', async (t) => {
  // The chain alone cannot see a truncated tail; a good design anchors the head (e.g. a counter or
  // the last hash kept elsewhere). Reported, not required by docs/api.md.
  const max = Number(sql(server.db, 'SELECT max(seq) FROM audit_log').trim());
  sql(server.db, `DELETE FROM audit_log WHERE seq = ${max}`);
  const v = auditVerify(server.db);
  if (v.code === 0) t.todo('truncating the tail of audit_log is not detected');
  else assert.equal(v.code, 1);
});
