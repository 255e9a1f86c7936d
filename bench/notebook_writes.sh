#!/usr/bin/env bash
# Liaison-notebook writes: wrk POST /api/v1/patients/{id}/notebook (access check, audit, timeline and change
# log in the same transaction; a unique Idempotency-Key per request, what an offline client replays), spread
# over a few patients whose circle includes the demo médecin (created through the API by
# bench/seed_patients.mjs: the coordinatrice creates them and adds the médecin), on SQLite (synchronous=FULL)
# then on a throw-away PostgreSQL (fsync=on, synchronous_commit=on). Each is compared with the storage engine
# alone doing the same number of single-row INSERT transactions into a table shaped like notebook_entries:
# the sqlite3 CLI (WAL, synchronous=FULL, one transaction per row, one process) and pgbench (custom insert
# script, same concurrency) on the same PostgreSQL.
# Target (issue 5): ≥ 1,000 entries/s and p99 ≤ 20 ms on each backend.
# The target is judged at 8 connections, an operating point above the 1,000/s asked (2 cores shared by wrk, the
# server and PostgreSQL); BENCH_WRITE_CONNECTIONS=32 shows saturation, where p99 is queueing for the 8 PostgreSQL
# worker threads (2,089/s, p99 29 ms on 2026-11-23).
# Knobs: BENCH_DURATION (10s), BENCH_WRITE_CONNECTIONS (8), BENCH_NOTEBOOK_PATIENTS (8).
source "$(dirname "$0")/lib.sh"
CONNECTIONS=${BENCH_WRITE_CONNECTIONS:-8}
NPATIENTS=${BENCH_NOTEBOOK_PATIENTS:-8}
RUN=$(date +%s)

notebook_lua() { # TOKEN PATIENT_IDS_FILE → Lua script: POST an entry, cycling through the patients
    echo "local patients = {"
    sed 's/.*/    "&",/' "$2"
    cat <<LUA
}
local counter = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function request()
    counter = counter + 1
    local pid = patients[(counter % #patients) + 1]
    local body = '{"kind":"observation","visibility":"circle","body":"Passage de ' .. counter ..
        ' : toilette faite avec aide partielle, pansement refait, plaie propre. Patiente orientée, bon appétit.",' ..
        '"vitals":{"systolic":128,"diastolic":76,"heart_rate":72}}'
    return wrk.format("POST", "/api/v1/patients/" .. pid .. "/notebook", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer $1",
        ["Idempotency-Key"] = "nb-$RUN-" .. counter,
    }, body)
end
function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("statuses")) do io.write(string.format("status %d %d\n", k, v)) end
    end
    io.write(string.format("duration_s %.3f\n", summary.duration / 1e6))
end
LUA
}

