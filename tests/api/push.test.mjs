// Web Push (docs/messaging.md, "Web Push") against the real binary, with a push service run by the test: a node HTTP
// server on loopback that records every push, answers what each test plans (410 once, 503 once), and whose payloads
// the test decrypts with npm http_ece (RFC 8291) using browser keys it made itself. Checked: the VAPID authorization
// (ES256 signature with the server's public key, audience, expiry), the payload says who wrote and never what, a
// subscription answered 410 is removed, a 503 is tried again, an account with a live socket open gets no push, a
// logout ends its device's subscription, invalid subscriptions are refused naming the field, and nobody removes
// another account's subscription.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import ece from 'http_ece';
import { api, startServer, runCli, freshDatabase, login, backend } from '../lib/server.mjs';
import { demoAccount, demoLogin, assertProblem, sleep, sql } from '../lib/flows.mjs';
import { openLive, accountId, conversation, send } from '../lib/live.mjs';
import { checkAnswer } from '../lib/openapi_check.mjs';

const S = '/api/v1/push/subscriptions';
function contract(method, template, res) { assert.deepEqual(checkAnswer(method, template, res), []); return res; }

// The push service: every request it got, and the statuses it is told to answer next, per path (then 201).
const received = [];
const planned = new Map();
let pushService, pushOrigin;
function startPushService() {
  return new Promise((ok) => {
    pushService = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
        const plan = planned.get(req.url) || [];
        res.writeHead(plan.length ? plan.shift() : 201);
        res.end();
      });
    });
    pushService.listen(0, '127.0.0.1', () => { pushOrigin = `http://127.0.0.1:${pushService.address().port}`; ok(); });
  });
}
const pushesTo = (path) => received.filter((r) => r.path === path);
async function waitForPushes(path, n, ms = 8000) {
  const end = Date.now() + ms;
  while (pushesTo(path).length < n) {
    if (Date.now() > end) throw new Error(`expected ${n} pushes to ${path}, got ${pushesTo(path).length}`);
    await sleep(50);
  }
  return pushesTo(path);
}

// A browser's subscription: its own P-256 key pair and 16-byte authentication secret.
function browser(path) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh, auth, path,
    json: { endpoint: pushOrigin + path, expirationTime: null,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } },
    open(push) { return JSON.parse(ece.decrypt(push.body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString('utf8')); },
  };
}

let server, db, med, nurse, social, medId, nurseId, socialId, direct, withSocial, publicKey;
before(async () => {
  await startPushService();
  db = freshDatabase();
  runCli(['demo'], db);
  server = await startServer({ db, env: { CORDEE_PUSH_HOSTS: '127.0.0.1', CORDEE_PUSH_RETRY_SECONDS: '1' } });
  med = await demoLogin(server, 'professional', 0);
  nurse = await demoLogin(server, 'professional', 1);
  social = await demoLogin(server, 'professional', 2);
  [medId, nurseId, socialId] = await Promise.all([med, nurse, social].map((a) => accountId(server, a.token)));
  direct = (await conversation(server, med.token, { kind: 'direct', member_ids: [nurseId] })).json;
  withSocial = (await conversation(server, med.token, { kind: 'direct', member_ids: [socialId] })).json;
});
after(async () => { await server?.stop(); pushService?.close(); });

const medName = () => { const m = direct.members.find((x) => x.account_id === medId); return `${m.first_name} ${m.last_name}`; };
async function subscribe(token, b, status = 201) {
  const res = await api(server, 'POST', S, { token, body: b.json });
  assert.equal(res.status, status, res.text);
  contract('POST', S, res);
  return res;
}

test('the VAPID public key is an uncompressed P-256 point, the same at each call', async () => {
  const res = contract('GET', '/api/v1/push/key', await api(server, 'GET', '/api/v1/push/key'));
  assert.equal(res.status, 200);
  publicKey = res.json.public_key;
  const raw = Buffer.from(publicKey, 'base64url');
  assert.equal(raw.length, 65);
  assert.equal(raw[0], 4);
  assert.equal((await api(server, 'GET', '/api/v1/push/key')).json.public_key, publicKey);
});

