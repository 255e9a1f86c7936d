// The conversation of a patient's care circle (docs/messaging.md, "Patient conversations"), urgent messages that
// escalate, mentions, copying into the notebook, search and group membership, against the real binary with real
// WebSocket clients: members follow the circle (a member who leaves reads nothing more, at once), a social worker
// neither receives nor counts what is for health professionals, an emergency access does not open the conversation,
// every access to it is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, outbox, startDemoServer, waitForMail } from '../lib/server.mjs';
import { assertProblem, demoLogin, mailTo, sleep, sql } from '../lib/flows.mjs';
import { P, addMember, auditMaxSeq, breakGlass, createPatient, newProfessional, patchMember, profileOf } from '../lib/patients.mjs';
import { openLive } from '../lib/live.mjs';
import { checkAnswer } from '../lib/openapi_check.mjs';

const C = '/api/v1/conversations';
const ON_CALL = 'astreinte.dac@exemple.fr';
function contract(method, template, res) { assert.deepEqual(checkAnswer(method, template, res), []); return res; }

let server, coord, med, nurse, social, operator, outsider, pt, conv;
const members = {};

before(async () => {
  // Deadlines are checked every second here (15 s as shipped), and the on-call list is configured.
  server = await startDemoServer({ args: ['--urgent-check-seconds', '1', '--urgent-on-call', ON_CALL, '--digest-hours', '1'] });
  const who = async (role, i) => { const a = await demoLogin(server, role, i); return { ...a, ...(await profileOf(server, a.token)) }; };
  coord = await who('coordinator', 0);
  med = await who('professional', 0);
  nurse = await who('professional', 1);
  social = await who('professional', 2);
  operator = await demoLogin(server, 'operator');
  outsider = await newProfessional(server, operator.token, { first_name: 'Hors', last_name: 'Cercle' });
  pt = await createPatient(server, coord.token);
  members.med = await addMember(server, coord.token, pt.id, { account_id: med.account_id, role: 'medecin_traitant' });
  members.nurse = await addMember(server, coord.token, pt.id, { account_id: nurse.account_id, role: 'infirmier' });
  members.social = await addMember(server, coord.token, pt.id, { account_id: social.account_id, role: 'assistante_sociale' });
  const res = await api(server, 'POST', `${P}/${pt.id}/conversation`, { token: med.token });
  assert.equal(res.status, 201, res.text);
  contract('POST', `${P}/{id}/conversation`, res);
  conv = res.json;
});
after(async () => { await server?.stop(); });

const send = (token, body, cid = conv.id) => api(server, 'POST', `${C}/${cid}/messages`, { token, body: { id: randomUUID(), ...body } });
const unreadOf = async (token, cid = conv.id) => {
  const list = await api(server, 'GET', C, { token });
  assert.equal(list.status, 200, list.text);
  return list.json.items.find((c) => c.id === cid)?.unread;
};

test("the patient's conversation is one per patient, named after the patient, its members the circle's accounts", async () => {
  assert.equal(conv.kind, 'patient');
  assert.equal(conv.patient_id, pt.id);
  assert.deepEqual(conv.members.map((m) => m.account_id).sort(),
    [coord.account_id, med.account_id, nurse.account_id, social.account_id].sort());
  const again = await api(server, 'POST', `${P}/${pt.id}/conversation`, { token: nurse.token });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, conv.id);
  const got = contract('GET', `${C}/{id}`, await api(server, 'GET', `${C}/${conv.id}`, { token: social.token }));
  assert.match(got.json.name, new RegExp(pt.first_name));
  assert.equal(got.json.may_restrict, false, 'a social worker does not write for health professionals only');
  const list = contract('GET', C, await api(server, 'GET', C, { token: nurse.token }));
  assert.ok(list.json.items.some((c) => c.id === conv.id && c.kind === 'patient' && c.name === got.json.name));
});

