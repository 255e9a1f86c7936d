// Break-the-glass (docs/patients.md, "Break-the-glass and access log"): an emergency access reads and writes
// clinical content only — it never validates, qualifies or edits the identity, nor changes the circle (403,
// audited). Openings are bounded per account (setting break_glass_per_day, default 3 in 24 hours): past the
// bound an opening still succeeds (an emergency) but every active operator of the territory gets an e-mail
// without clinical content, and the audit trail says so; the referent is alerted at each opening as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, freshDatabase, runCli, startServer } from '../lib/server.mjs';
import { assertProblem, demoLogin, sql } from '../lib/flows.mjs';
import {
  P, auditCount, auditMaxSeq, breakGlass, createPatient, newProfessional, profileOf, randomName,
} from '../lib/patients.mjs';

let server;
let med, operator;
const operators = {};
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

// Mails queued for an address (the outbox table: the same transaction as the action that caused them).
const mailsTo = (db, email) => sql(db, `SELECT COUNT(*) FROM emails WHERE to_addr = ${q(email)}`).trim() * 1;
const lastMailTo = (db, email) => sql(db, `SELECT subject || ' ' || body FROM emails WHERE to_addr = ${q(email)} ORDER BY created_at DESC, id DESC LIMIT 1`);

// A demo territory with two more operators: one active (never logged in yet), one disabled.
async function demoWithOperators(env = {}) {
  const db = freshDatabase();
  runCli(['demo'], db);
  const extra = {};
  for (const k of ['active', 'disabled']) {
    extra[k] = `operateur.${k}.${randomName(5).toLowerCase()}@exemple.fr`;
    runCli(['admin', 'create-operator', '--email', extra[k], '--first-name', 'Opé', '--last-name', capital(k), '--password', 'Operateur-Essai-2026'], db);
  }
  sql(db, `UPDATE accounts SET status = 'disabled' WHERE email = ${q(extra.disabled)}`);
  return { server: await startServer({ db, env }), extra };
}
const capital = (s) => s[0].toUpperCase() + s.slice(1);

before(async () => {
  const made = await demoWithOperators();
  server = made.server;
  Object.assign(operators, made.extra);
  med = await demoLogin(server, 'professional', 0);
  operator = await demoLogin(server, 'operator');
  operators.demo = operator.email;
});
after(async () => { await server?.stop(); });

