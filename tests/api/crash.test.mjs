// Durability: every favourite and every notebook entry the server acknowledged (201) survives `kill -9` in the
// middle of a burst of concurrent writes, the server restarts on the same data, and the audit chain (its lanes on
// PostgreSQL) verifies.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, freshDatabase, runCli, api, login, backend } from '../lib/server.mjs';
import { demoAccount, auditVerify } from '../lib/flows.mjs';
import { demoAccounts } from '../lib/server.mjs';

const IN_FLIGHT = 32;
let server;
after(async () => { await server?.stop(); });

/**
 * Runs IN_FLIGHT writers of `write(label, n)` (→ the API answer) and kills the server with SIGKILL once `killAfter`
 * writes were acknowledged (`acked(res)`): returns the acknowledged labels with what `keep(res, n)` keeps of them.
 * Before the kill every answer must be an acknowledgement; after it, failures are the cut requests.
 */
async function killDuringBurst(t, { write, acked, keep }) {
  const acknowledged = new Map();
  let sent = 0, failed = 0, stop = false, killed = null;
  const killAfter = 100 + Math.floor(Math.random() * 300);
  const kill = () => { if (!killed) { killed = server.kill(); } return killed; };
  async function worker() {
    while (!stop) {
      const label = `crash-${randomUUID()}`;
      const n = sent++;
      try {
        const res = await write(label, n);
        if (acked(res)) {
          acknowledged.set(label, keep(res, n));
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
  return { acknowledged, sent };
}

/** Logs in again the accounts whose bearer session did not survive the restart. */
async function sessionsAfterRestart(t, accounts, tokens) {
  for (let i = 0; i < tokens.length; i++) {
    if ((await api(server, 'GET', '/api/v1/me', { token: tokens[i] })).status !== 200) {
      t.diagnostic(`the bearer session of ${accounts[i].email} did not survive the restart; logging in again`);
      tokens[i] = await login(server, accounts[i].email, accounts[i].password, accounts[i].totp_secret);
    }
  }
}

test(`kill -9 during ${IN_FLIGHT} concurrent POST /me/favorites loses no acknowledged write (${backend})`, async (t) => {
  const db = freshDatabase();
  runCli(['demo'], db);
  server = await startServer({ db });
  // Several accounts: an account holds at most 200 favourites.
  const accounts = demoAccounts(db);
  const tokens = [];
  for (const a of accounts) tokens.push(await login(server, a.email, a.password, a.totp_secret));

  const { acknowledged, sent } = await killDuringBurst(t, {
    write: (label, n) => api(server, 'POST', '/api/v1/me/favorites', {
      token: tokens[n % tokens.length], body: { label, url: '/annuaire' }, headers: { 'idempotency-key': label },
    }),
    acked: (res) => res.status === 201,
    keep: (res, n) => ({ id: res.json.id, who: n % tokens.length }),
  });

  server = await startServer({ db });
  await sessionsAfterRestart(t, accounts, tokens);
  const stored = new Map();
  let crashRows = 0;
  for (let i = 0; i < tokens.length; i++) {
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

test(`kill -9 during ${IN_FLIGHT} concurrent notebook writes loses no acknowledged entry and leaves the audit lanes whole (${backend})`, async (t) => {
  await server?.stop();
  const db = freshDatabase();
  runCli(['demo'], db);
  server = await startServer({ db });
  // Three members of one demo patient's circle write into its notebook (checked access, entry, timeline, audit).
  const accounts = ['medecin', 'infirmier', 'assistante.sociale']
    .map((who) => demoAccounts(db).find((a) => a.email === `${who}@demo.cordee.fr`));
  const tokens = [];
  for (const a of accounts) tokens.push(await login(server, a.email, a.password, a.totp_secret));
  const lists = await Promise.all(tokens.map((token) => api(server, 'GET', '/api/v1/patients/mine?limit=200', { token })));
  const shared = lists[0].json.items.map((p) => p.id).find((id) => lists.every((l) => l.json.items.some((p) => p.id === id)));
  assert.ok(shared, 'the demo has a patient followed by the médecin, the infirmier and the assistante sociale');
  const path = `/api/v1/patients/${shared}/notebook`;

  const { acknowledged, sent } = await killDuringBurst(t, {
    write: (label, n) => api(server, 'POST', path, {
      token: tokens[n % tokens.length], body: { kind: 'transmission', visibility: 'circle', body: label },
      headers: { 'idempotency-key': label },
    }),
    acked: (res) => res.status === 201,
    keep: (res, n) => ({ id: res.json.id, who: n % tokens.length }),
  });

  server = await startServer({ db });
  await sessionsAfterRestart(t, accounts, tokens);
  const stored = new Map();
  for (let cursor = null; ;) {
    const page = await api(server, 'GET', `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: tokens[0] });
    assert.equal(page.status, 200, page.text);
    for (const e of page.json.items.filter((x) => x.body.startsWith('crash-'))) {
      assert.ok(!stored.has(e.body), `no duplicate entry for ${e.body}`);
      stored.set(e.body, e.id);
    }
    cursor = page.json.next_cursor;
    if (!cursor) break;
  }
  const lost = [...acknowledged.keys()].filter((label) => !stored.has(label));
  assert.deepEqual(lost, [], `${lost.length} acknowledged notebook entries lost after kill -9`);
  for (const [label, { id }] of acknowledged) assert.equal(stored.get(label), id, `same id for ${label}`);
  assert.ok(stored.size <= sent, 'nothing invented');
  t.diagnostic(`stored after restart ${stored.size} (acknowledged ${acknowledged.size}, sent ${sent})`);

  // Idempotency keys belong to the account that sent them: the author replays.
  const [label, { id, who }] = [...acknowledged][0];
  const replay = await api(server, 'POST', path, {
    token: tokens[who], body: { kind: 'transmission', visibility: 'circle', body: label }, headers: { 'idempotency-key': label },
  });
  assert.ok(replay.status === 201 || replay.status === 200, replay.text);
  assert.equal(replay.json.id, id, 'a replay after the crash answers the first entry');

  const v = auditVerify(db);
  assert.equal(v.code, 0, `every audit lane is intact after the crash: ${v.output}`);
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
