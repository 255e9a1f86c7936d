// The network threads never wait on the disk or on PostgreSQL: with one io thread, a database another process
// keeps locked must not stop the server from answering what needs no database (/livez), and a GET /me that is due
// to write its session's "last seen" time answers without waiting for the write (the touch is written later by a
// background batch). On PostgreSQL every read waits on a worker, never on the io thread.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer, freshDatabase, runCli, api, login, backend } from '../lib/server.mjs';
import { demoAccount, sql, sleep } from '../lib/flows.mjs';

const IDLE_SECONDS = 8;  // a session is touched when last seen more than 2 s ago (a quarter of the idle time-out)
let server;
before(async () => {
  const db = freshDatabase();
  runCli(['demo'], db);
  server = await startServer({ db, args: ['--io-threads', '1'], env: { CORDEE_SESSION_IDLE_SECONDS: String(IDLE_SECONDS) } });
});
after(async () => { await server?.stop(); });

// Another process takes the database's write lock (SQLite) or locks the sessions table (PostgreSQL) and keeps it
// until release().
async function holdLock(db) {
  const [cmd, args, script] = db.databaseUrl
    ? ['psql', [db.databaseUrl, '-Atq', '-v', 'ON_ERROR_STOP=1'], "BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n"]
    : ['sqlite3', [join(db.dataDir, 'cordee.db')], ".timeout 5000\nBEGIN IMMEDIATE; SELECT 'locked';\n"];
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the lock was not taken: ' + out)), 10000);
    child.stdout.on('data', (d) => { out += d; if (out.includes('locked')) { clearTimeout(timer); ok(); } });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`${cmd} exited ${code}: ${out}`)); });
    child.stdin.write(script);
  });
  return {
    async release() {
      const exited = new Promise((ok) => child.on('exit', ok));
      child.stdin.end(db.databaseUrl ? 'ROLLBACK;\n\\q\n' : 'ROLLBACK;\n.quit\n');
      await exited;
    },
  };
}

async function timed(promise) {
  const start = Date.now();
  const res = await promise;
  return { res, ms: Date.now() - start };
}

test(`a locked database stops neither /livez nor a GET /me due for its session touch (${backend}, one io thread)`, async () => {
  const acct = demoAccount(server.db, 'professional');
  const token = await login(server, acct.email, acct.password, acct.totp_secret);
  assert.equal((await api(server, 'GET', '/api/v1/me', { token })).status, 200);
  const hash = sql(server.db, 'SELECT token_hash FROM sessions ORDER BY created_at DESC LIMIT 1').trim();
  const seenBefore = Number(sql(server.db, `SELECT last_seen_at FROM sessions WHERE token_hash = '${hash}'`).trim());
  await sleep(2300);  // the next request of this session is due to touch it

  const lock = await holdLock(server.db);
  let me;
  try {
    me = timed(api(server, 'GET', '/api/v1/me', { token }));
    await sleep(100);
    const live = await timed(api(server, 'GET', '/livez'));
    assert.equal(live.res.status, 200);
    assert.ok(live.ms < 1000, `/livez answered in ${live.ms} ms while the database is locked (the io thread is free)`);
    if (!server.db.databaseUrl) {
      // SQLite: the session is read from the cache or a snapshot; the touch waits for the writer, the answer does not.
      const { res, ms } = await me;
      assert.equal(res.status, 200, res.text);
      assert.ok(ms < 1500, `GET /me answered in ${ms} ms while its touch could not be written`);
    }
  } finally {
    await lock.release();
  }
  const { res } = await me;
  assert.equal(res.status, 200, res.text);

  // The touch is written by the batch once the database is free again.
  let seen = seenBefore;
  for (let i = 0; i < 40 && seen === seenBefore; i++) {
    await sleep(100);
    seen = Number(sql(server.db, `SELECT last_seen_at FROM sessions WHERE token_hash = '${hash}'`).trim());
  }
  assert.ok(seen > seenBefore, `last_seen_at moved forward (${seenBefore} → ${seen})`);
});

test(`GET answers say where they ran: inline when they need no wait, on a worker for PostgreSQL reads (${backend})`, async () => {
  const acct = demoAccount(server.db, 'coordinator');
  const token = await login(server, acct.email, acct.password, acct.totp_secret);
  await api(server, 'GET', '/livez');
  const me = await api(server, 'GET', '/api/v1/me', { token, headers: { 'x-request-id': 'where-me-ran' } });
  assert.equal(me.status, 200);
  await sleep(300);  // log lines are written within ~10 ms
  const line = server.log().split('\n').find((l) => l.includes('"request_id":"where-me-ran"'));
  assert.ok(line, 'the request is in the access log');
  const ran = JSON.parse(line).ran;
  assert.equal(ran, server.db.databaseUrl ? 'worker' : 'inline',
    server.db.databaseUrl ? 'a PostgreSQL read waits on a worker' : 'SQLite reads the session in memory, inline');
});
