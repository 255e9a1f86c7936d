// Messaging and the live feed (docs/messaging.md) with real WebSocket clients (npm ws) against the real binary:
// events in one per-account sequence with no gap and no duplicate, resume after a disconnect and after a restart,
// idempotent resend, read cursors across two devices and unread counts equal to cursor arithmetic, "lu par" in a
// group, and the refusals: another origin, no session, a future sequence number, bad messages, a flood.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, startServer, runCli, freshDatabase } from '../lib/server.mjs';
import { demoAccount, demoLogin, cookieLogin, cookieHeader, PROBLEM_PREFIX, sleep } from '../lib/flows.mjs';
import { openLive, accountId, conversation, send } from '../lib/live.mjs';
import { checkAnswer } from '../lib/openapi_check.mjs';

// Each answer is as docs/openapi.yaml says.
const C = '/api/v1/conversations';
function contract(method, template, res) { assert.deepEqual(checkAnswer(method, template, res), []); return res; }

let server, db, med, nurse, social, medId, nurseId, socialId, direct;
before(async () => {
  db = freshDatabase();
  runCli(['demo'], db);
  server = await startServer({ db });
  med = await demoLogin(server, 'professional', 0);
  nurse = await demoLogin(server, 'professional', 1);
  social = await demoLogin(server, 'professional', 2);
  [medId, nurseId, socialId] = await Promise.all([med, nurse, social].map((a) => accountId(server, a.token)));
  // The demo already holds their conversation à deux: asking for it gives it.
  const res = await conversation(server, med.token, { kind: 'direct', member_ids: [nurseId] });
  assert.equal(res.status, 200, res.text);
  contract('POST', C, res);
  direct = res.json;
});
after(async () => { await server?.stop(); });

// The event numbers of a feed from its first one: consecutive, no gap, no duplicate.
function assertConsecutive(events, from) {
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => from + 1 + i), 'consecutive numbers');
}

test('a direct conversation is one per pair: asking again gives the same one', async () => {
  const again = await conversation(server, nurse.token, { kind: 'direct', member_ids: [medId] });
  assert.equal(again.status, 200, again.text);
  contract('POST', C, again);
  assert.equal(again.json.id, direct.id);
  contract('GET', `${C}/{id}`, await api(server, 'GET', `${C}/${direct.id}`, { token: nurse.token }));
  assert.deepEqual(again.json.members.map((m) => m.account_id).sort(), [medId, nurseId].sort());
});

test('messages reach the other member live, in order, numbered with no gap; a resend is the stored message', async () => {
  const feed = await openLive(server, nurse.token);
  const start = feed.hello.seq;
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  for (const [i, id] of ids.entries()) {
    const r = await send(server, med.token, direct.id, `Passage ${i + 1} fait`, id);
    assert.equal(r.status, 201, r.text);
    contract('POST', `${C}/{id}/messages`, r);
  }
  // The same id again (a client that did not get the answer): the stored message, not a second one.
  const resent = await send(server, med.token, direct.id, 'Passage 1 fait', ids[0]);
  assert.equal(resent.status, 200, resent.text);
  contract('POST', `${C}/{id}/messages`, resent);
  assert.equal(resent.json.id, ids[0]);
  const fourth = await send(server, med.token, direct.id, 'Dernier passage');
  assert.equal(fourth.status, 201);
  await feed.until((f) => f.events.length >= 4, 5000, '4 events');
  await sleep(200);
  assert.equal(feed.events.length, 4, 'the resend published nothing');
  assertConsecutive(feed.events, start);
  assert.deepEqual(feed.events.map((e) => e.data.message.body), ['Passage 1 fait', 'Passage 2 fait', 'Passage 3 fait', 'Dernier passage']);
  assert.ok(feed.events.every((e) => e.kind === 'message' && e.data.conversation_id === direct.id));
  assert.deepEqual(feed.events.map((e) => e.data.message.seq), [1, 2, 3, 4].map((n) => n + resent.json.seq - 1));
  await feed.close();
});

test('after a disconnect, resuming from the last number gives exactly what was missed, in order', async () => {
  const first = await openLive(server, nurse.token);
  const seen = first.hello.seq;
  await first.close();
  for (let i = 0; i < 5; i++) assert.equal((await send(server, med.token, direct.id, `absent ${i}`)).status, 201);
  const back = await openLive(server, nurse.token, { after: seen });
  await back.until((f) => f.events.length >= 5, 5000, '5 missed events');
  await sleep(200);
  assert.equal(back.events.length, 5);
  assertConsecutive(back.events, seen);
  assert.deepEqual(back.events.map((e) => e.data.message.body), [0, 1, 2, 3, 4].map((i) => `absent ${i}`));
  assert.equal(back.hello.seq, seen + 5, 'hello tells the head');
  await back.close();
});

