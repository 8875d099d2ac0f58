#!/usr/bin/env bash
# A throwaway PostgreSQL server in a folder of its own, for benchmarks and
# tests: initdb into DIR/data, the Unix socket in DIR, no TCP, trust
# authentication for the user `ccl` (initdb --no-sync: a throwaway cluster
# need not survive a power cut while it is created). As root the server runs
# as `postgres` (PostgreSQL refuses to run as root), which then owns DIR.
#
#   tools/pg_server.sh start DIR     # initdb when DIR/data is missing, then start;
#                                    # prints the conninfo on stdout
#   tools/pg_server.sh stop DIR [MODE]   # MODE: fast (default) or immediate
#
# The server keeps Debian's defaults (fsync on, synchronous_commit on) apart
# from the socket: it is the PostgreSQL a user would get.
# Exit codes: 0 ok, 1 failure (the server's log on stderr), 2 usage,
# 3 no PostgreSQL server binaries installed (tools/setup.sh installs them).
set -euo pipefail

usage() {
  echo "usage: pg_server.sh start DIR | stop DIR [fast|immediate]" >&2
  exit 2
}
(($# >= 2)) || usage
action=$1
dir=$(realpath "$2")

pgbin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$pgbin" || ! -x "$pgbin/initdb" ]]; then
  echo "pg_server.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2
  exit 3
fi

as_server=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_server=(runuser -u postgres --)
fi
pg() { (cd "$dir" && "${as_server[@]}" "$pgbin/$1" "${@:2}"); }

case "$action" in
  start)
    mkdir -p "$dir"
    ((${#as_server[@]} == 0)) || chown postgres: "$dir"
    if ! "${as_server[@]}" test -w "$dir" -a -x "$dir"; then
      echo "pg_server.sh: the server's user cannot write $dir (are its parent folders" \
           "searchable by that user?)" >&2
      exit 1
    fi
    if [[ ! -d "$dir/data" ]]; then
      if ! pg initdb --no-sync -D "$dir/data" -U ccl -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        echo "pg_server.sh: initdb failed" >&2
        exit 1
      fi
    fi
    if ! pg pg_ctl -D "$dir/data" -l "$dir/server.log" -w \
         -o "-c listen_addresses='' -c unix_socket_directories='$dir'" start >/dev/null; then
      cat "$dir/server.log" >&2
      echo "pg_server.sh: the PostgreSQL server did not start" >&2
      exit 1
    fi
    echo "host=$dir dbname=postgres user=ccl"
    ;;
  stop)
    mode=${3:-fast}
    [[ "$mode" == fast || "$mode" == immediate ]] || usage
    pg pg_ctl -D "$dir/data" -m "$mode" -w stop >/dev/null
    ;;
  *) usage ;;
esac
