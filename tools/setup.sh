#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running the
# ledger needs, if missing. Run as root (or with sudo available). Quiet and
# idempotent: when everything is installed it does nothing, not even
# `apt-get update`.
#
# Later stages add their packages to CCL_PACKAGES (one place, one list);
# CCL_EXTRA_PACKAGES in the environment adds more for a single run.
set -euo pipefail

CCL_PACKAGES=(
  # toolchain; mold links the ~90 test and tool executables several times
  # faster than GNU ld (CMakeLists.txt picks it when installed)
  cmake ninja-build g++ clang pkg-config mold
  # libraries: storage, event encoding, CLI options, logging, JSON
  librocksdb-dev libflatbuffers-dev flatbuffers-compiler
  libboost-program-options-dev libspdlog-dev libsimdjson-dev nlohmann-json3-dev
  libssl-dev libgtest-dev libgmock-dev
  # the executables' allocator (tools/allocator): jemalloc with huge pages
  libjemalloc-dev
  # ledger-bench's peers (tools/bench): SQLite and libpq; the PostgreSQL sink
  # (tools/sink) links libpq and its tests start a server (tools/pg_server.sh)
  libsqlite3-dev libpq-dev postgresql
  # the HTML audit report is rendered by headless Chromium in its test
  chromium fonts-liberation
  # ledgerd (tools/ledgerd): Boost.Beast/Asio, Prometheus metrics; its tests
  # make certificates with openssl and drive it with curl and Python; the
  # audit package's stand-alone verifier (verify_package.py) and its tests
  libboost1.74-dev libboost-system1.74-dev prometheus-cpp-dev openssl curl python3
  # RocksDB's ldb: the access log test alters one stored record with it, as an
  # auditor's generic tools would (schemas/FORMAT.md)
  rocksdb-tools
  # iptables drops loopback packets inside a test's own network namespace (a
  # feed subscriber that vanishes without closing: ledgerd_dead_peer_test)
  iptables
)
# shellcheck disable=SC2206  # word splitting of the extra list is intended
CCL_PACKAGES+=(${CCL_EXTRA_PACKAGES:-})

missing=()
for pkg in "${CCL_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "setup.sh: missing packages (${missing[*]}); run as root to install them" >&2
    exit 1
  fi
fi

echo "setup.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
