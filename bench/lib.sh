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
    # No access log: the nginx baseline runs with `access_log off` too (like for like).
    "$CORDEE" serve --data "$CORDEE_DATA" --port 0 --access-log false "$@" >"$WORK/$name.log" 2>&1 &
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