test('a stranger, an operator and an emergency access do not open it; each refusal is audited', async () => {
  const since = auditMaxSeq(server.db);
  assertProblem(await api(server, 'GET', `${C}/${conv.id}`, { token: outsider.token }), 404, 'not-found');
  assertProblem(await api(server, 'GET', `${C}/${conv.id}/messages`, { token: outsider.token }), 404, 'not-found');
  assertProblem(await send(outsider.token, { body: 'Je passe' }), 404, 'not-found');
  assertProblem(await api(server, 'POST', `${P}/${pt.id}/conversation`, { token: outsider.token }), 404, 'not-found');
  assertProblem(await api(server, 'POST', `${P}/${pt.id}/conversation`, { token: operator.token }), 404, 'not-found');
  await breakGlass(server, outsider.token, pt.id);
  assertProblem(await api(server, 'POST', `${P}/${pt.id}/conversation`, { token: outsider.token }), 403, 'forbidden');
  assertProblem(await api(server, 'GET', `${C}/${conv.id}/messages`, { token: outsider.token }), 404, 'not-found');
  const refusals = Number(sql(server.db, `SELECT COUNT(*) FROM audit_log WHERE seq > ${since} AND actor_id = '${outsider.account_id}' `
    + `AND target_id = '${pt.id}' AND action LIKE 'message.%' AND outcome <> 'success'`).trim());
  assert.ok(refusals >= 5, `the refusals are in the audit trail (${refusals})`);
});

test('health-only messages reach health professionals only: not sent, not listed, not counted to the social worker', async () => {
  const socialFeed = await openLive(server, social.token);
  const nurseFeed = await openLive(server, nurse.token);
  const before = await unreadOf(social.token);
  const shared = await send(med.token, { body: 'Passage prévu jeudi avec l’assistante sociale' });
  assert.equal(shared.status, 201, shared.text);
  contract('POST', `${C}/{id}/messages`, shared);
  const restricted = await send(med.token, { body: 'INR à 4,2 : on baisse le Préviscan', visibility: 'health' });
  assert.equal(restricted.status, 201, restricted.text);
  assert.equal(restricted.json.visibility, 'health');
  await nurseFeed.until((f) => f.events.filter((e) => e.kind === 'message').length >= 2, 5000, 'two messages for the nurse');
  await socialFeed.until((f) => f.events.some((e) => e.kind === 'message'), 5000, 'the shared message');
  await sleep(300);
  assert.deepEqual(socialFeed.events.filter((e) => e.kind === 'message').map((e) => e.data.message.id), [shared.json.id]);
  const seen = await api(server, 'GET', `${C}/${conv.id}/messages`, { token: social.token });
  assert.equal(seen.status, 200);
  assert.ok(!seen.json.items.some((m) => m.id === restricted.json.id), 'not in her page either');
  assert.equal(await unreadOf(social.token), before + 1, 'counted: only the shared one');
  const nurseSeen = await api(server, 'GET', `${C}/${conv.id}/messages`, { token: nurse.token });
  assert.ok(nurseSeen.json.items.some((m) => m.id === restricted.json.id));
  // Receipts count only who may read it: 2 (coordinator without health profession? she is counted only if health).
  const receipts = contract('GET', `${C}/{id}/messages/{message}/receipts`,
    await api(server, 'GET', `${C}/${conv.id}/messages/${restricted.json.id}/receipts`, { token: med.token }));
  assert.ok(!receipts.json.items.some((r) => r.account_id === social.account_id));
  assert.ok(receipts.json.items.some((r) => r.account_id === nurse.account_id && r.read === false));
  assertProblem(await api(server, 'GET', `${C}/${conv.id}/messages/${restricted.json.id}/receipts`, { token: nurse.token }), 403, 'forbidden');
  // The social worker cannot write for health professionals only, nor mention someone who could not read it.
  const refused = await send(social.token, { body: 'Pour les soignants', visibility: 'health' });
  assertProblem(refused, 422, 'invalid-field', 'visibility');
  assert.deepEqual(refused.json.errors.map((e) => e.field), ['visibility']);
  const badMention = await send(med.token, { body: 'Pour les soignants', visibility: 'health', mentions: [social.account_id] });
  assertProblem(badMention, 422, 'invalid-field');
  assert.deepEqual(badMention.json.errors.map((e) => e.field), ['mentions']);
  const mention = await send(med.token, { body: '@Karim peux-tu passer ?', mentions: [nurse.account_id] });
  assert.equal(mention.status, 201, mention.text);
  assert.deepEqual(mention.json.mentions, [nurse.account_id]);
  await socialFeed.close();
  await nurseFeed.close();
});

