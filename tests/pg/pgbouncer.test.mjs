// PgBouncer in transaction mode (what the README recommends for many nodes) in front of the test cluster: Debian's
// pgbouncer 1.18 does not carry named prepared statements from one server connection to the next, so Cordée sends
// them unnamed when `pg_prepared_statements = false`. Migrations, the demo, logins (TOTP, sessions) and concurrent
// notebook writes and reads by several members all go through it; then every audit lane still verifies.
// Run by ctest as `pgbouncer` (needs the test cluster: CORDEE_TEST_PG_URL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect } from 'node:net';
import { freshDatabase, runCli, startServer } from '../lib/server.mjs';
import { auditVerify, demoLogin } from '../lib/flows.mjs';
import { createPatient, writeEntry, P } from '../lib/patients.mjs';
import { api } from '../lib/server.mjs';

const base = process.env.CORDEE_TEST_PG_URL;
let bouncer, server, db, pidFile;

const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});
const waitPort = async (port) => {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((ok) => { const c = connect(port, '127.0.0.1', () => { c.end(); ok(true); }); c.on('error', () => ok(false)); });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('pgbouncer did not start');
};

before(async () => {
  assert.ok(base, 'CORDEE_TEST_PG_URL names the test cluster (ctest runs this test with the pg fixture)');
  const pg = new URL(base);
  const dir = mkdtempSync(join(tmpdir(), 'cordee-pgbouncer-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  pidFile = join(dir, 'pgbouncer.pid');
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(join(dir, 'pgbouncer.ini'), [
    '[databases]', `* = host=127.0.0.1 port=${pg.port}`,
    '[pgbouncer]', 'listen_addr = 127.0.0.1', `listen_port = ${port}`, 'unix_socket_dir =',
    'auth_type = trust', `auth_file = ${join(dir, 'users.txt')}`, 'pool_mode = transaction',
    // Fewer server connections than clients, so that a client's statements do move between server connections.
    'default_pool_size = 3', 'max_client_conn = 200', 'ignore_startup_parameters = extra_float_digits',
    `logfile = ${join(dir, 'pgbouncer.log')}`, `pidfile = ${join(dir, 'pgbouncer.pid')}`, ''].join('\n'));
  execFileSync('chown', ['-R', 'postgres:', dir]);
  // pgbouncer refuses to run as root, as PostgreSQL does.
  bouncer = spawn('runuser', ['-u', 'postgres', '--', 'pgbouncer', join(dir, 'pgbouncer.ini')], { stdio: 'inherit' });
  await waitPort(port);
  const direct = freshDatabase();
  const name = new URL(direct.databaseUrl).pathname;
  db = { dataDir: direct.dataDir, databaseUrl: `postgresql://postgres@127.0.0.1:${port}${name}`, direct };
  runCli(['demo', '--pg-prepared-statements', 'false'], db);
  server = await startServer({ db, args: ['--pg-prepared-statements', 'false', '--db-pool-size', '8'] });
});
// pgbouncer runs under runuser, which does not pass every signal on: stop pgbouncer itself by its pid file, then
// make sure nothing of it keeps this test process alive.
after(async () => {
  await server?.stop();
  try { process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM'); } catch { /* not started */ }
  bouncer?.kill('SIGKILL');
  bouncer?.unref();
});

test('through PgBouncer in transaction mode: logins, concurrent writes and reads of three members, no error', async () => {
  const [med, nurse, social] = [await demoLogin(server, 'professional', 0), await demoLogin(server, 'professional', 1),
    await demoLogin(server, 'professional', 2)];
  const patient = await createPatient(server, med.token);
  for (const m of [nurse, social]) {
    const r = await api(server, 'POST', `${P}/${patient.id}/circle`, { token: med.token, body: { account_id: m.account_id, role: 'autre' } });
    assert.equal(r.status, 201, r.text);
  }
  const writes = [];
  for (let i = 0; i < 30; i++) {
    const who = [med, nurse, social][i % 3];
    writes.push(writeEntry(server, who.token, patient.id, { body: `Passage ${i}` }));
    writes.push(api(server, 'GET', `${P}/${patient.id}/notebook?limit=50`, { token: who.token }).then((r) => {
      assert.equal(r.status, 200, r.text);
    }));
  }
  await Promise.all(writes);
  const list = await api(server, 'GET', `${P}/${patient.id}/notebook?limit=100`, { token: med.token });
  assert.equal(list.status, 200, list.text);
  const bodies = new Set(list.json.items.map((e) => e.body));
  for (let i = 0; i < 30; i++) assert.ok(bodies.has(`Passage ${i}`), `entry ${i} stored once`);
  assert.equal(list.json.items.filter((e) => /^Passage /.test(e.body)).length, 30, 'no duplicate');
  // The audit chain, written through the pooler too, verifies (read directly from the cluster).
  const v = auditVerify(db.direct);
  assert.equal(v.code, 0, v.output);
});