test('an emergency access reads and writes clinical content, never the identity nor the circle (403, audited)', async () => {
  const pt = await createPatient(server, med.token);
  const glass = await newProfessional(server, operator.token);
  await breakGlass(server, glass.token, pt.id);
  const url = `${P}/${pt.id}`;
  // What it is for: read the record, write a note, raise an alert.
  const read = await api(server, 'GET', url, { token: glass.token });
  assert.equal(read.status, 200, read.text);
  assert.equal(read.json.access.via, 'break_glass');
  assert.equal(read.json.access.manager, false, 'an emergency access does not manage the record');
  assert.equal((await api(server, 'GET', `${url}/notebook`, { token: glass.token })).status, 200);
  const note = await api(server, 'POST', `${url}/notebook`, { token: glass.token, body: { kind: 'event', visibility: 'circle', body: 'Vu aux urgences, transféré en cardiologie.' } });
  assert.equal(note.status, 201, note.text);
  const alert = await api(server, 'POST', `${url}/alerts`, { token: glass.token, body: { kind: 'hospitalisation', body: 'Hospitalisé ce soir.' } });
  assert.equal(alert.status, 201, alert.text);

  // What it is not for.
  const member = (await api(server, 'GET', `${url}/circle`, { token: med.token })).json.items[0];
  const refused = [
    ['PATCH', url, { phone: '03 26 99 99 99' }, { 'if-match': String(read.json.version) }],
    ['PATCH', url, { used_name: 'MARTIN' }, { 'if-match': String(read.json.version) }],
    ['PATCH', url, { flags: { douteuse: true } }, { 'if-match': String(read.json.version) }],
    ['POST', `${url}/validate`, { document: 'cni' }],
    ['POST', `${url}/qualify`, {}],
    ['POST', `${url}/circle`, { account_id: glass.account_id, role: 'medecin_specialiste' }],
    ['PATCH', `${url}/circle/${member.id}`, { role: 'autre' }, { 'if-match': String(member.version) }],
    ['POST', `${url}/circle/${member.id}/information`, { how: 'oral' }],
    ['POST', `${url}/circle/${member.id}/opposition`, { how: 'oral' }],
  ];
  for (const [method, path, body, headers] of refused) {
    const since = auditMaxSeq(server.db);
    const res = await api(server, method, path, { token: glass.token, body, headers });
    const p = assertProblem(res, 403, 'forbidden', `${method} ${path} ${JSON.stringify(body)} under break-the-glass`);
    assert.match(p.detail, /urgence/, 'the French message says why');
    assert.ok(auditCount(server.db, since, { actor: glass.account_id, targetId: pt.id, outcome: 'denied' }) >= 1, `${method} ${path}: refusal audited`);
  }
  // Still provisional, unchanged, and the circle did not grow.
  const after = await api(server, 'GET', url, { token: med.token });
  assert.equal(after.json.version, read.json.version, 'the identity did not change');
  assert.equal(after.json.identity_status, 'provisoire');
  assert.equal(after.json.phone, read.json.phone);
  const circle = await api(server, 'GET', `${url}/circle`, { token: med.token });
  assert.ok(!circle.json.items.some((m) => m.account_id === glass.account_id));
  assert.equal(circle.json.items.find((m) => m.id === member.id).role, member.role);
});

test('a professional the patient opposed cannot break the glass on that patient (403 in French, audited)', async () => {
  const pt = await createPatient(server, med.token);
  const opposed = await newProfessional(server, operator.token);
  const other = await newProfessional(server, operator.token);
  const m = await api(server, 'POST', `${P}/${pt.id}/circle`, { token: med.token, body: { account_id: opposed.account_id, role: 'infirmier' } });
  assert.equal(m.status, 201, m.text);
  const op = await api(server, 'POST', `${P}/${pt.id}/circle/${m.json.id}/opposition`, { token: med.token, body: { how: 'oral', reason: 'Ne souhaite plus ce suivi' } });
  assert.equal(op.status, 200, op.text);

  const since = auditMaxSeq(server.db);
  const res = await api(server, 'POST', `${P}/${pt.id}/break-glass`, { token: opposed.token, body: { reason: 'Appel du SAMU : patiente inconsciente à domicile' } });
  const p = assertProblem(res, 403, 'forbidden', 'break-the-glass by the opposed professional');
  assert.match(p.detail, /opposé/, 'the French message says why');
  assert.ok(auditCount(server.db, since, { actor: opposed.account_id, targetId: pt.id, outcome: 'denied' }) >= 1, 'refusal audited');
  assert.equal(sql(server.db, `SELECT COUNT(*) FROM break_glass WHERE account_id = ${q(opposed.account_id)}`).trim(), '0', 'no access opened');
  assert.equal((await api(server, 'GET', `${P}/${pt.id}/notebook`, { token: opposed.token })).status, 404, 'still no access');
  // The opposition is the patient's word about that professional only: anyone else still opens an emergency access.
  await breakGlass(server, other.token, pt.id);
  // Added again to the circle (the patient agreed again) then ended, the professional is no longer under the opposition.
  const again = await api(server, 'POST', `${P}/${pt.id}/circle`, { token: med.token, body: { account_id: opposed.account_id, role: 'infirmier' } });
  assert.equal(again.status, 201, again.text);
  const ended = await api(server, 'PATCH', `${P}/${pt.id}/circle/${again.json.id}`, { token: med.token, body: { end: new Date(Date.now() + 1000).toISOString() }, headers: { 'if-match': String(again.json.version) } });
  assert.equal(ended.status, 200, ended.text);
  await new Promise((r) => setTimeout(r, 1100));
  await breakGlass(server, opposed.token, pt.id);
});

