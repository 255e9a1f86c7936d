# Shared by the bench/*.sh scripts (sourced, not run). Everything is started in a private temp dir
# and stopped on exit; nothing is assumed to be running.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
CORDEE=${CORDEE_BIN:-$REPO/build/cordee}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DURATION=${BENCH_DURATION:-10s}

[ -x "$CORDEE" ] || { echo "bench: $CORDEE is missing (build first)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/cordee-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
PG_DIRS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for d in "${PG_DIRS[@]}"; do "$REPO/tests/pg/cluster.sh" stop "$d" >/dev/null 2>&1 || true; done
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_cordee NAME [--database URL]: demo territory + `cordee serve`; sets CORDEE_URL, CORDEE_PID, CORDEE_DATA.
start_cordee() {
    local name=$1; shift
    CORDEE_DATA=$WORK/$name
    mkdir -p "$CORDEE_DATA"
    "$CORDEE" demo --data "$CORDEE_DATA" "$@" >"$WORK/$name.demo.log" 2>&1 || { cat "$WORK/$name.demo.log" >&2; exit 1; }
    serve_cordee "$name" "$@"
}

# serve_cordee NAME [--database URL]: `cordee serve` on the existing $CORDEE_DATA (a restart keeps the data and
# the sessions); the server inherits the environment. Sets CORDEE_URL, CORDEE_PID.
serve_cordee() {
    local name=$1; shift
    # As shipped: default settings, access log on (JSON lines on stdout, here a file); the nginx baseline logs
    # every request too (its default access_log, unbuffered).
    "$CORDEE" serve --data "$CORDEE_DATA" --port 0 "$@" >"$WORK/$name.log" 2>&1 &
    CORDEE_PID=$!
    PIDS+=("$CORDEE_PID")
    CORDEE_URL=
    for _ in $(seq 200); do
        CORDEE_URL=$(grep -o '"msg":"listening".*"url":"[^"]*"' "$WORK/$name.log" 2>/dev/null | sed 's/.*"url":"\([^"]*\)".*/\1/' | head -1 || true)
        [ -n "$CORDEE_URL" ] && break
        kill -0 "$CORDEE_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$CORDEE_URL" ] || { echo "bench: cordee did not start" >&2; cat "$WORK/$name.log" >&2; exit 1; }
}

# bearer_token DATA_DIR URL [ROLE [INDEX]]: password + TOTP login of a demo account (INDEX among that role's
# accounts in DATA/demo-accounts.json: professional 0 is the médecin, 1 the infirmier, 2 the assistante sociale).
bearer_token() {
    node "$BENCH_DIR/login.mjs" "$1" "$2" "${3:-professional}" "${4:-0}"
}

# demo_account_id DATA_DIR ROLE [INDEX]: the account id of that demo account.
demo_account_id() {
    node -e 'const [f, role, i] = process.argv.slice(1);
        const a = JSON.parse(require("fs").readFileSync(f, "utf8")).filter((x) => x.role === role)[Number(i)];
        if (!a) { console.error(`no demo ${role} #${i}`); process.exit(1); } console.log(a.account_id);' \
        "$1/demo-accounts.json" "$2" "${3:-0}"
}

# start_pg NAME: a throw-away PostgreSQL (fsync=on, synchronous_commit=on); sets PG_URL (database postgres).
start_pg() {
    local dir=$WORK/$1 port
    port=$(free_port)
    PG_DIRS+=("$dir")
    PG_URL=$("$REPO/tests/pg/cluster.sh" start "$dir" "$port")
}

