"""ledgerd's least privilege, end to end against a real server: the
authorization matrix (every route x every role x in scope / out of scope, and
every kind of missing or bad credential), scoped lists, feed and reports,
service tokens and identity-bound actors (TLS versions and ciphers:
ledgerd_tls_test.py)."""

import json
import os
import signal
import ssl
import subprocess
import tempfile
import time
import unittest

from ledgerd_harness import (Ledgerd, certs, client_context, generate, ledgerctl,
                             served_routes)

READERS = {"reader", "auditor"}
EVERY_ROLE = {"writer", "reader", "auditor", "admin"}
# Who may call each route and how a scope applies to it: the one table the
# matrix is generated from. A route the server serves without an entry here
# fails the test. Kinds: "write" (out of scope: 403, nothing written), "one"
# (one event or proof: out of scope is the 404 of a missing one), "list" and
# "report" (in scope: exactly the rows of the contract; out of scope: the 404
# of a missing contract), "stream" (the feed: only in-scope events), "open"
# (no event shown: scope does not apply), "ledger-wide" (the access log:
# every contract's requests, so a scoped principal is refused, 403).
ROUTES = {
    ("POST", "/v1/events"): ({"writer"}, "write"),
    ("GET", "/v1/events"): (READERS, "list"),
    ("GET", "/v1/events/{seq}"): (READERS, "one"),
    ("GET", "/v1/events/by-id/{event_id}"): (READERS, "one"),
    ("GET", "/v1/digest"): (EVERY_ROLE, "open"),
    ("GET", "/v1/proofs/inclusion"): ({"auditor"}, "one"),
    ("GET", "/v1/proofs/consistency"): ({"auditor"}, "open"),
    ("GET", "/v1/feed"): (READERS, "stream"),
    ("GET", "/v1/reports/balance"): (READERS, "report"),
    ("GET", "/v1/reports/margin"): (READERS, "report"),
    ("GET", "/v1/reports/escalations"): (READERS, "report"),
    ("GET", "/v1/reports/burn"): (READERS, "report"),
    ("GET", "/v1/access-log"): ({"auditor"}, "ledger-wide"),
    ("GET", "/healthz"): ("any", "open"),
    ("GET", "/readyz"): ("any", "open"),
    ("GET", "/metrics"): ({"admin"}, "open"),
    ("POST", "/v1/admin/reload"): ({"admin"}, "open"),
}
# Scoped principals of each role (certificates of the test CA), and one with
# a certificate but no policy line.
PRINCIPAL_ROLE = {"s_writer": "writer", "s_reader": "reader", "s_auditor": "auditor",
                  "s_admin": "admin", "nobody": None}
OUT_OF_SCOPE_STATUS = {"write": 403, "one": 404, "list": 404, "report": 404}
# Credentials that never reach a route: status, or "tls" for a refused handshake.
BAD_CREDENTIALS = {"none": 401, "revoked_token": 401, "expired": "tls", "not_yet_valid": "tls",
                   "unknown_ca": "tls"}
MISSING_CONTRACT = "SC-NO-SUCH-CONTRACT"


def expected_status(route, principal, reach):
    allowed, kind = ROUTES[route]
    if allowed != "any" and PRINCIPAL_ROLE[principal] not in allowed:
        return 403
    if kind == "ledger-wide":
        return 403  # every principal of the matrix is scoped
    return OUT_OF_SCOPE_STATUS.get(kind, 200) if reach == "out" else 200