test('urgent: unread past its deadline it goes to the referent (an urgent alert), then to the on-call list; the author sees who has not read', async () => {
  const feed = await openLive(server, med.token);
  const deadline = new Date(Date.now() + 1500).toISOString();
  const urgent = await send(med.token, { body: 'Chute ce matin, hématome : quelqu’un peut-il passer avant midi ?', urgent_until: deadline });
  assert.equal(urgent.status, 201, urgent.text);
  assert.equal(urgent.json.urgent.escalation, 0);
  // The nurse reads it in time; the others do not.
  const read = await api(server, 'POST', `${C}/${conv.id}/read`, { token: nurse.token, body: { seq: urgent.json.seq } });
  assert.equal(read.status, 200, read.text);
  const step1 = await feed.until((f) => f.events.some((e) => e.kind === 'urgent_escalated' && e.data.message_id === urgent.json.id), 8000, 'step 1');
  const ev1 = step1.events.find((e) => e.kind === 'urgent_escalated' && e.data.message_id === urgent.json.id);
  assert.equal(ev1.data.step, 1);
  assert.ok(!ev1.data.unread.includes(nurse.account_id), 'the nurse read it');
  assert.ok(ev1.data.unread.includes(social.account_id));
  // The referent (the coordinator who created the record) has an urgent alert naming who has not read it.
  const alerts = await api(server, 'GET', `${P}/${pt.id}/alerts`, { token: coord.token });
  assert.equal(alerts.status, 200, alerts.text);
  const alert = alerts.json.items.find((a) => a.severity === 'urgente' && /Message urgent/.test(a.body));
  assert.ok(alert, JSON.stringify(alerts.json.items));
  assert.match(alert.body, /Nadia|Lemoine/);
  const receipts = await api(server, 'GET', `${C}/${conv.id}/messages/${urgent.json.id}/receipts`, { token: med.token });
  assert.deepEqual(receipts.json.items.filter((r) => r.read).map((r) => r.account_id), [nurse.account_id]);
  // One delay later, still unread: the on-call list gets an e-mail without clinical content.
  const mail = await waitForMail(server.db, mailTo(ON_CALL), 8000);
  assert.match(mail, /message urgent/i);
  assert.doesNotMatch(mail, /hématome|Chute/);
  await feed.until((f) => f.events.some((e) => e.kind === 'urgent_escalated' && e.data.step === 2), 8000, 'step 2');
  const after = await api(server, 'GET', `${C}/${conv.id}/messages?after=${urgent.json.seq - 1}&limit=1`, { token: med.token });
  assert.equal(after.json.items[0].urgent.escalation, 2);
  await feed.close();
});

