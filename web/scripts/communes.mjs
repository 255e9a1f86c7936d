// Writes dist/communes.json, the list the birthplace picker searches (components/CommunePicker.tsx): every
// commune of the Code officiel géographique as npm @etalab/decoupage-administratif carries it, current ones and
// the former ones merged into a "commune nouvelle" (déléguées, associées: people were born there, and INSi knows
// them by those codes), plus Paris, Lyon and Marseille's arrondissements. Compact: [code, name, type] rows
// (type 0 current, 1 former, 2 arrondissement) and the départements' names, ~0.4 MB gzipped, fetched only when
// a birthplace is typed.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const data = (f) => JSON.parse(readFileSync(require.resolve(`@etalab/decoupage-administratif/data/${f}`), 'utf8'));
const types = { 'commune-actuelle': 0, 'commune-deleguee': 1, 'commune-associee': 1, 'arrondissement-municipal': 2 };

const seen = new Set();
const rows = [];
for (const c of data('communes.json')) {
  const type = types[c.type];
  if (type === undefined) throw new Error(`unknown commune type ${c.type} (${c.code})`);
  // A commune déléguée often keeps the code and name of its commune nouvelle: one row.
  const key = `${c.code}|${c.nom}`;
  if (seen.has(key)) continue;
  seen.add(key);
  rows.push([c.code, c.nom, type]);
}
rows.sort((a, b) => a[2] - b[2] || a[0].localeCompare(b[0]));
const departements = Object.fromEntries(data('departements.json').map((d) => [d.code, d.nom]));
mkdirSync(join(web, 'dist'), { recursive: true });
writeFileSync(join(web, 'dist', 'communes.json'), JSON.stringify({ departements, communes: rows }));
console.log(`communes.json: ${rows.length} communes`);
