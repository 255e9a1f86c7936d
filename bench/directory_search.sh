#!/usr/bin/env bash
# Directory search at national scale. The generated RPPS (2,000,000 lines) and FINESS (100,000 structures) files
# of bench/directory_import.sh are imported on SQLite with the demo territory; 10,000 realistic queries are made
# from the data (name prefixes, full names, "profession + commune", with filters, with a distance) and replayed
# by wrk (Lua script reading the queries file, Bearer token) at 16 connections on GET /api/v1/directory/search.
# Baselines over the same rows, same query texts, in the same run:
#   - SQLite FTS5: a contentless FTS5 table (unicode61, diacritics removed, prefix indexes) built in a copy of
#     the database; all 10,000 queries (each word as a prefix, `ORDER BY rank LIMIT 20`) in one sqlite3
#     process, timed as a batch (no per-query percentiles: one thread, mean = time / 10,000);
#   - PostgreSQL pg_trgm: the same rows in a throw-away PostgreSQL, GIN trigram index, `word_similarity`
#     (`q <% body ORDER BY q <<-> body LIMIT 20`), pgbench -c16 with a random query of the same list per
#     transaction, p50/p99 from the per-transaction log.
# The baselines return 20 ids and nothing else; ours also counts the total, computes the facets, applies the
# filters and the distance, and checks the session. Target (the issue): p50 ≤ 2 ms, p99 ≤ 10 ms, ≥ 1,000 queries/s.
# Knobs: BENCH_DURATION (10s), BENCH_SEARCH_CONNECTIONS (16), BENCH_QUERIES (10000), BENCH_RPPS_LINES,
# BENCH_FINESS_STRUCTURES.
source "$(dirname "${BASH_SOURCE[0]}")/directory_import.sh"

CONNECTIONS=${BENCH_SEARCH_CONNECTIONS:-16}
NQUERIES=${BENCH_QUERIES:-10000}
TARGET_P50_MS=2
TARGET_P99_MS=10
TARGET_QPS=1000

bench_files
echo "data: $RPPS_LINES RPPS lines, $FINESS_STRUCTURES FINESS structures (+ the demo territory)"

# --- our server -------------------------------------------------------------------------------------
mkdir -p "$WORK/search"
"$CORDEE" demo --data "$WORK/search" >"$WORK/demo.log" 2>&1
timed_import search-finess finess "$FINESS_FILE" --data "$WORK/search"
echo "import finess: ${IMP_SECS} s, ${IMP_RSS_MIB} MiB"
timed_import search-rpps rpps "$RPPS_FILE" --data "$WORK/search"
echo "import rpps:   ${IMP_SECS} s, ${IMP_RSS_MIB} MiB"
start_cordee search
TOKEN=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL" operator)
# The index of ~1.5 million entries is built in the background after start: wait for it (503 until then).
INDEX_START=$(date +%s)
for _ in $(seq 600); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$CORDEE_URL/api/v1/directory/search?q=a")
    [ "$code" != 503 ] && break
    sleep 1
done
echo "search index ready after $(( $(date +%s) - INDEX_START )) s (answer $code)"
START_RSS=$(vm_hwm "$CORDEE_PID")

# --- the queries --------------------------------------------------------------------------------------
# queries.txt: one request path per line (wrk); texts.txt: the same queries' text only (baselines).
cat >"$WORK/make_queries.js" <<'JS'
'use strict';
const fs = require('fs');
const [rppsFile, finessFile, n, outPaths, outTexts, genRpps] = process.argv.slice(2);
const { COMMUNES, rng } = require(genRpps);
const r = rng(42);
const pick = (a) => a[(r() * a.length) | 0];
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/Œ/g, 'OE').replace(/œ/g, 'oe').toLowerCase();
// A sample of professionals: every 37th line of the first 400 MB of the file.
const fd = fs.openSync(rppsFile, 'r');
const buf = Buffer.alloc(64 << 20);
const people = [];
let pos = 0, lineNo = 0, rest = '';
while (pos < (400 << 20)) {
  const got = fs.readSync(fd, buf, 0, buf.length, pos);
  if (!got) break;
  pos += got;
  const lines = (rest + buf.toString('utf8', 0, got)).split('\n');
  rest = lines.pop();
  for (const l of lines) {
    if (lineNo++ === 0 || lineNo % 37) continue;
    const f = l.split('|');
    people.push({ last: f[7], first: f[8], prof: f[9], label: f[10], sf: f[16], commune: f[37], cp: f[35], dep: f[44] });
  }
}
const structs = [];
for (const l of fs.readFileSync(finessFile, 'latin1').split('\r\n')) {
  if (!l.startsWith('structureet;')) continue;
  if (r() < 0.05) { const f = l.split(';'); structs.push({ rs: f[3], cat: f[18], dep: f[13], ligne: f[15] }); }
}
const short = { 10: 'medecin', 21: 'pharmacien', 40: 'dentiste', 50: 'sage-femme', 60: 'infirmier', 70: 'kine',
  80: 'podologue', 91: 'orthophoniste', 96: 'manipulateur', 28: 'opticien', 94: 'ergotherapeute', 95: 'psychomotricien' };
