#!/usr/bin/env bash
# Messaging and live push under load (issue 11, bench/README.md): the same load generator (bench/messaging_load.mjs,
# npm ws + node:http) against cordee and, in the same run, against a bare WebSocket fan-out built the same way
# (build/bench_ws_echo: the same http::Server, no storage, no session or access check).
#   bench/messaging.sh [idle|active|all]      (default all)
#   idle:   BENCH_IDLE_USERS (10000) accounts, each with one socket on GET /api/v1/live: server VmRSS before and
#           after, memory per connection (target ≤ 20 KB), on each backend of BENCH_BACKENDS and on the fan-out.
#   active: BENCH_ACTIVE_USERS (1000) accounts in direct pairs and groups of BENCH_GROUP_SIZE (10): a paced phase of
#           BENCH_MSG_RATE (200) messages/s for BENCH_DURATION (10s), delivery p50/p99 (target p99 ≤ 50 ms on one
#           node, ≤ 100 ms across two nodes on PostgreSQL), then a saturation phase of BENCH_BURST (50) messages per
#           account with BENCH_MSG_CONNECTIONS (64) requests in flight: acknowledged (201) and stored messages/s
#           (targets ≥ 5,000/s on SQLite, ≥ 2,000/s on PostgreSQL), ratio to the fan-out. On PostgreSQL: one node,
#           then two nodes on the same database (accounts alternate between nodes, every conversation spans both).
# Accounts and full sessions come from build/bench_messaging_seed (in-process, on the real repositories).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MODE=${1:-all}
case "$MODE" in idle | active | all) ;; *) echo "usage: $0 [idle|active|all]" >&2; exit 2 ;; esac
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
IDLE_USERS=${BENCH_IDLE_USERS:-10000}
ACTIVE_USERS=${BENCH_ACTIVE_USERS:-1000}
GROUP=${BENCH_GROUP_SIZE:-10}
RATE=${BENCH_MSG_RATE:-200}
SECS=${DURATION%s}
BURST=${BENCH_BURST:-50}
CONC=${BENCH_MSG_CONNECTIONS:-64}
SEEDER=${BENCH_SEED_BIN:-$REPO/build/bench_messaging_seed}
ECHO=${BENCH_ECHO_BIN:-$REPO/build/bench_ws_echo}
LOAD=$BENCH_DIR/messaging_load.mjs
for b in "$SEEDER" "$ECHO"; do [ -x "$b" ] || { echo "bench: $b is missing (cmake --build build --target $(basename "$b"))" >&2; exit 1; }; done
[ -d "$REPO/tests/node_modules/ws" ] || { echo "bench: tests/node_modules/ws is missing (npm ci in tests/)" >&2; exit 1; }
# 10,000 sockets: one descriptor each in the server and in the load generator.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -gt $((IDLE_USERS + 500)) ] || { echo "bench: ulimit -n $(ulimit -n) is too low for $IDLE_USERS sockets" >&2; exit 1; }

j() { jq -r "$2" "$1"; }
kib_mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# start_echo NAME [ARGS]: the bare fan-out, as serve_cordee starts cordee; sets ECHO_URL, ECHO_PID.
start_echo() {
    local name=$1; shift
    "$ECHO" --port 0 "$@" >"$WORK/$name.log" 2>&1 &
    ECHO_PID=$!
    PIDS+=("$ECHO_PID")
    ECHO_URL=
    for _ in $(seq 100); do
        ECHO_URL=$(grep -o '"msg":"listening".*"url":"[^"]*"' "$WORK/$name.log" 2>/dev/null | sed 's/.*"url":"\([^"]*\)".*/\1/' | head -1 || true)
        [ -n "$ECHO_URL" ] && break
        sleep 0.1
    done
    [ -n "$ECHO_URL" ] || { echo "bench: bench_ws_echo did not start" >&2; cat "$WORK/$name.log" >&2; exit 1; }
}

stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# prepare NAME USERS [--database URL]: demo territory in $WORK/NAME, then USERS accounts with full sessions in
# $WORK/NAME.users.jsonl (CORDEE_DATA set).
prepare() {
    local name=$1 users=$2
    shift 2
    CORDEE_DATA=$WORK/$name
    mkdir -p "$CORDEE_DATA"
    "$CORDEE" demo --data "$CORDEE_DATA" "$@" >"$WORK/$name.demo.log" 2>&1 || { cat "$WORK/$name.demo.log" >&2; exit 1; }
    "$SEEDER" --data "$CORDEE_DATA" "$@" --users "$users" >"$WORK/$name.users.jsonl" 2>"$WORK/$name.seed.log" ||
        { cat "$WORK/$name.seed.log" >&2; exit 1; }
    echo "  $name: $(cat "$WORK/$name.seed.log")"
}

# pg_database NAME: a fresh database on the throw-away cluster; sets DB_URL.
pg_database() {
    [ -n "${PG_URL:-}" ] || start_pg pg
    psql "$PG_URL" -qc "CREATE DATABASE $1"
    DB_URL=${PG_URL%/postgres}/$1
}

stored_messages() {  # DATA_DIR [URL]
    if [ -n "${2:-}" ]; then psql "$2" -Atc "SELECT count(*) FROM messages"
    else sqlite3 "$1/cordee.db" "SELECT count(*) FROM messages"; fi
}

echo "messaging bench on $(nproc) cores, $(date -u +%Y-%m-%d), cordee $("$CORDEE" --version 2>/dev/null || echo "$CORDEE")"

# --- idle ------------------------------------------------------------------------------------------------------------
IDLE_ROWS=()
IDLE_VERDICT=ok
idle_run() {  # LABEL PID URL OUT [--users FILE | --fake N]
    local label=$1 pid=$2 url=$3 out=$4
    shift 4
    node "$LOAD" idle --url "$url" --pid "$pid" --count "$IDLE_USERS" --out "$out" "$@" >"$out.log" 2>&1 ||
        { cat "$out.log" >&2; exit 1; }
    IDLE_ROWS+=("$(printf '%-30s %10s %10s %10s %8s %8s %6s %6s %6s %9s  %s' "$label" \
        "$(kib_mib "$(j "$out" .before.VmRSS)")" "$(kib_mib "$(j "$out" .signed_in.VmRSS)")" \
        "$(kib_mib "$(j "$out" .after.VmRSS)")" "$(j "$out" .per_connection_kb)" "$(j "$out" .per_socket_kb)" \
        "$(j "$out" .open)" "$(j "$out" .failed)" "$(j "$out" .open_seconds)" "$(vm_hwm "$pid" | tr -d ' ')" \
        "$(j "$out" .first_error)")")
}
if [ "$MODE" != active ]; then
    echo "idle: $IDLE_USERS sockets, one per account"
    start_echo echo-idle
    idle_run "bare fan-out (bench_ws_echo)" "$ECHO_PID" "$ECHO_URL" "$WORK/idle-echo.json" --fake "$IDLE_USERS"
    stop_pid "$ECHO_PID"
    for backend in $BACKENDS; do
        db=()
        if [ "$backend" = postgres ]; then pg_database msg_idle; db=(--database "$DB_URL"); fi
        prepare "idle-$backend" "$IDLE_USERS" "${db[@]}"
        serve_cordee "idle-$backend" "${db[@]}"
        idle_run "cordee on $backend" "$CORDEE_PID" "$CORDEE_URL" "$WORK/idle-$backend.json" --users "$WORK/idle-$backend.users.jsonl"
        awk -v k="$(j "$WORK/idle-$backend.json" .per_connection_kb)" -v o="$(j "$WORK/idle-$backend.json" .open)" \
            -v n="$IDLE_USERS" 'BEGIN { exit !(k <= 20 && o == n) }' || IDLE_VERDICT=MISSED
        stop_pid "$CORDEE_PID"
    done
fi