vm_hwm() { awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$1/status"; }

# wrk_summary FILE: "RPS P50_MS P99_MS NON2XX REQUESTS" from `wrk --latency` output.
wrk_summary() {
    awk '
        function ms(v) {
            if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
            if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
            return v
        }
        /Requests\/sec:/ { rps = $2 }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /requests in/ { reqs = $1 }
        END { printf "%s %.3f %.3f %d %d\n", rps, p50, p99, non2xx + 0, reqs }' "$1"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "n/a" }'; }

# --- write benches (notebook_writes.sh, durable_writes.sh): the storage engine alone as baseline ---------------

# start_pg_bench: start_pg pg with two databases, cordee_bench for cordee and baseline for pgbench; sets PG_URL,
# PG_FSYNC, PG_SYNC, CORDEE_PG_URL (cordee_bench) and BASE_URL (baseline).
start_pg_bench() {
    start_pg pg
    psql "$PG_URL" -qc "CREATE DATABASE cordee_bench" -c "CREATE DATABASE baseline"
    PG_FSYNC=$(psql "$PG_URL" -Atc "SHOW fsync")
    PG_SYNC=$(psql "$PG_URL" -Atc "SHOW synchronous_commit")
    CORDEE_PG_URL=${PG_URL%/postgres}/cordee_bench
    BASE_URL=${PG_URL%/postgres}/baseline
}

# sqlite_baseline N SQL_FUNCTION: the SQL that SQL_FUNCTION prints (schema, then one transaction per row) run by
# the sqlite3 CLI in one process on $WORK/baseline.sqlite, in WAL with synchronous=FULL; the SQL is written out
# before the clock starts. Sets BASE_DB and SB_RATE (N / seconds taken).
sqlite_baseline() {
    local n=$1 t0 t1
    BASE_DB=$WORK/baseline.sqlite
    {
        echo "PRAGMA journal_mode=WAL;"
        echo "PRAGMA synchronous=FULL;"
        "$2"
    } >"$WORK/baseline.sql"
    t0=$(date +%s.%N)
    sqlite3 "$BASE_DB" <"$WORK/baseline.sql" >/dev/null
    t1=$(date +%s.%N)
    SB_RATE=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
}

# pgbench_baseline N SCRIPT...: pgbench with $CONNECTIONS clients (2 threads) running at least N transactions in
# all on $BASE_URL, each SCRIPT a pgbench -f argument (FILE or FILE@WEIGHT), per-transaction log in $WORK/pgbench.
# Sets PER_CLIENT (transactions per client), PB_RATE (tps), PB_P50 and PB_P99 (ms).
pgbench_baseline() {
    local n=$1 script
    shift
    local files=()
    for script in "$@"; do files+=(-f "$script"); done
    PER_CLIENT=$(( (n + CONNECTIONS - 1) / CONNECTIONS ))
    [ "$PER_CLIENT" -gt 0 ] || PER_CLIENT=1
    mkdir -p "$WORK/pgbench"
    (cd "$WORK/pgbench" && pgbench -n -c "$CONNECTIONS" -j 2 -t "$PER_CLIENT" "${files[@]}" -l --log-prefix=pgb "$BASE_URL" \
        >"$WORK/pgbench.txt" 2>&1) || { cat "$WORK/pgbench.txt" >&2; exit 1; }
    PB_RATE=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/pgbench.txt")
    read -r PB_P50 PB_P99 < <(cat "$WORK"/pgbench/pgb.* | awk '{ print $3 / 1000 }' | sort -n |
        awk '{ v[NR] = $1 } END { a = int(NR * 0.50); b = int(NR * 0.99); if (a < 1) a = 1; if (b < 1) b = 1; printf "%.3f %.3f\n", v[a], v[b] }')
}

# write_results UNIT SQLITE_LABEL PGBENCH_LABEL TARGET: the table of cordee on SQLite (S_*), the sqlite3 baseline
# (SB_RATE, SB_ROWS), cordee on PostgreSQL (P_*) and the pgbench baseline (PB_*, PER_CLIENT), the ratios with
# TARGET after them, and the answers other than the expected ones (S_BAD, P_BAD).
write_results() {
    printf '%-38s %10s %9s %9s %9s  %s\n' "" "$1" "p50 ms" "p99 ms" "rows" "peak RSS"
    printf '%-38s %10s %9s %9s %9s  %s\n' "cordee on SQLite" "$S_RATE" "$S_P50" "$S_P99" "$S_N" "$S_RSS"
    printf '%-38s %10s %9s %9s %9s\n' "$2" "$SB_RATE" "-" "-" "$SB_ROWS"
    printf '%-38s %10s %9s %9s %9s  %s\n' "cordee on PostgreSQL" "$P_RATE" "$P_P50" "$P_P99" "$P_N" "$P_RSS"
    printf '%-38s %10s %9s %9s %9s\n' "$3" "$PB_RATE" "$PB_P50" "$PB_P99" "$((PER_CLIENT * CONNECTIONS))"
    echo "ratio ours/baseline: SQLite $(ratio "$S_RATE" "$SB_RATE"), PostgreSQL $(ratio "$P_RATE" "$PB_RATE")   ($4)"
    [ -z "$S_BAD" ] || echo "cordee on SQLite: other answers than 201: $S_BAD"
    [ -z "$P_BAD" ] || echo "cordee on PostgreSQL: other answers than 201: $P_BAD"
}

# write_verdict NAME CONDITION: "NAME: ok" when CONDITION (awk, on the rate r and the p99 p in ms) holds for
# cordee on SQLite and on PostgreSQL and every answer was the expected one, else "NAME: MISSED …".
write_verdict() {
    local verdict=ok pair
    for pair in "$S_RATE $S_P99" "$P_RATE $P_P99"; do
        awk -v r="${pair% *}" -v p="${pair#* }" "BEGIN { exit !($2) }" || verdict=MISSED
    done
    [ -z "$S_BAD$P_BAD" ] || verdict="MISSED (non-201 answers)"
    echo "$1: $verdict"
}

# wrk_status_lua: the end of a wrk Lua script whose response() counts answers in statuses[status]: wrk prints
# every thread's counts as "status CODE COUNT" lines, then "duration_s SECONDS" (what cordee_writes reads).
wrk_status_lua() {
    cat <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function done(summary, latency, requests)
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("statuses")) do io.write(string.format("status %d %d\n", k, v)) end
    end
    io.write(string.format("duration_s %.3f\n", summary.duration / 1e6))
end
LUA
}