const paths = [], texts = [];
const add = (text, extra = {}) => {
  const qs = new URLSearchParams({ q: text, ...extra }).toString();
  paths.push('/api/v1/directory/search?' + qs);
  texts.push(fold(text).replace(/[^a-z0-9 ]+/g, ' ').replace(/\s+/g, ' ').trim() || 'a');
};
while (paths.length < Number(n)) {
  const p = pick(people), c = pick(COMMUNES), k = r();
  if (k < 0.25) add(fold(p.last).slice(0, 3 + ((r() * 4) | 0)));                              // name prefix
  else if (k < 0.45) add(`${p.first} ${p.last}`);                                              // full name
  else if (k < 0.55) add(`dr ${fold(p.last)}`, { departement: p.dep });                       // name + filter
  else if (k < 0.70) add(`${short[p.prof] || fold(p.label)} ${fold(p.commune)}`);             // profession + commune
  else if (k < 0.78) add(p.sf ? fold(p.sf).split(' ')[0] + ' ' + fold(c[2]) : `infirmier ${c[1]}`, { kind: 'professional' });
  else if (k < 0.86) { const s = pick(structs); add(fold(s.rs).split(' ').slice(0, 2).join(' '), { kind: 'structure' }); }
  else if (k < 0.94) add(pick(['ehpad', 'pharmacie', 'ssiad', 'centre hospitalier', 'saad', 'laboratoire']),
    { kind: 'structure', lat: c[3].toFixed(4), lon: c[4].toFixed(4), radius_km: String(pick([5, 10, 20, 50])) });
  else add(`${short[p.prof] || 'infirmier'} ${p.cp}`, { practice_mode: pick(['L', 'S']) });   // profession + postal code
}
fs.writeFileSync(outPaths, paths.join('\n') + '\n');
fs.writeFileSync(outTexts, texts.join('\n') + '\n');
JS
node "$WORK/make_queries.js" "$RPPS_FILE" "$FINESS_FILE" "$NQUERIES" "$WORK/queries.txt" "$WORK/texts.txt" "$BENCH_DIR/gen_rpps"
echo "queries: $(wc -l <"$WORK/queries.txt") (sample: $(sed -n '1p;2p;7p' "$WORK/queries.txt" | tr '\n' ' '))"

# Every query once, sequentially, to check the answers (no 500, results for most).
cat >"$WORK/check.js" <<'JS'
'use strict';
const fs = require('fs');
const [url, token, file] = process.argv.slice(2);
(async () => {
  const qs = fs.readFileSync(file, 'utf8').trim().split('\n').slice(0, 1000);
  let ok = 0, empty = 0, bad = 0;
  for (const q of qs) {
    const res = await fetch(url + q, { headers: { authorization: 'Bearer ' + token } });
    const j = res.status === 200 ? await res.json() : null;
    if (!j) { bad++; if (bad < 4) console.error('  ' + res.status + ' ' + q); continue; }
    ok++; if (j.total === 0) empty++;
  }
  console.log(`checked ${qs.length} queries: ${ok} × 200 (${empty} with no result), ${bad} errors`);
})();
JS
node "$WORK/check.js" "$CORDEE_URL" "$TOKEN" "$WORK/queries.txt"