test('urgent: read by everyone in time, it does not escalate; a deadline in the past, too far, or outside a patient conversation is refused', async () => {
  const deadline = new Date(Date.now() + 1200).toISOString();
  const urgent = await send(med.token, { body: 'Ordonnance renouvelée, à récupérer', urgent_until: deadline });
  assert.equal(urgent.status, 201, urgent.text);
  for (const who of [coord, nurse, social]) {
    const r = await api(server, 'POST', `${C}/${conv.id}/read`, { token: who.token, body: { seq: urgent.json.seq } });
    assert.equal(r.status, 200, r.text);
  }
  await sleep(3000);
  const page = await api(server, 'GET', `${C}/${conv.id}/messages?after=${urgent.json.seq - 1}&limit=1`, { token: med.token });
  assert.equal(page.json.items[0].urgent.escalation, 0, 'nobody was bothered');
  for (const until of [new Date(Date.now() - 60000).toISOString(), new Date(Date.now() + 8 * 86400000).toISOString(), 'demain']) {
    const r = await send(med.token, { body: 'x', urgent_until: until });
    assertProblem(r, 422, 'invalid-field', until);
    assert.deepEqual(r.json.errors.map((e) => e.field), ['urgent_until']);
  }
  const direct = await api(server, 'POST', C, { token: med.token, body: { kind: 'direct', member_ids: [nurse.account_id] } });
  const r = await send(med.token, { body: 'x', urgent_until: new Date(Date.now() + 60000).toISOString() }, direct.json.id);
  assertProblem(r, 422, 'invalid-field');
  assert.deepEqual(r.json.errors.map((e) => e.field), ['urgent_until']);
});

test('"copier dans le cahier de liaison": one transmission per message, under the message\'s visibility', async () => {
  const m = await send(med.token, { body: 'Pansement refait, plaie propre', visibility: 'health' });
  const copy = await api(server, 'POST', `${C}/${conv.id}/messages/${m.json.id}/copy`, { token: nurse.token });
  assert.equal(copy.status, 201, copy.text);
  contract('POST', `${C}/{id}/messages/{message}/copy`, copy);
  assert.equal(copy.json.kind, 'transmission');
  assert.equal(copy.json.visibility, 'health');
  assert.match(copy.json.body, /^Message de Claire Fontaine .*Pansement refait/);
  // Copying again (a double tap, a replay) answers the same entry, as an idempotent creation does.
  const again = await api(server, 'POST', `${C}/${conv.id}/messages/${m.json.id}/copy`, { token: nurse.token });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.id, copy.json.id);
  const nb = await api(server, 'GET', `${P}/${pt.id}/notebook`, { token: med.token });
  assert.equal(nb.json.items.filter((e) => /Pansement refait/.test(e.body)).length, 1);
  // The social worker cannot copy what she cannot read.
  assertProblem(await api(server, 'POST', `${C}/${conv.id}/messages/${m.json.id}/copy`, { token: social.token }), 404, 'not-found');
});

test('search: accents and case ignored, by author and patient, only what the caller may read', async () => {
  const m = await send(med.token, { body: 'Douleur à l’ÉPAULE gauche depuis hier' });
  assert.equal(m.status, 201);
  await send(med.token, { body: 'Épaule : radio demandée', visibility: 'health' });
  const search = (token, q) => api(server, 'GET', `/api/v1/messages/search?${new URLSearchParams(q)}`, { token });
  const byNurse = contract('GET', '/api/v1/messages/search', await search(nurse.token, { q: 'epaule' }));
  assert.equal(byNurse.json.items.length, 2, byNurse.text);
  const bySocial = await search(social.token, { q: 'EPAULE' });
  assert.deepEqual(bySocial.json.items.map((i) => i.id), [m.json.id]);
  assert.equal((await search(nurse.token, { q: 'épaule', author_id: nurse.account_id })).json.items.length, 0);
  assert.equal((await search(nurse.token, { q: 'epaule gauche', patient_id: pt.id })).json.items.length, 1);
  assert.equal((await search(outsider.token, { q: 'epaule' })).json.items.length, 0);
  assertProblem(await search(nurse.token, { q: '   ' }), 422, 'invalid-field');
  assertProblem(await search(nurse.token, { q: 'x', from: 'hier' }), 422, 'invalid-field');
  assertProblem(await search(nurse.token, { q: 'x'.repeat(201) }), 422, 'invalid-field');
});

