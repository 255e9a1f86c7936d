#!/usr/bin/env bash
# Patient reads at a professional's scale, on SQLite then on a throw-away PostgreSQL (BENCH_BACKENDS):
#   (a) GET /api/v1/patients/{id}/timeline — the first page (30 newest events) of a patient holding 10,000
#       notebook entries;
#   (b) GET /api/v1/patients/mine — the first page (50) for the demo médecin, member of 500 care circles;
#   (c) the cost of the access check: the server has no switch to skip it (on purpose), so the timeline's SQL
#       (ListTimeline) is run directly on the same database (sqlite3 CLI, one process; pgbench on PostgreSQL) and
#       the ratio printed; the check alone is measured in-process by build/bench_policy_cost.
# Seeding, through the API only (bench/seed_patients.mjs, fetch with keep-alive, 32 in flight): the demo
# coordinatrice creates 500 patients (POST /api/v1/patients with confirm_not_duplicate) and adds the médecin to
# each circle (POST …/circle), then the médecin writes the 10,000 entries of the first patient. The seeding
# time and rate are printed (it must stay well under a minute). On PostgreSQL the seeding is followed by ANALYZE,
# what autovacuum does within its 1-minute naptime on a live server (without it the planner still believes the
# patient has ~70 events and sorts all 10,000 for the first page).
# wrk with a Lua script for the Bearer header, 2 s warm-up, then BENCH_DURATION one request at a time (-c1: the
# p50/p99 latency a user sees) and BENCH_DURATION at BENCH_READ_CONNECTIONS (16: requests/s; its percentiles,
# queueing included, are in the notes). Target (issue 5): p99 ≤ 20 ms for (a) and (b) on each backend, every
# answer 200. The access check's own cost, without HTTP or audit in the way, is measured in-process by
# build/bench_policy_cost (bench/policy_cost.cpp).
# Knobs: BENCH_BACKENDS ("sqlite postgres"), BENCH_DURATION (10s), BENCH_READ_CONNECTIONS (16),
# BENCH_PATIENTS (500), BENCH_ENTRIES (10000), BENCH_SEED_PARALLEL (32),
# BENCH_SQL_QUERIES (10000, the sqlite3 batch of the sql mode).
source "$(dirname "$0")/lib.sh"
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
CONNECTIONS=${BENCH_READ_CONNECTIONS:-16}
NPATIENTS=${BENCH_PATIENTS:-500}
NENTRIES=${BENCH_ENTRIES:-10000}
PARALLEL=${BENCH_SEED_PARALLEL:-32}
SQL_QUERIES=${BENCH_SQL_QUERIES:-10000}
TARGET_P99_MS=20

# peak_rss PID: VmHWM, and the current split of RSS into anonymous memory and mapped file pages (SQLite maps the
# database in each reader connection: the same page mapped by 32 readers counts 32 times in RSS, not in RAM).
peak_rss() {
    awk '/^VmHWM/ { h = $2 } /^RssAnon/ { a = $2 } /^RssFile/ { f = $2 }
         END { printf "%.1f MiB (now anon %.0f, file %.0f)", h / 1024, a / 1024, f / 1024 }' "/proc/$1/status"
}

duration_s() { # BENCH_DURATION (wrk syntax: 10s, 2m, 1h) in seconds, for pgbench -T
    awk -v d="$DURATION" 'BEGIN { n = d + 0; if (d ~ /m$/) n *= 60; else if (d ~ /h$/) n *= 3600; printf "%d", (n > 0 ? n : 10) }'
}

auth_lua() { # TOKEN
    cat <<LUA
wrk.headers["Authorization"] = "Bearer $1"
wrk.headers["Accept"] = "application/json"
LUA
}

run_wrk() { # URL OUT: latency one request at a time (OUT.c1), throughput at $CONNECTIONS connections (OUT)
    wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/auth.lua" "$1" >/dev/null   # warm-up
    wrk -t1 -c1 -d"$DURATION" --latency -s "$WORK/auth.lua" "$1" >"$2.c1"
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/auth.lua" "$1" >"$2"
}

# check PATH LABEL: one GET that must answer 200; prints "LABEL: N items, B bytes".
check() {
    local code
    code=$(curl -s -o "$WORK/check.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$CORDEE_URL$1")
    [ "$code" = 200 ] || { echo "bench: GET $1 answered $code: $(head -c 500 "$WORK/check.json")" >&2; exit 1; }
    echo "$2: $(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log((j.items || []).length)' "$WORK/check.json") items, $(stat -c %s "$WORK/check.json") bytes"
}