cat >"$WORK/search.lua" <<'LUA'
local queries = {}
local token = os.getenv("BENCH_TOKEN")
local i = 0
function init(args)
  for line in io.lines(args[1]) do queries[#queries + 1] = line end
  i = math.random(#queries)
end
function request()
  i = i % #queries + 1
  return wrk.format("GET", queries[i], { ["Authorization"] = "Bearer " .. token })
end
LUA
# Latency of one query at a time (p50/p99 over the query list), then throughput at 16 connections.
BENCH_TOKEN=$TOKEN wrk -t1 -c1 -d"$DURATION" --latency -s "$WORK/search.lua" "$CORDEE_URL" -- "$WORK/queries.txt" >"$WORK/wrk1.txt" 2>&1
read -r OURS_QPS1 OURS_P50 OURS_P99 OURS_NON2XX1 OURS_REQS1 < <(wrk_summary "$WORK/wrk1.txt")
BENCH_TOKEN=$TOKEN wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/search.lua" "$CORDEE_URL" -- "$WORK/queries.txt" >"$WORK/wrk.txt" 2>&1
read -r OURS_QPS OURS_P50_16 OURS_P99_16 OURS_NON2XX OURS_REQS < <(wrk_summary "$WORK/wrk.txt")
OURS_NON2XX=$((OURS_NON2XX + OURS_NON2XX1))
OURS_RSS=$(vm_hwm "$CORDEE_PID")
kill "$CORDEE_PID" 2>/dev/null || true

# --- baseline 1: SQLite FTS5 --------------------------------------------------------------------------
cp "$CORDEE_DATA/cordee.db" "$WORK/fts.db"
ROWS_SQL="SELECT 'p' || rowid, coalesce(first_name,'') || ' ' || coalesce(last_name,'') || ' ' || coalesce(profession_label,'') || ' ' ||
  coalesce(specialty,'') || ' ' || coalesce(commune,'') || ' ' || coalesce(postal_code,'') || ' ' || coalesce(departement,'') FROM professionals WHERE active = 1
  UNION ALL SELECT 's' || rowid, coalesce(name,'') || ' ' || coalesce(category_label,'') || ' ' || coalesce(commune,'') || ' ' ||
  coalesce(postal_code,'') || ' ' || coalesce(departement,'') FROM structures WHERE active = 1"
sqlite3 "$WORK/fts.db" >/dev/null <<SQL
PRAGMA journal_mode=OFF;
CREATE VIRTUAL TABLE fts USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');
INSERT INTO fts(rowid, body) SELECT rowid, coalesce(first_name,'') || ' ' || coalesce(last_name,'') || ' ' || coalesce(profession_label,'') || ' ' ||
  coalesce(specialty,'') || ' ' || coalesce(commune,'') || ' ' || coalesce(postal_code,'') || ' ' || coalesce(departement,'') FROM professionals WHERE active = 1;
INSERT INTO fts(rowid, body) SELECT 100000000 + rowid, coalesce(name,'') || ' ' || coalesce(category_label,'') || ' ' || coalesce(commune,'') || ' ' ||
  coalesce(postal_code,'') || ' ' || coalesce(departement,'') FROM structures WHERE active = 1;
INSERT INTO fts(fts) VALUES ('optimize');
SQL
FTS_ROWS=$(sqlite3 "$WORK/fts.db" "SELECT (SELECT count(*) FROM professionals WHERE active = 1) + (SELECT count(*) FROM structures WHERE active = 1)")
# Each word a prefix: "martin rei" → "martin"* "rei"*.
awk '{ q = ""; for (i = 1; i <= NF; i++) q = q "\"" $i "\"* "; printf "SELECT rowid FROM fts WHERE fts MATCH %c%s%c ORDER BY rank LIMIT 20;\n", 39, q, 39 }' \
    "$WORK/texts.txt" >"$WORK/fts_queries.sql"
/usr/bin/time -f '%e' -o "$WORK/fts.time" sqlite3 "$WORK/fts.db" <"$WORK/fts_queries.sql" >/dev/null 2>"$WORK/fts.err" || true
FTS_SECS=$(tail -1 "$WORK/fts.time")
FTS_ERR=$(grep -c . "$WORK/fts.err" || true)
FTS_QPS=$(awk -v n="$NQUERIES" -v s="$FTS_SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
FTS_MEAN=$(awk -v n="$NQUERIES" -v s="$FTS_SECS" 'BEGIN { printf "%.3f", 1000 * s / n }')

# --- baseline 2: PostgreSQL pg_trgm -------------------------------------------------------------------
start_pg pgtrgm
sqlite3 -separator $'\t' "$WORK/fts.db" "$ROWS_SQL" | tr -d '\\' >"$WORK/rows.tsv"
awk '{ print NR "\t" $0 }' "$WORK/texts.txt" >"$WORK/texts.tsv"
psql "$PG_URL" -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION pg_trgm;
CREATE TABLE rows (id text PRIMARY KEY, body text NOT NULL);
\copy rows FROM '$WORK/rows.tsv'
CREATE TABLE bench_queries (n int PRIMARY KEY, q text NOT NULL);
\copy bench_queries FROM '$WORK/texts.tsv'
CREATE INDEX rows_trgm ON rows USING gin (body gin_trgm_ops);
VACUUM ANALYZE rows;
VACUUM ANALYZE bench_queries;
SQL
cat >"$WORK/trgm.sql" <<SQL
\set n random(1, $NQUERIES)
SELECT r.id FROM bench_queries b, rows r WHERE b.n = :n AND b.q <% r.body ORDER BY b.q <<-> r.body LIMIT 20;
SQL
(cd "$WORK" && pgbench -n -c"$CONNECTIONS" -j2 -T"${DURATION%s}" -l -f "$WORK/trgm.sql" "$PG_URL" >"$WORK/pgbench.txt" 2>&1) || { cat "$WORK/pgbench.txt" >&2; exit 1; }
TRGM_QPS=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/pgbench.txt")
read -r TRGM_P50 TRGM_P99 < <(cat "$WORK"/pgbench_log.* | awk '{ print $3 / 1000 }' | sort -n |
    awk '{ v[NR] = $1 } END { printf "%.3f %.3f\n", v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1] }')

# --- report -------------------------------------------------------------------------------------------
echo
echo "rows: $FTS_ROWS (active professionals + structures); queries: $NQUERIES; $CONNECTIONS connections, $DURATION"
printf '%-34s %10s %10s %10s %s\n' "" "queries/s" "p50 ms" "p99 ms" "notes"
printf '%-34s %10s %10s %10s %s\n' "cordee GET /directory/search" "$OURS_QPS" "$OURS_P50" "$OURS_P99" "queries/s at $CONNECTIONS connections; p50/p99 one query at a time ($OURS_P50_16/$OURS_P99_16 ms at $CONNECTIONS); $OURS_NON2XX non-2xx; RSS $START_RSS after start, $OURS_RSS peak"
printf '%-34s %10s %10s %10s %s\n' "SQLite FTS5 prefix MATCH (1 thread)" "$FTS_QPS" "~$FTS_MEAN" "n/a" "batch of $NQUERIES in ${FTS_SECS} s, mean per query; $FTS_ERR errors"
printf '%-34s %10s %10s %10s %s\n' "PostgreSQL pg_trgm word_similarity" "$TRGM_QPS" "$TRGM_P50" "$TRGM_P99" "pgbench -c$CONNECTIONS"
echo "ours / FTS5: $(ratio "$OURS_QPS" "$FTS_QPS") × the queries/s; ours / pg_trgm: $(ratio "$OURS_QPS" "$TRGM_QPS") ×"
verdict=$(awk -v m="$OURS_P50" -v p="$OURS_P99" -v q="$OURS_QPS" -v n="$OURS_NON2XX" -v tm="$TARGET_P50_MS" \
    -v tp="$TARGET_P99_MS" -v tq="$TARGET_QPS" 'BEGIN { print (m <= tm && p <= tp && q >= tq && n == 0) ? "ok" : "MISSED" }')
echo "target: p50 ≤ ${TARGET_P50_MS} ms, p99 ≤ ${TARGET_P99_MS} ms, ≥ ${TARGET_QPS} queries/s, no error → $verdict"
