"""The access log end to end: every request a real ledgerd answers leaves
exactly one record with the right fields (denied and unauthenticated ones
too, a write's with its events), reloads are recorded with the file's hash,
nothing secret reaches the records or the server's log, one byte changed
with RocksDB's ldb makes `ledgerctl verify` exit 3 naming the record, and
records of acknowledged requests survive a SIGKILL."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import unittest

from ledgerd_harness import Ledgerd, certs, generate, ledgerctl

LDB = shutil.which("ldb")


def access_records(server, *args):
    out = ledgerctl("access-log", "--json", *args, db=server.db, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def requests_of(records):
    return [r for r in records if r["kind"] == "request"]


class AccessLogTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lines = generate(2, 3)
        cls.contract = json.loads(cls.lines[0])["contract"]

    def setUp(self):
        self.server = Ledgerd()

    def tearDown(self):
        self.server.close()

    def test_each_request_leaves_exactly_one_record_with_its_fields(self):
        s = self.server
        posted = s.post_events(self.lines[:6], "writer")
        self.assertEqual(posted.status, 200)
        appended = posted.json()
        listed = s.request("GET", f"/v1/events?contract={self.contract}&limit=3", "reader")
        self.assertEqual(listed.status, 200)
        one = s.request("GET", "/v1/events/2", "reader")
        balance = s.request("GET", f"/v1/reports/balance?contract={self.contract}&as_of=2026-12-31",
                            "auditor")
        denied = s.request("GET", "/metrics", "reader")
        nocn = s.request("GET", "/v1/events", "nocn")
        missing = s.request("GET", "/v1/no-such-route", "reader")
        rejected = s.post_events(['{"not": "an event"}'], "writer")
        self.assertEqual((denied.status, nocn.status, missing.status, rejected.status),
                         (403, 401, 404, 400))

        records = access_records(s)
        self.assertEqual(records[0]["kind"], "start")
        self.assertEqual([r["n"] for r in records], list(range(1, len(records) + 1)))
        got = [(r["principal"], r["auth"], r["method"], r["route"], r["params"], r["status"])
               for r in requests_of(records)]
        self.assertEqual(got, [
            ("writer", "certificate", "POST", "/v1/events", {}, 200),
            ("reader", "certificate", "GET", "/v1/events", {"contract": self.contract, "limit": "3"}, 200),
            ("reader", "certificate", "GET", "/v1/events/{seq}", {"seq": "2"}, 200),
            ("auditor", "certificate", "GET", "/v1/reports/balance",
             {"contract": self.contract, "as_of": "2026-12-31"}, 200),
            ("reader", "certificate", "GET", "/metrics", {}, 403),
            ("", "none", "GET", "/v1/events", {}, 401),
            # No route: the path asked for, and who asked.
            ("reader", "certificate", "GET", "/v1/no-such-route", {}, 404),
            ("writer", "certificate", "POST", "/v1/events", {}, 400),
        ])
        write, listing, single, report = requests_of(records)[:4]
        self.assertEqual((write["first_seq"], write["last_seq"], write["rows"]),
                         (appended["first_seq"], appended["last_seq"], 6))
        self.assertEqual(write["bytes"], len(("\n".join(self.lines[:6]) + "\n").encode()))
        self.assertEqual((listing["rows"], listing["bytes"]), (3, len(listed.body)))
        self.assertEqual((single["rows"], single["bytes"]), (1, len(one.body)))
        self.assertEqual((report["rows"], report["bytes"]),
                         (len(balance.body.splitlines()), len(balance.body)))
        self.assertNotIn("first_seq", requests_of(records)[-1])
        for r in requests_of(records):
            self.assertEqual(r["client"], "127.0.0.1")

    def test_a_request_refused_before_routing_names_its_certificates_principal(self):
        # Over a limit or malformed, a request is refused before it is
        # routed or authorized; the TLS handshake has authenticated its
        # client all the same, and the record says who it was (it said nobody).
        s = self.server
        s.close()
        s = self.server = Ledgerd(args=["--limit-body-bytes", "2000",
                                        "--limit-header-bytes", "4096"])
        self.assertEqual(s.request("POST", "/v1/events", "writer", body="x" * 3000).status, 413)
        self.assertEqual(s.request("GET", "/v1/events", "reader",
                                   headers={"X-Big": "a" * 5000}).status, 431)
        self.assertEqual(s.request("GET", "/v1/events", None,
                                   headers={"X-Big": "a" * 5000}).status, 431)
        # A field that does not parse after a request line that did; a
        # request line that does not parse names nothing.
        for raw in (b"GET /v1/digest HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
                    b"GARBAGE\r\n\r\n"):
            sock = s.tls_socket("reader")
            sock.sendall(raw)
            sock.settimeout(5)
            self.assertIn(b" 400 ", sock.recv(4096), raw)
            sock.close()
        got = [(r["principal"], r["auth"], r["method"], r["route"], r["status"])
               for r in requests_of(access_records(s))]
        # Each names its method and route as far as its header was read.
        self.assertEqual(got, [("writer", "certificate", "POST", "/v1/events", 413),
                               ("reader", "certificate", "GET", "/v1/events", 431),
                               ("", "none", "GET", "/v1/events", 431),
                               ("reader", "certificate", "GET", "/v1/digest", 400),
                               ("reader", "certificate", "", "", 400)])

    def test_a_head_request_is_recorded_with_the_bytes_it_was_sent(self):
        s = self.server
        for path in ("/v1/events", "/v1/no-such-route"):
            r = s.request("HEAD", path, "reader")
            self.assertEqual((r.status, r.body), (405 if path == "/v1/events" else 404, b""))
        got = [(r["method"], r["route"], r["status"], r["bytes"])
               for r in requests_of(access_records(s))]
        self.assertEqual(got, [("HEAD", "/v1/events", 405, 0),
                               ("HEAD", "/v1/no-such-route", 404, 0)])

    def test_a_405_is_recorded_under_the_pattern_of_its_path(self):
        s = self.server
        self.assertEqual(s.request("DELETE", "/v1/events/17?x=1", "reader").status, 405)
        self.assertEqual(s.request("PUT", "/v1/events/by-id/abc", "reader").status, 405)
        got = [(r["method"], r["route"], r["status"], r["params"])
               for r in requests_of(access_records(s))]
        self.assertEqual(got, [("DELETE", "/v1/events/{seq}", 405, {"seq": "17"}),
                               ("PUT", "/v1/events/by-id/{event_id}", 405, {"event_id": "abc"})])

    def test_a_feed_is_recorded_with_where_it_started_however_the_client_named_it(self):
        s = self.server
        self.assertEqual(s.post_events(self.lines[:4], "writer").status, 200)
        for headers in ("", "Last-Event-ID: 3\r\n", "Last-Event-ID: 2\r\n"):
            query = "?after=1" if headers.endswith("2\r\n") else ""
            sock = s.tls_socket("reader")
            sock.sendall(f"GET /v1/feed{query} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
            sock.settimeout(5)
            self.assertIn(b" 200 ", sock.recv(4096))
            sock.close()
        feeds = [r for r in requests_of(access_records(s)) if r["route"] == "/v1/feed"]
        # Last-Event-ID, which resumes the feed, wins over after= as it does
        # for the stream itself.
        self.assertEqual([r["params"] for r in feeds], [{}, {"after": "3"}, {"after": "2"}])

    def test_the_route_and_the_command_filter_alike(self):
        s = self.server
        self.assertEqual(s.post_events(self.lines[:4], "writer").status, 200)
        s.request("GET", f"/v1/reports/balance?contract={self.contract}", "reader")
        s.request("GET", "/metrics", "reader")
        s.request("GET", "/v1/events", "nobody")
        since = time.time_ns()
        time.sleep(0.01)
        s.request("GET", f"/v1/events?contract={self.contract}", "auditor")
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(since // 10**9))
        since_text = f"{stamp}.{since % 10**9:09d}Z"
        cases = [
            ([], "", lambda r: True),
            (["--principal", "reader"], "principal=reader", lambda r: r["principal"] == "reader"),
            (["--contract", self.contract], f"contract={self.contract}",
             lambda r: r["params"].get("contract") == self.contract),
            (["--denied"], "denied=true", lambda r: r["status"] in (401, 403, 429)),
            (["--since", since_text], "since=" + since_text, lambda r: r["time"] >= since_text),
            (["--principal", "reader", "--denied"], "principal=reader&denied=true",
             lambda r: r["principal"] == "reader" and r["status"] == 403),
        ]
        everything = access_records(s)
        for args, query, keep in cases:
            expected = [r for r in everything if keep(r)]
            self.assertTrue(expected, args)
            self.assertEqual(access_records(s, *args), expected, args)
            answer = s.request("GET", "/v1/access-log?" + query, "auditor")
            self.assertEqual(answer.status, 200)
            served = [json.loads(line) for line in answer.body.splitlines()]
            self.assertEqual(served, expected[:len(served)], query)
            self.assertEqual(len(served), len(expected), query)
            everything = access_records(s)  # the read itself is recorded
        self.assertEqual(s.request("GET", "/v1/access-log", "reader").status, 403)
        self.assertEqual(s.request("GET", "/v1/access-log?denied=maybe", "auditor").status, 400)
        table = ledgerctl("access-log", "--denied", db=s.db, check=True).stdout.splitlines()
        self.assertEqual(len(table), 1 + len(access_records(s, "--denied")))

    def test_limit_0_lists_no_record_as_for_events(self):
        s = self.server
        self.assertEqual(s.request("GET", "/v1/digest", "reader").status, 200)
        for path in ["/v1/access-log?limit=0", "/v1/events?limit=0"]:
            r = s.request("GET", path, "auditor")
            self.assertEqual((r.status, r.body), (200, b""), path)
        self.assertEqual(len(s.request("GET", "/v1/access-log?limit=1", "auditor").body
                             .splitlines()), 1)

    def test_reloads_are_recorded_with_the_files_hash_and_trigger(self):
        token = ledgerctl("token", "new", "--principal", "admin", check=True)
        self.server.close()
        self.server = s = Ledgerd(tokens=token.stderr)
        with open(s.tokens_path, "rb") as f:
            tokens = hashlib.sha256(f.read()).hexdigest()
        with open(s.policy_path, "a") as f:
            f.write("newcomer reader\n")
        with open(s.policy_path, "rb") as f:
            good = hashlib.sha256(f.read()).hexdigest()
        reload = s.request("POST", "/v1/admin/reload", None, body="", token=token.stdout.strip())
        self.assertEqual(reload.status, 200, reload.body)
        with open(s.policy_path, "a") as f:
            f.write("broken notarole\n")
        with open(s.policy_path, "rb") as f:
            bad = hashlib.sha256(f.read()).hexdigest()
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        reloads = []
        while time.monotonic() < deadline and len(reloads) < 4:
            reloads = [r for r in access_records(s) if r["kind"].endswith("_reload")]
            time.sleep(0.05)
        policy, tokens_file = {"file": s.policy_path}, {"file": s.tokens_path}
        self.assertEqual([(r["kind"], r["method"], r["principal"], r["auth"], r["params"],
                           r["status"]) for r in reloads], [
            ("policy_reload", "POST /v1/admin/reload", "admin", "token",
             {**policy, "sha256": good}, 200),
            ("tokens_reload", "POST /v1/admin/reload", "admin", "token",
             {**tokens_file, "sha256": tokens}, 200),
            ("policy_reload", "SIGHUP", "", "none", {**policy, "sha256": bad}, 400),
            ("tokens_reload", "SIGHUP", "", "none", {**tokens_file, "sha256": tokens}, 400),
        ])
        # The reload request's own record names the token too.
        posted = [r for r in requests_of(access_records(s)) if r["route"] == "/v1/admin/reload"]
        self.assertEqual([(r["principal"], r["auth"]) for r in posted], [("admin", "token")])
        # The table: a reload names its trigger alone, and the free-text
        # columns start under their titles.
        table = ledgerctl("access-log", db=s.db, check=True).stdout.splitlines()
        header = table[0]
        sighup = [line for line in table if "SIGHUP" in line]
        self.assertEqual(len(sighup), 2, table)
        for line in sighup:
            self.assertNotIn("''", line)
            self.assertEqual(line.index("SIGHUP"), header.index("REQUEST"), line)
            self.assertEqual(line.index("file="), header.index("PARAMETERS"), line)
        request = next(line for line in table if "  POST /v1/admin/reload" in line)
        self.assertEqual(request.index("admin"), header.index("PRINCIPAL"), request)
        self.assertEqual(request.index("POST"), header.index("REQUEST"), request)
        none = ledgerctl("access-log", "--principal", "no-such-principal", db=s.db, check=True)
        self.assertEqual(none.stdout.splitlines(), [header, "(no rows)"])

    def test_nothing_secret_reaches_the_records_or_the_log(self):
        s = self.server
        token = "ccl-secret-" + os.urandom(16).hex()
        headers = {"Authorization": "Bearer " + token, "Cookie": "session=" + token,
                   "X-Api-Key": token}
        s.request("GET", "/v1/events", "reader", headers=headers)
        s.request("GET", "/v1/events", "nobody", headers=headers)
        s.request("GET", "/v1/events?token=" + token, "reader", headers=headers)
        s.request("POST", "/v1/events", "writer", body=json.dumps({"token": token}), headers=headers)
        secrets = [token]
        for name in ("reader.key", "server.key", "ca.key"):
            with open(os.path.join(certs(), name)) as f:
                secrets += [line for line in f.read().splitlines() if "-----" not in line]
        records = ledgerctl("access-log", "--json", db=s.db, check=True).stdout
        table = ledgerctl("access-log", db=s.db, check=True).stdout
        # --format, as every report takes it, says the same.
        self.assertEqual(ledgerctl("access-log", "--format", "json", db=s.db).stdout, records)
        self.assertEqual(ledgerctl("access-log", "--format", "table", db=s.db).stdout, table)
        log = s.log()
        self.assertIn("/v1/events", records)
        for secret in secrets:
            for name, text in (("records", records), ("table", table), ("server log", log)):
                self.assertNotIn(secret, text, name)

    def test_access_log_off_records_nothing_and_warns(self):
        self.server.close()
        self.server = Ledgerd(args=["--access-log", "off"])
        self.assertEqual(self.server.request("GET", "/v1/events", "reader").status, 200)
        self.assertIn("--access-log off", self.server.log())
        self.assertEqual(access_records(self.server), [])


@unittest.skipIf(LDB is None, "RocksDB's ldb (Debian rocksdb-tools, tools/setup.sh) is missing")
class HostileTextTest(unittest.TestCase):
    """What a client chooses (its target's bytes, a parameter's value, its
    principal's name) reaches every output of the records escaped: the JSON
    Lines are valid UTF-8 JSON, no invalid UTF-8, bidirectional override or
    line separator is written raw, and in the table and the text server log
    a value with a space or a quote reads as one quoted field."""

    # A principal whose name, printed raw, reads as the end of a log line,
    # and one holding an override (U+202E) and a line separator (U+2028).
    FAKE_END = 'x" 200 1 1ms'
    BIDI = "bidi\u202e\u2028x"
    RAW = [b"\xff\xfe", "\u202e".encode(), "\u2028".encode()]

    def setUp(self):
        lines = []
        tokens = {}
        for name in (self.FAKE_END, self.BIDI):
            r = ledgerctl("token", "new", "--principal", name, check=True)
            tokens[name] = r.stdout.strip()
            lines.append(r.stderr.strip())
        self.tokens = tokens
        policy = "".join(f'"{n.replace(chr(34), chr(92) + chr(34))}" reader\n' for n in tokens)
        self.server = Ledgerd(policy="auditor auditor\nreader reader\n" + policy, tokens="\n".join(lines) + "\n")
        self.addCleanup(self.server.close)

    def raw_request(self, target, principal=None):
        sock = self.server.tls_socket(principal)
        sock.settimeout(10)
        try:
            sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while True:
                data = sock.recv(65536)
                if not data:
                    return answer
                answer += data
        finally:
            sock.close()

    def assert_nothing_raw(self, output):
        for raw in self.RAW:
            self.assertNotIn(raw, output)
        output.decode("utf-8")  # strict: raises on invalid UTF-8

    def test_every_output_of_the_records_escapes_what_a_client_sent(self):
        s = self.server
        # Unknown route, no credential; then refused parameter values.
        self.assertIn(b" 404 ", self.raw_request(b"/v1/\xff\xfe\xe2\x80\xae"))
        answer = self.raw_request(b"/v1/events?contract=%FF%FE%E2%80%A8", "reader")
        self.assertRegex(answer, rb"^HTTP/1.1 40[04] ")
        for token in self.tokens.values():
            r = s.request("GET", "/v1/events?contract=%E2%80%AEx", token=token)
            self.assertIn(r.status, (400, 404), r.body)

        cli = subprocess.run([os.environ["LEDGERCTL"], "--db", s.db, "access-log", "--json"],
                             capture_output=True, timeout=60, check=True).stdout
        served = s.request("GET", "/v1/access-log", "auditor").body
        for output in (cli, served):
            self.assert_nothing_raw(output)
            records = [json.loads(line) for line in output.splitlines()]
            shown = [(r["principal"], r["route"], r["params"]) for r in requests_of(records)]
            self.assertIn(("", "/v1/\\xff\\xfe\\xe2\\x80\\xae", {}), shown)
            self.assertIn(("reader", "/v1/events", {"contract": "\\xff\\xfe\\xe2\\x80\\xa8"}), shown)
            self.assertIn((self.FAKE_END, "/v1/events", {"contract": "\\xe2\\x80\\xaex"}), shown)

        table = subprocess.run([os.environ["LEDGERCTL"], "--db", s.db, "access-log"],
                               capture_output=True, timeout=60, check=True).stdout
        with open(s.log_path, "rb") as f:
            log = f.read()
        for output in (table, log):
            self.assert_nothing_raw(output)
            self.assertIn(b"\'x\" 200 1 1ms\'", output)
            self.assertNotIn(b' x" 200', output)
            self.assertIn(b"\'bidi\\xe2\\x80\\xae\\xe2\\x80\\xa8x\'", output)


class AccessLogTamperTest(unittest.TestCase):
    def test_one_changed_byte_makes_verify_exit_3_naming_the_record(self):
        s = Ledgerd()
        try:
            for _ in range(4):
                s.request("GET", "/v1/events", "reader")
            self.assertEqual(s.stop(), 0)
            self.assertEqual(ledgerctl("verify", db=s.db).returncode, 0)
            key = "0x%016x" % 3
            got = subprocess.run([LDB, "--db=" + s.db, "--column_family=access", "get", "--key_hex",
                                  "--value_hex", key], capture_output=True, text=True, check=True)
            value = bytearray.fromhex(got.stdout.strip()[2:])
            value[32 + 20] ^= 0x01  # a byte of the record, after its 32-byte chain hash
            subprocess.run([LDB, "--db=" + s.db, "--column_family=access", "put", "--key_hex",
                            "--value_hex", key, "0x" + value.hex()], capture_output=True,
                           check=True)
            v = ledgerctl("verify", db=s.db)
            self.assertEqual(v.returncode, 3, v.stderr)
            self.assertIn("FAILED at access record 3", v.stdout)
            self.assertIn("access record 3:", v.stderr)
        finally:
            s.close()


class AccessLogCrashTest(unittest.TestCase):
    def test_records_of_acknowledged_requests_survive_sigkill(self):
        s = Ledgerd()
        try:
            lines = generate(1, 2)
            acknowledged = []
            for i in range(0, min(len(lines), 6), 2):
                r = s.post_events(lines[i:i + 2], "writer")
                self.assertEqual(r.status, 200)
                acknowledged.append(("POST", r.json()["first_seq"]))
                self.assertEqual(s.request("GET", f"/v1/events?after={i}", "reader").status, 200)
                acknowledged.append(("GET", str(i)))
            s.proc.kill()  # SIGKILL: no shutdown, nothing flushed but what was synced
            s.proc.wait()
            s.proc = None
            records = requests_of(access_records(s))
            seen = [("POST", r["first_seq"]) if r["method"] == "POST"
                    else ("GET", r["params"]["after"]) for r in records]
            self.assertEqual(seen, acknowledged)
            s.start()
            self.assertEqual(requests_of(access_records(s)), records)
            self.assertEqual(ledgerctl("verify", db=s.db).returncode, 0)
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