def bad_certificate(name):
    """A client certificate the server must refuse: signed by the test CA but
    expired or not yet valid, or signed by another CA. Its (cert, key) paths."""
    d = certs()
    key, pem = f"{d}/{name}.key", f"{d}/{name}.pem"
    if os.path.exists(pem):
        return pem, key
    if name == "unknown_ca":
        other = tempfile.mkdtemp(prefix="ledgerd-other-ca-")
        subprocess.run(["bash", os.path.join(os.environ["CCL_SOURCE_DIR"],
                                             "tools/ledgerd/make_test_certs.sh"), other, "s_reader"],
                       check=True, stdout=subprocess.DEVNULL)
        return f"{other}/s_reader.pem", f"{other}/s_reader.key"
    dates = {"expired": ("20200101000000Z", "20200201000000Z"),
             "not_yet_valid": ("20900101000000Z", "20900201000000Z")}[name]
    ca_dir = tempfile.mkdtemp(prefix="ledgerd-ca-db-")
    open(f"{ca_dir}/index.txt", "w").close()
    with open(f"{ca_dir}/ca.cnf", "w") as f:
        f.write(f"[ca]\ndefault_ca=test\n[test]\ndatabase={ca_dir}/index.txt\n"
                f"new_certs_dir={ca_dir}\nserial={ca_dir}/serial\ndefault_md=sha256\n"
                "policy=any\nunique_subject=no\n[any]\ncommonName=supplied\n")
    with open(f"{ca_dir}/serial", "w") as f:
        f.write("1000\n")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", key], check=True, stderr=subprocess.DEVNULL)
    subprocess.run(["openssl", "req", "-new", "-key", key, "-subj", "/CN=s_reader", "-out",
                    f"{ca_dir}/req.csr"], check=True)
    subprocess.run(["openssl", "ca", "-batch", "-config", f"{ca_dir}/ca.cnf", "-cert", f"{d}/ca.pem",
                    "-keyfile", f"{d}/ca.key", "-startdate", dates[0], "-enddate", dates[1],
                    "-in", f"{ca_dir}/req.csr", "-out", pem, "-notext"], check=True,
                   capture_output=True)
    return pem, key


def new_token(principal):
    """`ledgerctl token new`: the token, and what it wrote on stderr, which
    the tests append to the tokens file as it is."""
    r = ledgerctl("token", "new", "--principal", principal, check=True)
    return r.stdout.strip(), r.stderr.strip()


class ScopedServer:
    """A ledger of 6 contracts; the s_* principals see the contracts of one
    customer plus one more contract named by contract:."""

    @classmethod
    def start(cls, test_class, args=()):
        lines = generate(6, 60)
        opened = [json.loads(l) for l in lines if '"ContractOpened"' in l]
        customer = opened[0]["customer"]
        extra = next(o["contract"] for o in opened if o["customer"] != customer)
        test_class.in_scope = {o["contract"] for o in opened
                               if o["customer"] == customer or o["contract"] == extra}
        test_class.out_of_scope = {o["contract"] for o in opened} - test_class.in_scope
        assert test_class.out_of_scope, "every contract in scope: the test proves nothing"
        scope = f'customer:"{customer}" contract:{extra}'
        test_class.revoked_token, revoked_line = new_token("revoked")
        policy = "allroles writer,reader,auditor,admin\nrevoked reader\n" + "".join(
            f"{p} {role} {scope}\n" for p, role in PRINCIPAL_ROLE.items() if role)
        test_class.server = Ledgerd(policy=policy, tokens=revoked_line + "\n",
                                    args=["--feed-heartbeat-ms", "300",
                                          "--limit-auth-failures", "1000000"] + list(args))
        s = test_class.server
        assert s.post_events(lines).status == 200
        # Revocation: the line removed, then SIGHUP.
        with open(s.tokens_path, "w") as f:
            f.write("# no tokens\n")
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "policy reloaded" not in s.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        test_class.lines = lines

    @staticmethod
    def log(server, *args):
        return ledgerctl("log", "--json", *args, db=server.db, check=True).stdout.splitlines()


class AuthorizationMatrixTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ScopedServer.start(cls)
        events = [json.loads(l) for l in ScopedServer.log(cls.server)]
        cls.inside = sorted(cls.in_scope)[0]
        cls.outside = sorted(cls.out_of_scope)[0]
        cls.sample = {c: next(e for e in events if e["contract"] == c and e["type"] == "HoursBooked")
                      for c in (cls.inside, cls.outside)}
        cls.bookings = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def booking(self, contract):
        """A new one-minute booking of `contract`, without an actor."""
        e = {k: v for k, v in self.sample[contract].items()
             if k not in ("seq", "stream_version", "recorded_at", "hash", "applied_bill_rate_minor",
                          "actor", "currency")}
        type(self).bookings += 1
        e.update(event_id=f"00000000-0000-4000-8000-{self.bookings:012x}", minutes=1)
        return json.dumps(e)

    def target(self, route, contract):
        """The path (and body) of a request of `route` reaching `contract`."""
        method, pattern = route
        e = self.sample[contract]
        path = pattern.replace("{seq}", str(e["seq"])).replace("{event_id}", e["event_id"])
        kind = ROUTES[route][1]
        if kind in ("list", "report"):
            path += f"?contract={contract}"
        extra = {"/v1/proofs/inclusion": f"?seq={e['seq']}", "/v1/proofs/consistency": "?old=1",
                 "/v1/feed": "?after=0"}
        return path + extra.get(pattern, ""), self.booking(contract) if method == "POST" else None

    def call(self, route, path, body, principal=None, token=None, context=None):
        if route[1] == "/v1/feed":
            return self.feed(path, principal, token, context)
        return self.server.request(route[0], path, principal, body=body, token=token,
                                   context=context)

    def feed(self, path, principal, token, context, count=None):
        """The status of a feed request, and with `count` its first `count` events."""
        s = self.server
        ctx = context or client_context(principal)
        import socket
        raw = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        sock = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        try:
            auth = f"Authorization: Bearer {token}\r\n" if token else ""
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n{auth}\r\n".encode())
            f = sock.makefile("rb")
            head = f.readline().split()
            if len(head) < 2:
                raise ConnectionResetError("the server closed the connection")
            status = int(head[1])
            rows = []
            while count is not None and status == 200:
                line = f.readline().decode().rstrip("\n")
                if line.startswith("data: "):
                    rows.append(line[6:])
                elif line.startswith(": heartbeat"):
                    break
            return Response(status, rows)
        finally:
            sock.close()

    def test_every_route_every_role_in_and_out_of_scope(self):
        self.assertEqual(sorted(served_routes()), sorted(ROUTES), "route table and test table differ")
        for route in ROUTES:
            for principal in PRINCIPAL_ROLE:
                for reach, contract in [("in", self.inside), ("out", self.outside)]:
                    with self.subTest(route=route, principal=principal, reach=reach):
                        self.check(route, principal, reach, contract)

    def check(self, route, principal, reach, contract):
        s = self.server
        path, body = self.target(route, contract)
        head = s.head_seq()
        r = self.call(route, path, body, principal)
        want = expected_status(route, principal, reach)
        self.assertEqual(r.status, want, (path, r.body))
        kind = ROUTES[route][1]
        if want == 200 and kind in ("list", "report"):
            self.assertEqual(r.body.decode(), self.cli_answer(route, path), path)
        if want == 200 and route[1].startswith("/v1/events/"):
            shown = ledgerctl("show", str(self.sample[contract]["seq"]), db=s.db, check=True)
            self.assertEqual(r.json(), json.loads(shown.stdout), path)
        if want == 404:
            self.assertEqual(r.body, self.missing_body(route, path, contract, principal), path)
        if want != 200 or route[0] != "POST" or kind != "write":
            self.assertEqual(s.head_seq(), head, "a refused request wrote nothing")

    def cli_answer(self, route, path):
        """What ledgerctl prints for the same request (whole ledger, so an
        in-scope contract's full rows)."""
        pattern, query = route[1], dict(p.split("=") for p in path.partition("?")[2].split("&") if p)
        s = self.server
        if pattern == "/v1/events":
            return "".join(l + "\n" for l in ScopedServer.log(s, "--contract", query["contract"]))
        report = pattern.rsplit("/", 1)[1]
        if report == "burn":  # `ledgerctl burn` has no --contract: its rows of the contract
            rows = ledgerctl(report, "--format", "json", db=s.db, check=True).stdout.splitlines()
            return "".join(r + "\n" for r in rows if json.loads(r)["contract"] == query["contract"])
        return ledgerctl(report, "--contract", query["contract"], "--format", "json", db=s.db,
                         check=True).stdout

    def missing_body(self, route, path, contract, principal):
        """The body of `principal`'s same request for something that does not exist."""
        e = self.sample[contract]
        missing_seq = 10 ** 9
        if route[1] in ("/v1/events/{seq}", "/v1/proofs/inclusion"):
            missing = path.replace(str(e["seq"]), str(missing_seq))
            body = self.server.request("GET", missing, principal).body
            return body.replace(str(missing_seq).encode(), str(e["seq"]).encode())
        if route[1] == "/v1/events/by-id/{event_id}":
            other = "00000000-0000-4000-8000-0000000fffff"
            body = self.server.request("GET", path.replace(e["event_id"], other), principal).body
            return body.replace(other.encode(), e["event_id"].encode())
        body = self.server.request("GET", path.replace(contract, MISSING_CONTRACT), principal).body
        return body.replace(MISSING_CONTRACT.encode(), contract.encode())

    def test_bad_credentials_reach_no_route(self):
        contexts = {"none": client_context(None)}
        for name in ("expired", "not_yet_valid", "unknown_ca"):
            ctx = ssl.create_default_context(cafile=os.path.join(certs(), "ca.pem"))
            ctx.load_cert_chain(*bad_certificate(name))
            contexts[name] = ctx
        for route in ROUTES:
            path, body = self.target(route, self.inside)
            for name, want in BAD_CREDENTIALS.items():
                with self.subTest(route=route, credential=name):
                    head = self.server.head_seq()
                    token = self.revoked_token if name == "revoked_token" else None
                    ctx = contexts.get(name, client_context(None))
                    if want == "tls":
                        with self.assertRaises((ssl.SSLError, ConnectionError)):
                            self.call(route, path, body, token=token, context=ctx)
                    else:
                        r = self.call(route, path, body, token=token, context=ctx)
                        self.assertEqual(r.status, want, r.body)
                    self.assertEqual(self.server.head_seq(), head)
        self.assertNotIn(self.revoked_token, self.server.log())

    def test_a_refused_write_tells_a_scoped_writer_nothing_of_events_outside_its_scope(self):
        # A reversal or decision aimed at an out-of-scope event is refused in
        # the words used for a target that does not exist (it named the
        # other contract), and an event_id taken by an out-of-scope event is
        # a conflict without its seq; nothing is written either way.
        s = self.server
        head = s.head_seq()
        outside, inside = self.sample[self.outside], self.sample[self.inside]
        missing = "00000000-0000-4000-a000-00000000dead"

        def refusal(event, target):
            r = s.request("POST", "/v1/events", "s_writer", body=json.dumps(event))
            e = r.error()
            return r.status, e["code"], e["message"].replace(target, "<target>"), e["line"]

        for n, kind in enumerate([{"type": "EntryReversed", "reason": "r"}, {"type": "Approved"}]):
            base = dict(kind, event_id=f"00000000-0000-4000-a000-{n:012x}", contract=self.inside,
                        effective_at=inside["effective_at"], source="test")
            there = refusal(dict(base, target_event_id=outside["event_id"]), outside["event_id"])
            nowhere = refusal(dict(base, target_event_id=missing), missing)
            self.assertEqual(there, nowhere)
            self.assertEqual(there[0], 422)
            self.assertNotIn(self.outside, there[2])
        for taken, seq_shown in [(outside, False), (inside, True)]:
            clash = json.loads(self.booking(self.inside))
            clash["event_id"] = taken["event_id"]
            r = s.request("POST", "/v1/events", "s_writer", body=json.dumps(clash))
            self.assertEqual((r.status, r.error()["code"]), (409, "conflict"), r.body)
            self.assertEqual(f"by seq {taken['seq']}" in r.error()["message"], seq_shown, r.body)
        self.assertEqual(s.head_seq(), head)

    def test_only_an_unscoped_auditor_reads_the_access_log(self):
        r = self.server.request("GET", "/v1/access-log?limit=1", "allroles")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(len(r.body.splitlines()), 1)
        r = self.server.request("GET", "/v1/access-log", "s_auditor")
        self.assertEqual(r.status, 403)
        self.assertIn(b"ledger-wide", r.body)

    def test_a_scoped_reader_lists_exactly_the_events_in_scope(self):
        everything = ScopedServer.log(self.server)
        mine = [l for l in everything if json.loads(l)["contract"] in self.in_scope]
        self.assertLess(len(mine), len(everything))
        r = self.server.request("GET", "/v1/events", "s_reader")
        self.assertEqual(r.body.decode().splitlines(), mine)
        r = self.server.request("GET", "/v1/events?type=HoursBooked&limit=5", "s_auditor")
        self.assertEqual(r.body.decode().splitlines(),
                         [l for l in mine if json.loads(l)["type"] == "HoursBooked"][:5])
        feed = self.feed("/v1/feed?after=0", "s_reader", None, None, count=True)
        self.assertEqual(feed.status, 200)
        self.assertEqual(feed.rows, mine)

    def test_a_scoped_reader_sees_the_in_scope_subset_of_every_report_and_its_totals(self):
        # The same events alone in a ledger of their own, reported by ledgerctl.
        d = tempfile.mkdtemp(prefix="ledgerd-scoped-")
        only = os.path.join(d, "events.jsonl")
        with open(only, "w") as f:
            for line in ScopedServer.log(self.server):
                if json.loads(line)["contract"] in self.in_scope:
                    f.write(line + "\n")
        db = os.path.join(d, "db")
        ledgerctl("init", db=db, check=True)
        ledgerctl("import", only, db=db, check=True)
        cases = [("balance", "", []), ("margin", "", []),
                 ("margin", "?by=customer,month", ["--by", "customer,month"]),
                 ("escalations", "", []), ("burn", "?as_of=2025-02-15", ["--as-of", "2025-02-15"]),
                 ("balance", "?format=csv&as_of=2025-01-31", ["--format", "csv", "--as-of",
                                                                "2025-01-31"])]
        narrowed = 0
        for report, query, args in cases:
            with self.subTest(report=report, query=query):
                r = self.server.request("GET", f"/v1/reports/{report}{query}", "s_reader")
                self.assertEqual(r.status, 200, r.body)
                if "--format" not in args:
                    args = args + ["--format", "json"]
                cli = ledgerctl(report, *args, db=db, check=True).stdout
                self.assertEqual(r.body.decode(), cli)
                full = self.server.request("GET", f"/v1/reports/{report}{query}", "allroles")
                self.assertEqual(full.status, 200)
                narrowed += full.body != r.body
        self.assertGreater(narrowed, 0, "no report had an out-of-scope row: the test proves nothing")