# --- active ----------------------------------------------------------------------------------------------------------
ACTIVE_ROWS=()
ACTIVE_VERDICTS=()
declare -A SAT P99
active_run() {  # KEY LABEL "PIDS" URLS OUT STORE_DATA STORE_URL [--users FILE --offset K | --fake N]
    local key=$1 label=$2 pids=$3 urls=$4 out=$5 data=$6 url=$7 before after stored ok rss="" p
    shift 7
    before=0
    [ -z "$data" ] || before=$(stored_messages "$data" "$url")
    node "$LOAD" active --urls "$urls" --count "$ACTIVE_USERS" --group-size "$GROUP" --rate "$RATE" --duration "$SECS" \
        --burst "$BURST" --concurrency "$CONC" --pids "${pids// /,}" --out "$out" "$@" >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
    stored=-
    if [ -n "$data" ]; then
        after=$(stored_messages "$data" "$url")
        stored=$((after - before))
    fi
    ok=$(( $(j "$out" '(.paced.statuses["201"] // 0) + (.saturation.statuses["201"] // 0)') ))
    for p in $pids; do rss+="$(vm_hwm "$p" | tr -d ' ') "; done
    SAT[$key]=$(j "$out" .saturation.acknowledged_per_second)
    P99[$key]=$(j "$out" .paced.p99_ms)
    ACTIVE_ROWS+=("$(printf '%-28s %7s %7s %7s %9s %7s %7s %7s %8s %7s  %s' "$label" \
        "$(j "$out" .paced.p50_ms)" "$(j "$out" .paced.p99_ms)" "$(j "$out" '.paced.cross_node.p99_ms // "-"')" \
        "${SAT[$key]}" "$(j "$out" .saturation.p50_ms)" "$(j "$out" .saturation.p99_ms)" \
        "$(j "$out" '.paced.missing + .saturation.missing')" "$ok" "$stored" "$rss")")
    local bad
    bad=$(j "$out" '[.paced.statuses, .saturation.statuses] | map(to_entries[] | select(.key != "201") | "\(.value)×\(.key)") | join(", ")')
    [ -z "$bad" ] || ACTIVE_ROWS+=("    $label: answers other than 201: $bad — $(j "$out" '.paced.first_error + " " + .saturation.first_error')")
    ACTIVE_ROWS+=("    $label: CPU ms per message at saturation: server $(j "$out" .saturation.server_cpu_ms_per_message), generator $(j "$out" .saturation.load_cpu_ms_per_message); paced acknowledgement p50/p99 $(j "$out" .paced.ack_p50_ms)/$(j "$out" .paced.ack_p99_ms) ms")
    [ "$(j "$out" .sockets_closed)" = 0 ] || ACTIVE_ROWS+=("    $label: $(j "$out" .sockets_closed) sockets closed by the server during the run")
    ACTIVE_BAD=$bad
    [ "$stored" = - ] || [ "$stored" = "$ok" ] || ACTIVE_ROWS+=("    $label: $ok acknowledged but $stored new rows in messages")
    ACTIVE_MISSING=$(j "$out" '.paced.missing + .saturation.missing')
    ACTIVE_STORED_OK=$([ "$stored" = - ] || [ "$stored" = "$ok" ] && echo 1 || echo 0)
}
# verdict NAME CONDITION (awk on r = msgs/s at saturation, p = paced p99 ms, c = cross-node p99 ms)
verdict() {
    local v=ok out=$3
    awk -v r="$(j "$out" .saturation.acknowledged_per_second)" -v p="$(j "$out" .paced.p99_ms)" \
        -v c="$(j "$out" '.paced.cross_node.p99_ms // 0')" "BEGIN { exit !($2) }" || v=MISSED
    [ -z "$ACTIVE_BAD" ] || v="MISSED (answers other than 201)"
    [ "$ACTIVE_MISSING" = 0 ] || v="MISSED ($ACTIVE_MISSING deliveries missing)"
    [ "$ACTIVE_STORED_OK" = 1 ] || v="MISSED (stored rows differ from acknowledged)"
    ACTIVE_VERDICTS+=("$1: $v")
}
if [ "$MODE" != idle ]; then
    echo "active: $ACTIVE_USERS accounts, direct pairs and groups of $GROUP; paced $RATE msg/s for ${SECS}s, then $BURST each at $CONC in flight"
    start_echo echo-active
    active_run echo "bare fan-out (bench_ws_echo)" "$ECHO_PID" "$ECHO_URL" "$WORK/active-echo.json" "" "" --fake "$ACTIVE_USERS"
    stop_pid "$ECHO_PID"
    for backend in $BACKENDS; do
        if [ "$backend" = sqlite ]; then
            prepare active-sqlite "$ACTIVE_USERS"
            serve_cordee active-sqlite
            active_run sqlite "cordee on SQLite, 1 node" "$CORDEE_PID" "$CORDEE_URL" "$WORK/active-sqlite.json" \
                "$CORDEE_DATA" "" --users "$WORK/active-sqlite.users.jsonl"
            verdict "SQLite one node (p99 ≤ 50 ms, ≥ 5,000 msg/s)" "p <= 50 && r >= 5000" "$WORK/active-sqlite.json"
            stop_pid "$CORDEE_PID"
        else
            pg_database msg_active
            # Two sets of accounts: the two-node run does not start with the buckets the one-node run emptied.
            prepare active-pg $((2 * ACTIVE_USERS)) --database "$DB_URL"
            serve_cordee active-pg --database "$DB_URL"
            A_PID=$CORDEE_PID A_URL=$CORDEE_URL
            active_run pg1 "cordee on PostgreSQL, 1 node" "$A_PID" "$A_URL" "$WORK/active-pg1.json" \
                "$CORDEE_DATA" "$DB_URL" --users "$WORK/active-pg.users.jsonl" --offset 0
            verdict "PostgreSQL one node (p99 ≤ 50 ms, ≥ 2,000 msg/s)" "p <= 50 && r >= 2000" "$WORK/active-pg1.json"
            # Node B: its own data directory (a copy: the audit key), the same database.
            cp -r "$WORK/active-pg" "$WORK/active-pg-b"
            CORDEE_DATA=$WORK/active-pg-b serve_cordee active-pg-b --database "$DB_URL"
            B_PID=$CORDEE_PID B_URL=$CORDEE_URL
            active_run pg2 "cordee on PostgreSQL, 2 nodes" "$A_PID $B_PID" "$A_URL,$B_URL" "$WORK/active-pg2.json" \
                "$WORK/active-pg" "$DB_URL" --users "$WORK/active-pg.users.jsonl" --offset "$ACTIVE_USERS"
            verdict "PostgreSQL two nodes (cross-node p99 ≤ 100 ms, p99 ≤ 100 ms, ≥ 2,000 msg/s)" \
                "c <= 100 && p <= 100 && r >= 2000" "$WORK/active-pg2.json"
            stop_pid "$B_PID"
            stop_pid "$A_PID"
        fi
    done
