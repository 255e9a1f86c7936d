#!/usr/bin/env bash
# Directory imports at national scale: a generated RPPS file of 2,000,000 activity lines and a FINESS file of
# 100,000 structures (bench/gen_rpps, bench/gen_finess, cached under bench/results/), each imported with
# `cordee import` on SQLite and on a throw-away PostgreSQL, then imported a second time (the nightly re-import:
# nothing changed). Prints wall time, lines/s and the import process's peak RSS (/usr/bin/time).
# Target: each first import < 60 s, peak RSS < 512 MiB (bounded: the file is streamed, not loaded).
# Knobs: BENCH_RPPS_LINES (2000000), BENCH_FINESS_STRUCTURES (100000), BENCH_BACKENDS ("sqlite postgres").
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RPPS_LINES=${BENCH_RPPS_LINES:-2000000}
FINESS_STRUCTURES=${BENCH_FINESS_STRUCTURES:-100000}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
TARGET_S=60
TARGET_RSS_MIB=512

if [ ! -x /usr/bin/time ]; then
    apt-get install -y -qq time >/dev/null 2>&1 || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
fi

RESULTS=$BENCH_DIR/results
mkdir -p "$RESULTS"
# bench_files: sets RPPS_FILE and FINESS_FILE, generating them once (same seed → same files).
bench_files() {
    RPPS_FILE=$RESULTS/rpps_${RPPS_LINES}_seed1.txt
    FINESS_FILE=$RESULTS/finess_${FINESS_STRUCTURES}_seed1.csv
    if [ ! -s "$RPPS_FILE" ]; then
        echo "generating $RPPS_FILE…" >&2
        node "$BENCH_DIR/gen_rpps" "$RPPS_LINES" --seed 1 >"$RPPS_FILE.tmp" && mv "$RPPS_FILE.tmp" "$RPPS_FILE"
    fi
    if [ ! -s "$FINESS_FILE" ]; then
        echo "generating $FINESS_FILE…" >&2
        node "$BENCH_DIR/gen_finess" "$FINESS_STRUCTURES" --seed 1 >"$FINESS_FILE.tmp" && mv "$FINESS_FILE.tmp" "$FINESS_FILE"
    fi
}

# timed_import NAME KIND FILE ARGS…: runs the import; sets IMP_SECS, IMP_RSS_MIB, IMP_SUMMARY.
timed_import() {
    local name=$1 kind=$2 file=$3; shift 3
    /usr/bin/time -f '%e %M' -o "$WORK/$name.time" "$CORDEE" import "$kind" "$file" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err" || { echo "bench: import $name failed:" >&2; tail -5 "$WORK/$name.err" >&2; tail -2 "$WORK/$name.time" >&2; exit 1; }
    read -r IMP_SECS IMP_RSS_KB < <(tail -1 "$WORK/$name.time")
    IMP_RSS_MIB=$(awk -v k="$IMP_RSS_KB" 'BEGIN { printf "%.0f", k / 1024 }')
    IMP_SUMMARY=$(tail -1 "$WORK/$name.out")
}

verdict() {  # verdict SECS RSS_MIB
    awk -v s="$1" -v r="$2" -v ts="$TARGET_S" -v tr="$TARGET_RSS_MIB" 'BEGIN { print (s < ts && r < tr) ? "ok" : "MISSED" }'
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    bench_files
    rpps_bytes=$(stat -c %s "$RPPS_FILE")
    finess_lines=$((2 * FINESS_STRUCTURES + 1))
    echo "RPPS: $RPPS_LINES lines ($((rpps_bytes / 1048576)) MiB); FINESS: $FINESS_STRUCTURES structures ($finess_lines lines)"
    printf '%-9s %-7s %-9s %9s %12s %10s  %-7s %s\n' backend file run seconds "lines/s" "peak RSS" verdict summary
    for backend in $BACKENDS; do
        data=$WORK/$backend
        mkdir -p "$data"
        args=(--data "$data")
        if [ "$backend" = postgres ]; then
            start_pg pg
            args+=(--database "$PG_URL")
        fi
        for run in first again; do
            timed_import "$backend-rpps-$run" rpps "$RPPS_FILE" "${args[@]}"
            rate=$(awk -v n="$RPPS_LINES" -v s="$IMP_SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
            v=$(verdict "$IMP_SECS" "$IMP_RSS_MIB"); [ "$run" = again ] && v="($v)"
            printf '%-9s %-7s %-9s %9s %12s %7s MiB  %-7s %s\n' "$backend" rpps "$run" "$IMP_SECS" "$rate" "$IMP_RSS_MIB" "$v" "$IMP_SUMMARY"
            timed_import "$backend-finess-$run" finess "$FINESS_FILE" "${args[@]}"
            rate=$(awk -v n="$finess_lines" -v s="$IMP_SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
            v=$(verdict "$IMP_SECS" "$IMP_RSS_MIB"); [ "$run" = again ] && v="($v)"
            printf '%-9s %-7s %-9s %9s %12s %7s MiB  %-7s %s\n' "$backend" finess "$run" "$IMP_SECS" "$rate" "$IMP_RSS_MIB" "$v" "$IMP_SUMMARY"
        done
    done
    echo "target: first import < ${TARGET_S} s and peak RSS < ${TARGET_RSS_MIB} MiB per file and backend (re-import shown for information)"
fi