test('after a server restart, the feed resumes where the device stopped', async () => {
  const feed = await openLive(server, nurse.token);
  const seen = feed.hello.seq;
  const closed = feed.closed;
  await server.stop();
  await closed;
  server = await startServer({ db });
  for (let i = 0; i < 3; i++) assert.equal((await send(server, med.token, direct.id, `après redémarrage ${i}`)).status, 201);
  const back = await openLive(server, nurse.token, { after: seen });
  await back.until((f) => f.events.length >= 3, 5000, '3 events');
  assertConsecutive(back.events, seen);
  assert.deepEqual(back.events.map((e) => e.data.message.body), [0, 1, 2].map((i) => `après redémarrage ${i}`));
  await back.close();
});

test('unread counts are the messages after the read cursor; reading on one device clears the other and tells the author', async () => {
  const unreadOf = async (token, cid) => {
    const list = await api(server, 'GET', '/api/v1/conversations', { token });
    assert.equal(list.status, 200, list.text);
    contract('GET', C, list);
    const c = list.json.items.find((i) => i.id === cid);
    return { unread: c.unread, read_seq: c.read_seq, last_seq: c.last_seq, total: list.json.unread_total };
  };
  const before = await unreadOf(nurse.token, direct.id);
  assert.equal(before.unread, before.last_seq - before.read_seq, 'all messages after the cursor are the doctor\'s');
  assert.ok(before.unread > 0);
  assert.equal(before.total, before.unread, 'the nurse has one conversation');
  const phone = await openLive(server, nurse.token);
  const desk = await openLive(server, nurse.token);
  const author = await openLive(server, med.token);
  // Reading up to two messages before the end leaves two unread.
  const read = await api(server, 'POST', `/api/v1/conversations/${direct.id}/read`, { token: nurse.token, body: { seq: before.last_seq - 2 } });
  assert.equal(read.status, 200, read.text);
  contract('POST', `${C}/{id}/read`, read);
  assert.equal(read.json.unread, 2);
  assert.equal((await unreadOf(nurse.token, direct.id)).unread, 2);
  for (const feed of [phone, desk, author]) {
    await feed.until((f) => f.events.some((e) => e.kind === 'read' && e.data.read_seq === before.last_seq - 2), 5000, 'read event');
  }
  // A forged number beyond the last message reads what exists, never what is still to come.
  const all = await api(server, 'POST', `/api/v1/conversations/${direct.id}/read`, { token: nurse.token, body: { seq: 1e12 } });
  assert.equal(all.json.read_seq, before.last_seq);
  assert.equal(all.json.unread, 0);
  const next = await send(server, med.token, direct.id, 'Nouveau message');
  assert.equal((await unreadOf(nurse.token, direct.id)).unread, 1, 'the next message is unread');
  // A lower number never moves the cursor back.
  const back = await api(server, 'POST', `/api/v1/conversations/${direct.id}/read`, { token: nurse.token, body: { seq: 1 } });
  assert.equal(back.json.read_seq, before.last_seq);
  const page = await api(server, 'GET', `/api/v1/conversations/${direct.id}/messages?limit=3`, { token: med.token });
  assert.equal(page.status, 200, page.text);
  contract('GET', `${C}/{id}/messages`, page);
  const byId = Object.fromEntries(page.json.items.map((m) => [m.id, m]));
  assert.equal(byId[next.json.id].read_by, 0);
  assert.equal(page.json.items.at(-1).id, next.json.id, 'the newest last');
  assert.equal(page.json.items.find((m) => m.seq === before.last_seq).read_by, 1, 'read by the nurse');
  for (const f of [phone, desk, author]) await f.close();
});

test('in a group, "lu par" counts the members who read each message', async () => {
  const g = await conversation(server, med.token, { kind: 'group', title: 'Équipe de Mme Lefèvre', member_ids: [nurseId, socialId] });
  assert.equal(g.status, 201, g.text);
  const m = await send(server, med.token, g.json.id, 'Réunion de synthèse jeudi à 14 h');
  assert.equal(m.status, 201);
  await api(server, 'POST', `/api/v1/conversations/${g.json.id}/read`, { token: nurse.token, body: { seq: m.json.seq } });
  const page = await api(server, 'GET', `/api/v1/conversations/${g.json.id}/messages`, { token: med.token });
  const mine = page.json.items.find((x) => x.id === m.json.id);
  assert.equal(mine.recipients, 2);
  assert.equal(mine.read_by, 1);
  // A group with the same Idempotency-Key is the first one.
  const key = randomUUID();
  const a = await conversation(server, med.token, { kind: 'group', title: 'Staff', member_ids: [nurseId] }, { 'idempotency-key': key });
  const b = await conversation(server, med.token, { kind: 'group', title: 'Staff', member_ids: [nurseId] }, { 'idempotency-key': key });
  assert.equal(a.status, 201);
  assert.equal(b.json.id, a.json.id);
});

