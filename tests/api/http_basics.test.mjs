// What every answer of the HTTP layer guarantees: problem+json errors, limits, security headers,
// request ids, operational endpoints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startServer, api } from '../lib/server.mjs';
import { assertProblem, PROBLEM_PREFIX } from '../lib/flows.mjs';

const MAX_BODY = 4096;
let server;
before(async () => { server = await startServer({ env: { CORDEE_MAX_BODY_BYTES: String(MAX_BODY) } }); });
after(async () => { await server?.stop(); });

const validEnrolment = () => ({
  email: 'jeanne.durand@exemple.fr', password: 'Mot-de-passe-Essai-2024', first_name: 'Jeanne', last_name: 'Durand',
  profession_code: 'COORD', profession_label: 'Coordinateur de parcours', structure_proposal: { name: 'Maison de santé du Vigenal', commune: 'Limoges' },
});

test('unknown path → 404 problem+json not-found', async () => {
  const res = await api(server, 'GET', '/api/v1/cette-route-n-existe-pas');
  const p = assertProblem(res, 404, 'not-found');
  assert.ok(!/exception|stack|std::|\.cpp/i.test(res.text), 'no internals in the problem');
  assert.ok(p.request_id, 'problem carries request_id');
});

test('unknown method on a known path → 405 with Allow', async () => {
  const res = await api(server, 'DELETE', '/api/v1/structures');
  assertProblem(res, 405, 'method-not-allowed');
  const allow = (res.headers.get('allow') || '').split(',').map((s) => s.trim());
  assert.ok(allow.includes('GET'), `Allow lists GET (got "${res.headers.get('allow')}")`);
  assert.ok(!allow.includes('DELETE'));
  const me = await api(server, 'PUT', '/api/v1/me', { body: {} });
  assertProblem(me, 405, 'method-not-allowed', 'PUT /api/v1/me');
  const allowMe = (me.headers.get('allow') || '').split(',').map((s) => s.trim());
  assert.ok(allowMe.includes('GET') && allowMe.includes('PATCH'), `Allow: GET, PATCH (got "${me.headers.get('allow')}")`);
});

test(`body over CORDEE_MAX_BODY_BYTES (${MAX_BODY}) → 413 payload-too-large`, async () => {
  const big = { ...validEnrolment(), specialty: 'x'.repeat(MAX_BODY * 2) };
  const res = await api(server, 'POST', '/api/v1/enrolments', { body: big });
  assertProblem(res, 413, 'payload-too-large');
  // Just under the limit is processed normally (here: accepted).
  const small = await api(server, 'POST', '/api/v1/enrolments', { body: validEnrolment() });
  assert.equal(small.status, 202, small.text);
});