test('the circle changes: a member who leaves it is cut off at once (feed told, nothing more to read), a newcomer joins', async () => {
  const feed = await openLive(server, nurse.token);
  const ended = await patchMember(server, coord.token, pt.id, members.nurse, { end: new Date(Date.now() - 1000).toISOString() });
  assert.ok(ended);
  await feed.until((f) => f.events.some((e) => e.kind === 'conversation_left' && e.data.conversation_id === conv.id), 5000, 'left');
  const after = await send(med.token, { body: 'Écrit après son départ' });
  assert.equal(after.status, 201);
  await sleep(300);
  assert.ok(!feed.events.some((e) => e.kind === 'message' && e.data.message.id === after.json.id), 'not sent to her');
  assertProblem(await api(server, 'GET', `${C}/${conv.id}/messages`, { token: nurse.token }), 404, 'not-found');
  assertProblem(await send(nurse.token, { body: 'Encore là ?' }), 404, 'not-found');
  const list = await api(server, 'GET', C, { token: nurse.token });
  assert.ok(!list.json.items.some((c) => c.id === conv.id));
  assert.equal((await api(server, 'GET', `/api/v1/messages/search?q=depart`, { token: nurse.token })).json.items.length, 0);
  // A newcomer of the circle is a member at once, reads the history, and starts with nothing unread.
  const newcomer = await newProfessional(server, operator.token, { first_name: 'Nouvelle', last_name: 'Infirmière', profession_code: '60', profession_label: 'Infirmier' });
  const nfeed = await openLive(server, newcomer.token);
  await addMember(server, coord.token, pt.id, { account_id: newcomer.account_id, role: 'infirmier' });
  await nfeed.until((f) => f.events.some((e) => e.kind === 'conversation' && e.data.conversation.id === conv.id), 5000, 'joined');
  assert.equal(await unreadOf(newcomer.token), 0);
  const history = await api(server, 'GET', `${C}/${conv.id}/messages`, { token: newcomer.token });
  assert.ok(history.json.items.some((m) => m.id === after.json.id));
  await feed.close();
  await nfeed.close();
});

test('groups: any member adds people (who read from then on), the creator removes, anyone leaves', async () => {
  const g = await api(server, 'POST', C, { token: med.token, body: { kind: 'group', title: 'Tournée du jeudi', member_ids: [nurse.account_id] } });
  assert.equal(g.status, 201, g.text);
  const before = await send(med.token, { body: 'Avant ton arrivée' }, g.json.id);
  const socialFeed = await openLive(server, social.token);
  const added = contract('POST', `${C}/{id}/members`,
    await api(server, 'POST', `${C}/${g.json.id}/members`, { token: nurse.token, body: { member_ids: [social.account_id] } }));
  assert.ok(added.json.members.some((m) => m.account_id === social.account_id && m.active));
  await socialFeed.until((f) => f.events.some((e) => e.kind === 'conversation' && e.data.conversation.id === g.json.id), 5000, 'added');
  const page = await api(server, 'GET', `${C}/${g.json.id}/messages`, { token: social.token });
  assert.ok(!page.json.items.some((m) => m.id === before.json.id), 'what was said before was said to others');
  assertProblem(await api(server, 'DELETE', `${C}/${g.json.id}/members/${social.account_id}`, { token: nurse.token }), 403, 'forbidden');
  const left = contract('DELETE', `${C}/{id}/members/{account}`,
    await api(server, 'DELETE', `${C}/${g.json.id}/members/${social.account_id}`, { token: social.token }));
  assert.ok(left.json.members.some((m) => m.account_id === social.account_id && !m.active));
  await socialFeed.until((f) => f.events.some((e) => e.kind === 'conversation_left'), 5000, 'left');
  assertProblem(await send(social.token, { body: 'encore' }, g.json.id), 403, 'not-member');
  const removed = await api(server, 'DELETE', `${C}/${g.json.id}/members/${nurse.account_id}`, { token: med.token });
  assert.equal(removed.status, 200, removed.text);
  assertProblem(await api(server, 'POST', `${C}/${conv.id}/members`, { token: med.token, body: { member_ids: [outsider.account_id] } }), 422, 'invalid-field');
  await socialFeed.close();
});