test('a message to an account not connected is pushed: aes128gcm, VAPID signed for the endpoint, no text in it', async () => {
  const phone = browser('/push/nurse-phone');
  await subscribe(nurse.token, phone, 201);
  await subscribe(nurse.token, phone, 200);  // the same endpoint again: renewed, not doubled
  const secret = 'Tension 16/9 chez Mme Durand, à revoir';
  assert.equal((await send(server, med.token, direct.id, secret)).status, 201);
  const [push] = await waitForPushes(phone.path, 1);
  assert.equal(push.method, 'POST');
  assert.equal(push.headers['content-encoding'], 'aes128gcm');
  assert.equal(push.headers.urgency, 'high');
  assert.ok(Number(push.headers.ttl) > 0);
  assert.match(push.headers.topic, /^[A-Za-z0-9_-]{1,32}$/);
  // RFC 8292: vapid t=JWT, k=the server's public key; the JWT signed by it (ES256, r||s), for this origin, < 24 h.
  const m = /^vapid t=([^,]+), k=(.+)$/.exec(push.headers.authorization);
  assert.ok(m, push.headers.authorization);
  assert.equal(m[2], publicKey);
  const [h, c, sig] = m[1].split('.');
  assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url')), { typ: 'JWT', alg: 'ES256' });
  const claims = JSON.parse(Buffer.from(c, 'base64url'));
  assert.equal(claims.aud, pushOrigin);
  const now = Date.now() / 1000;
  assert.ok(claims.exp > now && claims.exp <= now + 24 * 3600, `exp ${claims.exp}`);
  assert.match(claims.sub, /^(mailto:|https:)/);
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'),
    y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url')),
    'the JWT is signed by the server key');
  // The payload, decrypted as the browser would.
  const notice = phone.open(push);
  assert.deepEqual(notice, { title: 'Nouveau message', body: `Nouveau message de ${medName()}`,
    url: `/messages/${direct.id}`, tag: direct.id });
  const plain = JSON.stringify(notice);
  for (const word of ['Tension', 'Durand', '16/9']) assert.ok(!plain.includes(word), `no "${word}" in the push`);
  assert.equal(pushesTo(phone.path).length, 1, 'one push for one message');
  // The author's own devices get nothing for its own message.
  assert.equal(received.filter((r) => r.path.startsWith('/push/med')).length, 0);
});

test('a subscription the push service answers 410 is removed: the next message sends nothing to it', async () => {
  const old = browser('/push/nurse-old-laptop');
  await subscribe(nurse.token, old);
  planned.set(old.path, [410]);
  assert.equal((await send(server, med.token, direct.id, 'Premier')).status, 201);
  await waitForPushes(old.path, 1);
  await sleep(300);
  assert.equal((await send(server, med.token, direct.id, 'Second')).status, 201);
  await waitForPushes('/push/nurse-phone', 3);  // the other device got both
  await sleep(1500);
  assert.equal(pushesTo(old.path).length, 1, 'nothing after the 410');
  // Gone from the server: registering it again is a new subscription (the page renews it this way).
  await subscribe(nurse.token, old, 201);
  assert.equal((await api(server, 'DELETE', S, { token: nurse.token, body: { endpoint: old.json.endpoint } })).status, 204);
});

test('a 503 is tried again after a delay, and the push arrives once', async () => {
  const tablet = browser('/push/nurse-tablet');
  await subscribe(nurse.token, tablet);
  planned.set(tablet.path, [503]);
  const before = pushesTo('/push/nurse-phone').length;
  assert.equal((await send(server, med.token, direct.id, 'Après une panne')).status, 201);
  const [first, second] = await waitForPushes(tablet.path, 2, 10000);
  assert.ok(second.at - first.at >= 800, 'retried after the delay');
  assert.equal(tablet.open(second).tag, direct.id);
  await sleep(1500);
  assert.equal(pushesTo(tablet.path).length, 2);
  assert.equal(pushesTo('/push/nurse-phone').length, before + 1, 'the device that answered 201 got it once');
  assert.equal((await api(server, 'DELETE', S, { token: nurse.token, body: { endpoint: tablet.json.endpoint } })).status, 204);
});

