#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] [TARGET…]: builds (tests/fuzz/build.sh), then runs each target (all by default:
# json_input upload line_reader http_headers push_subscription hl7_message mllp) for SECONDS (30 by default) on a copy of its corpus, so that runs
# never change the repository. Exits 1 when a target crashes, leaks, times out or breaks an invariant, and prints
# the path of the input that did it (kept under build-fuzz/crashes/). CORDEE_FUZZ_KEEP=DIR keeps the grown
# corpora in DIR/<target> (to merge the interesting ones back: see tests/fuzz/README.md).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${CORDEE_FUZZ_BUILD:-$root/build-fuzz}
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json_input upload line_reader http_headers push_subscription hl7_message mllp)

"$here/build.sh" || { echo "fuzz: build failed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cordee-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
crashes="$out/crashes"
mkdir -p "$crashes"
failed=()
summary=()
for t in "${targets[@]}"; do
    bin="$out/fuzz_$t"
    [ -x "$bin" ] || { echo "fuzz: no target $t ($bin)" >&2; failed+=("$t"); continue; }
    mkdir -p "$work/$t"
    cp -r "$here/corpus/$t/." "$work/$t/"
    args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1
          -artifact_prefix="$crashes/$t-")
    [ -f "$here/dict/$t.dict" ] && args+=(-dict="$here/dict/$t.dict")
    log="$out/$t.log"
    echo "== fuzz $t: ${seconds}s"
    start=$(date +%s)
    TMPDIR="$work" "$bin" "${args[@]}" "$work/$t" >"$log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    units=$(find "$work/$t" -type f | wc -l)
    if [ $rc -ne 0 ]; then
        failed+=("$t")
        echo "!! fuzz $t FAILED (exit $rc); log: $log"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|invariant failed|.*runtime error)' "$log" | head -5
        sed -n 's/^.*Test unit written to \(.*\)$/!! crash input: \1/p' "$log"
        echo "   reproduce: $bin $(sed -n 's/^.*Test unit written to \(.*\)$/\1/p' "$log" | head -1)"
    fi
    summary+=("$(printf '%-13s %5ss %12s execs %8s exec/s  cov %6s  ft %6s  corpus %5s  %s' "$t" "$took" \
        "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$units" "$([ $rc -eq 0 ] && echo ok || echo FAILED)")")
    if [ -n "${CORDEE_FUZZ_KEEP:-}" ]; then
        mkdir -p "$CORDEE_FUZZ_KEEP/$t" && cp -r "$work/$t/." "$CORDEE_FUZZ_KEEP/$t/"
    fi
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: failures in ${failed[*]}" >&2
    exit 1
fi
