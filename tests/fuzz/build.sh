#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/CMakeLists.txt) with Debian's clang++-14, ASan and UBSan, into
# build-fuzz/ (CORDEE_FUZZ_BUILD to change it). Only the project sources the targets fuzz are compiled, again,
# with clang; the g++ build in build/ is not touched. Compiles run under the shared build lock
# (/tmp/cordee-build.lock) unless a calling process already holds it (`flock /tmp/cordee-build.lock scripts/test`).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${CORDEE_FUZZ_BUILD:-$root/build-fuzz}
cxx=${CORDEE_FUZZ_CXX:-clang++-14}
lock=${CORDEE_BUILD_LOCK:-/tmp/cordee-build.lock}

if ! command -v "$cxx" >/dev/null; then
    echo "tests/fuzz/build.sh: $cxx not found; scripts/build installs clang-14 and libclang-rt-14-dev" >&2
    exit 1
fi

lock_held_above() {  # true when an ancestor process is `flock $lock …`
    local pid=$PPID
    while [ "${pid:-1}" -gt 1 ]; do
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq "(^|/)flock .*$(basename "$lock")"; then return 0; fi
        pid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 1)
    done
    return 1
}
run_locked() {
    if command -v flock >/dev/null && ! lock_held_above; then flock "$lock" "$@"; else "$@"; fi
}

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$out/CMakeCache.txt" ]; then
    cmake -S "$root/tests/fuzz" -B "$out" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
fi
run_locked cmake --build "$out" --parallel "${CORDEE_FUZZ_JOBS:-2}"
