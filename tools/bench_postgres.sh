#!/usr/bin/env bash
# Reproduces the README "Performance" table in one command (Debian 12, as root):
# installs what is missing (PostgreSQL, libpq, SQLite), builds ledger-bench
# (Release, into $CCL_BUILD_DIR or build/), starts a throwaway PostgreSQL
# server (tools/pg_server.sh: initdb into a temporary folder, Unix socket in
# that folder, no TCP), runs the full benchmark against it, and on exit stops
# the server and removes the folder.
#
#   tools/bench_postgres.sh                      # 1,000,000 events, the README run
#   tools/bench_postgres.sh --json bench.json    # extra arguments go to ledger-bench
#   LEDGER_BENCH=build-x/tools/bench/ledger-bench tools/bench_postgres.sh --quick
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${LEDGER_BENCH:-}" ]]; then
  bash tools/setup.sh
  # The same build as tools/demo.sh (Release in $CCL_BUILD_DIR, default
  # build/), so the two scripts share one configuration. -Wno-restrict: see
  # demo.sh (GCC bug 105329 at -O3).
  BUILD="${CCL_BUILD_DIR:-build}"
  log=$(mktemp)
  if ! { cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-Wno-restrict &&
         ninja -C "$BUILD" -j "${CCL_JOBS:-2}" ledger-bench; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "bench_postgres.sh: build failed" >&2
    exit 1
  fi
  rm -f "$log"
  LEDGER_BENCH="$BUILD/tools/bench/ledger-bench"
else
  bash tools/setup.sh
fi
LEDGER_BENCH=$(realpath "$LEDGER_BENCH")

tmp=$(mktemp -d /tmp/ccl-bench-pg.XXXXXX)
cleanup() {
  bash tools/pg_server.sh stop "$tmp" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

conninfo=$(bash tools/pg_server.sh start "$tmp") || exit 1
echo "bench_postgres.sh: PostgreSQL on $tmp" >&2

"$LEDGER_BENCH" --pg "$conninfo" "$@"
