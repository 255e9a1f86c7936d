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
LUA
    wrk_status_lua
}

# notebook_script NAME: seeds the patients through the API (sets W_SEED, the last line of seed_patients.mjs), then
# writes the wrk script $WORK/NAME.lua (for cordee_writes).
notebook_script() {
    local name=$1 coordinator medecin medecin_id
    coordinator=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL" coordinator)
    medecin=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL" professional 0)
    medecin_id=$(demo_account_id "$CORDEE_DATA" professional 0)
    W_SEED=$(BENCH_CREATOR_TOKEN=$coordinator BENCH_MEMBER_TOKEN=$medecin node "$BENCH_DIR/seed_patients.mjs" "$CORDEE_URL" \
        --patients "$NPATIENTS" --member "$medecin_id" --out "$WORK/$name.patients" | tail -1)
    notebook_lua "$medecin" "$WORK/$name.patients" >"$WORK/$name.lua"
}

# --- cordee on SQLite ------------------------------------------------------------------------
cordee_writes sqlite 201 notebook_script
S_RATE=$W_RATE S_P50=$W_P50 S_P99=$W_P99 S_N=$W_N S_BAD=$W_BAD S_RSS=$W_RSS S_SEED=$W_SEED

# --- sqlite3 CLI baseline: S_N single-row INSERT transactions, one process -------------------
baseline_sql() {
    echo "CREATE TABLE notebook_entries(id TEXT PRIMARY KEY, patient_id TEXT NOT NULL, root_id TEXT NOT NULL, version BIGINT NOT NULL,
        kind TEXT NOT NULL, visibility TEXT NOT NULL, author_id TEXT NOT NULL, author_name TEXT NOT NULL, author_profession TEXT NOT NULL,
        fact_at BIGINT NOT NULL, written_at BIGINT NOT NULL, body TEXT NOT NULL, vitals TEXT);"
    echo "CREATE INDEX notebook_entries_patient ON notebook_entries (patient_id, fact_at, id);"
    awk -v n="$S_N" -v np="$NPATIENTS" 'BEGIN { q = sprintf("%c", 39); for (i = 1; i <= n; i++)
        printf "BEGIN; INSERT INTO notebook_entries VALUES (%se-%d%s, %sp-%d%s, %se-%d%s, 1, %sobservation%s, %scircle%s, %sacc%s, %sDr Demo%s, %s10%s, unixepoch(), unixepoch(), %sPassage de %d : toilette faite avec aide partielle, pansement refait, plaie propre. Patiente orientée, bon appétit.%s, %s{\"systolic\":128}%s); COMMIT;\n",
            q,i,q, q,i%np,q, q,i,q, q,q, q,q, q,q, q,q, q,q, q,i,q, q,q }'
}
sqlite_baseline "$S_N" baseline_sql
SB_ROWS=$(sqlite3 "$BASE_DB" "SELECT count(*) FROM notebook_entries")

# --- cordee on PostgreSQL --------------------------------------------------------------------
start_pg_bench
cordee_writes pg 201 notebook_script --database "$CORDEE_PG_URL"
P_RATE=$W_RATE P_P50=$W_P50 P_P99=$W_P99 P_N=$W_N P_BAD=$W_BAD P_RSS=$W_RSS P_SEED=$W_SEED

# --- pgbench baseline: P_N single-row INSERT (autocommit), same concurrency -------------------
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
pgbench_baseline "$P_N" "$WORK/insert.sql"

echo "== notebook_writes: wrk -t1 -c$CONNECTIONS -d$DURATION POST /api/v1/patients/{id}/notebook (Idempotency-Key) on $NPATIENTS patients, $(nproc) cores, $(df -T "$WORK" | awk 'NR == 2 { print $2 }') disk, load average at the end $(cut -d" " -f1-3 /proc/loadavg)"
echo "   PostgreSQL: fsync=$PG_FSYNC synchronous_commit=$PG_SYNC; SQLite baseline: WAL, synchronous=FULL"
echo "   seeding (API): SQLite: $S_SEED"
echo "                  PostgreSQL: $P_SEED"
write_results entries/s "sqlite3 CLI, 1 INSERT txn/row" "pgbench INSERT, $CONNECTIONS clients" "target ≥ 1000 entries/s, p99 ≤ 20 ms"
write_verdict notebook_writes 'r >= 1000 && p <= 20'
