// Several `cordee serve` nodes sharing one PostgreSQL (docs/messaging.md, "Live push"): a message sent through one
// node reaches a socket open on another (LISTEN/NOTIFY wakes it, the feed is read from the database); then the chaos
// test: three nodes, clients spread over them, nodes killed with kill -9 and restarted at random during a burst,
// senders resending what was not acknowledged. Afterwards every acknowledged message is stored once, and every
// client's feed holds each message of its conversation exactly once, in order, with consecutive numbers.
// Run by ctest as `several_nodes` (needs the test cluster: CORDEE_TEST_PG_URL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { api, freshDatabase, runCli, startServer } from '../lib/server.mjs';
import { demoLogin, sleep } from '../lib/flows.mjs';
import { accountId, conversation, openLive } from '../lib/live.mjs';

let db, nodes = [], med, nurse, social, ids;

// Each node has its own data directory (a copy: the audit key), and all share the database.
function nodeDb() {
  const dataDir = mkdtempSync(join(tmpdir(), 'cordee-node-'));
  cpSync(db.dataDir, dataDir, { recursive: true });
  return { ...db, dataDir };
}

before(async () => {
  db = freshDatabase();
  assert.ok(db.databaseUrl, 'several nodes share PostgreSQL: run with CORDEE_TEST_BACKEND=postgres');
  runCli(['demo'], db);
  for (let i = 0; i < 3; i++) nodes.push({ db: nodeDb(), server: null });
  for (const n of nodes) n.server = await startServer({ db: n.db });
  med = await demoLogin(nodes[0].server, 'professional', 0);
  nurse = await demoLogin(nodes[1].server, 'professional', 1);
  social = await demoLogin(nodes[2].server, 'professional', 2);
  ids = await Promise.all([med, nurse, social].map((a) => accountId(nodes[0].server, a.token)));
});
after(async () => { for (const n of nodes) await n.server?.stop(); });

test('a message sent through one node reaches a socket on another, and the read receipt comes back', async () => {
  const [a, b] = [nodes[0].server, nodes[1].server];
  // The médecin and the assistante sociale (the demo gives her no conversation à deux with the médecin).
  const conv = await conversation(a, med.token, { kind: 'direct', member_ids: [ids[2]] });
  assert.equal(conv.status, 201, conv.text);
  const onB = await openLive(b, social.token);
  const onA = await openLive(a, med.token);
  const sentAt = [];
  for (let i = 0; i < 20; i++) {
    sentAt.push(Date.now());
    const r = await api(a, 'POST', `/api/v1/conversations/${conv.json.id}/messages`, { token: med.token, body: { id: randomUUID(), body: `via A ${i}` } });
    assert.equal(r.status, 201, r.text);
  }
  await onB.until((f) => f.events.length >= 20, 10000, '20 events on node B');
  assert.deepEqual(onB.events.map((e) => e.data.message.body), [...Array(20).keys()].map((i) => `via A ${i}`));
  assert.deepEqual(onB.events.map((e) => e.seq), [...Array(20).keys()].map((i) => onB.hello.seq + 1 + i));
  const last = onB.events.at(-1).data.message.seq;
  assert.equal((await api(b, 'POST', `/api/v1/conversations/${conv.json.id}/read`, { token: social.token, body: { seq: last } })).status, 200);
  await onA.until((f) => f.events.some((e) => e.kind === 'read' && e.data.read_seq === last), 10000, 'the receipt on node A');
  await onA.close();
  await onB.close();
});

