"""Not a test: the access log's cost. Starts ledgerd on a fresh ledger with
--access-log on and off, alternately (ROUNDS times each, so that a change of
the shared machine's load hits both), and drives each with the C++ load
driver (access_log_bench): 64 clients x one balance report of their own
contract per request, then 64 clients x one event per request. Prints one
JSON line per run and the off/on ratios of the medians.

  LEDGERD=build/tools/ledgerd/ledgerd LEDGERCTL=build/tools/ledgerctl \\
  CCL_SOURCE_DIR=. BENCH=build/tests/ledgerd/access_log_bench \\
  python3 tests/ledgerd/access_log_bench.py [SECONDS] [ROUNDS]
"""

import json
import os
import statistics
import subprocess
import sys

from ledgerd_harness import Ledgerd, certs

BENCH = os.environ["BENCH"]
CLIENTS = 64


def drive(server, load, seconds):
    out = subprocess.run([BENCH, "--port", str(server.port), "--certs", certs(), "--load", load,
                          "--clients", str(CLIENTS), "--seconds", str(seconds)],
                         capture_output=True, text=True, timeout=seconds + 120)
    if out.returncode != 0:
        raise SystemExit(f"{load}: {out.stderr}{out.stdout}")
    return json.loads(out.stdout)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 8
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    figures = {}
    for r in range(rounds):
        for mode in (("on", "off") if r % 2 == 0 else ("off", "on")):
            server = Ledgerd(args=["--access-log", mode])
            try:
                drive(server, "setup", 0)
                for load in ("balance", "events"):
                    result = drive(server, load, seconds)
                    result["access_log"] = mode
                    print(json.dumps(result), flush=True)
                    figures.setdefault((load, mode), []).append(result)
            finally:
                server.close()
    for load in ("events", "balance"):
        on = statistics.median(x["per_second"] for x in figures[(load, "on")])
        off = statistics.median(x["per_second"] for x in figures[(load, "off")])
        p99_on = statistics.median(x["p99_ms"] for x in figures[(load, "on")])
        p99_off = statistics.median(x["p99_ms"] for x in figures[(load, "off")])
        print(f"{load}: {on:.0f}/s with the access log, {off:.0f}/s without: "
              f"{on / off:.2f}x; p99 {p99_on:.1f} ms vs {p99_off:.1f} ms")


if __name__ == "__main__":
    main()
