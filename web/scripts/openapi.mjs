// Converts docs/openapi.yaml (the API reference, OpenAPI 3.1) into dist/openapi.json,
// which the server publishes at GET /api/v1/openapi.json.
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = process.env.CORDEE_OPENAPI_YAML || join(web, '..', 'docs', 'openapi.yaml');
const target = join(web, 'dist', 'openapi.json');

if (!existsSync(source)) {
  console.error(`openapi: ${source} is missing; the build needs the API reference to publish dist/openapi.json`);
  process.exit(1);
}
let doc;
try {
  doc = parse(readFileSync(source, 'utf8'), { prettyErrors: true });
} catch (e) {
  console.error(`openapi: ${source} is not valid YAML: ${e.message}`);
  process.exit(1);
}
if (!doc || typeof doc !== 'object' || typeof doc.openapi !== 'string' || !doc.paths) {
  console.error(`openapi: ${source} does not look like an OpenAPI document (no "openapi" version or "paths")`);
  process.exit(1);
}
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, JSON.stringify(doc) + '\n');
console.log(`openapi: wrote ${target} (${Object.keys(doc.paths).length} paths, OpenAPI ${doc.openapi})`);
