// The module shape (docs/architecture.md, "Module shape"), enforced: SQL lives in repositories and storage/, never in
// services, routes or anywhere else. A statement is a string literal starting with an SQL verb; the check reads every
// C++ file of src/ and fails naming each place where one appears outside `repository*.cpp`, `*_repository.cpp` and
// src/storage/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, basename } from 'node:path';
import { repoRoot } from '../lib/server.mjs';

const src = join(repoRoot, 'src');
const files = (dir) => readdirSync(dir).flatMap((n) => {
  const p = join(dir, n);
  return statSync(p).isDirectory() ? files(p) : /\.(cpp|hpp)$/.test(n) ? [p] : [];
});
const allowed = (p) => relative(src, p).startsWith('storage/') || /^repository.*\.cpp$|_repository\.cpp$/.test(basename(p));
const SQL = /"\s*(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WITH \w+ AS|CREATE (UNIQUE )?(TABLE|INDEX)|ALTER TABLE)\b/;

test('no SQL outside repositories and storage/', () => {
  const found = [];
  for (const f of files(src)) {
    if (allowed(f)) continue;
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (SQL.test(line) && !line.trim().startsWith('//')) found.push(`${relative(repoRoot, f)}:${i + 1}: ${line.trim().slice(0, 100)}`);
    });
  }
  assert.deepEqual(found, [], `SQL outside a repository:\n${found.join('\n')}`);
});

test('the check sees SQL where it is (it can fail)', () => {
  assert.ok(SQL.test('    s.Exec("UPDATE accounts SET role = ? WHERE id = ?", {role, id});'));
  assert.ok(SQL.test('return s.Query("SELECT id FROM favorites WHERE account_id = ?", {a});'));
  assert.ok(!SQL.test('// Select the patient, then update its circle'));
  assert.ok(allowed(join(src, 'auth', 'repository.cpp')) && allowed(join(src, 'auth', 'psc_repository.cpp')));
  assert.ok(!allowed(join(src, 'auth', 'service.cpp')));
});
