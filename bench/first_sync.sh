#!/usr/bin/env bash
# First sync of a professional with BENCH_PATIENTS (300) patients × BENCH_ENTRIES_EACH (100) notebook entries, on a
# throttled mobile profile (chromium, CDP network emulation: 1.6 Mbit/s down, 150 ms latency): ours (GET
# /api/v1/sync, page after page) against the same data through the list + notebook routes one patient at a time,
# side by side in the same run (bench/first_sync.mjs). Seeding through the API (bench/seed_patients.mjs): the demo
# coordinatrice creates the patients and adds the demo médecin to each circle, the médecin writes the entries.
# Target (issue 10): ≤ 5 s. Knobs: BENCH_BACKENDS (sqlite), BENCH_PATIENTS, BENCH_ENTRIES_EACH, BENCH_SEED_PARALLEL.
source "$(dirname "$0")/lib.sh"
BACKENDS=${BENCH_BACKENDS:-sqlite}
NPATIENTS=${BENCH_PATIENTS:-300}
EACH=${BENCH_ENTRIES_EACH:-100}
PARALLEL=${BENCH_SEED_PARALLEL:-32}

for backend in $BACKENDS; do
    echo "== first sync on $backend: $NPATIENTS patients × $EACH entries"
    if [ "$backend" = postgres ]; then
        start_pg "pg-first-sync"
        start_cordee "first-sync-$backend" --database "$PG_URL"
    else
        start_cordee "first-sync-$backend"
    fi
    CREATOR=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL" coordinator 0)
    MEMBER=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL" professional 0)
    MEMBER_ID=$(demo_account_id "$CORDEE_DATA" professional 0)
    BENCH_CREATOR_TOKEN=$CREATOR BENCH_MEMBER_TOKEN=$MEMBER node "$BENCH_DIR/seed_patients.mjs" "$CORDEE_URL" \
        --patients "$NPATIENTS" --member "$MEMBER_ID" --entries-each "$EACH" --parallel "$PARALLEL" | tail -1
    node "$BENCH_DIR/first_sync.mjs" "${CORDEE_URL%/}" "$MEMBER"
    echo "peak RSS of the server: $(vm_hwm "$CORDEE_PID")"
    kill "$CORDEE_PID"; wait "$CORDEE_PID" 2>/dev/null || true
done
