// The OpenAPI reference (docs/openapi.yaml) and the server's route table stay in sync, and the server
// publishes the reference as JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { binary, repoRoot, startServer, api } from '../lib/server.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const spec = parse(readFileSync(join(repoRoot, 'docs', 'openapi.yaml'), 'utf8'));
// Parameter names may differ ({id} vs {favorite_id}); the shape of the path is what must match.
const normalise = (line) => line.trim().replace(/\{[^}]*\}/g, '{}').replace(/\s+/g, ' ');

function specRoutes() {
  const out = new Set();
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const m of Object.keys(item)) if (METHODS.includes(m)) out.add(normalise(`${m.toUpperCase()} ${path}`));
  }
  return out;
}
function serverRoutes() {
  const text = execFileSync(binary, ['routes'], { encoding: 'utf8' });
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const l of lines) assert.match(l, /^[A-Z]+ \/\S*$/, `route line "${l}" is "METHOD /path"`);
  return new Set(lines.map(normalise));
}

test('the yaml is an OpenAPI 3.1 document with the problem schema and both security schemes', () => {
  assert.match(spec.openapi, /^3\.1\./);
  assert.ok(spec.components.schemas.Problem.required.includes('type'));
  assert.equal(spec.components.securitySchemes.bearerAuth.scheme, 'bearer');
  assert.equal(spec.components.securitySchemes.cookieAuth.in, 'cookie');
  assert.equal(spec.components.securitySchemes.cookieAuth.name, '__Host-cordee_session');
  // Every $ref resolves.
  const refs = [];
  (function walk(o) {
    if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) (k === '$ref' ? refs.push(v) : walk(v));
  })(spec);
  for (const ref of new Set(refs)) {
    let cur = spec;
    for (const part of ref.replace(/^#\//, '').split('/')) cur = cur?.[part];
    assert.ok(cur !== undefined, `${ref} resolves`);
  }
});

test('every route of `cordee routes` is documented in docs/openapi.yaml', () => {
  const documented = specRoutes();
  const missing = [...serverRoutes()].filter((r) => !documented.has(r));
  assert.deepEqual(missing, [], 'routes served but not documented');
});

test('every route of docs/openapi.yaml is served (`cordee routes`)', () => {
  const served = serverRoutes();
  const missing = [...specRoutes()].filter((r) => !served.has(r));
  assert.deepEqual(missing, [], 'routes documented but not served');
});

test('GET /api/v1/openapi.json publishes the reference', async () => {
  // A web root holding exactly this yaml as JSON: what `npm run build` in web/ produces.
  const webRoot = mkdtempSync(join(tmpdir(), 'cordee-webroot-'));
  writeFileSync(join(webRoot, 'openapi.json'), JSON.stringify(spec));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Cordée</title>');
  const server = await startServer({ webRoot });
  try {
    const res = await api(server, 'GET', '/api/v1/openapi.json');
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.match(res.headers.get('content-type') || '', /^application\/json/);
    assert.deepEqual(res.json, spec);
  } finally {
    await server.stop();
  }
});

// Never skipped: CI builds web/dist first (scripts/build); a run without it fails and says how to build it.
test('web/dist/openapi.json is built, served by default and equal to the yaml', async () => {
  const built = join(repoRoot, 'web', 'dist', 'openapi.json');
  assert.ok(existsSync(built),
    `${built} is missing: build the web app first (scripts/build, or \`npm run build\` in web/, or only \`npm run openapi\` in web/)`);
  assert.deepEqual(JSON.parse(readFileSync(built, 'utf8')), spec,
    'web/dist/openapi.json is stale: docs/openapi.yaml changed since the last build (`npm run openapi` in web/)');
  const server = await startServer();
  try {
    const res = await api(server, 'GET', '/api/v1/openapi.json');
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.match(res.headers.get('content-type') || '', /^application\/json/);
    assert.deepEqual(res.json, spec, 'the default web root serves the built file');
  } finally {
    await server.stop();
  }
});