# bench_cordee NAME [--database URL] → sets W_RATE W_P50 W_P99 W_N W_BAD W_RSS W_SEED
bench_cordee() {
    local name=$1; shift
    start_cordee "$name" "$@"
    local coordinator medecin medecin_id
    coordinator=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL" coordinator)
    medecin=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL" professional 0)
    medecin_id=$(demo_account_id "$CORDEE_DATA" professional 0)
    W_SEED=$(BENCH_CREATOR_TOKEN=$coordinator BENCH_MEMBER_TOKEN=$medecin node "$BENCH_DIR/seed_patients.mjs" "$CORDEE_URL" \
        --patients "$NPATIENTS" --member "$medecin_id" --out "$WORK/$name.patients" | tail -1)
    notebook_lua "$medecin" "$WORK/$name.patients" >"$WORK/$name.lua"
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/$name.lua" "$CORDEE_URL" >"$WORK/$name.wrk.txt"
    local rps p50 p99 bad n secs
    read -r rps p50 p99 bad n < <(wrk_summary "$WORK/$name.wrk.txt")
    W_N=$(awk '$1 == "status" && $2 == 201 { n += $3 } END { print n + 0 }' "$WORK/$name.wrk.txt")
    secs=$(awk '$1 == "duration_s" { print $2 }' "$WORK/$name.wrk.txt")
    W_RATE=$(awk -v n="$W_N" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
    W_P50=$p50; W_P99=$p99
    W_BAD=$(awk '$1 == "status" && $2 != 201 { printf "%s%s×%s", sep, $3, $2; sep=", " }' "$WORK/$name.wrk.txt")
    W_RSS=$(vm_hwm "$CORDEE_PID")
    kill "$CORDEE_PID"; wait "$CORDEE_PID" 2>/dev/null || true
}

# --- cordee on SQLite ------------------------------------------------------------------------
bench_cordee sqlite
S_RATE=$W_RATE S_P50=$W_P50 S_P99=$W_P99 S_N=$W_N S_BAD=$W_BAD S_RSS=$W_RSS S_SEED=$W_SEED

# --- sqlite3 CLI baseline: S_N single-row INSERT transactions, one process -------------------
BASE_DB=$WORK/baseline.sqlite
{
    echo "PRAGMA journal_mode=WAL;"
    echo "PRAGMA synchronous=FULL;"
    echo "CREATE TABLE notebook_entries(id TEXT PRIMARY KEY, patient_id TEXT NOT NULL, root_id TEXT NOT NULL, version BIGINT NOT NULL,
        kind TEXT NOT NULL, visibility TEXT NOT NULL, author_id TEXT NOT NULL, author_name TEXT NOT NULL, author_profession TEXT NOT NULL,
        fact_at BIGINT NOT NULL, written_at BIGINT NOT NULL, body TEXT NOT NULL, vitals TEXT);"
    echo "CREATE INDEX notebook_entries_patient ON notebook_entries (patient_id, fact_at, id);"
    awk -v n="$S_N" -v np="$NPATIENTS" 'BEGIN { q = sprintf("%c", 39); for (i = 1; i <= n; i++)
        printf "BEGIN; INSERT INTO notebook_entries VALUES (%se-%d%s, %sp-%d%s, %se-%d%s, 1, %sobservation%s, %scircle%s, %sacc%s, %sDr Demo%s, %s10%s, unixepoch(), unixepoch(), %sPassage de %d : toilette faite avec aide partielle, pansement refait, plaie propre. Patiente orientée, bon appétit.%s, %s{\"systolic\":128}%s); COMMIT;\n",
            q,i,q, q,i%np,q, q,i,q, q,q, q,q, q,q, q,q, q,q, q,i,q, q,q }'
} >"$WORK/baseline.sql"
t0=$(date +%s.%N)
sqlite3 "$BASE_DB" <"$WORK/baseline.sql" >/dev/null
t1=$(date +%s.%N)
SB_RATE=$(awk -v n="$S_N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
SB_ROWS=$(sqlite3 "$BASE_DB" "SELECT count(*) FROM notebook_entries")

# --- cordee on PostgreSQL --------------------------------------------------------------------
start_pg pg
psql "$PG_URL" -qc "CREATE DATABASE cordee_bench" -c "CREATE DATABASE baseline"
PG_FSYNC=$(psql "$PG_URL" -Atc "SHOW fsync")
PG_SYNC=$(psql "$PG_URL" -Atc "SHOW synchronous_commit")
bench_cordee pg --database "${PG_URL%/postgres}/cordee_bench"
P_RATE=$W_RATE P_P50=$W_P50 P_P99=$W_P99 P_N=$W_N P_BAD=$W_BAD P_RSS=$W_RSS P_SEED=$W_SEED

# --- pgbench baseline: P_N single-row INSERT (autocommit), same concurrency -------------------
BASE_URL=${PG_URL%/postgres}/baseline
psql "$BASE_URL" -qc "CREATE TABLE notebook_entries(id text PRIMARY KEY DEFAULT gen_random_uuid()::text, patient_id text NOT NULL,
    root_id text NOT NULL DEFAULT '', version bigint NOT NULL DEFAULT 1, kind text NOT NULL, visibility text NOT NULL,
    author_id text NOT NULL, author_name text NOT NULL, author_profession text NOT NULL,
    fact_at bigint NOT NULL DEFAULT extract(epoch FROM clock_timestamp())::bigint,
    written_at bigint NOT NULL DEFAULT extract(epoch FROM clock_timestamp())::bigint, body text NOT NULL, vitals text)" \
    -c "CREATE INDEX notebook_entries_patient ON notebook_entries (patient_id, fact_at, id)"