ROWS=()      # "backend|read|rps|p50|p99|non2xx|rss"
NOTES=()
verdict=ok
add_row() { # BACKEND READ WRK_FILE RSS: requests/s at $CONNECTIONS connections; p50/p99 one request at a time
    local rps p50 p99 bad n rps1 bad1 p50n p99n
    read -r rps p50n p99n bad n < <(wrk_summary "$3")
    read -r rps1 p50 p99 bad1 n < <(wrk_summary "$3.c1")
    ROWS+=("$1|$2|$rps|$p50|$p99|$((bad + bad1))|$4")
    NOTES+=("$1 $2: at $CONNECTIONS connections p50 $p50n ms, p99 $p99n ms")
    LAST_RPS=$rps LAST_P99=$p99 LAST_BAD=$((bad + bad1))
}

for backend in $BACKENDS; do
    name=reads-$backend
    args=()
    if [ "$backend" = postgres ]; then
        [ -n "${PG_URL:-}" ] || start_pg pg
        psql "$PG_URL" -qc "CREATE DATABASE reads"
        args=(--database "${PG_URL%/postgres}/reads")
    fi
    start_cordee "$name" "${args[@]}"
    coordinator=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL" coordinator)
    TOKEN=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL" professional 0)
    medecin_id=$(demo_account_id "$CORDEE_DATA" professional 0)
    echo "$backend: seeding $NPATIENTS patients, $NPATIENTS circle members, $NENTRIES entries through the API…" >&2
    seed=$(BENCH_CREATOR_TOKEN=$coordinator BENCH_MEMBER_TOKEN=$TOKEN node "$BENCH_DIR/seed_patients.mjs" "$CORDEE_URL" \
        --patients "$NPATIENTS" --entries "$NENTRIES" --parallel "$PARALLEL" --member "$medecin_id" --out "$WORK/$name.patients" | tail -1)
    NOTES+=("$backend seeding (API, $PARALLEL in flight): $seed; server peak RSS after seeding $(vm_hwm "$CORDEE_PID")")
    if [ "$backend" = postgres ]; then
        # Planner statistics, as autovacuum gathers them within its 1-minute naptime on a live server: right
        # after the bulk seeding they say the patient has ~70 events and the timeline is read by sorting all 10,000.
        psql "${PG_URL%/postgres}/reads" -qc "ANALYZE"
        NOTES+=("postgres: ANALYZE run after the seeding (what autovacuum does within a minute)")
    fi
    seed_s=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$seed")
    awk -v s="$seed_s" 'BEGIN { exit !(s >= 60) }' && NOTES+=("$backend seeding took $seed_s s: more than a minute")
    P0=$(head -1 "$WORK/$name.patients")
    TIMELINE=/api/v1/patients/$P0/timeline
    MINE=/api/v1/patients/mine
    auth_lua "$TOKEN" >"$WORK/auth.lua"
    c1=$(check "$TIMELINE" "timeline first page")
    c2=$(check "$MINE" "mine first page")
    NOTES+=("$backend $c1; $c2")

    # Peak RSS is read after each read's run (VmHWM: the highest so far, seeding included).
    run_wrk "$CORDEE_URL$TIMELINE" "$WORK/$name.timeline.txt"
    add_row "$backend" "timeline, access check" "$WORK/$name.timeline.txt" "$(peak_rss "$CORDEE_PID")"; T_RPS=$LAST_RPS T_P99=$LAST_P99
    awk -v p="$LAST_P99" -v t="$TARGET_P99_MS" 'BEGIN { exit !(p <= t) }' || verdict=MISSED
    [ "$LAST_BAD" -eq 0 ] || verdict="MISSED (non-2xx answers)"
    run_wrk "$CORDEE_URL$MINE" "$WORK/$name.mine.txt"
    add_row "$backend" "mine, access check" "$WORK/$name.mine.txt" "$(peak_rss "$CORDEE_PID")"; M_RPS=$LAST_RPS M_P99=$LAST_P99
    awk -v p="$LAST_P99" -v t="$TARGET_P99_MS" 'BEGIN { exit !(p <= t) }' || verdict=MISSED
    [ "$LAST_BAD" -eq 0 ] || verdict="MISSED (non-2xx answers)"
    kill "$CORDEE_PID"; wait "$CORDEE_PID" 2>/dev/null || true

    # (c) the server has no switch to skip its access check (on purpose): the timeline's first page as plain SQL on
    # the same database (no HTTP, no session, no access check, no audit, no read mark). The check's own cost is
    # measured in-process by build/bench_policy_cost.
    # The query of src/patients/timeline.cpp (ListTimeline) for a health professional, with the médecin's
    # structures inlined as the server binds them.
    st_sql="SELECT structure_id FROM account_structures WHERE account_id = '$medecin_id' ORDER BY structure_id"
    if [ "$backend" = sqlite ]; then sts=$(sqlite3 "$CORDEE_DATA/cordee.db" "$st_sql"); else sts=$(psql "${PG_URL%/postgres}/reads" -Atc "$st_sql"); fi
    in_list=$(awk -v q="'" 'NF { printf "%s%s%s%s", sep, q, $1, q; sep = ", "; n++ } END { if (!n) printf "NULL" }' <<<"$sts")
    SQL="SELECT id, at, kind, action, author_id, author_name, visibility, summary, ref_id FROM timeline_events
         WHERE patient_id = '$P0' AND superseded = 0 AND (visibility = 'circle' OR visibility = 'health'
         OR (visibility = 'structure' AND structure_id IN ($in_list))) ORDER BY at DESC, id DESC LIMIT 31;"
    if [ "$backend" = sqlite ]; then
        { echo "PRAGMA query_only=1;"; for _ in $(seq "$SQL_QUERIES"); do echo "$SQL"; done; } >"$WORK/timeline.sql"
        t0=$(date +%s.%N)
        sqlite3 "$CORDEE_DATA/cordee.db" <"$WORK/timeline.sql" >/dev/null
        t1=$(date +%s.%N)
        q_rps=$(awk -v n="$SQL_QUERIES" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
        q_mean=$(awk -v n="$SQL_QUERIES" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", 1000 * (b - a) / n }')
        ROWS+=("$backend|timeline SQL, sqlite3 1 process|$q_rps|mean $q_mean|-|0|-")
    else
        echo "$SQL" >"$WORK/timeline.pg.sql"
        rm -rf "$WORK/pgbench"; mkdir -p "$WORK/pgbench"
        (cd "$WORK/pgbench" && pgbench -n -c "$CONNECTIONS" -j 2 -T "$(duration_s)" -f "$WORK/timeline.pg.sql" -l --log-prefix=pgb \
            "${PG_URL%/postgres}/reads" >"$WORK/pgbench.txt" 2>&1) || { cat "$WORK/pgbench.txt" >&2; exit 1; }
        q_rps=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/pgbench.txt")
        read -r q_p50 q_p99 < <(cat "$WORK"/pgbench/pgb.* | awk '{ print $3 / 1000 }' | sort -n |
            awk '{ v[NR] = $1 } END { a = int(NR * 0.50); b = int(NR * 0.99); if (a < 1) a = 1; if (b < 1) b = 1; printf "%.3f %.3f\n", v[a], v[b] }')
        ROWS+=("$backend|timeline SQL, pgbench -c$CONNECTIONS|$q_rps|$q_p50|$q_p99|0|-")
    fi
    NOTES+=("$backend timeline over its bare SQL: requests/s ratio $(ratio "$T_RPS" "$q_rps")")
done

echo "== patient_reads: wrk -d$DURATION (Bearer, médecin), p50/p99 one request at a time, requests/s at $CONNECTIONS connections: GET …/timeline first page of a patient with $NENTRIES entries; GET /api/v1/patients/mine, member of $NPATIENTS circles; $(nproc) cores, load average at the end $(cut -d" " -f1-3 /proc/loadavg)"
echo "   access check: the timeline is compared with its SQL run directly (sqlite3 CLI / pgbench); the check alone: build/bench_policy_cost"
printf '%-9s %-32s %11s %11s %9s %8s  %s\n' backend read "requests/s" "p50 ms" "p99 ms" "non-2xx" "peak RSS"
for r in "${ROWS[@]}"; do
    IFS='|' read -r b what rps p50 p99 bad rss <<<"$r"
    printf '%-9s %-32s %11s %11s %9s %8s  %s\n' "$b" "$what" "$rps" "$p50" "$p99" "$bad" "$rss"
done
for n in "${NOTES[@]}"; do echo "$n"; done
echo "target: p99 ≤ ${TARGET_P99_MS} ms for the timeline's first page and for mine, with the access check, on each backend; every answer 200"
echo "patient_reads: $verdict"