test('an account with a live socket open gets no push; once it is closed, it does', async () => {
  const desk = browser('/push/social-desk');
  await subscribe(social.token, desk);
  const feed = await openLive(server, social.token);
  await sleep(400);  // the node writes its presence a moment after the socket opens
  assert.equal((await send(server, med.token, withSocial.id, 'Vous êtes là ?')).status, 201);
  await feed.until((f) => f.events.some((e) => e.kind === 'message'), 5000, 'the message, live');
  await sleep(1500);
  assert.equal(pushesTo(desk.path).length, 0, 'seen live, not pushed');
  await feed.close();
  await sleep(400);
  assert.equal((await send(server, med.token, withSocial.id, 'Et maintenant ?')).status, 201);
  const [push] = await waitForPushes(desk.path, 1);
  assert.equal(desk.open(push).body, `Nouveau message de ${medName()}`);
});

test('several nodes: a socket open on another node counts as connected', { skip: backend !== 'postgres' && 'one node on SQLite' }, async () => {
  const other = await startServer({ db, env: { CORDEE_PUSH_HOSTS: '127.0.0.1', CORDEE_PUSH_RETRY_SECONDS: '1' } });
  try {
    const desk = browser('/push/social-elsewhere');
    await subscribe(social.token, desk);
    const feed = await openLive(other, social.token);  // on the second node; the message goes through the first
    await sleep(400);
    assert.equal((await send(server, med.token, withSocial.id, 'Sur un autre nœud')).status, 201);
    await feed.until((f) => f.events.some((e) => e.kind === 'message' && e.data.message.body === 'Sur un autre nœud'), 5000, 'the message, live');
    await sleep(1500);
    assert.equal(pushesTo(desk.path).length, 0, 'connected on another node: no push');
    await feed.close();
    await sleep(400);
    assert.equal((await send(server, med.token, withSocial.id, 'Plus personne')).status, 201);
    await waitForPushes(desk.path, 1);
    assert.equal((await api(server, 'DELETE', S, { token: social.token, body: { endpoint: desk.json.endpoint } })).status, 204);
  } finally { await other.stop(); }
});

test('a stranger cannot remove another account\'s subscription; its owner can, once', async () => {
  const phone = browser('/push/nurse-phone');  // the nurse's, from the first test
  const stranger = await api(server, 'DELETE', S, { token: social.token, body: { endpoint: phone.json.endpoint } });
  assertProblem(stranger, 404, 'not-found');
  contract('DELETE', S, stranger);
  // Nor take it over with keys of its own.
  const takeover = await api(server, 'POST', S, { token: social.token, body: { ...browser('/push/nurse-phone').json } });
  assertProblem(takeover, 409, 'duplicate');
  const before = pushesTo('/push/nurse-phone').length;
  assert.equal((await send(server, med.token, direct.id, 'Toujours là')).status, 201);
  await waitForPushes('/push/nurse-phone', before + 1);
  const own = await api(server, 'DELETE', S, { token: nurse.token, body: { endpoint: phone.json.endpoint } });
  assert.equal(own.status, 204);
  contract('DELETE', S, own);
  assertProblem(await api(server, 'DELETE', S, { token: nurse.token, body: { endpoint: phone.json.endpoint } }), 404, 'not-found');
  assertProblem(await api(server, 'DELETE', S, { body: { endpoint: phone.json.endpoint } }), 401, 'unauthenticated');
});

test('a logout ends the subscription of its session\'s device', async () => {
  const a = demoAccount(db, 'professional', 1);
  const second = await login(server, a.email, a.password, a.totp_secret);
  const shared = browser('/push/nurse-shared');
  await subscribe(second, shared);
  assert.equal((await api(server, 'POST', '/api/v1/auth/logout', { token: second })).status, 204);
  assert.equal((await send(server, med.token, direct.id, 'Après la déconnexion')).status, 201);
  await sleep(1500);
  assert.equal(pushesTo(shared.path).length, 0, 'no push to a device whose session logged out');
});