test('an edit and a deletion leave a trace; only the author may make them, with the version read', async () => {
  const m = await send(server, med.token, direct.id, 'RDV kiné mardi');
  const edited = await api(server, 'PATCH', `/api/v1/conversations/${direct.id}/messages/${m.json.id}`, {
    token: med.token, body: { body: 'RDV kiné mercredi' }, headers: { 'if-match': String(m.json.version) } });
  assert.equal(edited.status, 200, edited.text);
  contract('PATCH', `${C}/{id}/messages/{message}`, edited);
  assert.equal(edited.json.edited, true);
  assert.equal(edited.json.body, 'RDV kiné mercredi');
  const stale = await api(server, 'PATCH', `/api/v1/conversations/${direct.id}/messages/${m.json.id}`, {
    token: med.token, body: { body: 'autre' }, headers: { 'if-match': String(m.json.version) } });
  assert.equal(stale.status, 409);
  contract('PATCH', `${C}/{id}/messages/{message}`, stale);
  assert.equal(stale.json.current.body, 'RDV kiné mercredi');
  const other = await api(server, 'DELETE', `/api/v1/conversations/${direct.id}/messages/${m.json.id}`, {
    token: nurse.token, headers: { 'if-match': String(edited.json.version) } });
  assert.equal(other.status, 403);
  const del = await api(server, 'DELETE', `/api/v1/conversations/${direct.id}/messages/${m.json.id}`, {
    token: med.token, headers: { 'if-match': String(edited.json.version) } });
  assert.equal(del.status, 200, del.text);
  contract('DELETE', `${C}/{id}/messages/{message}`, del);
  assert.equal(del.json.deleted, true);
  assert.equal(del.json.body, '');
  const page = await api(server, 'GET', `/api/v1/conversations/${direct.id}/messages?limit=5`, { token: nurse.token });
  const seen = page.json.items.find((x) => x.id === m.json.id);
  assert.equal(seen.deleted, true, 'the place of the message stays, marked deleted');
  // The audit trail keeps both earlier texts.
  const audit = await api(server, 'GET', `/api/v1/audit?target=${m.json.id}`, { token: (await demoLogin(server, 'operator')).token });
  assert.equal(audit.status, 200, audit.text);
  const texts = JSON.stringify(audit.json);
  assert.ok(texts.includes('RDV kiné mardi') && texts.includes('RDV kiné mercredi'), texts);
});

