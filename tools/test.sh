#!/usr/bin/env bash
# The whole test suite in one command, on a fresh Debian 12 machine (as root):
# install what is missing, build everything, run every test, then the same
# suite under AddressSanitizer + UndefinedBehaviorSanitizer and short fuzz
# runs (tools/ci_reliability.sh). Exits non-zero on the first failing stage.
# Stages are functions: a new stage is one more function and one more word in
# STAGES. CCL_TEST_STAGES="setup unit" runs a subset.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS="${CCL_JOBS:-2}"          # the machine has 2 cores
BUILD="${CCL_BUILD_DIR:-build}"  # where the tested build goes

stage_setup() {
  bash tools/setup.sh
}

# Release-like build with debug info: the configuration the tests exercise.
# -g1 (line tables) instead of -g: a failing test's stack trace keeps every
# file and line, and compiling costs a quarter less CPU (ledger/store/append.cc:
# 10.4 s with -g, 7.9 s with -g1), with smaller objects to link.
stage_unit() {
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" >/dev/null
  ninja -C "$BUILD" -j "$JOBS"
  ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS"
}

# Reliability stages: one clang sanitizer build of their own next to $BUILD
# ($BUILD-asan), shared by both.
stage_asan() {
  CCL_BUILD_PREFIX="$BUILD" CCL_JOBS="$JOBS" bash tools/ci_reliability.sh asan
}
stage_fuzz() {
  CCL_BUILD_PREFIX="$BUILD" CCL_JOBS="$JOBS" bash tools/ci_reliability.sh fuzz
}

# shellcheck disable=SC2206  # the stage list is split on spaces on purpose
STAGES=(${CCL_TEST_STAGES:-setup unit asan fuzz})

for stage in "${STAGES[@]}"; do
  echo "== test.sh: $stage" >&2
  start=$SECONDS
  "stage_$stage"
  echo "== test.sh: $stage passed in $((SECONDS - start)) s" >&2
done
echo "== test.sh: all stages passed" >&2
