"""ledgerd end to end: every route and every error status, against a real
server on 127.0.0.1, with curl and a Python standard-library client."""

import http.client
import json
import os
import re
import tempfile
import time
import unittest

from ledgerd_harness import SOURCE_DIR, Ledgerd, generate, ledgerctl, other_ca, served_routes

def read_json(path):
    with open(path) as f:
        return json.load(f)


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lines = generate(4, 60)
        assert len(cls.lines) > 80, len(cls.lines)
        cls.server = Ledgerd()
        r = cls.server.post_events(cls.lines[:40])
        assert r.status == 200, r.body

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def log_json(self, *args):
        return ledgerctl("log", "--json", *args, db=self.server.db, check=True).stdout

    def test_post_appends_after_sync_and_a_retry_is_duplicates(self):
        s = self.server
        head = s.head_seq()
        status, body = s.curl("-H", "Content-Type: application/json", "--data-binary",
                              json.dumps([json.loads(l) for l in self.lines[40:60]]),
                              s.url("/v1/events"))
        self.assertEqual(status, 200, body)
        r = json.loads(body)
        self.assertEqual((r["appended"], r["duplicates"], r["first_seq"], r["last_seq"]),
                         (20, 0, head + 1, head + 20))
        shown = json.loads(ledgerctl("show", str(head + 20), db=s.db, check=True).stdout)
        self.assertEqual(r["head_hash"], shown["hash"])
        again = s.post_events(self.lines[40:60])
        self.assertEqual(again.status, 200)
        self.assertEqual((again.json()["appended"], again.json()["duplicates"]), (0, 20))
        self.assertNotIn("stream_version", again.json())
        # One event: its stream version too, new or a duplicate.
        for _ in range(2):
            one = s.post_events(self.lines[60:61])
            self.assertEqual(one.json()["stream_version"],
                             json.loads(ledgerctl("show", str(one.json()["first_seq"]), db=s.db,
                                                  check=True).stdout)["stream_version"])

    def test_get_events_are_the_lines_of_log_json(self):
        s = self.server
        r = s.request("GET", "/v1/events")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["Content-Type"], "application/x-ndjson")
        self.assertEqual(r.body.decode(), self.log_json())
        contract = json.loads(self.lines[0])["contract"]
        cases = [("?after=5&limit=7", ["--from", "6", "--limit", "7"]),
                 (f"?contract={contract}", ["--contract", contract]),
                 ("?type=HoursBooked&limit=3", ["--type", "HoursBooked", "--limit", "3"])]
        for query, args in cases:
            status, body = s.curl(s.url("/v1/events" + query), principal="reader")
            self.assertEqual(status, 200, query)
            self.assertEqual(body, self.log_json(*args), query)

    def test_one_event_by_seq_and_by_id(self):
        s = self.server
        shown = json.loads(ledgerctl("show", "3", db=s.db, check=True).stdout)
        by_seq = s.request("GET", "/v1/events/3", "reader")
        self.assertEqual(by_seq.status, 200)
        self.assertEqual(by_seq.json(), shown)
        by_id = s.request("GET", "/v1/events/by-id/" + shown["event_id"], "auditor")
        self.assertEqual(by_id.body, by_seq.body)

    def test_digest_and_proofs_check_with_ledgerctl(self):
        s = self.server
        d = tempfile.mkdtemp(prefix="ledgerd-proofs-")
        digest = s.request("GET", "/v1/digest", "auditor")
        self.assertEqual(digest.status, 200)
        size = digest.json()["tree_size"]
        files = {}
        for name, path in [("digest", "/v1/digest"),
                           ("inclusion", f"/v1/proofs/inclusion?seq=3&size={size}"),
                           ("old", "/v1/proofs/inclusion?seq=1&size=10"),
                           ("consistency", f"/v1/proofs/consistency?old=10&new={size}")]:
            r = s.request("GET", path, "auditor")
            self.assertEqual(r.status, 200, (path, r.body))
            files[name] = os.path.join(d, name + ".json")
            with open(files[name], "wb") as f:
                f.write(r.body)
        self.assertEqual(ledgerctl("check-proof", files["inclusion"], "--digest",
                                   files["digest"]).returncode, 0)
        # The digest of size 10 is what the ledger's own `digest` said then:
        # check the consistency proof against digests made by ledgerctl.
        new_digest = os.path.join(d, "new.json")
        with open(new_digest, "w") as f:
            f.write(ledgerctl("digest", db=s.db, check=True).stdout)
        self.assertEqual(read_json(new_digest)["root_hash"], read_json(files["digest"])["root_hash"])

    def test_every_error_status(self):
        s = self.server
        head = s.head_seq()
        good = json.loads(self.lines[0])
        bad_minutes = next(l for l in self.lines if '"minutes"' in l)
        bad_minutes = re.sub(r'"minutes":\d+', '"minutes":1441', bad_minutes)
        r = s.post_events([self.lines[60], bad_minutes])
        self.assertEqual(r.status, 400)
        e = r.error()
        self.assertEqual((e["code"], e["field"], e["line"]), ("invalid_argument", "minutes", 2))
        self.assertTrue(e["message"].startswith("line 2: field 'minutes': "), e["message"])
        conflicting = dict(good, note="the same event id, other content")
        r = s.post_events([json.dumps(conflicting)])
        self.assertEqual((r.status, r.error()["code"], r.error()["line"]), (409, "conflict", 1))
        contract = good["contract"]
        r = s.post_events([self.lines[60]], query=f"?expected_version=1&contract={contract}")
        self.assertEqual(r.status, 409)
        booking = json.loads(next(l for l in self.lines if '"HoursBooked"' in l))
        booking.update(event_id="00000000-0000-4000-8000-000000000001", contract="SC-NOT-OPENED")
        r = s.post_events([json.dumps(booking)])
        self.assertEqual((r.status, r.error()["code"]), (422, "rule_violation"), r.body)
        cli = ledgerctl("append", "--json", json.dumps(booking), db=tempfile.mkdtemp() + "/none")
        self.assertNotEqual(cli.returncode, 0)
        r = s.post_events([self.lines[60]], query="?expected_version=x&contract=c")
        self.assertEqual((r.status, r.error()["field"]), (400, "expected_version"))
        r = s.request("POST", "/v1/events", body="[{}", content_type="application/json")
        self.assertEqual((r.status, r.error()["line"]), (400, 1))
        # A one-line array names the element as well as the line.
        r = s.request("POST", "/v1/events", body=f"[{self.lines[60]},{bad_minutes}]",
                      content_type="application/json")
        e = r.error()
        self.assertEqual((r.status, e["field"], e["line"]), (400, "minutes", 1))
        self.assertTrue(e["message"].startswith("line 1: event 2 of the array: field 'minutes': "),
                        e["message"])
        r = s.request("POST", "/v1/events", body=self.lines[60], content_type="text/plain")
        self.assertEqual(r.status, 415)
        # Media types are case-insensitive: an array, not a 415.
        r = s.request("POST", "/v1/events", body="[{}", content_type="Application/JSON")
        self.assertEqual((r.status, r.error()["line"]), (400, 1))
        self.assertEqual(s.request("GET", "/v1/events/999999").status, 404)
        self.assertEqual(s.request("GET", "/v1/events/999999").error()["seq"], 999999)
        self.assertEqual(s.request("GET", "/v1/events/x1").status, 400)
        self.assertEqual(s.request("GET", "/v1/events/by-id/00000000-0000-4000-8000-00000000000f")
                         .status, 404)
        self.assertEqual(s.request("GET", "/v1/events?contract=NOPE").status, 404)
        self.assertEqual(s.request("GET", "/v1/events?type=Nope").status, 400)
        self.assertEqual(s.request("GET", "/v1/nothing").status, 404)
        self.assertEqual(s.request("DELETE", "/v1/events").status, 405)
        self.assertEqual(s.request("GET", "/v1/digest", principal="nocn").status, 401)
        self.assertEqual(s.request("GET", "/metrics", principal="nobody").status, 403)
        self.assertEqual(s.head_seq(), head, "a rejected request wrote nothing")

    def test_no_certificate_and_no_token_is_401(self):
        r = self.server.request("GET", "/healthz", principal=None)
        self.assertEqual((r.status, r.error()["code"]), (401, "unauthorized"))

    def test_tls_is_1_2_or_1_3_with_forward_secret_aead_ciphers_only(self):
        s = self.server
        sock = s.tls_socket("reader")
        self.assertEqual(sock.version(), "TLSv1.3")
        sock.close()
        import socket as socket_module
        import ssl
        from ledgerd_harness import client_context
        for tweak in [lambda c: setattr(c, "maximum_version", ssl.TLSVersion.TLSv1_1),
                      lambda c: (setattr(c, "maximum_version", ssl.TLSVersion.TLSv1_2),
                                 c.set_ciphers("ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA"))]:
            ctx = client_context("reader")
            try:
                tweak(ctx)
            except ssl.SSLError:
                continue  # this OpenSSL cannot even offer it
            raw = socket_module.create_connection(("127.0.0.1", s.port), timeout=10)
            with self.assertRaises(OSError):
                ctx.wrap_socket(raw, server_hostname="127.0.0.1").recv(1)
            raw.close()
        ctx = client_context("reader")
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        raw = socket_module.create_connection(("127.0.0.1", s.port), timeout=10)
        tls12 = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.assertEqual(tls12.version(), "TLSv1.2")
        self.assertTrue(tls12.cipher()[0].startswith("ECDHE-"), tls12.cipher())
        tls12.close()

    def test_a_certificate_of_another_ca_fails_the_handshake(self):
        other = other_ca(tempfile.mkdtemp(prefix="ledgerd-other-ca-"), "reader")
        import ssl
        from ledgerd_harness import certs
        ctx = ssl.create_default_context(cafile=os.path.join(certs(), "ca.pem"))
        ctx.load_cert_chain(os.path.join(other, "reader.pem"), os.path.join(other, "reader.key"))
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, context=ctx, timeout=10)
        with self.assertRaises(OSError):
            conn.request("GET", "/healthz")
            conn.getresponse()
        conn.close()

    def test_the_feed_streams_from_after_and_resumes_from_last_event_id(self):
        s = self.server
        expected = self.log_json().splitlines()
        events = self.read_feed("/v1/feed?after=2", {}, 5)
        self.assertEqual([i for i, _ in events], [str(n) for n in range(3, 8)])
        self.assertEqual([d for _, d in events], expected[2:7])
        resumed = self.read_feed("/v1/feed", {"Last-Event-ID": "10"}, 2)
        self.assertEqual([i for i, _ in resumed], ["11", "12"])

    def test_the_feed_delivers_a_new_append_at_once(self):
        s = self.server
        head = s.head_seq()
        sock = s.tls_socket("reader")
        try:
            sock.sendall(f"GET /v1/feed?after={head} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            sock.settimeout(5)
            self.assertIn(b" 200 ", sock.recv(4096))
            # A booking no later than the events other tests append after it.
            booking = json.loads(next(l for l in reversed(self.lines[:40]) if '"HoursBooked"' in l))
            booking.update(event_id="00000000-0000-4000-8000-0000000000fe", minutes=1)
            start = time.monotonic()
            self.assertEqual(s.post_events([json.dumps(booking)], "writer").status, 200)
            data = b""
            while b"\n\n" not in data:
                data += sock.recv(4096)
            # Well before the 15 s heartbeat: the append woke the feed.
            self.assertLess(time.monotonic() - start, 3)
            self.assertTrue(data.startswith(f"id: {head + 1}\ndata: ".encode()), data)
            self.assertIn(booking["event_id"].encode(), data)
        finally:
            sock.close()

    def test_after_beyond_the_head_is_where_the_feed_starts_as_for_a_list(self):
        # As GET /v1/events answers an `after` beyond the head with no rows
        # (nothing after it yet), the feed starts there: the first event it
        # sends is the first after `after`, when the ledger reaches it.
        s = Ledgerd()
        try:
            self.assertEqual(s.post_events(self.lines[:4]).status, 200)
            listed = s.request("GET", "/v1/events?after=6", "reader")
            self.assertEqual((listed.status, listed.body), (200, b""))
            sock = s.tls_socket("reader")
            sock.sendall(b"GET /v1/feed HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 6\r\n\r\n")
            sock.settimeout(5)
            f = sock.makefile("rb")
            self.assertIn(b" 200 ", f.readline())
            self.assertEqual(s.post_events(self.lines[4:10]).status, 200)
            line = f.readline()
            while not line.startswith(b"id: "):
                line = f.readline()
            self.assertEqual(line, b"id: 7\n")
            sock.close()
        finally:
            s.close()

    def read_feed(self, path, headers, count):
        sock = self.server.tls_socket("reader")
        try:
            extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode())
            f = sock.makefile("rb")
            self.assertIn(b" 200 ", f.readline())
            while f.readline() not in (b"\r\n", b""):
                pass
            out, event_id = [], None
            while len(out) < count:
                line = f.readline().decode().rstrip("\n")
                if line.startswith("id: "):
                    event_id = line[4:]
                elif line.startswith("data: "):
                    out.append((event_id, line[6:]))
            return out
        finally:
            sock.close()

    def test_reports_are_the_rows_of_ledgerctl(self):
        s = self.server
        contract = json.loads(self.lines[0])["contract"]
        cases = [
            ("balance", "", []),
            ("balance", f"?contract={contract}&format=csv", ["--contract", contract, "--format", "csv"]),
            ("margin", "?by=customer,month&as_of=2025-12-31",
             ["--by", "customer,month", "--as-of", "2025-12-31"]),
            ("escalations", "?known_at=2030-01-01T00:00:00Z", ["--known-at", "2030-01-01T00:00:00Z"]),
            ("burn", "?as_of=2025-02-15&at_risk=true", ["--as-of", "2025-02-15", "--at-risk"]),
            ("burn", "?as_of=2025-02-15&format=csv", ["--as-of", "2025-02-15", "--format", "csv"]),
        ]
        for report, query, args in cases:
            r = s.request("GET", f"/v1/reports/{report}{query}", "reader")
            self.assertEqual(r.status, 200, (report, query, r.body))
            if "--format" not in args:
                args = args + ["--format", "json"]
            cli = ledgerctl("margin" if report == "margin" else report, *args, db=s.db, check=True)
            self.assertEqual(r.body.decode(), cli.stdout, (report, query))
            if "at_risk" not in query:
                self.assertTrue(r.body, (report, query))
        for query, field in [("?as_of=2025-13-01", "as_of"), ("?format=table", "format"),
                             ("?by=colour", "by"), ("?known_at=yesterday", "known_at")]:
            report = "margin" if field == "by" else "balance"
            r = s.request("GET", f"/v1/reports/{report}{query}", "reader")
            self.assertEqual((r.status, r.error()["field"]), (400, field), query)
            self.assertTrue(r.error()["message"].startswith(f"query parameter '{field}': "), query)
            self.assertNotIn("--", r.error()["message"], query)
        self.assertEqual(s.request("GET", "/v1/reports/burn?at_risk=maybe").status, 400)
        self.assertEqual(s.request("GET", "/v1/reports/balance?contract=NOPE").status, 404)

    def test_metrics_count_requests_by_route_and_status(self):
        s = self.server
        s.request("GET", "/v1/events/1", "reader")
        self.assertEqual(s.request("DELETE", "/v1/events/1", "reader").status, 405)
        self.assertEqual(s.request("GET", "/v1/no-such-route", "reader").status, 404)
        r = s.request("GET", "/metrics", "admin")
        self.assertEqual(r.status, 200)
        text = r.body.decode()
        self.assertRegex(text, r'ledgerd_requests_total\{route="/v1/events/\{seq\}",status="200"\} \d')
        # A route's path under another method is counted under that route;
        # only a path no route has is "unmatched".
        self.assertRegex(text, r'ledgerd_requests_total\{route="/v1/events/\{seq\}",status="405"\} \d')
        self.assertRegex(text, r'ledgerd_requests_total\{route="unmatched",status="404"\} \d')
        for name in ["ledgerd_request_seconds_bucket", "ledgerd_appends_total", "ledgerd_events_total",
                     "ledgerd_append_batch_events", "ledgerd_append_sync_seconds",
                     "ledgerd_open_connections", "ledgerd_feed_subscribers"]:
            self.assertIn(name, text)

    def test_metrics_time_every_stage_of_a_request(self):
        s = self.server
        s.request("GET", "/v1/events/1", "reader")  # a read: its access record is its own stage
        text = s.request("GET", "/metrics", "admin").body.decode()
        for stage in ["read", "worker_wait", "handler", "to_strand", "access_record", "write"]:
            m = re.search(r'ledgerd_request_stage_seconds_count\{stage="%s"\} (\d+)' % stage, text)
            self.assertIsNotNone(m, stage)
            self.assertGreater(int(m.group(1)), 0, stage)

    def test_a_reply_made_without_a_worker_times_its_access_record_alone(self):
        s = self.server
        self.assertEqual(s.request("GET", "/v1/nothing-here", "reader").status, 404)
        text = s.request("GET", "/metrics", "admin").body.decode()
        m = re.search(r'ledgerd_request_stage_seconds_sum\{stage="access_record"\} (\S+)', text)
        self.assertIsNotNone(m)
        # A few syncs, not the time since some earlier instant of the connection or the clock.
        self.assertLess(float(m.group(1)), 30.0)

    def test_health_routes(self):
        self.assertEqual(self.server.request("GET", "/healthz", "nobody").json(), {"status": "ok"})
        ready = self.server.request("GET", "/readyz", "nobody")
        self.assertEqual((ready.status, ready.json()["ready"]), (200, True))

    def test_a_405_names_the_allowed_methods_and_a_head_answer_has_no_body(self):
        r = self.server.request("DELETE", "/v1/events", "reader")
        self.assertEqual((r.status, r.headers.get("Allow")), (405, "POST, GET"))
        # HEAD then GET on one connection: a body after the HEAD's answer
        # would be read as the start of the next response.
        sock = self.server.tls_socket("reader")
        sock.settimeout(10)
        sock.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while data.count(b"HTTP/1.1 ") < 2 or not data.endswith(b"}"):
            chunk = sock.recv(4096)
            self.assertTrue(chunk, data)
            data += chunk
        sock.close()
        head, rest = data.split(b"\r\n\r\n", 1)
        self.assertTrue(head.startswith(b"HTTP/1.1 405"), data)
        self.assertIn(b"Allow: GET", head)
        self.assertTrue(rest.startswith(b"HTTP/1.1 200"), data)


class ReadmeTest(unittest.TestCase):
    def test_every_served_route_is_documented_and_every_documented_route_served(self):
        with open(os.path.join(SOURCE_DIR, "README.md")) as f:
            text = f.read()
        section = text.split("## Running the service", 1)[1].split("\n## ", 1)[0]
        documented = set(re.findall(r"^\| `(GET|POST) (/[^` ?]*)", section, re.M))
        self.assertEqual(documented, set(served_routes()))


if __name__ == "__main__":
    unittest.main()
