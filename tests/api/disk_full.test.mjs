// A full disk, for real: small tmpfs mounts (the tests run as root; a mount that fails fails the test, it is never
// skipped). Every file the server writes itself is checked at each step (write, fsync, rename, directory fsync):
// a full disk answers 507 insufficient-storage (problem+json), nothing half-written remains, and no write the
// server acknowledged before is lost — across a kill -9 too. SQLite checks its own syncs (SQLITE_FULL → 507).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeSync, closeSync, rmSync, readdirSync, statSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startServer, freshDatabase, runCli, api, login, backend, demoAccounts } from '../lib/server.mjs';
import { assertProblem, sql } from '../lib/flows.mjs';
import { rawApi } from '../lib/patients.mjs';

const mounts = [];
let server;
after(async () => {
  await server?.kill();
  for (const dir of mounts.reverse()) {
    try { execFileSync('umount', [dir]); } catch { execFileSync('umount', ['-l', dir]); }
  }
});

function mountTmpfs(dir, size) {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);  // throws: the test fails
  mounts.push(dir);
}

// Fills the file system of `dir` up to its last byte; returns the filler's path.
function fill(dir) {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if (e.code !== 'ENOSPC') throw e;
    for (let n = 4096; n >= 1; n = Math.floor(n / 2)) {
      try { for (;;) writeSync(fd, chunk, 0, n); } catch (e2) { if (e2.code !== 'ENOSPC') throw e2; }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(name);
  }
  return out;
}

async function medecinAndPatient(db) {
  const med = demoAccounts(db).find((a) => a.email === 'medecin@demo.cordee.fr');
  const token = await login(server, med.email, med.password, med.totp_secret);
  const mine = await api(server, 'GET', '/api/v1/patients/mine?limit=5', { token });
  assert.equal(mine.status, 200, mine.text);
  return { token, patient: mine.json.items[0].id, med };
}

// A demo territory in a data directory of 24 MiB, then that directory filled to its last byte; the server runs.
async function demoOnAFullDataDirectory() {
  const db = freshDatabase();
  mountTmpfs(db.dataDir, '24m');
  runCli(['demo'], db);
  server = await startServer({ db });
  const { token, patient, med } = await medecinAndPatient(db);
  return { db, token, patient, med, filler: fill(db.dataDir) };
}

// A notebook entry of 15 kB labelled `plein-i-…` (its idempotency key too).
async function writeEntry(path, token, i) {
  const label = `plein-${i}-${randomUUID()}`;
  const res = await api(server, 'POST', path, {
    token, body: { kind: 'transmission', visibility: 'circle', body: label + ' ' + 'x'.repeat(15000) },
    headers: { 'idempotency-key': label },
  });
  return { label, res };
}

// After a restart: the same session if it is still there, else a new login.
async function stillLoggedIn(token, med) {
  return (await api(server, 'GET', '/api/v1/me', { token })).status === 200
    ? token : login(server, med.email, med.password, med.totp_secret);
}

