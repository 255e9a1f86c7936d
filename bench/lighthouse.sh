#!/usr/bin/env bash
# Lighthouse (npm lighthouse 12.2.3 on Debian's chromium, mobile profile) on the portal, "Mes patients" and a patient
# page, as the demo infirmier: this tree's web app, and the same pages built from BENCH_BASELINE_REF (default main)
# as the baseline, in the same run. Both are served by this tree's build/cordee (each with its own demo territory),
# so the difference is the web app alone. Prints performance and accessibility per page; target performance ≥ 90 and
# accessibility 100 for this tree.
source "$(dirname "$0")/lib.sh"
REF=${BENCH_BASELINE_REF:-main}
LH=$BENCH_DIR/lighthouse
[ -d "$LH/node_modules/lighthouse" ] || (cd "$LH" && npm ci --no-audit --no-fund --loglevel=error)
[ -f "$REPO/web/dist/index.html" ] || { echo "bench: web/dist is missing (cd web && npm run build)" >&2; exit 1; }

echo "== baseline: the web app of $REF ($(git -C "$REPO" rev-parse --short "$REF"))"
mkdir -p "$WORK/baseline"
git -C "$REPO" archive "$REF" web | tar -x -C "$WORK/baseline"
if cmp -s "$WORK/baseline/web/package-lock.json" "$REPO/web/package-lock.json"; then
    ln -s "$REPO/web/node_modules" "$WORK/baseline/web/node_modules"
else
    (cd "$WORK/baseline/web" && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd "$WORK/baseline/web" && npx vite build --logLevel error)

start_cordee ours --web-root "$REPO/web/dist"
OURS_URL=$CORDEE_URL OURS_DATA=$CORDEE_DATA
start_cordee baseline --web-root "$WORK/baseline/web/dist"
BASE_URL=$CORDEE_URL BASE_DATA=$CORDEE_DATA

node "$LH/run.mjs" "ours=$OURS_URL=$OURS_DATA" "$REF=$BASE_URL=$BASE_DATA"
