#!/usr/bin/env bash
# Reproduces the README "Performance" table in one command (Debian 12, as root):
# installs what is missing (PostgreSQL, libpq, SQLite), builds ledger-bench
# (Release, into $CCL_BUILD_DIR or build/), starts a throwaway PostgreSQL
# server (initdb into a temporary folder, Unix socket in that folder, no TCP),
# runs the full benchmark against it, and on exit stops the server and
# removes the folder.
#
#   tools/bench_postgres.sh                      # 1,000,000 events, the README run
#   tools/bench_postgres.sh --json bench.json    # extra arguments go to ledger-bench
#   LEDGER_BENCH=build-x/tools/bench/ledger-bench tools/bench_postgres.sh --quick
#
# The server keeps Debian's defaults (fsync on, synchronous_commit on) apart
# from the socket: it is the PostgreSQL a user would get.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${LEDGER_BENCH:-}" ]]; then
  CCL_EXTRA_PACKAGES="${CCL_EXTRA_PACKAGES:-} postgresql libpq-dev libsqlite3-dev" \
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
  CCL_EXTRA_PACKAGES="${CCL_EXTRA_PACKAGES:-} postgresql" bash tools/setup.sh
fi
LEDGER_BENCH=$(realpath "$LEDGER_BENCH")

pgbin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$pgbin" || ! -x "$pgbin/initdb" ]]; then
  echo "bench_postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2
  exit 1
fi

tmp=$(mktemp -d /tmp/ccl-bench-pg.XXXXXX)
# PostgreSQL refuses to run as root: as root, the server runs as `postgres`.
as_server=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres: "$tmp"
  as_server=(runuser -u postgres --)
fi
pg() { (cd "$tmp" && "${as_server[@]}" "$pgbin/$1" "${@:2}"); }

cleanup() {
  pg pg_ctl -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! pg initdb -D "$tmp/data" -U bench -A trust -E UTF8 --no-locale >"$tmp/initdb.log" 2>&1; then
  cat "$tmp/initdb.log" >&2
  echo "bench_postgres.sh: initdb failed" >&2
  exit 1
fi
if ! pg pg_ctl -D "$tmp/data" -l "$tmp/server.log" -w \
     -o "-c listen_addresses='' -c unix_socket_directories='$tmp'" start >/dev/null; then
  cat "$tmp/server.log" >&2
  echo "bench_postgres.sh: the PostgreSQL server did not start" >&2
  exit 1
fi
echo "bench_postgres.sh: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on $tmp" >&2

"$LEDGER_BENCH" --pg "host=$tmp dbname=postgres user=bench" "$@"
