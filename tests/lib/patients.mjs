// Helpers for the patients API tests (docs/patients.md): fictional identities, NIR keys, the access rules
// written once in JavaScript (who is a member, who sees which visibility), raw uploads, audit counts and
// the files the checks upload (PDF, PNG, ZIP…).
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { api, login, freshDatabase, runCli, startServer } from './server.mjs';
import { enrolAndApprove, freeRpps, sql } from './flows.mjs';

export const P = '/api/v1/patients';

// --- fictional identities -------------------------------------------------------------------------
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export function randomName(length = 9) {
  let s = '';
  for (let i = 0; i < length; i++) s += LETTERS[randomInt(LETTERS.length)];
  return s;
}
export const capitalise = (s) => s.charAt(0) + s.slice(1).toLowerCase();
export function randomBirthDate() {
  const y = 1925 + randomInt(70);
  const m = 1 + randomInt(12);
  const d = 1 + randomInt(28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
// A creation body whose traits meet no other patient (random names and birth date).
export function newPatientBody(over = {}) {
  const first = capitalise(randomName(7));
  return {
    birth_name: randomName(10), birth_first_names: `${first} ${capitalise(randomName(6))}`, first_name: first,
    birth_date: randomBirthDate(), sex: randomInt(2) ? 'F' : 'M', birthplace_code: '51454', ...over,
  };
}

// NIR key: 97 − (N mod 97), Corsica's 2A/2B read as 19/18 (docs/patients.md).
export function nirKey(thirteen) {
  assert.equal(thirteen.length, 13);
  const dept = thirteen.slice(5, 7);
  const digits = thirteen.slice(0, 5) + (dept === '2A' ? '19' : dept === '2B' ? '18' : dept) + thirteen.slice(7);
  return String(97n - (BigInt(digits) % 97n)).padStart(2, '0');
}
export function nir(thirteen) { return thirteen + nirKey(thirteen); }
// A NIR consistent with a birth date, sex and INSEE commune code (order number random).
export function nirFor({ sex, birth_date, birthplace_code }) {
  const s = sex === 'M' ? '1' : '2';
  const yy = birth_date.slice(2, 4);
  const mm = birth_date.slice(5, 7) === '00' ? '99' : birth_date.slice(5, 7);
  const place = birthplace_code.padEnd(5, '0');
  const order = String(1 + randomInt(998)).padStart(3, '0');
  return nir(s + yy + mm + place + order);
}

// --- access rules (docs/patients.md, "Who may see what") -------------------------------------------
export function isHealthProfession(code) {
  if (code === 'AS' || code === 'AP') return true;
  if (!/^\d+$/.test(code || '')) return false;
  const n = Number(code);
  return [10, 21, 40, 50, 60, 70].includes(n) || (n >= 80 && n <= 86) || (n >= 91 && n <= 98);
}
// May a caller ({profession_code, structures:[ids]}) read an entry ({visibility, structure_id})?
export function canSeeEntry(caller, entry) {
  if (entry.visibility === 'circle') return true;
  if (entry.visibility === 'health') return isHealthProfession(caller.profession_code);
  if (entry.visibility === 'structure') return caller.structures.includes(entry.structure_id);
  throw new Error(`unknown visibility ${entry.visibility}`);
}

// --- accounts -----------------------------------------------------------------------------------------
// { account_id, profession_code, structures:[ids], role, email } of a token, read from GET /me.
export async function profileOf(server, token) {
  const me = await api(server, 'GET', '/api/v1/me', { token });
  assert.equal(me.status, 200, me.text);
  return {
    account_id: me.json.id, profession_code: me.json.profession_code, role: me.json.role, email: me.json.email,
    structures: (me.json.structures || []).map((s) => s.id), name: `${me.json.first_name} ${me.json.last_name}`,
  };
}
// A new approved professional account (self-enrolment + operator approval), logged in.
export async function newProfessional(server, operatorToken, { profession_code = '10', profession_label = 'Médecin',
  structure_id, first_name = 'Test', last_name = capitalise(randomName(8)) } = {}) {
  // A health profession of the RPPS is never typed: the account claims a free directory entry of that profession,
  // which the operator confirms (its names then come from the directory).
  const extra = ['AS', 'AP'].includes(profession_code) || !isHealthProfession(profession_code)
    ? { profession_code, profession_label } : { rpps: freeRpps(server.db, profession_code) };
  if (structure_id) extra.structure_id = structure_id;
  const a = await enrolAndApprove(server, operatorToken, { first_name, last_name, extra });
  const token = await login(server, a.email, a.password, a.secret);
  return { ...a, token, ...(await profileOf(server, token)) };
}

export function structureId(db, name) {
  const id = sql(db, `SELECT id FROM structures WHERE name = '${name.replace(/'/g, "''")}'`).trim();
  assert.ok(id, `structure ${name} exists`);
  return id;
}

// --- server with an INSi simulator file ---------------------------------------------------------------
// The INSi simulator's file (DATA/insi.json, re-read at each call, src/patients/insi.hpp): an array of the
// identities the national base knows, strict traits and INS (matricule + OID).
export function insiFile(identities) {
  return identities.map((i) => ({
    matricule: i.matricule, oid: i.oid || '1.2.250.1.213.1.4.10',
    birth_name: i.birth_name, birth_first_names: i.birth_first_names,
    sex: i.sex, birth_date: i.birth_date, birthplace_code: i.birthplace_code,
  }));
}
// A demo server whose data directory holds insi.json with these identities.
export async function startDemoServerWithInsi(identities, options = {}) {
  const db = freshDatabase();
  runCli(['demo'], db);
  writeFileSync(join(db.dataDir, 'insi.json'), JSON.stringify(insiFile(identities), null, 1));
  return startServer({ ...options, db });
}
// n identities with random traits and valid test NIRs (OID .10).
export function insiIdentities(n) {
  return Array.from({ length: n }, () => {
    const body = newPatientBody();
    return { ...body, matricule: nirFor(body), oid: '1.2.250.1.213.1.4.10' };
  });
}
export const traitsOf = (i) => ({
  birth_name: i.birth_name, birth_first_names: i.birth_first_names, first_name: i.first_name,
  birth_date: i.birth_date, sex: i.sex, birthplace_code: i.birthplace_code,
});

// --- small API journeys ---------------------------------------------------------------------------------
export async function createPatient(server, token, over = {}, headers = {}) {
  const res = await api(server, 'POST', P, { token, body: newPatientBody(over), headers });
  assert.equal(res.status, 201, `create patient: ${res.text}`);
  return res.json;
}
export async function addMember(server, token, pid, body) {
  const res = await api(server, 'POST', `${P}/${pid}/circle`, { token, body: { role: 'autre', ...body } });
  assert.equal(res.status, 201, `add member ${JSON.stringify(body)}: ${res.text}`);
  return res.json;
}
export async function patchMember(server, token, pid, member, body) {
  const res = await api(server, 'PATCH', `${P}/${pid}/circle/${member.id}`, {
    token, body, headers: { 'if-match': String(member.version) },
  });
  assert.equal(res.status, 200, `patch member ${JSON.stringify(body)}: ${res.text}`);
  return res.json;
}
export async function writeEntry(server, token, pid, body) {
  const res = await api(server, 'POST', `${P}/${pid}/notebook`, {
    token, body: { kind: 'observation', visibility: 'circle', body: 'Observation ' + randomName(6), ...body },
  });
  assert.equal(res.status, 201, `notebook entry ${JSON.stringify(body).slice(0, 200)}: ${res.text}`);
  return res.json;
}
export async function breakGlass(server, token, pid, reason = 'Urgence : patient admis aux urgences, médecin traitant injoignable') {
  const res = await api(server, 'POST', `${P}/${pid}/break-glass`, { token, body: { reason } });
  assert.equal(res.status, 201, `break-glass: ${res.text}`);
  return res.json;
}
// Follows next_cursor until the end; returns every item (asserts no page repeats an id).
export async function allPages(server, token, path, { limit = 100, max = 100 } = {}) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < max; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api(server, 'GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    items.push(...res.json.items);
    if (!res.json.next_cursor) return items;
    assert.notEqual(res.json.next_cursor, cursor, 'the cursor moves');
    cursor = res.json.next_cursor;
  }
  throw new Error(`${path}: more than ${max} pages`);
}

// A request with a raw body (uploads) and the answer's bytes (downloads).
export async function rawApi(server, method, path, { body, token, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = 'Bearer ' + token;
  let res;
  try {
    res = await fetch(server.url + path, { method, headers: h, body });
  } catch (e) {
    return { status: 0, error: e, headers: new Headers(), json: null, text: `fetch failed: ${e.cause?.code || e.message}`, bytes: Buffer.alloc(0) };
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text, bytes };
}
export function upload(server, token, pid, name, bytes, contentType = 'application/octet-stream') {
  return rawApi(server, 'POST', `${P}/${pid}/attachments?name=${encodeURIComponent(name)}`, {
    token, body: bytes, headers: { 'content-type': contentType },
  });
}
// Sends only the request line and headers (no body) and returns the status line of the answer: shows
// whether the server judges a declared Content-Length before reading the body.
export function headersOnly(server, method, path, headers) {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname, () => {
      sock.write(`${method} ${path} HTTP/1.1\r\nHost: ${u.host}\r\n` +
        Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');
    });
    let data = '';
    const timer = setTimeout(() => { sock.destroy(); resolve({ status: 0, text: data }); }, 5000);
    sock.on('data', (d) => {
      data += d.toString('utf8');
      const m = data.match(/^HTTP\/1\.1 (\d{3})/);
      if (m && data.includes('\r\n\r\n')) { clearTimeout(timer); sock.destroy(); resolve({ status: Number(m[1]), text: data }); }
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

// For tests where an upload is only the set-up: if the server refuses the raw body because it is not
// JSON (the router's generic 415, a bug that the upload tests themselves report), the file goes again
// labelled application/json, so that what the test is about still gets checked.
export async function uploadForSetup(server, token, pid, name, bytes, contentType = 'application/octet-stream') {
  const res = await upload(server, token, pid, name, bytes, contentType);
  if (res.status === 415 && /JSON/.test(res.json?.detail || '')) {
    return upload(server, token, pid, name, bytes, 'application/json');
  }
  return res;
}

// --- audit ---------------------------------------------------------------------------------------------
export function auditMaxSeq(db) {
  return Number(sql(db, 'SELECT COALESCE(MAX(seq), 0) FROM audit_log').trim());
}
// Audit lines after `seq` matching the conditions (actor, target, outcome, via: the `via` in detail).
export function auditCount(db, since, { actor, targetId, targetType = 'patient', outcome, via, like } = {}) {
  const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
  const where = [`seq > ${since}`];
  if (actor) where.push(`actor_id = ${q(actor)}`);
  if (targetId) where.push(`target_id = ${q(targetId)}`);
  if (targetType) where.push(`target_type = ${q(targetType)}`);
  if (outcome) where.push(`outcome = ${q(outcome)}`);
  if (via) where.push(`detail LIKE ${q(`%"via":"${via}"%`)}`);
  if (like) where.push(`detail LIKE ${q(like)}`);
  return Number(sql(db, `SELECT COUNT(*) FROM audit_log WHERE ${where.join(' AND ')}`).trim());
}

// --- files ------------------------------------------------------------------------------------------------
export function pdf({ javascript = false, text = 'Compte rendu' } = {}) {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R' + (javascript ? ' /OpenAction 4 0 R' : '') + ' >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 5 0 R >>`,
    javascript ? "<< /Type /Action /S /JavaScript /JS (app.alert\\('bonjour'\\)) >>" : '<< >>',
  ];
  const stream = `BT /F1 12 Tf 20 100 Td (${text}) Tj ET`;
  objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  let out = '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n';
  const offsets = [];
  objects.forEach((o, i) => { offsets.push(Buffer.byteLength(out, 'latin1')); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
export const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
export const text = (s = 'Compte rendu de visite : tension stable, pas de chute.\n') => Buffer.from(s, 'utf8');

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
// A one-file ZIP (deflated); with a large `content` of zeros it is a small "zip bomb".
export function zip(name, content) {
  const data = zlib.deflateRawSync(content, { level: 9 });
  const nameBuf = Buffer.from(name);
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0, 6); local.writeUInt16LE(8, 8);
  local.writeUInt32LE(0, 10); local.writeUInt32LE(crc, 14); local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22); local.writeUInt16LE(nameBuf.length, 26); local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(0, 8);
  central.writeUInt16LE(8, 10); central.writeUInt32LE(0, 12); central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24); central.writeUInt16LE(nameBuf.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + nameBuf.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBuf.length, 12); end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBuf, data, central, nameBuf, end]);
}
export const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), randomBytes(120)]);
