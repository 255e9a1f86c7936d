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
LUA
    wrk_status_lua
}

# favorites_script NAME: writes the wrk script $WORK/NAME.lua with the token of the demo professional (for cordee_writes).
favorites_script() {
    local name=$1 token
    token=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL")
    post_lua "$token" >"$WORK/$name.lua"
}

# --- cordee on SQLite ------------------------------------------------------------------------
cordee_writes sqlite "201 204" favorites_script
S_RATE=$W_RATE S_P50=$W_P50 S_P99=$W_P99 S_N=$W_N S_BAD=$W_BAD S_RSS=$W_RSS

# --- sqlite3 CLI baseline: S_N single-row transactions, one process --------------------------
baseline_sql() {
    echo "CREATE TABLE favorites(id TEXT PRIMARY KEY, account_id TEXT NOT NULL, label TEXT NOT NULL, url TEXT NOT NULL, created_at TEXT NOT NULL);"
    echo "CREATE INDEX favorites_account ON favorites (account_id, created_at);"
    awk -v n="$S_N" 'BEGIN { q = sprintf("%c", 39); for (i = 1; i <= n; i++) {
        if (i % 2) printf "BEGIN; INSERT INTO favorites VALUES (%sid-%d%s, %sacc%s, %sbench-%d%s, %s/annuaire%s, strftime(%s%%Y-%%m-%%dT%%H:%%M:%%fZ%s)); COMMIT;\n", q,i,q, q,q, q,i,q, q,q, q,q
        else printf "BEGIN; DELETE FROM favorites WHERE id = %sid-%d%s; COMMIT;\n", q,i-1,q } }'
}
sqlite_baseline "$S_N" baseline_sql
SB_ROWS=$S_N

# --- cordee on PostgreSQL --------------------------------------------------------------------
start_pg_bench
cordee_writes pg "201 204" favorites_script --database "$CORDEE_PG_URL"
P_RATE=$W_RATE P_P50=$W_P50 P_P99=$W_P99 P_N=$W_N P_BAD=$W_BAD P_RSS=$W_RSS

# --- pgbench baseline: P_N single-row INSERT (autocommit), same concurrency -------------------
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
pgbench_baseline "$P_N" "$WORK/insert.sql@1" "$WORK/delete.sql@1"

echo "== durable_writes: wrk -t1 -c$CONNECTIONS -d$DURATION POST /api/v1/me/favorites (Idempotency-Key) + DELETE, $(nproc) cores, $(df -T "$WORK" | awk 'NR == 2 { print $2 }') disk"
echo "   PostgreSQL: fsync=$PG_FSYNC synchronous_commit=$PG_SYNC; SQLite baseline: WAL, synchronous=FULL"
write_results writes/s "sqlite3 CLI, 1 txn/row, 1 process" "pgbench insert/delete, $CONNECTIONS clients" "target ≥ 1000 writes/s, p99 < 20 ms"
write_verdict durable_writes 'r >= 1000 && p < 20'