// Every notebook entry acknowledged (201, labelled `plein-…`) is in the notebook, with the id it was given.
async function assertNoneLost(path, token, acknowledged) {
  const stored = new Map();
  for (let cursor = null; ;) {
    const page = await api(server, 'GET', `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    assert.equal(page.status, 200, page.text);
    for (const e of page.json.items) if (e.body.startsWith('plein-')) stored.set(e.body.split(' ')[0], e.id);
    cursor = page.json.next_cursor;
    if (!cursor) break;
  }
  const lost = acknowledged.filter((a) => stored.get(a.label) !== a.id);
  assert.deepEqual(lost.map((a) => a.label), [], `${lost.length} of ${acknowledged.length} acknowledged entries lost`);
}

// Notebook entries until one is refused: those acknowledged (201) and the refusal (null if none was).
async function writeUntilRefused(path, token) {
  const acknowledged = [];
  for (let i = 0; i < 3000; i++) {
    const { label, res } = await writeEntry(path, token, i);
    if (res.status !== 201) return { acknowledged, refused: res };
    acknowledged.push({ label, id: res.json.id });
  }
  return { acknowledged, refused: null };
}

// The worst stop (kill -9: nothing flushed by a clean shutdown) on the full disk, then room again: every acknowledged
// entry is there and the server writes again.
async function killFreeAndCheck({ db, filler, token, med, path, acknowledged }) {
  await server.kill();
  rmSync(filler);
  server = await startServer({ db });
  const token2 = await stillLoggedIn(token, med);
  await assertNoneLost(path, token2, acknowledged);
  const after = await api(server, 'POST', path, { token: token2, body: { kind: 'transmission', visibility: 'circle', body: 'Place retrouvée' } });
  assert.equal(after.status, 201, after.text);
  await server.stop();
}

const textFile = (kib) => Buffer.from(`${randomUUID()}\n` + 'Compte rendu de consultation. '.repeat(Math.ceil(kib * 1024 / 30)));

test(`a full blob store refuses an attachment with 507 and keeps every attachment it acknowledged (${backend})`, async () => {
  const db = freshDatabase();
  mountTmpfs(join(db.dataDir, 'blobs'), '1m');
  runCli(['demo'], db);
  server = await startServer({ db });
  const { token, patient } = await medecinAndPatient(db);
  const upload = (bytes) => rawApi(server, 'POST', `/api/v1/patients/${patient}/attachments?name=cr.txt`,
    { token, body: bytes, headers: { 'content-type': 'text/plain' } });

  const kept = [];
  let refused = null;
  for (let i = 0; i < 10 && !refused; i++) {
    const bytes = textFile(300);
    const res = await upload(bytes);
    if (res.status === 201) kept.push({ id: res.json.id, bytes });
    else refused = res;
  }
  assert.ok(kept.length >= 1, 'the first files fit');
  assert.ok(refused, 'a 1 MiB store ends up full');
  const p = assertProblem(refused, 507, 'insufficient-storage', 'upload on a full disk');
  assert.match(p.detail, /espace disque/i);
  assert.deepEqual(filesUnder(join(db.dataDir, 'blobs')).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
  for (const k of kept) {
    const back = await rawApi(server, 'GET', `/api/v1/patients/${patient}/attachments/${k.id}`, { token });
    assert.equal(back.status, 200, back.text);
    assert.ok(back.bytes.equals(k.bytes), 'an acknowledged file reads back whole');
  }
  // A file small enough for what is left is still taken: the server did not give up.
  const small = await upload(Buffer.from('Une ligne.\n'));
  assert.equal(small.status, 201, small.text);
  await server.stop();
});

test(`a full outbox keeps the e-mail unsent (never marked delivered), then delivers it once there is room (${backend})`, async () => {
  const db = freshDatabase();
  const outbox = join(db.dataDir, 'outbox');
  mountTmpfs(outbox, '256k');
  runCli(['demo'], db);  // its own e-mails are delivered there first
  const before = new Set(readdirSync(outbox));
  const filler = fill(outbox);
  const added = () => readdirSync(outbox).filter((f) => !before.has(f) && f !== 'filler');
  server = await startServer({ db });
  const med = demoAccounts(db).find((a) => a.email === 'medecin@demo.cordee.fr');
  const asked = await api(server, 'POST', '/api/v1/auth/password-reset', { body: { email: med.email } });
  assert.equal(asked.status, 202, asked.text);
  const row = async () => sql(db, "SELECT CASE WHEN sent_at IS NULL THEN 'unsent' ELSE 'sent' END, coalesce(last_error, '') " +
    "FROM emails WHERE subject LIKE '%initialisation%' ORDER BY created_at DESC LIMIT 1").trim();
  let state = '';
  for (let i = 0; i < 50 && !/\|.+/.test(state); i++) { await new Promise((r) => setTimeout(r, 100)); state = await row(); }
  assert.match(state, /^unsent\|.*(espace disque|insufficient-storage)/i, `the e-mail stays unsent with the reason: ${state}`);
  assert.deepEqual(added(), [], 'no half-written message, no temporary file');
  await server.stop();
  rmSync(filler);
  // Tried again once its claim (60 s) expires; the test does not wait a minute: it clears the claim.
  sql(db, 'UPDATE emails SET claimed_at = NULL WHERE sent_at IS NULL');
  server = await startServer({ db });
  for (let i = 0; i < 50 && !added().some((f) => f.endsWith('.eml')); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(added().filter((f) => f.endsWith('.eml')).length, 1, `written once there is room: ${added()}`);
  assert.match(await row(), /^sent\|/, 'and marked delivered');
  await server.stop();
});

// The whole data directory full. Under SQLite the database is in it: every write is refused. Under PostgreSQL the
// database is on the cluster's own disk: the database keeps writing, and only what the server stores itself (the
// attachments' bytes) is refused. Each backend declares the case that is true of it.
if (backend === 'sqlite') {
  test('a full disk under SQLite answers 507, loses no acknowledged write (even after kill -9) and writes again once there is room', async () => {
    const { db, token, patient, med, filler } = await demoOnAFullDataDirectory();
    const path = `/api/v1/patients/${patient}/notebook`;
    const { acknowledged, refused } = await writeUntilRefused(path, token);
    assert.ok(refused, `the disk filled up (${acknowledged.length} entries written first)`);
    assertProblem(refused, 507, 'insufficient-storage', 'a write on a full disk');
    const again = await api(server, 'POST', '/api/v1/me/favorites', { token, body: { label: 'Annuaire', url: '/annuaire' } });
    assertProblem(again, 507, 'insufficient-storage', 'another kind of write');
    // Reads that need no trace still work (a patient read does not: it is audited durably before it is answered).
    assert.equal((await api(server, 'GET', '/api/v1/me', { token })).status, 200, 'GET /me while the disk is full');

    await killFreeAndCheck({ db, filler, token, med, path, acknowledged });
  });
} else {
  test('a full data directory under PostgreSQL: the database writes go on, an attachment answers 507 with nothing half-written, ' +
    'and after kill -9 on the full disk every acknowledged write is there', async () => {
    const { db, token, patient, med, filler } = await demoOnAFullDataDirectory();
    assert.equal(statfsSync(db.dataDir).bavail, 0, 'the data directory is full');
    const upload = (tok, bytes) => rawApi(server, 'POST', `/api/v1/patients/${patient}/attachments?name=cr.txt`,
      { token: tok, body: bytes, headers: { 'content-type': 'text/plain' } });
    const attachments = () => Number(sql(db, `SELECT count(*) FROM attachments WHERE patient_id = '${patient}'`).trim());

    // What lives in the database is written: a notebook entry (and its audit), a favourite, an audited patient read.
    const path = `/api/v1/patients/${patient}/notebook`;
    const acknowledged = [];
    for (let i = 0; i < 20; i++) {
      const { label, res } = await writeEntry(path, token, i);
      assert.equal(res.status, 201, `notebook entry ${i} on a full data directory: ${res.text}`);
      acknowledged.push({ label, id: res.json.id });
    }
    const fav = await api(server, 'POST', '/api/v1/me/favorites', { token, body: { label: 'Annuaire', url: '/annuaire' } });
    assert.equal(fav.status, 201, fav.text);
    assert.equal((await api(server, 'GET', `/api/v1/patients/${patient}`, { token })).status, 200, 'an audited patient read');

    // What the server writes itself is refused, whole: no temporary file, no row that names missing bytes.
    const before = attachments();
    const refused = await upload(token, textFile(64));
    const p = assertProblem(refused, 507, 'insufficient-storage', 'attachment on a full data directory');
    assert.match(p.detail, /espace disque/i);
    assert.deepEqual(filesUnder(db.dataDir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
    assert.equal(attachments(), before, 'no attachment row for the refused file');

    await server.kill();  // the worst stop, and the disk still full: the server starts all the same
    server = await startServer({ db });
    const token2 = await stillLoggedIn(token, med);
    await assertNoneLost(path, token2, acknowledged);
    assertProblem(await upload(token2, textFile(64)), 507, 'insufficient-storage', 'still full after the restart');

    rmSync(filler);
    const bytes = textFile(64);
    const taken = await upload(token2, bytes);
    assert.equal(taken.status, 201, `once there is room: ${taken.text}`);
    const back = await rawApi(server, 'GET', `/api/v1/patients/${patient}/attachments/${taken.json.id}`, { token: token2 });
    assert.equal(back.status, 200, back.text);
    assert.ok(back.bytes.equals(bytes), 'and it reads back whole');
    await server.stop();
  });

  // PostgreSQL's own disk full: the test database lives in a tablespace on a small tmpfs (its WAL stays on the
  // cluster's disk, so the cluster itself keeps running). PostgreSQL answers SQLSTATE 53100 (disk_full); the server
  // says 507 as under SQLite, never a bare 500, and keeps what it acknowledged.
  test('PostgreSQL\'s own disk full answers 507, loses no acknowledged write (even after kill -9) and writes again once there is room', async () => {
    const space = join(tmpdir(), `cordee-pgspace-${randomUUID().slice(0, 8)}`);
    mountTmpfs(space, '64m');
    execFileSync('chown', ['postgres:', space]);
    execFileSync('chmod', ['0700', space]);
    const tablespace = 'ts_' + randomUUID().replace(/-/g, '').slice(0, 12);
    const u = new URL(process.env.CORDEE_TEST_PG_URL);
    const psql = (command) => execFileSync('psql', ['-h', u.hostname, '-p', u.port, '-U', u.username || 'postgres',
      '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', '-c', command], { encoding: 'utf8' });
    psql(`CREATE TABLESPACE ${tablespace} LOCATION '${space}'`);
    const name = 't_' + randomUUID().replace(/-/g, '').slice(0, 12);
    psql(`CREATE DATABASE ${name} TABLESPACE ${tablespace}`);
    const url = new URL(u); url.pathname = '/' + name;
    const db = { dataDir: mkdtempSync(join(tmpdir(), 'cordee-test-')), databaseUrl: url.toString() };
    try {
      runCli(['demo'], db);
      server = await startServer({ db });
      const { token, patient, med } = await medecinAndPatient(db);
      const filler = fill(space);
      assert.equal(statfsSync(space).bavail, 0, 'the tablespace is full');

      const path = `/api/v1/patients/${patient}/notebook`;
      const { acknowledged, refused } = await writeUntilRefused(path, token);
      assert.ok(refused, `PostgreSQL's disk filled up (${acknowledged.length} entries written first)`);
      const p = assertProblem(refused, 507, 'insufficient-storage', 'a write on PostgreSQL\'s full disk');
      assert.match(p.detail, /espace disque/i);

      await killFreeAndCheck({ db, filler, token, med, path, acknowledged });
    } finally {
      await server?.kill();
      server = null;
      psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      psql(`DROP TABLESPACE IF EXISTS ${tablespace}`);
    }
  });
}
