// What a security review asked of uploads (docs/patients.md, "Uploads"): the access check is made on the
// request line and headers, before the body is read; each account has a storage quota, checked in the
// transaction that records the file; a file whose request failed does not stay in the blob store (and a
// collector removes the ones a crash left); image decodes are bounded, so that many large images at once
// cannot pin gigabytes.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { freshDatabase, runCli, startServer } from '../lib/server.mjs';
import { assertProblem, demoLogin, sleep } from '../lib/flows.mjs';
import {
  P, addMember, auditCount, auditMaxSeq, createPatient, newProfessional, rawApi, text, upload,
} from '../lib/patients.mjs';

const MiB = 1024 * 1024;

// --- helpers ------------------------------------------------------------------------------------------------
// Sends the request line and headers, then the body in chunks of `chunk` bytes every `everyMs`, and stops
// sending as soon as an answer begins. Resolves with the answer, how much of the body had been sent when its
// status line arrived, and whether the server then closed the connection. With `waitContinue`, the body is
// sent only after an interim "100 Continue".
function slowRequest(server, method, path, headers, { total, chunk = 256 * 1024, everyMs = 100, waitContinue = false,
  timeoutMs = 30000 } = {}) {
  const u = new URL(server.url);
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = connect(Number(u.port), u.hostname);
    let sent = 0, buf = Buffer.alloc(0), pump = null, done = false, interim = null;
    const out = { status: 0, headers: {}, text: '', json: null, sentAtAnswer: null, total, closedByServer: false, error: null, ms: 0 };
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(pump);
      clearTimeout(overall);
      out.ms = Date.now() - started;
      out.interim = interim;
      sock.destroy();
      resolve(out);
    };
    const overall = setTimeout(finish, timeoutMs);
    const startPump = () => {
      pump = setInterval(() => {
        if (out.sentAtAnswer !== null || sent >= total || sock.destroyed) { clearInterval(pump); return; }
        const n = Math.min(chunk, total - sent);
        sock.write(Buffer.alloc(n, 'a'), () => {});
        sent += n;
      }, everyMs);
    };
    sock.on('connect', () => {
      sock.write(`${method} ${path} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Length: ${total}\r\n` +
        Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');
      if (!waitContinue) startPump();
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (out.sentAtAnswer === null && out.status === 0) out.sentAtAnswer = sent;
        const head = buf.subarray(0, end).toString('latin1');
        const status = Number(head.match(/^HTTP\/1\.1 (\d{3})/)?.[1] || 0);
        if (status === 100) {
          interim = { status, sentBefore: sent };
          buf = buf.subarray(end + 4);
          out.sentAtAnswer = null;
          if (waitContinue && !pump) startPump();
          continue;
        }
        out.status = status;
        for (const line of head.split('\r\n').slice(1)) {
          const i = line.indexOf(':');
          out.headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        const length = Number(out.headers['content-length'] || 0);
        if (buf.length - end - 4 < length) return; // the rest of the body comes later
        out.text = buf.subarray(end + 4, end + 4 + length).toString('utf8');
        try { out.json = JSON.parse(out.text); } catch { /* not JSON */ }
        if (out.headers.connection !== 'close') finish();
        // Otherwise wait (a moment) for the server to close.
        setTimeout(finish, 3000);
        return;
      }
    });
    sock.on('end', () => { out.closedByServer = true; if (out.status) finish(); });
    sock.on('error', (e) => { out.error = e.code || e.message; if (out.status) out.closedByServer = true; finish(); });
  });
}
const asResponse = (r) => ({ status: r.status, json: r.json, text: r.text, headers: { get: (k) => r.headers[k.toLowerCase()] } });

// The files of a data directory's blob store (DATA/blobs/xx/SHA256, and temporary files).
function blobFiles(db) {
  const root = join(db.dataDir, 'blobs');
  const out = [];
  if (!existsSync(root)) return out;
  for (const d of readdirSync(root)) {
    const dir = join(root, d);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)) out.push(join(dir, f));
  }
  return out.sort();
}
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const blobPath = (db, sha) => join(db.dataDir, 'blobs', sha.slice(0, 2), sha);

// A PNG of width × height RGB pixels, all the same colour: a few tens of KiB however large it is decoded.
function crc32(buf) {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf) >>> 0;
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunkOf(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function flatPng(width, height, rgb = [200, 120, 40]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const row = Buffer.alloc(1 + 3 * width);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + 3 * x);
  const raw = Buffer.alloc(row.length * height);
  for (let y = 0; y < height; y++) row.copy(raw, y * row.length);
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunkOf('IHDR', ihdr),
    chunkOf('IDAT', zlib.deflateSync(raw, { level: 9 })), chunkOf('IEND', Buffer.alloc(0))]);
}
// Peak resident memory of a process (kB → bytes), from /proc.
function peakRss(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return Number(m[1]) * 1024;
}

