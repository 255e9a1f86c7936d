// Durability: every favourite the server acknowledged (201) survives `kill -9` in the middle of a
// burst of concurrent writes, and the server restarts on the same data.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, freshDatabase, runCli, api, login, backend } from '../lib/server.mjs';
import { demoAccount, auditVerify } from '../lib/flows.mjs';
import { demoAccounts } from '../lib/server.mjs';

const IN_FLIGHT = 32;
let server;
after(async () => { await server?.stop(); });

test(`kill -9 during ${IN_FLIGHT} concurrent POST /me/favorites loses no acknowledged write (${backend})`, async (t) => {
  const db = freshDatabase();
  runCli(['demo'], db);
  server = await startServer({ db });
  // Several accounts: an account holds at most 200 favourites.
  const accounts = demoAccounts(db);
  const tokens = [];
  for (const a of accounts) tokens.push(await login(server, a.email, a.password, a.totp_secret));

  const acknowledged = new Map(); // label → { id, account index }
  let sent = 0;
  let failed = 0;
  let stop = false;
  const killAfter = 100 + Math.floor(Math.random() * 300);
  let killed = null;
  const kill = () => { if (!killed) { killed = server.kill(); } return killed; };

  async function worker() {
    while (!stop) {
      const label = `crash-${randomUUID()}`;
      const who = sent++ % tokens.length;
      try {
        const res = await api(server, 'POST', '/api/v1/me/favorites', {
          token: tokens[who], body: { label, url: '/annuaire' }, headers: { 'idempotency-key': label },
        });
        if (res.status === 201) {
          acknowledged.set(label, { id: res.json.id, who });
          if (acknowledged.size >= killAfter) { kill(); }
        } else if (!killed) {
          throw new Error(`unexpected ${res.status} before the kill: ${res.text}`);
        }
      } catch (e) {
        if (!killed) { stop = true; throw e; }
        failed++;
        stop = true;
      }
    }
  }
  const safety = setTimeout(() => kill(), 20000);
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  clearTimeout(safety);
  const exit = await killed;
  assert.equal(exit.signal, 'SIGKILL', 'the server died of SIGKILL');
  t.diagnostic(`sent ${sent}, acknowledged ${acknowledged.size}, cut by the kill ${failed}`);
  assert.ok(acknowledged.size >= killAfter, 'the burst ran before the kill');

  server = await startServer({ db });
  const stored = new Map();
  let crashRows = 0;
  for (let i = 0; i < tokens.length; i++) {
    if ((await api(server, 'GET', '/api/v1/me', { token: tokens[i] })).status !== 200) {
      t.diagnostic(`the bearer session of ${accounts[i].email} did not survive the restart; logging in again`);
      tokens[i] = await login(server, accounts[i].email, accounts[i].password, accounts[i].totp_secret);
    }
    const list = await api(server, 'GET', '/api/v1/me/favorites', { token: tokens[i] });
    assert.equal(list.status, 200, list.text);
    const crash = list.json.items.filter((it) => it.label.startsWith('crash-'));
    crashRows += crash.length;
    for (const it of crash) {
      assert.ok(!stored.has(it.label), `no duplicate row for ${it.label}`);
      stored.set(it.label, { id: it.id, who: i });
    }
  }
  const lost = [...acknowledged.keys()].filter((label) => !stored.has(label));
  assert.deepEqual(lost, [], `${lost.length} acknowledged favourites lost after kill -9`);
  for (const [label, v] of acknowledged) assert.deepEqual(stored.get(label), v, `same id and owner for ${label}`);
  assert.ok(crashRows <= sent, 'nothing invented');
  t.diagnostic(`stored after restart ${crashRows} (acknowledged ${acknowledged.size}, sent ${sent})`);

  // A replay of an acknowledged write after the crash is still idempotent.
  const [label, { id, who }] = [...acknowledged][0];
  const replay = await api(server, 'POST', '/api/v1/me/favorites', {
    token: tokens[who], body: { label, url: '/annuaire' }, headers: { 'idempotency-key': label },
  });
  assert.equal(replay.status, 201, replay.text);
  assert.equal(replay.json.id, id);

  const v = auditVerify(db);
  assert.equal(v.code, 0, `the audit chain is intact after the crash: ${v.output}`);
});

test('a bearer session survives a server restart (sessions are not kept in memory)', async () => {
  const db = server.db;
  const acct = demoAccount(db, 'coordinator');
  const token = await login(server, acct.email, acct.password, acct.totp_secret);
  await server.stop();
  server = await startServer({ db });
  const me = await api(server, 'GET', '/api/v1/me', { token });
  assert.equal(me.status, 200, me.text);
});
