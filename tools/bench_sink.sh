#!/usr/bin/env bash
# The PostgreSQL sink's initial sync against PostgreSQL's own ceiling, in one
# run (README "PostgreSQL sink", speed): generates a workload of EVENTS events
# (`ledgerctl generate --seed 1`, its first EVENTS lines), imports it, starts a
# throwaway PostgreSQL server (tools/pg_server.sh), then
#   1. `ledgerctl sink postgres` into empty tables (its default batching);
#   2. the ceiling: psql's binary COPY of the very rows the sink wrote (read
#      back with COPY TO) into a second schema of the same layout, in one
#      transaction that drops the events table's indexes first and builds
#      them after, as the sink's initial sync does; no projection tables,
#      no checkpoint, no ledger reads, no encoding.
# Each step prints its wall time, events/s, the CPU seconds of the PostgreSQL
# server (postmaster, backends and background processes, from /proc) and the
# load average after it; then the ratio of the two rates. The folder and the
# server are removed on exit.
#
#   tools/bench_sink.sh [EVENTS]          # default 1,000,000
#   LEDGERCTL=build-x/tools/ledgerctl tools/bench_sink.sh 20000
set -euo pipefail
cd "$(dirname "$0")/.."

events=${1:-1000000}
[[ "$events" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench_sink.sh [EVENTS]" >&2; exit 2; }
ledgerctl=$(realpath "${LEDGERCTL:-build/tools/ledgerctl}")
command -v psql >/dev/null || { echo "bench_sink.sh: psql is missing (tools/setup.sh)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/ccl-bench-sink.XXXXXX)
chmod 755 "$tmp"  # the server may run as `postgres`
cleanup() {
  bash tools/pg_server.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# About 845 events per contract over 365 days; a few contracts more than needed.
contracts=$((events / 800 + 1))
"$ledgerctl" --quiet generate --contracts "$contracts" --days 365 --seed 1 --out "$tmp/all.jsonl"
head -n "$events" "$tmp/all.jsonl" >"$tmp/w.jsonl"
rm "$tmp/all.jsonl"
"$ledgerctl" --quiet --db "$tmp/db" init
"$ledgerctl" --quiet --db "$tmp/db" import "$tmp/w.jsonl"
rm "$tmp/w.jsonl"

conninfo=$(bash tools/pg_server.sh start "$tmp/pg") || exit 1
postmaster=$(head -n 1 "$tmp/pg/data/postmaster.pid")
hz=$(getconf CLK_TCK)
# CPU ticks of the server: the postmaster, its live children, and (cutime,
# cstime) the children it has reaped.
server_ticks() {
  local sum=0 p
  for p in "$postmaster" $(pgrep -P "$postmaster"); do
    [[ -r /proc/$p/stat ]] || continue
    sum=$((sum + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat")))
  done
  echo "$sum"
}
now() { date +%s.%N; }
report() {  # NAME START END TICKS_BEFORE TICKS_AFTER
  awk -v n="$1" -v s="$2" -v e="$3" -v t="$(($5 - $4))" -v hz="$hz" -v ev="$events" \
    -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    'BEGIN { printf "%-8s %9d events in %6.1f s: %7.0f events/s; PostgreSQL CPU %5.1f s; load average %s\n",
             n, ev, e - s, ev / (e - s), t / hz, load; print ev / (e - s) }'
}

echo "bench_sink.sh: $events events, PostgreSQL on $tmp/pg; load average $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(server_ticks); s=$(now)
/usr/bin/time -f "%U %S" -o "$tmp/sink.time" \
  "$ledgerctl" --db "$tmp/db" --log-level info sink postgres --conninfo "$conninfo" \
  2>"$tmp/sink.err" || { cat "$tmp/sink.err" >&2; exit 1; }
e=$(now)
sleep 1  # the postmaster reaps the ended backend, whose CPU then counts in its cutime
t1=$(server_ticks)
sink=$(report sink "$s" "$e" "$t0" "$t1")
echo "$sink" | head -n 1
awk '{ printf "         ledgerctl CPU %.1f s (user %.1f, system %.1f)\n", $1 + $2, $1, $2 }' "$tmp/sink.time"
grep -o 'batch seq.*' "$tmp/sink.err" | sed 's/^/         /'

psql -q -X -v ON_ERROR_STOP=1 "$conninfo" \
  -c "\\copy ccl.events TO '$tmp/events.bin' (FORMAT binary)"
psql -q -X -v ON_ERROR_STOP=1 "$conninfo" -c "CREATE SCHEMA raw; SET search_path TO raw" \
  -f schemas/postgres.sql >/dev/null
t0=$(server_ticks); s=$(now)
psql -q -X -v ON_ERROR_STOP=1 "$conninfo" >/dev/null <<EOF
SET search_path TO raw;
BEGIN;
CREATE TEMP TABLE recreate AS
  SELECT 0 AS ord, format('ALTER TABLE events ADD CONSTRAINT %I %s', conname,
                          pg_get_constraintdef(oid)) AS sql
  FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype IN ('p', 'u')
  UNION ALL
  SELECT 1, pg_get_indexdef(indexrelid) FROM pg_index i
  WHERE indrelid = 'events'::regclass AND NOT EXISTS
    (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);
SELECT format('DROP INDEX %s', indexrelid::regclass) FROM pg_index i
  WHERE indrelid = 'events'::regclass AND NOT EXISTS
    (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \gexec
SELECT format('ALTER TABLE events DROP CONSTRAINT %I', conname) FROM pg_constraint
  WHERE conrelid = 'events'::regclass AND contype IN ('p', 'u') \gexec
\copy events FROM '$tmp/events.bin' (FORMAT binary)
SELECT sql FROM recreate ORDER BY ord, sql \gexec
COMMIT;
EOF
e=$(now)
sleep 1
t1=$(server_ticks)
ceiling=$(report ceiling "$s" "$e" "$t0" "$t1")
echo "$ceiling" | head -n 1
awk -v a="$(echo "$sink" | tail -n 1)" -v b="$(echo "$ceiling" | tail -n 1)" \
  'BEGIN { printf "sink / ceiling: %.2f\n", a / b }'
