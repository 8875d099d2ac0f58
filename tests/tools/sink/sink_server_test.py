"""`ledgerctl sink postgres --server`, end to end: a real ledgerd (mutual TLS,
tests/tools/ledgerd/ledgerd_harness.py) and a real PostgreSQL (tools/pg_server.sh).
The tables synced from the server's feed equal, row for row and byte for
byte, those the sink writes reading the same ledger directly; --follow takes
what is POSTed to the server; a checkpoint of another ledger is refused.
Environment: LEDGERD, LEDGERCTL, CCL_SOURCE_DIR (set by CTest)."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.environ["CCL_SOURCE_DIR"], "tests", "tools", "ledgerd"))
import ledgerd_harness as h  # noqa: E402

TABLES = ["events", "balances", "margins", "escalations", "burn"]


class PostgresServer:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sink-server-pg-")
        os.chmod(self.dir, 0o755)  # the server may run as `postgres`
        self.script = os.path.join(h.SOURCE_DIR, "tools", "pg_server.sh")
        out = subprocess.run(["bash", self.script, "start", os.path.join(self.dir, "pg")],
                             capture_output=True, text=True)
        if out.returncode == 3:
            raise unittest.SkipTest("no PostgreSQL server binaries installed")
        if out.returncode != 0:
            raise AssertionError("pg_server.sh start failed: " + out.stderr)
        self.conninfo = out.stdout.strip()

    def rows(self, sql):
        out = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", self.conninfo, "-c", sql],
                             capture_output=True, text=True, check=True)
        return out.stdout

    def stop(self):
        subprocess.run(["bash", self.script, "stop", os.path.join(self.dir, "pg"), "immediate"],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


class FixedPortLedgerd(h.Ledgerd):
    """A ledgerd that listens on the same port after a restart, as a client's
    URL expects."""

    def command(self):
        if not hasattr(self, "fixed_port"):
            self.fixed_port = h.free_port()
        return [a if a != "127.0.0.1:0" else f"127.0.0.1:{self.fixed_port}"
                for a in super().command()]


def follow_lines(contract, first_id, bookings=10):
    """A ContractOpened of `contract` and `bookings` bookings of 30 minutes on
    it, event ids numbered from first_id on; without `actor`, which ledgerd
    fills in with the poster's principal."""
    ids = ["5f1c0000-0000-4000-8000-%012d" % (first_id + i) for i in range(bookings + 1)]
    lines = ['{"event_id":"%s","type":"ContractOpened","contract":"%s",'
             '"effective_at":"2025-03-01T00:00:00Z","source":"s",'
             '"customer":"Follow Inc","term_start":"2025-03-01","term_end":"2026-02-28",'
             '"currency":"EUR","lines":[{"service_line":"reactive","funded_minutes":6000,'
             '"bill_rate_minor":20000,"overage":"allow"}]}' % (ids[0], contract)]
    for i in range(1, bookings + 1):
        lines.append('{"event_id":"%s","type":"HoursBooked","contract":"%s",'
                     '"effective_at":"2025-03-1%dT10:00:00Z","source":"s",'
                     '"engineer":"e","service_line":"reactive","minutes":30,'
                     '"cost_rate_minor":9000}' % (ids[i], contract, i % 10))
    return lines