test('invalid subscriptions are refused, naming the field', async () => {
  const good = browser('/push/x').json;
  const point = Buffer.from(good.keys.p256dh, 'base64url');
  const offCurve = Buffer.from(point); offCurve[64] ^= 1;
  const cases = [
    [{ ...good, endpoint: 'ftp://127.0.0.1/push' }, 'endpoint'],
    [{ ...good, endpoint: 'http://push.example.org/x' }, 'endpoint'],          // http off loopback
    [{ ...good, endpoint: 'https://evil.example.org/x' }, 'endpoint'],         // not an accepted push service
    [{ ...good, endpoint: `http://user:pw@127.0.0.1:${pushService.address().port}/x` }, 'endpoint'],
    [{ ...good, endpoint: pushOrigin + '/' + 'a'.repeat(1100) }, 'endpoint'],  // oversize
    [{ ...good, endpoint: 'pas une adresse' }, 'endpoint'],
    [{ ...good, endpoint: undefined }, 'endpoint'],
    [{ ...good, keys: { ...good.keys, p256dh: point.subarray(0, 64).toString('base64url') } }, 'keys.p256dh'],
    [{ ...good, keys: { ...good.keys, p256dh: offCurve.toString('base64url') } }, 'keys.p256dh'],
    [{ ...good, keys: { ...good.keys, p256dh: 'x'.repeat(5000) } }, 'keys.p256dh'],
    [{ ...good, keys: { ...good.keys, p256dh: good.keys.p256dh.replace(/-/g, '+') + '+' } }, 'keys.p256dh'],
    [{ ...good, keys: { ...good.keys, auth: randomBytes(15).toString('base64url') } }, 'keys.auth'],
    [{ ...good, keys: { p256dh: good.keys.p256dh } }, 'keys.auth'],
    [{ ...good, keys: { ...good.keys, extra: 'x' } }, 'keys.extra'],
    [{ ...good, keys: 'abc' }, 'keys'],
    [{ ...good, expirationTime: 'demain' }, 'expirationTime'],
    [{ ...good, owner: medId }, 'owner'],
  ];
  for (const [body, field] of cases) {
    const res = await api(server, 'POST', S, { token: nurse.token, body });
    const p = assertProblem(res, 422, 'invalid-field', JSON.stringify(body).slice(0, 120));
    contract('POST', S, res);
    assert.ok(p.errors.some((e) => e.field === field), `${field} named in ${JSON.stringify(p.errors)}`);
  }
  const malformed = await api(server, 'POST', S, { token: nurse.token, body: '{"endpoint":' });
  assertProblem(malformed, 400, 'malformed-json');
  contract('POST', S, malformed);
  assertProblem(await api(server, 'POST', S, { body: good }), 401, 'unauthenticated');
  assertProblem(await api(server, 'DELETE', S, { token: nurse.token, body: { endpoint: 'nope' } }), 422, 'invalid-field');
});

test('at most 10 subscriptions per account: the oldest goes', async () => {
  const many = Array.from({ length: 11 }, (_, i) => browser(`/push/med-${i}`));
  for (const b of many) { await subscribe(med.token, b); await sleep(2); }
  // The first one was replaced: removing it finds nothing; the last ten are there.
  assertProblem(await api(server, 'DELETE', S, { token: med.token, body: { endpoint: many[0].json.endpoint } }), 404, 'not-found');
  for (const b of many.slice(1)) assert.equal((await api(server, 'DELETE', S, { token: med.token, body: { endpoint: b.json.endpoint } })).status, 204);
});

test('a disabled account gets no push, whatever it subscribed before', async () => {
  const desk = browser('/push/social-disabled');
  await subscribe(social.token, desk);
  sql(db, `UPDATE accounts SET status = 'disabled' WHERE id = '${socialId}'`);
  assert.equal((await send(server, med.token, withSocial.id, 'Pour un compte désactivé')).status, 201);
  await sleep(1500);
  assert.equal(pushesTo(desk.path).length, 0);
});
