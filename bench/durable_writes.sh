#!/usr/bin/env bash
# Durable writes: wrk POST /api/v1/me/favorites (a unique label and Idempotency-Key per request,
# what an offline client replays), each connection then DELETEs a favourite it created (an account
# holds at most 200 favourites, so a POST-only run would hit the cap), against cordee on SQLite and
# on a throw-away PostgreSQL (fsync=on, synchronous_commit=on). Each is compared with the storage
# engine alone doing the same number of single-row write transactions (half INSERT+COMMIT, half
# DELETE+COMMIT): the sqlite3 CLI (WAL, synchronous=FULL, one transaction per row, one process) and
# pgbench (custom insert and delete scripts, same concurrency) on the same PostgreSQL.
# Target: ≥ 1,000 acknowledged writes/s and p99 < 20 ms on each backend.
source "$(dirname "$0")/lib.sh"
CONNECTIONS=${BENCH_WRITE_CONNECTIONS:-32}
RUN=$(date +%s)

post_lua() { # TOKEN → Lua script: POST a favourite, then DELETE one the server acknowledged
    cat <<LUA
local counter = 0
local created = {}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function request()
    local id = table.remove(created)
    if id then
        return wrk.format("DELETE", "/api/v1/me/favorites/" .. id, { ["Authorization"] = "Bearer $1" })
    end
    counter = counter + 1
    local label = "bench-$RUN-" .. counter
    local body = '{"label":"' .. label .. '","url":"/annuaire"}'
    return wrk.format("POST", "/api/v1/me/favorites", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer $1",
        ["Idempotency-Key"] = label,
    }, body)
end
function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    if status == 201 then
        local id = body:match('"id":"([^"]+)"')
        if id then table.insert(created, id) end
    end
end
function done(summary, latency, requests)
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("statuses")) do io.write(string.format("status %d %d\n", k, v)) end
    end
    io.write(string.format("duration_s %.3f\n", summary.duration / 1e6))
end
LUA
}

# bench_cordee NAME [--database URL] → sets W_RATE W_P50 W_P99 W_N W_BAD W_RSS
bench_cordee() {
    local name=$1; shift
    start_cordee "$name" "$@"
    local token
    token=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL")
    post_lua "$token" >"$WORK/$name.lua"
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/$name.lua" "$CORDEE_URL" >"$WORK/$name.wrk.txt"
    local rps p50 p99 bad n
    read -r rps p50 p99 bad n < <(wrk_summary "$WORK/$name.wrk.txt")
    W_N=$(awk '$1 == "status" && ($2 == 201 || $2 == 204) { n += $3 } END { print n + 0 }' "$WORK/$name.wrk.txt")
    local secs
    secs=$(awk '$1 == "duration_s" { print $2 }' "$WORK/$name.wrk.txt")
    W_RATE=$(awk -v n="$W_N" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
    W_P50=$p50; W_P99=$p99
    W_BAD=$(awk '$1 == "status" && $2 != 201 && $2 != 204 { printf "%s%s×%s", sep, $3, $2; sep=", " }' "$WORK/$name.wrk.txt")
    W_RSS=$(vm_hwm "$CORDEE_PID")
    kill "$CORDEE_PID"; wait "$CORDEE_PID" 2>/dev/null || true
}

# --- cordee on SQLite ------------------------------------------------------------------------
bench_cordee sqlite
S_RATE=$W_RATE S_P50=$W_P50 S_P99=$W_P99 S_N=$W_N S_BAD=$W_BAD S_RSS=$W_RSS

# --- sqlite3 CLI baseline: S_N single-row transactions, one process --------------------------
BASE_DB=$WORK/baseline.sqlite
{
    echo "PRAGMA journal_mode=WAL;"
    echo "PRAGMA synchronous=FULL;"
    echo "CREATE TABLE favorites(id TEXT PRIMARY KEY, account_id TEXT NOT NULL, label TEXT NOT NULL, url TEXT NOT NULL, created_at TEXT NOT NULL);"
    echo "CREATE INDEX favorites_account ON favorites (account_id, created_at);"
    awk -v n="$S_N" 'BEGIN { q = sprintf("%c", 39); for (i = 1; i <= n; i++) {
        if (i % 2) printf "BEGIN; INSERT INTO favorites VALUES (%sid-%d%s, %sacc%s, %sbench-%d%s, %s/annuaire%s, strftime(%s%%Y-%%m-%%dT%%H:%%M:%%fZ%s)); COMMIT;\n", q,i,q, q,q, q,i,q, q,q, q,q
        else printf "BEGIN; DELETE FROM favorites WHERE id = %sid-%d%s; COMMIT;\n", q,i-1,q } }'
} >"$WORK/baseline.sql"
t0=$(date +%s.%N)
sqlite3 "$BASE_DB" <"$WORK/baseline.sql" >/dev/null
t1=$(date +%s.%N)
SB_RATE=$(awk -v n="$S_N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
SB_ROWS=$S_N

# --- cordee on PostgreSQL --------------------------------------------------------------------
start_pg pg
psql "$PG_URL" -qc "CREATE DATABASE cordee_bench" -c "CREATE DATABASE baseline"
PG_FSYNC=$(psql "$PG_URL" -Atc "SHOW fsync")
PG_SYNC=$(psql "$PG_URL" -Atc "SHOW synchronous_commit")
bench_cordee pg --database "${PG_URL%/postgres}/cordee_bench"
P_RATE=$W_RATE P_P50=$W_P50 P_P99=$W_P99 P_N=$W_N P_BAD=$W_BAD P_RSS=$W_RSS

# --- pgbench baseline: P_N single-row INSERT (autocommit), same concurrency -------------------
BASE_URL=${PG_URL%/postgres}/baseline
psql "$BASE_URL" -qc "CREATE TABLE favorites(id uuid PRIMARY KEY DEFAULT gen_random_uuid(), account_id text NOT NULL,
    label text NOT NULL, url text NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp())" \
    -c "CREATE INDEX favorites_account ON favorites (account_id, created_at)" \
    -c "INSERT INTO favorites (account_id, label, url) SELECT 'acc' || (g % $CONNECTIONS), 'prefill', '/' FROM generate_series(1, 200 * $CONNECTIONS) g"