test('past break_glass_per_day openings in 24 hours (default 3), an opening still succeeds and alerts every active operator', async () => {
  const glass = await newProfessional(server, operator.token);
  const medProfile = await profileOf(server, med.token);
  const before = Object.fromEntries(Object.entries(operators).map(([k, e]) => [k, mailsTo(server.db, e)]));
  const referentMails = mailsTo(server.db, medProfile.email);
  const opened = [];
  for (let i = 1; i <= 5; i++) {
    const pt = await createPatient(server, med.token);
    const reason = `Urgence n° ${i} : patient inconscient, antécédents cardiaques ${randomName(4)}`;
    const since = auditMaxSeq(server.db);
    const res = await api(server, 'POST', `${P}/${pt.id}/break-glass`, { token: glass.token, body: { reason } });
    assert.equal(res.status, 201, `opening ${i} succeeds: ${res.text}`);
    assert.equal(res.json.operators_alerted, i > 3, `opening ${i}: operators_alerted`);
    opened.push({ pt, reason });
    // The referent is alerted each time (alert bris_de_glace + e-mail).
    const alerts = await api(server, 'GET', `${P}/${pt.id}/alerts?state=open`, { token: med.token });
    assert.ok(alerts.json.items.some((a) => a.kind === 'bris_de_glace'), `opening ${i}: the referent's alert`);
    assert.equal(mailsTo(server.db, medProfile.email), referentMails + i, `opening ${i}: the referent's e-mail`);
    const expected = i > 3 ? i - 3 : 0;
    assert.equal(mailsTo(server.db, operators.demo), before.demo + expected, `opening ${i}: e-mails to the demo operator`);
    assert.equal(mailsTo(server.db, operators.active), before.active + expected, `opening ${i}: e-mails to the other active operator`);
    assert.equal(mailsTo(server.db, operators.disabled), before.disabled, 'never to a disabled operator');
    assert.equal(auditCount(server.db, since, { actor: glass.account_id, targetType: 'account', like: '%"limit":3%' }), i > 3 ? 1 : 0,
      `opening ${i}: the audit trail records the opening past the bound`);
  }
  // The operators' e-mail names the professional, not the patient nor the reason (no clinical content).
  const mail = lastMailTo(server.db, operators.active);
  assert.match(mail, /accès en urgence/i);
  assert.ok(mail.includes(glass.name) || mail.includes(glass.last_name), 'the professional is named');
  for (const { pt, reason } of opened) {
    assert.ok(!mail.includes(pt.birth_name) && !mail.includes(pt.first_name), 'no patient name');
    assert.ok(!mail.includes(reason) && !mail.includes('inconscient'), 'no reason');
  }
});

test('the bound is the setting break_glass_per_day (CORDEE_BREAK_GLASS_PER_DAY)', async () => {
  const made = await demoWithOperators({ CORDEE_BREAK_GLASS_PER_DAY: '1' });
  try {
    const s = made.server;
    const op = await demoLogin(s, 'operator');
    const doc = await demoLogin(s, 'professional', 0);
    const glass = await newProfessional(s, op.token);
    const first = await breakGlass(s, glass.token, (await createPatient(s, doc.token)).id);
    assert.equal(first.operators_alerted, false);
    assert.equal(mailsTo(s.db, made.extra.active), 0);
    const second = await breakGlass(s, glass.token, (await createPatient(s, doc.token)).id);
    assert.equal(second.operators_alerted, true, 'the second opening is past a bound of 1');
    assert.equal(mailsTo(s.db, made.extra.active), 1);
    assert.equal(mailsTo(s.db, op.email), 1);
  } finally {
    await made.server.stop();
  }
});