async function demoServer(env = {}) {
  const db = freshDatabase();
  runCli(['demo'], db);
  return startServer({ db, env });
}
// A patient followed by a new professional `owner`; `outsider` is an approved professional outside the circle.
async function setUp(server) {
  const operator = await demoLogin(server, 'operator');
  const coord = await demoLogin(server, 'coordinator');
  const owner = await newProfessional(server, operator.token, { first_name: 'Depot', last_name: 'Fichiers' });
  const outsider = await newProfessional(server, operator.token, { first_name: 'Hors', last_name: 'Cercle' });
  const pt = await createPatient(server, coord.token);
  await addMember(server, coord.token, pt.id, { account_id: owner.account_id, role: 'medecin_traitant' });
  return { operator, coord, owner, outsider, pt };
}

// --- 1. the access check comes before the body ----------------------------------------------------------------
describe('access checked on the headers, before the body', () => {
  let server, ctx;
  before(async () => { server = await demoServer(); ctx = await setUp(server); });
  after(async () => { await server?.stop(); });

  test('a non-member announcing 10 MiB and sending it slowly gets its 404 while most of the body is unsent', async (t) => {
    const since = auditMaxSeq(server.db);
    const path = `${P}/${ctx.pt.id}/attachments?name=gros.txt`;
    const r = await slowRequest(server, 'POST', path, { authorization: `Bearer ${ctx.outsider.token}`, 'content-type': 'text/plain' },
      { total: 10 * MiB });
    assertProblem(asResponse(r), 404, 'not-found', 'a non-member');
    t.diagnostic(`404 after ${r.sentAtAnswer} of ${r.total} bytes sent`);
    assert.ok(r.sentAtAnswer < r.total / 4, `the answer came after ${r.sentAtAnswer} of ${r.total} bytes (${r.ms} ms): the body was read first`);
    assert.equal(r.headers.connection, 'close', 'the server does not wait for the rest of the body on this connection');
    assert.ok(r.closedByServer, `the server closed the connection (${r.error || 'no error'})`);
    assert.ok(auditCount(server.db, since, { actor: ctx.outsider.account_id, targetId: ctx.pt.id, outcome: 'denied' }) >= 1,
      'the refusal is audited');
  });

  test('no session, or a session that is not valid: 401 before the body', async () => {
    const path = `${P}/${ctx.pt.id}/attachments?name=gros.txt`;
    for (const headers of [{}, { authorization: 'Bearer pas-un-jeton' }]) {
      const r = await slowRequest(server, 'POST', path, { 'content-type': 'text/plain', ...headers }, { total: 10 * MiB });
      assertProblem(asResponse(r), 401, 'unauthenticated', JSON.stringify(headers));
      assert.ok(r.sentAtAnswer < r.total / 4, `401 after ${r.sentAtAnswer} of ${r.total} bytes (${r.ms} ms)`);
      assert.ok(r.closedByServer, 'the server closed the connection');
    }
  });

  test('a member sending slowly is served (201); Expect: 100-continue is honoured after the check', async () => {
    const path = `${P}/${ctx.pt.id}/attachments?name=lent.txt`;
    const auth = { authorization: `Bearer ${ctx.owner.token}`, 'content-type': 'text/plain' };
    const slow = await slowRequest(server, 'POST', path, auth, { total: MiB, chunk: 128 * 1024, everyMs: 50 });
    assert.equal(slow.status, 201, slow.text);
    assert.equal(slow.json.size, MiB);
    assert.equal(slow.sentAtAnswer, MiB, 'the whole body was read');
    // The client waits for "100 Continue" before sending: a member gets it, a non-member gets its 404 at once.
    const cont = await slowRequest(server, 'POST', path, { ...auth, expect: '100-continue' }, { total: 64 * 1024, waitContinue: true });
    assert.equal(cont.interim?.status, 100, `an interim 100 Continue: ${cont.status} ${cont.text}`);
    assert.equal(cont.interim.sentBefore, 0, 'before any byte of the body');
    assert.equal(cont.status, 201, cont.text);
    const refused = await slowRequest(server, 'POST', path, { authorization: `Bearer ${ctx.outsider.token}`, 'content-type': 'text/plain',
      expect: '100-continue' }, { total: 10 * MiB, waitContinue: true, timeoutMs: 5000 });
    assert.equal(refused.interim, null, 'no 100 Continue for a refused upload');
    assertProblem(asResponse(refused), 404, 'not-found', 'a non-member waiting for 100 Continue');
  });
});