cat >"$WORK/insert.sql" <<'SQL'
INSERT INTO favorites (account_id, label, url) VALUES ('acc' || :client_id, 'bench-' || :client_id || '-' || random(), '/annuaire');
SQL
cat >"$WORK/delete.sql" <<'SQL'
DELETE FROM favorites WHERE id = (SELECT id FROM favorites WHERE account_id = 'acc' || :client_id ORDER BY created_at LIMIT 1);
SQL
PER_CLIENT=$(( (P_N + CONNECTIONS - 1) / CONNECTIONS ))
[ "$PER_CLIENT" -gt 0 ] || PER_CLIENT=1
mkdir -p "$WORK/pgbench"
(cd "$WORK/pgbench" && pgbench -n -c "$CONNECTIONS" -j 2 -t "$PER_CLIENT" -f "$WORK/insert.sql@1" -f "$WORK/delete.sql@1" -l --log-prefix=pgb "$BASE_URL" \
    >"$WORK/pgbench.txt" 2>&1) || { cat "$WORK/pgbench.txt" >&2; exit 1; }
PB_RATE=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/pgbench.txt")
read -r PB_P50 PB_P99 < <(cat "$WORK"/pgbench/pgb.* | awk '{ print $3 / 1000 }' | sort -n |
    awk '{ v[NR] = $1 } END { a = int(NR * 0.50); b = int(NR * 0.99); if (a < 1) a = 1; if (b < 1) b = 1; printf "%.3f %.3f\n", v[a], v[b] }')

echo "== durable_writes: wrk -t1 -c$CONNECTIONS -d$DURATION POST /api/v1/me/favorites (Idempotency-Key) + DELETE, $(nproc) cores, $(df -T "$WORK" | awk 'NR == 2 { print $2 }') disk"
echo "   PostgreSQL: fsync=$PG_FSYNC synchronous_commit=$PG_SYNC; SQLite baseline: WAL, synchronous=FULL"
printf '%-38s %10s %9s %9s %9s  %s\n' "" "writes/s" "p50 ms" "p99 ms" "rows" "peak RSS"
printf '%-38s %10s %9s %9s %9s  %s\n' "cordee on SQLite" "$S_RATE" "$S_P50" "$S_P99" "$S_N" "$S_RSS"
printf '%-38s %10s %9s %9s %9s\n' "sqlite3 CLI, 1 txn/row, 1 process" "$SB_RATE" "-" "-" "$SB_ROWS"
printf '%-38s %10s %9s %9s %9s  %s\n' "cordee on PostgreSQL" "$P_RATE" "$P_P50" "$P_P99" "$P_N" "$P_RSS"
printf '%-38s %10s %9s %9s %9s\n' "pgbench insert/delete, $CONNECTIONS clients" "$PB_RATE" "$PB_P50" "$PB_P99" "$((PER_CLIENT * CONNECTIONS))"
echo "ratio ours/baseline: SQLite $(ratio "$S_RATE" "$SB_RATE"), PostgreSQL $(ratio "$P_RATE" "$PB_RATE")   (target ≥ 1000 writes/s, p99 < 20 ms)"
[ -z "$S_BAD" ] || echo "cordee on SQLite: other answers than 201: $S_BAD"
[ -z "$P_BAD" ] || echo "cordee on PostgreSQL: other answers than 201: $P_BAD"
verdict=ok
for pair in "$S_RATE $S_P99" "$P_RATE $P_P99"; do
    awk -v r="${pair% *}" -v p="${pair#* }" 'BEGIN { exit !(r >= 1000 && p < 20) }' || verdict=MISSED
done
[ -z "$S_BAD$P_BAD" ] || verdict="MISSED (non-201 answers)"
echo "durable_writes: $verdict"