test('bad messages are refused with the field, and nothing is published', async () => {
  const feed = await openLive(server, nurse.token);
  const cases = [
    [{ body: '' }, 'body'],
    [{ body: '   ' }, 'body'],
    [{ body: 'x'.repeat(4001) }, 'body'],
    [{ body: 'ok', id: 'pas-un-uuid' }, 'id'],
    [{ body: 'ok', reply_to: randomUUID() }, 'reply_to'],
    [{ body: 'ok', extra: 1 }, 'extra'],
  ];
  for (const [body, field] of cases) {
    const r = await api(server, 'POST', `/api/v1/conversations/${direct.id}/messages`, { token: med.token, body });
    assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 60)}: ${r.text}`);
    contract('POST', `${C}/{id}/messages`, r);
    assert.ok(r.json.errors.some((e) => e.field === field), r.text);
  }
  const bad = await api(server, 'POST', `/api/v1/conversations/${direct.id}/messages`, {
    token: med.token, body: Buffer.concat([Buffer.from('{"body":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]) });
  assert.ok([400, 422].includes(bad.status), bad.text);
  // Someone else's message id, and a conversation one is not in.
  const taken = await send(server, med.token, direct.id, 'à moi');
  const steal = await send(server, nurse.token, direct.id, 'à moi aussi', taken.json.id);
  assert.equal(steal.status, 409);
  assert.equal(steal.json.type, PROBLEM_PREFIX + 'duplicate');
  const outsider = await send(server, social.token, direct.id, 'bonjour');
  assert.equal(outsider.status, 404, 'a stranger is not told the conversation exists');
  const list = await api(server, 'GET', `/api/v1/conversations/${direct.id}/messages`, { token: social.token });
  assert.equal(list.status, 404);
  await sleep(200);
  assert.deepEqual(feed.events.map((e) => e.data.message.id), [taken.json.id], 'only the valid message was published');
  await feed.close();
});

test('the socket: another origin, no session, a plain GET and a future number are answered clearly', async () => {
  await assert.rejects(openLive(server, nurse.token, { headers: { origin: 'https://evil.example' } }),
    (e) => e.status === 403 && e.body.type === PROBLEM_PREFIX + 'origin-refused');
  await assert.rejects(openLive(server, undefined), (e) => e.status === 401);
  const a = demoAccount(db, 'professional', 1);
  const { jar } = await cookieLogin(server, a.email, a.password, a.totp_secret);
  // A cookie session needs the page's origin: without it (or from elsewhere) the socket is refused…
  await assert.rejects(openLive(server, undefined, { headers: { cookie: cookieHeader(jar) } }), (e) => e.status === 403);
  // …and with it, it opens.
  const own = await openLive(server, undefined, { headers: { cookie: cookieHeader(jar), origin: server.url } });
  await own.close();
  const plain = await api(server, 'GET', '/api/v1/live', { token: nurse.token });
  assert.equal(plain.status, 426);
  contract('GET', '/api/v1/live', plain);
  await assert.rejects(openLive(server, nurse.token, { after: 'abc' }), (e) => e.status === 422);
  // A device that says it saw more than exists (restored from another server): told to start again from the head.
  const future = await openLive(server, nurse.token, { after: 999999999 });
  assert.equal(future.frames[0].type, 'reset');
  assert.equal(future.frames[0].seq, future.hello.seq);
  const m = await send(server, med.token, direct.id, 'après reset');
  await future.until((f) => f.events.length === 1, 5000, 'the next event');
  assert.equal(future.events[0].seq, future.hello.seq + 1);
  assert.equal(future.events[0].data.message.id, m.json.id);
  // Pings are answered; unknown frames get an error, the socket stays.
  future.ws.send(JSON.stringify({ type: 'ping' }));
  future.ws.send('n\'importe quoi');
  await future.until((f) => f.frames.some((x) => x.type === 'pong') && f.frames.some((x) => x.type === 'error'), 3000, 'pong and error');
  await future.close();
});

test('a flood from one account is refused with 429 and Retry-After, and others are not slowed', async () => {
  const g = await conversation(server, social.token, { kind: 'group', title: 'Flood', member_ids: [nurseId] });
  const results = [];
  for (let i = 0; i < 70; i++) results.push(send(server, social.token, g.json.id, `flood ${i}`));
  const statuses = (await Promise.all(results)).map((r) => r.status);
  const refused = (await Promise.all(results)).filter((r) => r.status === 429);
  // A burst of 60 (less what this account sent before in this file), then 2 per second: the 70 sent at once cannot
  // all pass, and most do.
  const accepted = statuses.filter((s) => s === 201).length;
  assert.ok(accepted >= 50 && accepted <= 62, statuses.join(','));
  assert.ok(statuses.every((s) => s === 201 || s === 429), statuses.join(','));
  assert.ok(refused.length > 0, 'past the burst, refused');
  assert.equal(refused[0].json.type, PROBLEM_PREFIX + 'too-many-messages');
  contract('POST', `${C}/{id}/messages`, refused[0]);
  assert.ok(Number(refused[0].headers.get('retry-after')) >= 1);
  const other = await send(server, med.token, direct.id, 'pendant ce temps');
  assert.equal(other.status, 201, 'another account sends as usual');
});

test('people are chosen by directory entry: only an account whose link to the entry is proven is reached', async () => {
  const find = async (q) => {
    const r = await api(server, 'GET', `/api/v1/directory/search?q=${encodeURIComponent(q)}&per_page=20`, { token: med.token });
    assert.equal(r.status, 200, r.text);
    return r.json.items.filter((i) => i.kind === 'professional');
  };
  const benali = (await find('Karim Benali')).find((i) => i.last_name === 'Benali' && i.has_account);
  assert.ok(benali, 'the infirmier is in the directory, on Cordée');
  const c = await conversation(server, social.token, { kind: 'direct', professional_ids: [benali.id] });
  assert.ok([200, 201].includes(c.status), c.text);
  assert.ok(c.json.members.some((m) => m.account_id === nurseId), 'the entry designates the infirmier\'s account');
  // The kinésithérapeute of the demo only typed an RPPS number (not confirmed yet): his entry reaches nobody.
  const operator = await demoLogin(server, 'operator');
  const queue = await api(server, 'GET', '/api/v1/enrolments', { token: operator.token });
  const kine = queue.json.items.find((e) => e.email === 'kine.attente@demo.cordee.fr');
  assert.ok(kine?.claimed_professional?.id, `the kiné claims a directory entry: ${JSON.stringify(kine).slice(0, 300)}`);
  const refused = await conversation(server, social.token, { kind: 'direct', professional_ids: [kine.claimed_professional.id] });
  assert.equal(refused.status, 422, refused.text);
  assert.ok(refused.json.errors.some((e) => e.field === 'professional_ids'));
  const none = await conversation(server, social.token, { kind: 'group', title: 'Vide' });
  assert.equal(none.status, 422);
});