cat >"$WORK/insert.sql" <<SQL
INSERT INTO notebook_entries (patient_id, kind, visibility, author_id, author_name, author_profession, body, vitals)
VALUES ('p-' || (:client_id % $NPATIENTS), 'observation', 'circle', 'acc', 'Dr Demo', '10',
        'Passage de ' || random() || ' : toilette faite avec aide partielle, pansement refait, plaie propre. Patiente orientée, bon appétit.',
        '{"systolic":128}');
SQL
PER_CLIENT=$(( (P_N + CONNECTIONS - 1) / CONNECTIONS ))
[ "$PER_CLIENT" -gt 0 ] || PER_CLIENT=1
mkdir -p "$WORK/pgbench"
(cd "$WORK/pgbench" && pgbench -n -c "$CONNECTIONS" -j 2 -t "$PER_CLIENT" -f "$WORK/insert.sql" -l --log-prefix=pgb "$BASE_URL" \
    >"$WORK/pgbench.txt" 2>&1) || { cat "$WORK/pgbench.txt" >&2; exit 1; }
PB_RATE=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/pgbench.txt")
read -r PB_P50 PB_P99 < <(cat "$WORK"/pgbench/pgb.* | awk '{ print $3 / 1000 }' | sort -n |
    awk '{ v[NR] = $1 } END { a = int(NR * 0.50); b = int(NR * 0.99); if (a < 1) a = 1; if (b < 1) b = 1; printf "%.3f %.3f\n", v[a], v[b] }')

echo "== notebook_writes: wrk -t1 -c$CONNECTIONS -d$DURATION POST /api/v1/patients/{id}/notebook (Idempotency-Key) on $NPATIENTS patients, $(nproc) cores, $(df -T "$WORK" | awk 'NR == 2 { print $2 }') disk, load average at the end $(cut -d" " -f1-3 /proc/loadavg)"
echo "   PostgreSQL: fsync=$PG_FSYNC synchronous_commit=$PG_SYNC; SQLite baseline: WAL, synchronous=FULL"
echo "   seeding (API): SQLite: $S_SEED"
echo "                  PostgreSQL: $P_SEED"
printf '%-38s %10s %9s %9s %9s  %s\n' "" "entries/s" "p50 ms" "p99 ms" "rows" "peak RSS"
printf '%-38s %10s %9s %9s %9s  %s\n' "cordee on SQLite" "$S_RATE" "$S_P50" "$S_P99" "$S_N" "$S_RSS"
printf '%-38s %10s %9s %9s %9s\n' "sqlite3 CLI, 1 INSERT txn/row" "$SB_RATE" "-" "-" "$SB_ROWS"
printf '%-38s %10s %9s %9s %9s  %s\n' "cordee on PostgreSQL" "$P_RATE" "$P_P50" "$P_P99" "$P_N" "$P_RSS"
printf '%-38s %10s %9s %9s %9s\n' "pgbench INSERT, $CONNECTIONS clients" "$PB_RATE" "$PB_P50" "$PB_P99" "$((PER_CLIENT * CONNECTIONS))"
echo "ratio ours/baseline: SQLite $(ratio "$S_RATE" "$SB_RATE"), PostgreSQL $(ratio "$P_RATE" "$PB_RATE")   (target ≥ 1000 entries/s, p99 ≤ 20 ms)"
[ -z "$S_BAD" ] || echo "cordee on SQLite: other answers than 201: $S_BAD"
[ -z "$P_BAD" ] || echo "cordee on PostgreSQL: other answers than 201: $P_BAD"
verdict=ok
for pair in "$S_RATE $S_P99" "$P_RATE $P_P99"; do
    awk -v r="${pair% *}" -v p="${pair#* }" 'BEGIN { exit !(r >= 1000 && p <= 20) }' || verdict=MISSED
done
[ -z "$S_BAD$P_BAD" ] || verdict="MISSED (non-201 answers)"
echo "notebook_writes: $verdict"