class SealedPeriodScopeTest(unittest.TestCase):
    """The margin route's `period` and `currency` parameters for every role,
    in and out of scope. A scoped reader gets the sealed rows of its own
    contracts (the server checks the seal on the whole ledger), never the
    ledger-wide sealed totals."""

    @classmethod
    def setUpClass(cls):
        ScopedServer.start(cls)
        # January and February closed (months close in order).
        closes = [{"event_id": f"00000000-0000-4000-8000-00000000c10{m}", "type": "PeriodClosed",
                   "effective_at": f"2025-0{m + 1}-01T00:00:00Z", "source": "test",
                   "period": f"2025-0{m}"} for m in (1, 2)]
        r = cls.server.request("POST", "/v1/events", "allroles",
                               body="".join(json.dumps(c) + "\n" for c in closes))
        assert r.status == 200, r.body
        cls.close_seq = json.loads(r.body)["last_seq"]
        events = [json.loads(l) for l in ScopedServer.log(cls.server)]
        cls.currency = next(e["currency"] for e in events if e["type"] == "ContractOpened"
                            and e["contract"] in cls.in_scope)
        # The in-scope events alone in a ledger of their own, reported by ledgerctl.
        cls.tmp = tempfile.mkdtemp(prefix="ledgerd-sealed-")
        only = os.path.join(cls.tmp, "events.jsonl")
        with open(only, "w") as f:
            f.writelines(json.dumps(e) + "\n" for e in events if e.get("contract") in cls.in_scope)
        cls.db = os.path.join(cls.tmp, "db")
        ledgerctl("init", db=cls.db, check=True)
        ledgerctl("import", only, db=cls.db, check=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_every_role_in_and_out_of_scope(self):
        inside, outside = sorted(self.in_scope)[0], sorted(self.out_of_scope)[0]
        for query in ("period=2025-02", f"currency={self.currency}"):
            for principal, role in PRINCIPAL_ROLE.items():
                for contract, reach in [(None, "all"), (inside, "in"), (outside, "out")]:
                    path = f"/v1/reports/margin?{query}" + (f"&contract={contract}" if contract
                                                            else "")
                    with self.subTest(path=path, principal=principal):
                        r = self.server.request("GET", path, principal)
                        want = 200 if role in READERS else 403
                        if want == 200 and reach == "out":
                            want = 404
                        self.assertEqual(r.status, want, r.body)
                        if want == 404:
                            missing = path.replace(outside, MISSING_CONTRACT)
                            body = self.server.request("GET", missing, "allroles").body
                            self.assertEqual(r.body, body.replace(MISSING_CONTRACT.encode(),
                                                                  outside.encode()))

    def test_a_scoped_reader_gets_its_sealed_rows_checked_against_the_whole_seal(self):
        header = lambda r: {k.lower(): v for k, v in r.headers.items()}.get("ledger-sealed-close")
        mine = self.server.request("GET", "/v1/reports/margin?period=2025-02", "s_reader")
        self.assertEqual(mine.status, 200, mine.body)
        cli = ledgerctl("margin", "--as-of", "2025-02-28", "--format", "json", db=self.db,
                        check=True).stdout
        self.assertEqual(mine.body.decode(), cli)
        close = json.loads(header(mine))
        self.assertEqual((close["seq"], close["actor"]), (self.close_seq, "allroles"))
        full = self.server.request("GET", "/v1/reports/margin?period=2025-02", "allroles")
        self.assertEqual(full.body.decode(), ledgerctl(
            "margin", "--period", "2025-02", "--format", "json", db=self.server.db,
            check=True).stdout)
        self.assertNotEqual(full.body, mine.body, "every row in scope: the test proves nothing")
        self.assertEqual(header(full), header(mine))
        # No sealed figure of the whole ledger in the narrowed answer.
        self.assertNotIn(b"sealed", mine.body)
        r = self.server.request("GET", f"/v1/reports/margin?currency={self.currency}", "s_auditor")
        self.assertEqual(r.body.decode(), ledgerctl(
            "margin", "--currency", self.currency, "--format", "json", db=self.db,
            check=True).stdout)
        self.assertIsNone(header(r))

    def test_bad_period_parameters(self):
        for query, status in [("period=2025-13", 400), ("period=2025-02&as_of=2025-02-28", 400),
                              ("period=2025-02&known_at=2030-01-01", 400),
                              ("period=2025-03", 404)]:
            r = self.server.request("GET", f"/v1/reports/margin?{query}", "s_reader")
            self.assertEqual(r.status, status, (query, r.body))
            self.assertIn(b'"code"', r.body)


class Response:
    def __init__(self, status, rows):
        self.status, self.rows, self.body = status, rows, b""


class TokenAndActorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.token, line = new_token("t_writer")
        cls.reader_token, reader_line = new_token("a reader")
        ScopedServer.start(cls)
        s = cls.server
        with open(s.policy_path) as f:
            scope = next(l for l in f if l.startswith("s_writer")).split(" ", 2)[2]
        with open(s.policy_path, "a") as f:
            f.write(f"t_writer writer {scope.strip()} types:HoursBooked\n\"a reader\" reader\n")
        with open(s.tokens_path, "w") as f:
            f.write(f"{line}\n{reader_line}\n")
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while s.log().count("policy reloaded") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def event(self, contract, type_name, n):
        e = next(json.loads(l) for l in self.lines
                 if json.loads(l)["contract"] == contract and json.loads(l)["type"] == type_name)
        e.update(event_id=f"00000000-0000-4000-9000-{n:012x}")
        if "minutes" in e:
            e["minutes"] = 1
        return e

    def test_token_new_prints_the_token_once_and_its_line(self):
        r = ledgerctl("token", "new", "--principal", "billing system")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip()
        self.assertRegex(token, r"^[0-9a-f]{64}$")
        import hashlib
        self.assertIn('"billing system" sha256:' + hashlib.sha256(token.encode()).hexdigest(),
                      r.stderr)
        self.assertNotIn(token, r.stderr)
        self.assertEqual(ledgerctl("token", "new", "--principal", "a\x01b").returncode, 1)
        self.assertEqual(ledgerctl("token", "old", "--principal", "x").returncode, 2)

    def test_right_token_ok_wrong_tokens_401_and_never_logged(self):
        s = self.server
        inside = sorted(self.in_scope)[0]
        r = s.request("GET", "/v1/digest", token=self.token)
        self.assertEqual(r.status, 200, r.body)
        wrong_same_length = ("0" if self.token[0] != "0" else "1") + self.token[1:]
        for bad in [wrong_same_length, self.token[:-1], self.token + "0", "x"]:
            r = s.request("GET", "/v1/digest", token=bad)
            self.assertEqual((r.status, r.error()["code"]), (401, "unauthorized"), bad)
        r = s.request("GET", "/v1/digest", headers={"Authorization": "Basic " + self.token},
                      principal=None)
        self.assertEqual(r.status, 401)
        # The scheme's name is case-insensitive.
        for scheme in ("bearer ", "BEARER "):
            r = s.request("GET", "/v1/digest", headers={"Authorization": scheme + self.token},
                          principal=None)
            self.assertEqual(r.status, 200, r.body)
        booking = self.event(inside, "HoursBooked", 1)
        r = s.request("POST", "/v1/events", body=json.dumps(booking), token=self.token)
        self.assertEqual(r.status, 200, r.body)
        shown = json.loads(ledgerctl("show", str(r.json()["last_seq"]), db=s.db, check=True).stdout)
        self.assertEqual(shown["actor"], "t_writer", "the actor is the authenticated principal")
        self.assertEqual(s.request("GET", "/v1/events?limit=1", token=self.reader_token).status, 200)
        for token, want in [(self.reader_token, "200"), (wrong_same_length, "401")]:
            out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
                                  os.path.join(certs(), "ca.pem"), "-H",
                                  f"Authorization: Bearer {token}", s.url("/v1/reports/balance")],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.stdout, want, out.stderr)
        log = s.log()
        for secret in [self.token, self.reader_token, wrong_same_length]:
            self.assertNotIn(secret, log)
        self.assertIn("authentication failed from 127.0.0.1", log)

    def test_a_certificate_and_a_token_of_two_principals_or_two_tokens_are_refused(self):
        s = self.server
        bearer = {"Authorization": "Bearer " + self.reader_token}
        r = s.request("GET", "/v1/digest", "reader", headers=bearer)
        self.assertEqual(r.status, 401, r.body)
        self.assertIn("two identities", r.error()["message"])
        import http.client
        conn = http.client.HTTPSConnection("127.0.0.1", s.port, timeout=30,
                                           context=client_context(None))
        try:
            conn.putrequest("GET", "/v1/events?limit=1")
            conn.putheader("Authorization", "Bearer " + self.reader_token)
            conn.putheader("Authorization", "Bearer junk")
            conn.endheaders()
            self.assertEqual(conn.getresponse().status, 400)
        finally:
            conn.close()

    def test_a_writer_outside_its_scope_or_types_writes_nothing(self):
        s = self.server
        inside, outside = sorted(self.in_scope)[0], sorted(self.out_of_scope)[0]
        head = s.head_seq()
        ok = self.event(inside, "HoursBooked", 10)
        for n, batch in enumerate([[ok, self.event(outside, "HoursBooked", 11)],
                                   [ok, self.event(inside, "ContractOpened", 12)]]):
            r = s.request("POST", "/v1/events", body="\n".join(json.dumps(e) for e in batch),
                          token=self.token)
            self.assertEqual((r.status, r.error()["code"], r.error()["line"]), (403, "forbidden", 2))
        self.assertEqual(s.head_seq(), head)

    def test_an_actor_other_than_the_principal_is_422(self):
        s = self.server
        head = s.head_seq()
        e = self.event(sorted(self.in_scope)[0], "HoursBooked", 20)
        e["actor"] = "someone.else"
        r = s.request("POST", "/v1/events", "allroles", body=json.dumps(e))
        self.assertEqual((r.status, r.error()["field"]), (422, "actor"))
        self.assertIn("actor must be the authenticated principal", r.error()["message"])
        e["actor"] = "allroles"
        self.assertEqual(s.request("POST", "/v1/events", "allroles", body=json.dumps(e)).status, 200)
        self.assertEqual(s.head_seq(), head + 1)

    def test_failed_authentications_are_rate_limited_per_address(self):
        s = Ledgerd(args=["--limit-auth-failures", "3"])
        try:
            for _ in range(3):
                self.assertEqual(s.request("GET", "/healthz", token="f" * 64).status, 401)
            r = s.request("GET", "/healthz", token="f" * 64)
            self.assertEqual((r.status, r.error()["code"]), (429, "too_many_failures"))
            self.assertEqual(s.request("GET", "/healthz", "reader").status, 429)
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