fi

# --- results ---------------------------------------------------------------------------------------------------------
if [ "$MODE" != active ]; then
    echo
    printf '%-30s %10s %10s %10s %8s %8s %6s %6s %6s %9s\n' "idle: $IDLE_USERS sockets" "VmRSS" "signed in" "connected" "KB/user" "KB/sock" "open" "failed" "open s" "peak RSS"
    echo "  (VmRSS after a warm-up; after GET /api/v1/me of every account; with every socket open. KB/user: (connected - VmRSS) / N, judged; KB/sock: (connected - signed in) / N)"
    printf '%s\n' "${IDLE_ROWS[@]}"
    for backend in $BACKENDS; do
        echo "ratio per connection cordee on $backend / fan-out: $(ratio "$(j "$WORK/idle-$backend.json" .per_connection_kb)" "$(j "$WORK/idle-echo.json" .per_connection_kb)")"
    done
    echo "idle (≤ 20 KB per connection, every socket open): $IDLE_VERDICT"
fi
if [ "$MODE" != idle ]; then
    echo
    printf '%-28s %7s %7s %7s %9s %7s %7s %7s %8s %7s  %s\n' "active: $ACTIVE_USERS accounts" "p50 ms" "p99 ms" "x-node" "sat msg/s" "p50 ms" "p99 ms" "missing" "201s" "stored" "peak RSS"
    printf '%s\n' "${ACTIVE_ROWS[@]}"
    for key in sqlite pg1 pg2; do
        [ -n "${SAT[$key]:-}" ] || continue
        echo "ratio $key / fan-out: msg/s at saturation $(ratio "${SAT[$key]}" "${SAT[echo]}"), paced p99 $(ratio "${P99[$key]}" "${P99[echo]}")"
    done
    printf '%s\n' "${ACTIVE_VERDICTS[@]}"
fi