# cordee_writes NAME "CODE..." PREPARE [--database URL]: start_cordee NAME, PREPARE NAME writes the wrk script
# $WORK/NAME.lua for that server ($CORDEE_DATA, $CORDEE_URL; its Lua ends with wrk_status_lua), then
# wrk -t1 -c$CONNECTIONS -d$DURATION --latency with it, and cordee is stopped. The answers with one of the CODEs are
# the acknowledged writes. Sets W_N (their number), W_RATE (per second), W_P50 W_P99 (ms), W_BAD (the other
# answers, "COUNT×CODE, …") and W_RSS (peak RSS of cordee).
cordee_writes() {
    local name=$1 ok=$2 prepare=$3 rps p50 p99 bad n secs
    shift 3
    start_cordee "$name" "$@"
    "$prepare" "$name"
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/$name.lua" "$CORDEE_URL" >"$WORK/$name.wrk.txt"
    read -r rps p50 p99 bad n < <(wrk_summary "$WORK/$name.wrk.txt")
    W_N=$(awk -v ok="$ok" 'BEGIN { split(ok, c, " "); for (i in c) good[c[i]] = 1 }
        $1 == "status" && ($2 in good) { n += $3 } END { print n + 0 }' "$WORK/$name.wrk.txt")
    secs=$(awk '$1 == "duration_s" { print $2 }' "$WORK/$name.wrk.txt")
    W_RATE=$(awk -v n="$W_N" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
    W_P50=$p50; W_P99=$p99
    W_BAD=$(awk -v ok="$ok" 'BEGIN { split(ok, c, " "); for (i in c) good[c[i]] = 1 }
        $1 == "status" && !($2 in good) { printf "%s%s×%s", sep, $3, $2; sep=", " }' "$WORK/$name.wrk.txt")
    W_RSS=$(vm_hwm "$CORDEE_PID")
    kill "$CORDEE_PID"; wait "$CORDEE_PID" 2>/dev/null || true
}
