#!/usr/bin/env bash
# Reliability stages of CI (what they prove: README.md "Guarantees").
#
#   tools/ci_reliability.sh [asan] [fuzz]     (no argument: both)
#
# Both stages use one build, <prefix>-asan: clang with AddressSanitizer,
# UndefinedBehaviorSanitizer and libFuzzer's coverage instrumentation
# (-DCCL_SANITIZE=ON -DCCL_FUZZ=ON). One build instead of a gcc sanitizer
# build and a clang fuzz build: clang compiles this code base with about a
# third less CPU, and the fuzz targets then cost a few links, not a second
# build of every library (README.md "What CI runs, and what it costs").
#
#   asan  builds everything there and runs the whole CTest suite. The crash
#         test kills fewer times and the fault sweeps visit every 3rd point
#         (the regular build runs them all); everything else runs as in the
#         regular suite, nothing is excluded.
#   fuzz  builds (if `asan` has not) the libFuzzer targets and runs each for
#         CCL_FUZZ_SECONDS (15) from its seed corpus (<folder>/corpus/<target>/,
#         the folder of the target's source: tests/reliability, or
#         tests/tools/ledgerd for ledgerd_*). A crash fails the stage; the
#         input is kept in <prefix>-asan/artifacts/ (add it to the corpus as
#         regression-<name> so every build replays it).
#
# The long runs, by hand:
#   CCL_FUZZ_SECONDS=600 tools/ci_reliability.sh fuzz          # 10 min per target
#   CCL_CRASH_KILLS=5000 ctest --test-dir build -R crash --output-on-failure
#   ctest --test-dir build -R fault --output-on-failure        # every fault point
#
# Environment: CCL_JOBS (2), CCL_BUILD_PREFIX (build: build-asan),
# CCL_FUZZ_SECONDS (15), CCL_FUZZ_TARGETS (all nine).
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS="${CCL_JOBS:-2}"
PREFIX="${CCL_BUILD_PREFIX:-build}"
FUZZ_SECONDS="${CCL_FUZZ_SECONDS:-15}"
FUZZ_TARGETS="${CCL_FUZZ_TARGETS:-event_decode json_event csv digest_json proof_json snapshot ledger_state ledgerd_body ledgerd_target}"

# The test folder of a fuzz target: its source, binary and seed corpus.
fuzz_folder() {
  case "$1" in
    ledgerd_*) echo tests/tools/ledgerd ;;
    *) echo tests/reliability ;;
  esac
}

# Configures <prefix>-asan (the same settings for both stages; a second
# configure of the same folder changes nothing).
configure_sanitized() {
  # libFuzzer's runtime is not pulled in by the clang package without its
  # recommended packages; setup.sh installs only what is missing.
  CCL_EXTRA_PACKAGES="clang libclang-rt-14-dev" bash tools/setup.sh
  # -O1: sanitizer builds are dominated by compile time here; -O1 is the
  # usual sanitizer level and keeps stack traces exact. -g1: line tables are
  # all the sanitizers' reports need (file and line of every frame).
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCCL_SANITIZE=ON -DCCL_FUZZ=ON \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" >/dev/null
}

stage_asan() {
  local dir="$PREFIX-asan"
  configure_sanitized "$dir"
  ninja -C "$dir" -j "$JOBS"
  # detect_leaks: LeakSanitizer needs ptrace-free /proc access, present on
  # CI's machine; a leak fails the test like any other error.
  ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  CCL_CRASH_KILLS="${CCL_CRASH_KILLS:-20}" CCL_FAULT_STRIDE="${CCL_FAULT_STRIDE:-3}" \
    ctest --test-dir "$dir" --output-on-failure -j "$JOBS" --timeout 900
}

stage_fuzz() {
  local dir="$PREFIX-asan"
  configure_sanitized "$dir"
  local targets=()
  for t in $FUZZ_TARGETS; do targets+=("fuzz_$t"); done
  ninja -C "$dir" -j "$JOBS" "${targets[@]}"
  mkdir -p "$dir/artifacts"
  local failed=0
  for t in $FUZZ_TARGETS; do
    # New inputs go to a scratch corpus, so the seed corpus in the tree only
    # changes by hand.
    local folder
    folder="$(fuzz_folder "$t")"
    local work="$dir/corpus-work/$t"
    mkdir -p "$work"
    echo "== fuzz_$t for ${FUZZ_SECONDS} s" >&2
    if ! ASAN_OPTIONS="abort_on_error=1:detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1" \
      "$dir/$folder/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
      -rss_limit_mb=2048 -max_len=70000 -print_final_stats=1 \
      -artifact_prefix="$dir/artifacts/$t-" "$work" "$folder/corpus/$t" \
      >"$dir/fuzz_$t.log" 2>&1; then
      echo "fuzz_$t FAILED: input in $dir/artifacts/, log $dir/fuzz_$t.log" >&2
      tail -40 "$dir/fuzz_$t.log" >&2
      failed=1
    fi
    grep -E "^stat::number_of_executed_units|^Done" "$dir/fuzz_$t.log" >&2 || true
  done
  return "$failed"
}

STAGES=("$@")
[ "${#STAGES[@]}" -eq 0 ] && STAGES=(asan fuzz)
for stage in "${STAGES[@]}"; do
  echo "== ci_reliability: $stage" >&2
  start=$SECONDS
  "stage_$stage"
  echo "== ci_reliability: $stage passed in $((SECONDS - start)) s" >&2
done
