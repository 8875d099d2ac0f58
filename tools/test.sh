#!/usr/bin/env bash
# The whole test suite in one command, on a fresh Debian 12 machine (as root):
# install what is missing, build everything, run every test. Exits non-zero
# on the first failing stage. Stages are functions so that later ones (a
# sanitizer build, short fuzz runs) are one more function and one more line
# in STAGES.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS="${CCL_JOBS:-2}"          # the machine has 2 cores
BUILD="${CCL_BUILD_DIR:-build}"  # where the tested build goes

stage_setup() {
  bash tools/setup.sh
}

# Release-like build with debug info: the configuration the tests exercise.
stage_unit() {
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$BUILD" -j "$JOBS"
  ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS"
}

STAGES=(stage_setup stage_unit)

for stage in "${STAGES[@]}"; do
  echo "== test.sh: ${stage#stage_}" >&2
  start=$SECONDS
  "$stage"
  echo "== test.sh: ${stage#stage_} passed in $((SECONDS - start)) s" >&2
done
echo "== test.sh: all stages passed" >&2
