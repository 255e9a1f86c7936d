// A client that never reads (docs/messaging.md, "Bounded"): the server queues at most `live_queue_bytes` for one
// socket, then drops it rather than wait for it; the others keep receiving at once, and the dropped client, once it
// reads again and reconnects after its last event, gets everything it missed — nothing lost, nothing twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, startDemoServer } from '../lib/server.mjs';
import { demoLogin, sleep } from '../lib/flows.mjs';
import { openLive, accountId, conversation } from '../lib/live.mjs';
import { newProfessional } from '../lib/patients.mjs';

let server, nurse, senders, group;
before(async () => {
  // A small queue (yet above one message's frame) so that the test fills it quickly (256 KiB as shipped).
  server = await startDemoServer({ args: ['--live-queue-bytes', '65536'] });
  nurse = await demoLogin(server, 'professional', 1);
  // Each account may send a burst of 60 messages: enough senders for the kernel's socket buffers (megabytes on
  // loopback) to fill before the server's queue does.
  const operator = await demoLogin(server, 'operator');
  senders = [await demoLogin(server, 'professional', 0), await demoLogin(server, 'professional', 2), await demoLogin(server, 'coordinator', 0)];
  for (let i = 0; i < 5; i++) senders.push(await newProfessional(server, operator.token));
  const ids = await Promise.all([nurse, ...senders].map((a) => accountId(server, a.token)));
  const res = await conversation(server, senders[0].token, { kind: 'group', title: 'Lecteur lent', member_ids: ids.slice(1).concat(ids[0]) });
  assert.equal(res.status, 201, res.text);
  group = res.json;
});
after(async () => { await server?.stop(); });

async function openSockets() {
  const m = await api(server, 'GET', '/metrics');
  assert.equal(m.status, 200, m.text);
  return Number(/^cordee_http_open_websockets (\d+)/m.exec(m.text)[1]);
}

test('a socket that never reads is dropped, not waited for; the others are not slowed; it resumes with all it missed', async () => {
  const slow = await openLive(server, nurse.token);
  const attentive = await openLive(server, senders[1].token);
  const start = slow.hello.seq;
  assert.equal(await openSockets(), 2);
  slow.ws._socket.pause();  // the client stops reading: what the server sends piles up
  const text = '€'.repeat(3990);  // ~12 KB a message in UTF-8: the kernel's buffers (megabytes) fill sooner
  const sent = [];
  let dropped = false;
  // Past the kernel's buffers the server's queue fills; once it has not moved for http::Socket::kStallSeconds (10 s)
  // the next event drops the client. The senders go on (each within its own rate) until then.
  const until = Date.now() + 60000;
  for (let round = 0; !dropped && Date.now() < until; round++) {
    for (const s of senders) {
      const at = Date.now();
      const r = await api(server, 'POST', `/api/v1/conversations/${group.id}/messages`, { token: s.token, body: { id: randomUUID(), body: `${round} ${text}` } });
      if (r.status === 429) continue;  // this sender's burst is spent: the next one sends
      assert.equal(r.status, 201, r.text);
      sent.push(r.json.id);
      // The attentive member has it at once, however full the slow one's queue.
      await attentive.until((f) => f.events.some((e) => e.kind === 'message' && e.data.message.id === r.json.id), 2000, 'delivery to the attentive client');
      assert.ok(Date.now() - at < 2000);
    }
    if (round % 5 === 4) dropped = (await openSockets()) === 1;
    if (sent.length >= 480) await sleep(200);  // every burst spent: 2 messages a second each
  }
  assert.ok(dropped, `the server dropped the socket that does not read (after ${sent.length} messages)`);
  // The client reads again: its connection was closed by the server; it reconnects after the last event it got.
  slow.ws._socket.resume();
  await slow.closed;
  const last = slow.events.length ? slow.events.at(-1).seq : start;
  const back = await openLive(server, nurse.token, { after: last });
  const want = slow.events.filter((e) => e.kind === 'message').length;
  await back.until((f) => f.events.filter((e) => e.kind === 'message').length >= sent.length - want, 10000, 'the rest');
  await sleep(200);
  const all = [...slow.events, ...back.events];
  assert.deepEqual(all.map((e) => e.seq), all.map((_, i) => start + 1 + i), 'every event once, in order, no gap');
  assert.deepEqual(all.filter((e) => e.kind === 'message').map((e) => e.data.message.id), sent, 'every message once, in order');
  await back.close();
  await attentive.close();
});