test('chaos: three nodes killed and restarted during a burst; nothing lost, nothing twice, in order', async () => {
  const g = await conversation(nodes[0].server, med.token, { kind: 'group', title: 'Chaos', member_ids: [ids[1], ids[2]] });
  assert.equal(g.status, 201, g.text);
  const cid = g.json.id;
  const accounts = [med, nurse, social];
  const alive = () => nodes.filter((n) => n.server && n.server.child.exitCode === null && !n.down);
  const pick = () => { const up = alive(); return up[Math.floor(Math.random() * up.length)]?.server; };

  // Readers: one socket per account, reconnecting to any live node with its last number.
  let stopping = false;
  const feeds = accounts.map(() => ({ events: [], last: null }));
  const readers = accounts.map(async (a, k) => {
    while (!stopping) {
      const server = pick();
      if (!server) { await sleep(50); continue; }
      let feed;
      try {
        feed = await openLive(server, a.token, feeds[k].last === null ? {} : { after: feeds[k].last });
      } catch { await sleep(100); continue; }
      if (feeds[k].last === null) feeds[k].last = feeds[k].first = feed.hello.seq;
      const take = () => {
        for (const e of feed.events.splice(0)) { feeds[k].events.push(e); feeds[k].last = e.seq; }
      };
      feed.ws.on('message', () => setImmediate(take));
      await Promise.race([feed.closed, (async () => { while (!stopping) await sleep(50); })()]);
      take();
      await feed.close();
    }
  });
  await sleep(500);

  // Killer: every 300–700 ms a node goes down with kill -9 (never the last one up), and comes back 300 ms later.
  let chaos = true, kills = 0;
  const killer = (async () => {
    while (chaos) {
      await sleep(300 + Math.random() * 400);
      const up = alive();
      if (up.length < 2) continue;
      const n = up[Math.floor(Math.random() * up.length)];
      n.down = true;
      await n.server.kill();
      kills++;
      await sleep(300);
      n.server = await startServer({ db: n.db });
      n.down = false;
    }
  })();

  // Senders: 40 messages each, every one resent (same id) until a node acknowledges it.
  const acked = new Map();
  const senders = accounts.map(async (a, k) => {
    for (let i = 0; i < 40; i++) {
      const id = randomUUID();
      for (let tries = 0; ; tries++) {
        assert.ok(tries < 200, 'a message was never acknowledged');
        const server = pick();
        if (!server) { await sleep(50); continue; }
        try {
          const r = await api(server, 'POST', `/api/v1/conversations/${cid}/messages`, { token: a.token, body: { id, body: `${k}:${i}` } });
          if (r.status === 201 || r.status === 200) { acked.set(id, r.json.seq); break; }
          assert.ok(r.status >= 500 || r.status === 429, `unexpected ${r.status} ${r.text}`);
        } catch { /* the node died under the request: resend elsewhere */ }
        await sleep(30);
      }
      await sleep(60 + Math.random() * 80);  // a burst of about 5 s: several kills land in it
    }
  });
  try {
    await Promise.all(senders);
  } finally {
    chaos = false;
    await killer;
    if (!(kills >= 3)) { stopping = true; await Promise.all(readers); }
  }
  assert.ok(kills >= 3, `nodes were killed during the burst (${kills})`);

  // Stored once each: the conversation holds exactly the acknowledged messages, numbered 1…120.
  const messagesOf = (k) => feeds[k].events.filter((e) => e.kind === 'message' && e.data.conversation_id === cid);
  try {
    const page = await api(pick(), 'GET', `/api/v1/conversations/${cid}/messages?after=0&limit=200`, { token: med.token });
    assert.equal(page.status, 200, page.text);
    const stored = page.json.items;
    assert.equal(stored.length, 120, 'one stored message per acknowledged one');
    assert.deepEqual(new Set(stored.map((m) => m.id)), new Set(acked.keys()));
    assert.deepEqual(stored.map((m) => m.seq), [...Array(120).keys()].map((i) => i + 1));
    for (const m of stored) assert.equal(acked.get(m.id), m.seq, 'the acknowledgement named the stored number');

    // Every feed: each message once, in conversation order, event numbers consecutive.
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline && feeds.some((_, k) => messagesOf(k).length < 120)) await sleep(100);
  } finally {
    stopping = true;
    await Promise.all(readers);
  }
  for (const [k, f] of feeds.entries()) {
    const nums = f.events.map((e) => e.seq);
    assert.deepEqual(nums, nums.map((_, i) => f.first + 1 + i), `account ${k}: consecutive event numbers, no gap, no repeat`);
    const mine = messagesOf(k).map((e) => e.data.message.seq);
    assert.deepEqual(mine, [...Array(120).keys()].map((i) => i + 1), `account ${k}: every message once, in order`);
  }
});