// --- 2, 3. the quota, and files of refused requests -----------------------------------------------------------
describe('storage quota per account; files of refused or failed requests are removed', () => {
  const QUOTA = MiB;
  let server, ctx;
  before(async () => {
    server = await demoServer({ CORDEE_UPLOAD_QUOTA_BYTES: String(QUOTA) });
    ctx = await setUp(server);
  });
  after(async () => { await server?.stop(); });
  // A text file of exactly `bytes` bytes, unlike any other.
  const file = (bytes) => {
    const head = `Compte rendu ${randomBytes(6).toString('hex')}\n`;
    return text(head + 'x'.repeat(bytes - head.length - 1) + '\n');
  };

  test('what an account uploaded plus the new file must stay within upload_quota_bytes: 507 quota-exceeded (French, with the use)', async () => {
    const { owner, pt } = ctx;
    const a = await upload(server, owner.token, pt.id, 'a.txt', file(600 * 1024));
    assert.equal(a.status, 201, a.text);
    const b = await upload(server, owner.token, pt.id, 'b.txt', file(300 * 1024));
    assert.equal(b.status, 201, b.text);
    const blobsBefore = blobFiles(server.db);
    const tooMuch = file(200 * 1024);
    const c = await upload(server, owner.token, pt.id, 'c.txt', tooMuch);
    const p = assertProblem(c, 507, 'quota-exceeded', '600 + 300 + 200 KiB over a 1 MiB quota');
    assert.equal(p.used_bytes, a.json.size + b.json.size, 'how much is used');
    assert.equal(p.quota_bytes, QUOTA);
    assert.equal(p.file_bytes, tooMuch.length);
    assert.match(p.detail, /quota/i);
    assert.match(p.detail, /900 Kio/, `the use, in words: ${p.detail}`);
    // The file was written to the blob store before the refusal (the quota is checked in the transaction that
    // records it): it is not left there.
    assert.deepEqual(blobFiles(server.db), blobsBefore, 'no new file in the blob store');
    assert.ok(!existsSync(blobPath(server.db, sha256(tooMuch))), 'the refused file is not stored');
    // A file that fits still goes in; another account has its own quota.
    const d = await upload(server, owner.token, pt.id, 'd.txt', file(100 * 1024));
    assert.equal(d.status, 201, `600 + 300 + 100 KiB fit in 1 MiB: ${d.text}`);
    const coordUp = await upload(server, ctx.coord.token, pt.id, 'e.txt', file(700 * 1024));
    assert.equal(coordUp.status, 201, `another account's quota: ${coordUp.text}`);
  });

  test('concurrent uploads cannot pass the quota together', async () => {
    const other = await newProfessional(server, ctx.operator.token, { first_name: 'Course', last_name: 'Quota' });
    await addMember(server, ctx.coord.token, ctx.pt.id, { account_id: other.account_id, role: 'infirmier' });
    const blobsBefore = blobFiles(server.db);
    const files = Array.from({ length: 8 }, () => file(300 * 1024));
    const results = await Promise.all(files.map((f, i) => upload(server, other.token, ctx.pt.id, `course-${i}.txt`, f)));
    const ok = results.filter((r) => r.status === 201);
    assert.equal(ok.length, 3, `3 × 300 KiB fit in 1 MiB, not 4: ${results.map((r) => r.status).join(' ')}`);
    for (const r of results.filter((x) => x.status !== 201)) assertProblem(r, 507, 'quota-exceeded');
    const added = blobFiles(server.db).filter((f) => !blobsBefore.includes(f));
    assert.deepEqual(added.map((f) => f.slice(-64)).sort(), ok.map((r) => sha256(files[results.indexOf(r)])).sort(),
      'only the accepted files are in the blob store');
  });

  test('a refused file whose bytes another upload already stored does not take them away', async () => {
    const { owner, pt } = ctx;
    const shared = file(50 * 1024);
    const first = await upload(server, ctx.coord.token, pt.id, 'commun.txt', shared);
    assert.equal(first.status, 201, first.text);
    // owner is near its quota (1000 KiB used): the same bytes are refused for it…
    const again = await upload(server, owner.token, pt.id, 'commun.txt', shared);
    assertProblem(again, 507, 'quota-exceeded');
    // …and stay for the first upload.
    assert.ok(existsSync(blobPath(server.db, sha256(shared))), 'the bytes of the accepted upload stay');
    const got = await rawApi(server, 'GET', `${P}/${pt.id}/attachments/${first.json.id}`, { token: ctx.coord.token });
    assert.equal(got.status, 200, got.text);
    assert.ok(got.bytes.equals(shared));
  });

  test('the collector removes, at start, blobs no row references that are older than the longest request', async () => {
    const { coord, pt } = ctx;
    const kept = await upload(server, coord.token, pt.id, 'garde.txt', file(10 * 1024));
    assert.equal(kept.status, 201, kept.text);
    await server.stop();
    // What a crash between the blob and its row leaves: an old file nothing references, and an old temporary file.
    const orphan = randomBytes(32).toString('hex');
    const fresh = randomBytes(32).toString('hex');
    const tmpName = `.${orphan}.abcdef.tmp`;
    const hoursAgo = (h) => new Date(Date.now() - h * 3600e3);
    for (const sha of [orphan, fresh]) {
      mkdirSync(join(server.db.dataDir, 'blobs', sha.slice(0, 2)), { recursive: true });
      writeFileSync(blobPath(server.db, sha), 'orphelin');
    }
    writeFileSync(join(server.db.dataDir, 'blobs', orphan.slice(0, 2), tmpName), 'moitié');
    utimesSync(blobPath(server.db, orphan), hoursAgo(2), hoursAgo(2));
    utimesSync(join(server.db.dataDir, 'blobs', orphan.slice(0, 2), tmpName), hoursAgo(2), hoursAgo(2));
    // Referenced blobs, however old, stay.
    const referenced = blobFiles(server.db).filter((f) => !f.endsWith(orphan) && !f.endsWith(fresh) && !f.endsWith('.tmp'));
    assert.ok(referenced.length >= 5, `the blobs uploaded above: ${referenced.length}`);
    for (const f of referenced) utimesSync(f, hoursAgo(3), hoursAgo(3));

    server = await startServer({ db: server.db, env: { CORDEE_UPLOAD_QUOTA_BYTES: String(QUOTA) } });
    const deadline = Date.now() + 10000;
    while (existsSync(blobPath(server.db, orphan)) && Date.now() < deadline) await sleep(100);
    assert.ok(!existsSync(blobPath(server.db, orphan)), 'an old blob no row references is removed');
    assert.ok(!existsSync(join(server.db.dataDir, 'blobs', orphan.slice(0, 2), tmpName)), 'an old temporary file is removed');
    assert.ok(existsSync(blobPath(server.db, fresh)), 'a recent one stays (it may belong to an upload in flight)');
    assert.deepEqual(referenced.filter((f) => !existsSync(f)), [], 'every referenced blob stays');
    const token = (await demoLogin(server, 'coordinator')).token;
    const got = await rawApi(server, 'GET', `${P}/${pt.id}/attachments/${kept.json.id}`, { token });
    assert.equal(got.status, 200, `a referenced blob stays, however old: ${got.text}`);
  });
});