test("the patients module's alerts reach the live feed: raised (to each recipient), acknowledged (to the recipient's other devices)", async () => {
  const phone = await openLive(server, med.token);
  const desk = await openLive(server, med.token);
  const raised = await api(server, 'POST', `${P}/${pt.id}/alerts`, { token: coord.token, body: { kind: 'chute', severity: 'importante', body: 'Chute dans la salle de bains, pas de blessure.' } });
  assert.equal(raised.status, 201, raised.text);
  for (const feed of [phone, desk]) {
    await feed.until((f) => f.events.some((e) => e.kind === 'alert' && e.data.alert_id === raised.json.id), 5000, 'alert event');
  }
  const ev = phone.events.find((e) => e.kind === 'alert' && e.data.alert_id === raised.json.id);
  assert.deepEqual(ev.data, { patient_id: pt.id, alert_id: raised.json.id, kind: 'chute', severity: 'importante' }, 'no clinical text in the feed');
  const ack = await api(server, 'POST', `${P}/${pt.id}/alerts/${raised.json.id}/ack`, { token: med.token });
  assert.equal(ack.status, 200, ack.text);
  await desk.until((f) => f.events.some((e) => e.kind === 'alert_acknowledged' && e.data.alert_id === raised.json.id), 5000, 'ack event');
  await phone.close();
  await desk.close();
});

test('"delivered" receipts: a device says what it received, the author sees "distribué" before "lu"; never beyond the last message', async () => {
  const feed = await openLive(server, med.token);
  const m = await send(med.token, { body: 'Je passe à 17 h' });
  assert.equal(m.status, 201, m.text);
  const forged = contract('POST', `${C}/{id}/delivered`,
    await api(server, 'POST', `${C}/${conv.id}/delivered`, { token: coord.token, body: { seq: m.json.seq + 1000 } }));
  assert.equal(forged.json.delivered_seq, m.json.seq, 'capped at the last message');
  await feed.until((f) => f.events.some((e) => e.kind === 'delivered' && e.data.account_id === coord.account_id), 5000, 'delivered event');
  const receipts = await api(server, 'GET', `${C}/${conv.id}/messages/${m.json.id}/receipts`, { token: med.token });
  const coordRow = receipts.json.items.find((r) => r.account_id === coord.account_id);
  assert.deepEqual([coordRow.delivered, coordRow.read], [true, false]);
  const page = await api(server, 'GET', `${C}/${conv.id}/messages?after=${m.json.seq - 1}&limit=1`, { token: med.token });
  assert.equal(page.json.items[0].delivered_to, receipts.json.items.filter((r) => r.delivered).length);
  assert.ok(page.json.items[0].delivered_to >= page.json.items[0].read_by);
  // Going back is not possible, and reading counts as received.
  const back = await api(server, 'POST', `${C}/${conv.id}/delivered`, { token: coord.token, body: { seq: 1 } });
  assert.equal(back.json.delivered_seq, m.json.seq);
  assertProblem(await api(server, 'POST', `${C}/${conv.id}/delivered`, { token: coord.token, body: { seq: -1 } }), 422, 'invalid-field');
  assertProblem(await api(server, 'POST', `${C}/${conv.id}/delivered`, { token: outsider.token, body: { seq: 1 } }), 404, 'not-found');
  await feed.close();
});

test('the e-mail digest: once per period to whom unread messages wait, counting them, with no clinical content', async () => {
  const digestTo = (who) => outbox(server.db).filter((eml) => mailTo(who.email)(eml) && /non lu/.test(eml));
  const first = await waitForMail(server.db, (eml) => mailTo(social.email)(eml) && /non lu/.test(eml), 8000);
  assert.match(first, /message\(s\) non lu\(s\) dans/);
  assert.doesNotMatch(first, /Passage|INR|Chute|hématome|Lefèvre/, 'who wrote what stays in Cordée');
  const count = digestTo(social).length;
  assert.equal(count, 1);
  assert.equal((await send(med.token, { body: 'Un de plus' })).status, 201);
  await sleep(2500);  // two more passes
  assert.equal(digestTo(social).length, 1, 'one digest per period, however many messages arrive');
});