test('body that is not JSON → 415 unsupported-media-type', async () => {
  const res = await api(server, 'POST', '/api/v1/auth/login', {
    body: 'email=a@b.fr&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assertProblem(res, 415, 'unsupported-media-type');
  const plain = await api(server, 'POST', '/api/v1/auth/login', {
    body: JSON.stringify({ email: 'a@b.fr', password: 'x' }), headers: { 'content-type': 'text/plain' },
  });
  assertProblem(plain, 415, 'unsupported-media-type', 'text/plain');
});

test('malformed JSON → 400 malformed-json', async () => {
  const res = await api(server, 'POST', '/api/v1/auth/login', { body: '{"email": "a@b.fr", "password":' });
  assertProblem(res, 400, 'malformed-json');
  const notObject = await api(server, 'POST', '/api/v1/auth/login', { body: '[1,2,3]' });
  assert.ok([400, 422].includes(notObject.status), `an array body is refused (${notObject.status})`);
});

test('invalid fields → 422 invalid-field naming each field', async () => {
  const res = await api(server, 'POST', '/api/v1/enrolments', {
    body: { ...validEnrolment(), email: 'pas-une-adresse', password: 'court' },
  });
  const p = assertProblem(res, 422, 'invalid-field');
  assert.ok(Array.isArray(p.errors), 'errors[] present');
  const fields = p.errors.map((e) => e.field);
  assert.ok(fields.includes('email'), `errors names email (${JSON.stringify(p.errors)})`);
  assert.ok(fields.includes('password'), `errors names password (${JSON.stringify(p.errors)})`);
  for (const e of p.errors) assert.equal(typeof e.message, 'string');
  const missing = await api(server, 'POST', '/api/v1/enrolments', { body: { email: 'x@exemple.fr' } });
  const pm = assertProblem(missing, 422, 'invalid-field', 'missing fields');
  assert.ok(pm.errors.some((e) => e.field === 'last_name'), JSON.stringify(pm.errors));
});

test('security headers on API, error and operational answers', async () => {
  for (const path of ['/api/v1/structures?q=a', '/api/v1/absent', '/livez']) {
    const res = await api(server, 'GET', path);
    const csp = res.headers.get('content-security-policy') || '';
    assert.match(csp, /frame-ancestors\s+('none'|'self')/, `${path}: CSP frame-ancestors (got "${csp}")`);
    assert.match(csp, /default-src/, `${path}: CSP default-src`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${path}: nosniff`);
    assert.match(res.headers.get('referrer-policy') || '',
      /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/, `${path}: Referrer-Policy`);
    assert.ok(!/^Boost|Beast/i.test(res.headers.get('server') || ''), `${path}: Server header does not advertise the stack`);
  }
});

test('X-Request-Id is echoed, or generated when absent, and appears in problems', async () => {
  const id = 'essai-' + Date.now();
  const res = await api(server, 'GET', '/api/v1/absent', { headers: { 'x-request-id': id } });
  assert.equal(res.headers.get('x-request-id'), id);
  assert.equal(res.json?.request_id, id);
  const fresh = await api(server, 'GET', '/livez');
  const generated = fresh.headers.get('x-request-id');
  assert.ok(generated && generated.length >= 8, `a request id is generated (${generated})`);
  const again = await api(server, 'GET', '/livez');
  assert.notEqual(again.headers.get('x-request-id'), generated, 'each request gets its own id');
});

test('unknown or garbage bearer → 401 problem', async () => {
  const res = await api(server, 'GET', '/api/v1/me', { token: 'jeton-inconnu-0123456789abcdef' });
  const p = assertProblem(res, 401, 'unauthenticated');
  assert.equal(p.type, PROBLEM_PREFIX + 'unauthenticated');
  const none = await api(server, 'GET', '/api/v1/me');
  assertProblem(none, 401, 'unauthenticated', 'no credentials');
  const garbage = await api(server, 'GET', '/api/v1/me', { headers: { authorization: 'Bearer ' + 'é'.repeat(3) } });
  assert.equal(garbage.status, 401, garbage.text);
});

test('GET /livez → 200 ok, GET /readyz → 200 JSON', async () => {
  const live = await api(server, 'GET', '/livez');
  assert.equal(live.status, 200);
  assert.equal(live.text.trim(), 'ok');
  const ready = await api(server, 'GET', '/readyz');
  assert.equal(ready.status, 200, ready.text);
  assert.ok(ready.json && typeof ready.json === 'object', 'readyz answers JSON');
});

test('GET /metrics: Prometheus text with request counters by route template', async () => {
  for (let i = 0; i < 3; i++) await api(server, 'GET', '/livez');
  const someId = '0190a7e2-4c1b-7d3e-9f00-1a2b3c4d5e6f';
  await api(server, 'DELETE', `/api/v1/me/favorites/${someId}`);
  const res = await api(server, 'GET', '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') || '', /^text\/plain/);
  assert.match(res.text, /^# TYPE \w+ counter$/m, 'declares a counter');
  const livez = res.text.split('\n').filter((l) => /^\w+\{[^}]*route="\/livez"[^}]*\}\s+\d/.test(l));
  assert.ok(livez.length > 0, `a counter line labelled route="/livez":\n${res.text.slice(0, 2000)}`);
  const count = livez.filter((l) => /status="200"|code="200"/.test(l) || !/status=|code=/.test(l))
    .reduce((n, l) => n + Number(l.trim().split(/\s+/).pop()), 0);
  assert.ok(count >= 3, `at least 3 GET /livez counted (got ${count})`);
  assert.ok(!res.text.includes(someId), 'routes are labelled by template, never by concrete ids');
  for (const line of res.text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?\d+)?$/, `valid sample line: ${line}`);
  }
});

// Raw bytes of a GET (fetch would decompress on its own).
function rawGet(path, headers) {
  return new Promise((ok, fail) => {
    httpGet(new URL(path, server.url), { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', fail);
  });
}

test('the web app\'s text files are gzipped when the browser accepts it, never otherwise', async () => {
  const html = await rawGet('/', {});
  assert.equal(html.status, 200);
  const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html.body.toString())?.[1];
  assert.ok(script, 'index.html names its script');
  const plain = await rawGet(script, {});
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers.vary, 'Accept-Encoding');
  const zipped = await rawGet(script, { 'accept-encoding': 'br, gzip;q=0.8, deflate' });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.ok(zipped.body.length < plain.body.length / 2, `${zipped.body.length} < ${plain.body.length} / 2`);
  assert.deepEqual(gunzipSync(zipped.body), plain.body, 'the same bytes once decompressed');
  assert.notEqual(zipped.headers.etag, plain.headers.etag, 'each representation its own ETag');
  assert.equal(zipped.headers['cache-control'], plain.headers['cache-control']);
  const refused = await rawGet(script, { 'accept-encoding': 'gzip;q=0, identity' });
  assert.equal(refused.headers['content-encoding'], undefined, 'gzip;q=0 refuses it');
  assert.deepEqual(refused.body, plain.body);
  // Images are sent as they are (already compressed).
  const png = await rawGet('/apple-touch-icon.png', { 'accept-encoding': 'gzip' });
  assert.equal(png.status, 200);
  assert.equal(png.headers['content-encoding'], undefined);
});