// --- 4. bounded image decodes ----------------------------------------------------------------------------------
describe('image decodes are bounded', () => {
  const SLOTS = 2;
  let server, ctx;
  before(async () => {
    server = await demoServer({ CORDEE_IMAGE_DECODES: String(SLOTS) });
    ctx = await setUp(server);
  });
  after(async () => { await server?.stop(); });

  test('32 large-dimension PNG uploads at once all succeed, and the peak memory stays bounded', { timeout: 240000 }, async (t) => {
    const W = 4000, H = 4000; // 16 Mpx: 61 MiB of RGBA pixels, from a file of about 50 KiB
    const png = flatPng(W, H);
    assert.ok(png.length < 200 * 1024, `a small file (${png.length} bytes)`);
    const decoded = W * H * 4; // RGBA, as the server decodes it
    const start = peakRss(server.child.pid);
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) =>
      upload(server, ctx.owner.token, ctx.pt.id, `grande-${i}.png`, png, 'image/png')));
    assert.deepEqual(results.map((r) => r.status), Array(32).fill(201), results.filter((r) => r.status !== 201).map((r) => r.text.slice(0, 200)).join(' | '));
    assert.ok(results.every((r) => r.json.mime === 'image/png'));
    const peak = peakRss(server.child.pid);
    const bound = SLOTS * decoded * 2 + 300 * MiB;
    t.diagnostic(`peak RSS ${Math.round(peak / MiB)} MiB (${Math.round(start / MiB)} MiB before the uploads), bound ${Math.round(bound / MiB)} MiB`);
    assert.ok(peak < bound, `peak RSS ${Math.round(peak / MiB)} MiB (at start ${Math.round(start / MiB)} MiB) is under ` +
      `${SLOTS} decodes × ${Math.round(decoded / MiB)} MiB × 2 + 300 MiB = ${Math.round(bound / MiB)} MiB`);
  });
});