def percentile(values, p):
    """Nearest rank, as tools/bench's Percentile."""
    v = sorted(values)
    return v[max(1, min(len(v), -(-len(v) * p // 100))) - 1]


class SinkServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PostgresServer()

        def prepare(d):
            # Every event type, the monthly closes with their sealed figures included.
            path = os.path.join(d.dir, "w.jsonl")
            h.ledgerctl("generate", "--contracts", "8", "--days", "75", "--seed", "5", "--out",
                        path, check=True)
            h.ledgerctl("--quiet", "import", path, db=d.db, check=True)

        # s_reader: a reader scoped to one contract, shown part of the ledger.
        cls.server = FixedPortLedgerd(
            prepare=prepare, policy=h.POLICY + "s_reader reader contract:SC-2025-000001\n")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.pg.stop()

    def sink(self, schema, *extra, remote=True, principal="auditor"):
        args = ["sink", "postgres", "--conninfo", self.pg.conninfo, "--schema", schema]
        if remote:
            c = h.certs()
            args += ["--server", self.server.url(""), "--cert", f"{c}/{principal}.pem", "--key",
                     f"{c}/{principal}.key", "--cacert", f"{c}/ca.pem"]
        return [h.LEDGERCTL, "--db", self.server.db] + args + list(extra)

    def run_sink(self, schema, *extra, remote=True, principal="auditor"):
        return subprocess.run(self.sink(schema, *extra, remote=remote, principal=principal),
                              capture_output=True, text=True, timeout=120)

    def table(self, schema, name):
        return self.pg.rows(f"SELECT t::text FROM {schema}.{name} t ORDER BY 1")

    def checkpoint(self, schema):
        return self.pg.rows(f"SELECT ledger_id, seq, encode(chain_hash, 'hex') "
                            f"FROM {schema}.sink_checkpoint")

    def assert_same_tables(self, a, b):
        for name in TABLES:
            self.assertEqual(self.table(a, name), self.table(b, name), name)
        self.assertEqual(self.checkpoint(a), self.checkpoint(b))

    def wait_for_head(self, schema):
        head = self.server.head_seq()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            cp = self.checkpoint(schema).split("|")
            if len(cp) == 3 and int(cp[1]) == head:
                return
            time.sleep(0.1)
        self.fail(f"schema {schema} did not reach seq {head}")

    def test_1_tables_equal_the_direct_sinks(self):
        head = self.server.head_seq()
        self.assertGreater(head, 500)
        r = self.run_sink("direct", remote=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_sink("remote", "--batch", "300")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"checkpoint at seq {head:,}", r.stderr)
        self.assertEqual(self.pg.rows("SELECT count(*) FROM remote.events").strip(), str(head))
        self.assertEqual(
            self.pg.rows("SELECT count(*) FROM remote.events WHERE type = 'PeriodClosed'").strip()
            != "0", True)
        self.assert_same_tables("direct", "remote")
        # Nothing new: a second run writes nothing and ends at the same checkpoint.
        r = self.run_sink("remote")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("synced 0 events", r.stderr)
        # The server named before the command word, as every remote command takes it.
        c = h.certs()
        server = ["--server", self.server.url(""), "--cert", f"{c}/auditor.pem", "--key",
                  f"{c}/auditor.key", "--cacert", f"{c}/ca.pem"]
        sink = ["sink", "postgres", "--conninfo", self.pg.conninfo, "--schema", "global_form"]
        r = subprocess.run([h.LEDGERCTL] + server + sink, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_same_tables("direct", "global_form")
        r = subprocess.run([h.LEDGERCTL] + server + sink + server, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("given before and after the command word", r.stderr)

    def follow_then_compare(self, schema, during):
        """Syncs `schema` to the head, runs `during` while a --follow sink runs
        on it, stops that sink with SIGTERM (exit 0) and compares its tables
        with those of a direct sink of the same ledger."""
        r = self.run_sink(schema, "--batch", "500")
        self.assertEqual(r.returncode, 0, r.stderr)
        # Its log goes to a file: a pipe nobody reads would stop it once full.
        with tempfile.TemporaryFile("w+") as log:
            proc = subprocess.Popen(self.sink(schema, "--follow", "--log-level", "info"),
                                    stdout=subprocess.DEVNULL, stderr=log, text=True)
            try:
                during()
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                log.seek(0)
                self.follow_log = log.read()
            self.assertEqual(proc.returncode, 0, self.follow_log)
        r = self.run_sink("direct_" + schema, remote=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_same_tables("direct_" + schema, schema)

    def post(self, lines):
        resp = self.server.post_events(lines)
        self.assertEqual(resp.status, 200, resp.body)

    def test_2_follow_takes_what_the_server_appends(self):
        def during():
            lines = follow_lines("F-1", 1)
            for i in range(0, len(lines), 4):
                self.post(lines[i:i + 4])
            self.wait_for_head("follow")

        self.follow_then_compare("follow", during)

    def test_5_follow_resumes_after_the_server_restarts(self):
        def during():
            lines = follow_lines("F-2", 100)
            self.post(lines[:5])
            self.wait_for_head("resume")  # the sink reads the feed
            self.assertEqual(self.server.stop(), 0)  # which ends with the server
            self.server.start()
            self.post(lines[5:])
            self.wait_for_head("resume")

        self.follow_then_compare("resume", during)

    def test_6_follow_latency(self):
        """Append to visible over the server: one POST of one booking every
        INTERVAL ms; each batch's oldest event's delay (the sink's log) as
        p50 / p99. CCL_SINK_BENCH=1: 600 appends every 100 ms (the README's
        figure); else 20 every 50 ms."""
        full = os.environ.get("CCL_SINK_BENCH") is not None
        posts, interval = (600, 0.1) if full else (20, 0.05)
        posts = int(os.environ.get("CCL_SINK_POSTS", posts))

        def during():
            lines = follow_lines("F-3", 1000, posts)
            self.post(lines[:1])
            next_at = time.monotonic()
            for line in lines[1:]:
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))
                self.post([line])
            self.wait_for_head("latency")

        self.follow_then_compare("latency", during)
        delays = [float(m) for m in re.findall(r"oldest event visible ([0-9.]+) ms", self.follow_log)]
        self.assertGreater(len(delays), 0, self.follow_log)
        print(f"\nfollow over the server: {posts} POSTs of one event every {interval * 1000:.0f} ms, "
              f"{len(delays)} batches: oldest event of a batch visible p50 {percentile(delays, 50):.1f}"
              f" ms, p99 {percentile(delays, 99):.1f} ms, max {max(delays):.1f} ms", file=sys.stderr)

    def test_3_a_checkpoint_of_another_ledger_is_refused(self):
        other = os.path.join(self.server.dir, "other")
        h.ledgerctl("init", db=other, check=True)
        h.ledgerctl("--quiet", "import", "-", db=other, check=True,
                    input="\n".join(h.generate(2, 5, seed=9, actor=True)) + "\n")
        r = subprocess.run([h.LEDGERCTL, "--db", other, "sink", "postgres", "--conninfo",
                            self.pg.conninfo, "--schema", "other"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        before = self.table("other", "events")
        r = self.run_sink("other")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("refusing to mix two ledgers", r.stderr)
        self.assertEqual(self.table("other", "events"), before)

    def schema_exists(self, schema):
        return self.pg.rows(f"SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'").strip() == "1"

    def test_4_a_principal_without_the_reader_role_is_told_so(self):
        # The digest is open to every authenticated role; the events are not.
        # Refused before the sink creates anything in the database.
        r = self.run_sink("writer_only", principal="writer")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("/v1/events", r.stderr + r.stdout)
        self.assertFalse(self.schema_exists("writer_only"))

    def test_7_a_scoped_principal_is_refused_before_anything_is_written(self):
        # Its feed has gaps (the events outside its scope), which the sink
        # would otherwise report as a damaged feed after creating its tables.
        r = self.run_sink("scoped_only", principal="s_reader")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("scope", r.stderr)
        self.assertNotIn("seq 1 was due", r.stderr)
        self.assertFalse(self.schema_exists("scoped_only"))


if __name__ == "__main__":
    unittest.main()
