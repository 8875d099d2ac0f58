"""ledgerctl --server end to end: each command that runs remotely, run through
a real ledgerd over TLS and run locally, must print the same bytes on stdout
and stderr and exit with the same code. Reads are compared on the served
ledger itself (reads work while ledgerd holds it); writes on a twin, a copy
made before the server started, so both start from the same events."""

import csv
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

from ledgerd_harness import (LEDGERCTL, Ledgerd, certs, free_port, generate, ledgerctl,
                             other_ca)

# The throughput in import's summary line is the one part that differs.
RATE = re.compile(r"\(\d+\.\d\d s, [\d,]+ events/s\)")


def tls_args(port, principal="allroles", cacert=None):
    c = certs()
    return ["--server", f"https://127.0.0.1:{port}", "--cert", f"{c}/{principal}.pem",
            "--key", f"{c}/{principal}.key", "--cacert", cacert or f"{c}/ca.pem"]


def run(args, input=None, timeout=120):
    return subprocess.run([LEDGERCTL] + args, input=input, capture_output=True, text=True,
                          timeout=timeout)


def outcome(p):
    return (RATE.sub("(RATE)", p.stdout), p.stderr, p.returncode)


class RemoteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Every event names the test client's principal: ledgerd takes no
        # other actor, and the local twin needs one.
        cls.lines = [json.dumps(dict(json.loads(line), actor="allroles"), separators=(",", ":"),
                                ensure_ascii=False) for line in generate(3, 60, actor=True)]
        cls.tmp = tempfile.mkdtemp(prefix="ledgerctl-remote-")

        def prepare(server):
            path = os.path.join(cls.tmp, "workload.jsonl")
            with open(path, "w") as f:
                f.write("\n".join(cls.lines) + "\n")
            ledgerctl("import", path, db=server.db, check=True)
            cls.twin = os.path.join(cls.tmp, "twin")
            shutil.copytree(server.db, cls.twin)
            shutil.copytree(server.db + ".checkpoints", cls.twin + ".checkpoints")

        cls.server = Ledgerd(prepare=prepare)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def remote(self, *args, input=None, principal="allroles"):
        return run(tls_args(self.server.port, principal) + list(args), input=input)

    def local(self, *args, db, input=None):
        return run(["--db", db] + list(args), input=input)

    def assertSameAsLocal(self, args, db=None, input=None):
        here = self.local(*args, db=db or self.server.db, input=input)
        there = self.remote(*args, input=input)
        self.assertEqual(outcome(there), outcome(here), args)
        return there

    def first(self, event_type):
        return next(json.loads(l) for l in self.lines if json.loads(l)["type"] == event_type)

    def test_reads_print_what_the_local_command_prints(self):
        booking = self.first("HoursBooked")
        contract = booking["contract"]
        currency = self.first("ContractOpened")["currency"]
        cases = [
            ["log"],
            ["log", "--json"],
            ["log", "--json", "--no-hash", "--from", "5", "--limit", "9"],
            ["log", "--contract", contract, "--type", "HoursBooked", "--from", "4", "--limit", "7"],
            ["log", "--contract", "NOPE"],
            ["log", "--type", "Nonsense"],
            ["show", "3"],
            ["show", booking["event_id"], "--no-hash"],
            ["show", "999999"],
            ["show", "12345678901234567890123"],
            ["balance"],
            ["margin", "--by", "customer,month"],
            ["margin", "--contract", contract, "--as-of", "2025-02-15"],
            ["escalations"],
            ["burn", "--as-of", "2025-02-15"],
            ["balance", "--format", "json"],
            ["balance", "--format", "csv", "--contract", contract],
            ["balance", "--format", "csv", "--contract", "NOPE"],
            ["balance", "--format", "json", "--as-of", "2025-13-01"],
            ["margin", "--format", "json", "--by", "customer,month", "--as-of", "2025-02-15"],
            ["margin", "--format", "csv", "--by", "colour"],
            ["escalations", "--format", "csv", "--known-at", "2030-01-01T00:00:00Z"],
            ["escalations", "--format", "json", "--known-at", "2000-01-01"],
            ["burn", "--format", "csv", "--as-of", "2025-02-15"],
            ["burn", "--format", "json", "--as-of", "2025-02-15", "--at-risk"],
            ["tail"],
            ["tail", "-n", "3"],
            ["tail", "--from", "4", "--limit", "5"],
            ["tail", "--from", "100000"],
            # The same CSV rows as locally: assigned fields, the currency
            # beside every amount, the chain hash last.
            ["tail", "--format", "csv"],
            ["tail", "--format", "csv", "--from", "1", "--limit", "12"],
            ["tail", "--format", "csv", "--from", "100000"],
            ["tail", "--format", "xml"],
            ["tail", "--poll-ms", "5"],
            # Nothing is appended meanwhile: a follow ends after a second
            # without news, having printed what there was.
            ["tail", "--follow", "--idle-timeout", "1", "--from", "5"],
            ["tail", "--follow", "--idle-timeout", "1", "--format", "csv", "-n", "2"],
            ["tail", "--follow", "--idle-timeout", "1", "--from", "100000"],
            ["margin", "--currency", currency],
            ["margin", "--currency", currency, "--by", "customer,month", "--format", "csv"],
            ["margin", "--currency", currency, "--format", "json", "--as-of", "2025-02-15"],
            ["margin", "--currency", "XTS", "--format", "json"],
        ]
        for args in cases:
            p = self.assertSameAsLocal(args)
            if args in (["log"], ["balance"], ["margin", "--by", "customer,month"], ["tail"],
                        ["tail", "--format", "csv"], ["margin", "--currency", currency]):
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertTrue(p.stdout)
        # The error cases really are errors, each with its documented code.
        self.assertEqual(self.remote("log", "--contract", "NOPE").returncode, 1)
        self.assertEqual(self.remote("show", "999999").returncode, 1)
        self.assertEqual(self.remote("log", "--type", "Nonsense").returncode, 2)

    def test_a_log_longer_than_the_servers_row_limit_is_paged(self):
        server = Ledgerd(args=["--limit-response-rows", "7"], prepare=lambda s: ledgerctl(
            "import", "-", db=s.db, input="\n".join(self.lines[:30]) + "\n", check=True))
        try:
            for args in (["log", "--json"], ["log", "--from", "3", "--limit", "20"],
                         ["tail", "-n", "25"], ["tail", "--from", "3", "--limit", "15"],
                         ["tail", "--format", "csv", "--from", "2"]):
                here = self.local(*args, db=server.db)
                there = run(tls_args(server.port) + args)
                self.assertEqual(outcome(there), outcome(here), args)
                self.assertEqual(there.returncode, 0)
        finally:
            server.close()

    def test_a_scoped_readers_tail_ends_with_the_events_of_its_scope(self):
        # The last event is outside the reader's scope: the feed would never
        # show it, and a tail waiting for it would never end.
        last = json.loads(self.lines[-1])
        other = next(json.loads(l)["contract"] for l in self.lines
                     if json.loads(l).get("contract") not in (None, last.get("contract")))
        server = Ledgerd(policy=f"s_reader reader contract:{other}\n",
                         prepare=lambda s: ledgerctl("import", "-", db=s.db,
                                                     input="\n".join(self.lines) + "\n",
                                                     check=True))
        try:
            window = 40
            expected = [l for l in self.local("tail", "-n", str(window), db=server.db)
                        .stdout.splitlines() if json.loads(l).get("contract") == other]
            self.assertTrue(expected, "the window holds events of the scope")
            p = run(tls_args(server.port, "s_reader") + ["tail", "-n", str(window)], timeout=30)
            self.assertEqual((p.returncode, p.stderr), (0, ""))
            self.assertEqual(p.stdout.splitlines(), expected)
            p = run(tls_args(server.port, "s_reader") + ["tail", "-n", "1"], timeout=30)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        finally:
            server.close()

    def test_an_import_over_the_servers_request_limit_says_how_to_send_it(self):
        server = Ledgerd(args=["--limit-events-per-request", "5"])
        try:
            events = os.path.join(self.tmp, "over-limit.jsonl")
            with open(events, "w") as f:
                f.write("\n".join(self.lines[:12]) + "\n")
            p = run(tls_args(server.port) + ["import", events])
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(f"{events}: more than 5 events in one atomic append", p.stderr)
            self.assertIn("(over a server, import --batch N sends N events per request)", p.stderr)
            self.assertEqual(server.head_seq(), 0)
            p = run(tls_args(server.port) + ["import", events, "--batch", "5"])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(server.head_seq(), 12)
        finally:
            server.close()

    def test_a_body_over_the_servers_byte_limit_is_refused_with_advice_not_a_broken_pipe(self):
        # The server answers 413 as soon as it reads the Content-Length; a
        # client still sending megabytes then met a reset connection ("Broken
        # pipe", exit 4). The server now reads and drops the rest of the
        # body first, so the client gets the answer.
        server = Ledgerd(args=["--limit-body-bytes", "100000"])
        try:
            big = os.path.join(self.tmp, "over-bytes.jsonl")
            with open(big, "w") as f:
                for _ in range(24 * 1024 * 1024 // (len(self.lines[0]) + 1)):
                    f.write(self.lines[0] + "\n")
            p = run(tls_args(server.port) + ["import", big])
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("request body larger than 100000 bytes (limit body bytes)", p.stderr)
            self.assertIn("import --batch N", p.stderr)
            self.assertEqual(server.head_seq(), 0)
        finally:
            server.close()

    def test_writes_print_what_the_local_command_prints(self):
        booking = self.first("HoursBooked")
        fresh = dict(booking, event_id=str(uuid.uuid4()))
        orphan = dict(booking, event_id=str(uuid.uuid4()), contract="NO-SUCH-CONTRACT")
        bad_minutes = dict(booking, event_id=str(uuid.uuid4()), minutes=0)
        again = dict(fresh, note="the same id with other content")
        for args, text in [
            (["append"], json.dumps(fresh)),
            (["append"], json.dumps(fresh)),  # a duplicate
            (["append", "--json", json.dumps(orphan)], None),  # a rule broken
            (["append"], json.dumps(bad_minutes)),  # malformed
            (["append"], json.dumps(again)),  # an id conflict
            (["append", "--expected-version", "0"], json.dumps(dict(fresh, event_id=str(uuid.uuid4())))),
        ]:
            self.assertSameAsLocal(args, db=self.twin, input=text)
        self.assertEqual(self.remote("append", "--json", json.dumps(orphan)).returncode, 1)

        head = self.server.head_seq()
        # Line 3 (after a blank line) breaks a rule: the whole file is refused.
        rejected = os.path.join(self.tmp, "rejected.jsonl")
        with open(rejected, "w") as f:
            f.write(json.dumps(dict(booking, event_id=str(uuid.uuid4()))) + "\n\n" +
                    json.dumps(orphan) + "\n")
        p = self.assertSameAsLocal(["import", rejected], db=self.twin)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{rejected}:3: ", p.stderr)
        self.assertEqual(self.server.head_seq(), head)

        malformed = os.path.join(self.tmp, "malformed.jsonl")
        with open(malformed, "w") as f:
            f.write(json.dumps(dict(booking, event_id=str(uuid.uuid4()))) + "\n{\"type\": 1}\n")
        self.assertEqual(self.assertSameAsLocal(["import", malformed], db=self.twin).returncode, 1)

        good = os.path.join(self.tmp, "good.jsonl")
        with open(good, "w") as f:
            for n in range(5):
                f.write(json.dumps(dict(booking, event_id=str(uuid.uuid4()), minutes=1 + n)) + "\n")
        for args in (["import", good, "--batch", "2"], ["import", good, rejected, "--batch", "2"]):
            self.assertSameAsLocal(args, db=self.twin)
        self.assertEqual(self.server.head_seq(), head + 5)
        # The table does not show the assigned times: the twins print the same.
        self.assertSameAsLocal(["log", "--from", str(head - 2)], db=self.twin)

        # A writer without a reading role prints what the local command
        # prints, exit 0, and reads nothing back: it was exit 4, the event
        # stored, after a GET of the event that only a reader may make. The
        # twin gets the same event, so that both stay alike for the other tests.
        mine = json.dumps(dict(booking, event_id=str(uuid.uuid4()), actor="writer"))
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
        for _ in range(2):  # appended, then a duplicate
            here = self.local("append", "--json", mine, db=self.twin)
            there = self.remote("append", "--json", mine, principal="writer")
            self.assertEqual(outcome(there), outcome(here))
            self.assertEqual(there.returncode, 0)
        denied = ledgerctl("access-log", "--denied", "--principal", "writer", "--since", since,
                           "--json", db=self.server.db, check=True).stdout
        self.assertEqual(denied, "")
        head = self.server.head_seq() - 1
        # Without an actor the event is the principal's, as the server takes
        # it: append required one here, where a JSON Lines import did not.
        anon = {k: v for k, v in booking.items() if k != "actor"}
        anon["event_id"] = str(uuid.uuid4())
        p = self.remote("append", "--json", json.dumps(anon), principal="writer")
        self.assertEqual((p.stderr, p.returncode), ("", 0))
        shown = ledgerctl("show", str(head + 2), db=self.server.db, check=True).stdout
        self.assertEqual(json.loads(shown)["actor"], "writer")
        self.assertEqual(self.local("append", "--json", json.dumps(dict(anon, actor="writer")),
                                    db=self.twin).returncode, 0)

        # An event the approval policy holds: both say it awaits approval (the
        # server's answer said nothing of it), and both log tables tag it.
        policy = {"event_id": str(uuid.uuid4()), "type": "ApprovalPolicySet",
                  "effective_at": booking["effective_at"], "actor": "allroles", "source": "s",
                  "types": "EntryReversed"}
        reversal = {"event_id": str(uuid.uuid4()), "type": "EntryReversed",
                    "contract": booking["contract"], "effective_at": booking["effective_at"],
                    "actor": "allroles", "source": "s", "target_event_id": fresh["event_id"],
                    "reason": "booked twice"}
        for event in (policy, reversal):
            p = self.assertSameAsLocal(["append"], db=self.twin, input=json.dumps(event))
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(", awaits approval (ledgerctl pending)", p.stdout)
        p = self.assertSameAsLocal(["log", "--from", str(self.server.head_seq())], db=self.twin)
        self.assertIn("[accepted pending] reverses", p.stdout)

    def test_csv_imports_as_the_local_command_imports_it(self):
        booking = self.first("HoursBooked")
        columns = list(booking.keys())

        def csv_file(name, rows):
            path = os.path.join(self.tmp, name)
            with open(path, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=columns)
                w.writeheader()
                for row in rows:
                    w.writerow(row)
            return path

        fresh = lambda **kw: dict(booking, event_id=str(uuid.uuid4()), **kw)
        head = self.server.head_seq()
        # Line 3 is malformed, line 4 breaks a rule: each refuses the whole file.
        for rows in ([fresh(), fresh(minutes=0)], [fresh(), fresh(), fresh(contract="NO")]):
            bad = csv_file("bad.csv", rows)
            p = self.assertSameAsLocal(["import", bad], db=self.twin)
            self.assertEqual(p.returncode, 1)
            self.assertIn(f"{bad}:{len(rows) + 1}: ", p.stderr)
        self.assertEqual(self.server.head_seq(), head)
        good = csv_file("good.csv", [fresh(minutes=1 + n) for n in range(3)])
        p = self.assertSameAsLocal(["import", good, "--batch", "2"], db=self.twin)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.server.head_seq(), head + 3)
        self.assertSameAsLocal(["log", "--from", str(head + 1)], db=self.twin)
        # A CSV without an actor column: its events are the principal's. The
        # twin, which has no principal, gets the same events with the column.
        event = fresh(minutes=7)
        with_actor = csv_file("with-actor.csv", [event])
        columns.remove("actor")
        without = csv_file("without-actor.csv", [{k: v for k, v in event.items() if k != "actor"}])
        p = self.remote("import", without)
        self.assertEqual((p.stderr, p.returncode), ("", 0))
        self.assertEqual(self.server.head_seq(), head + 4)
        self.assertEqual(self.local("import", with_actor, db=self.twin).returncode, 0)
        self.assertSameAsLocal(["log", "--from", str(head + 4)], db=self.twin)

    def test_digest_and_proof_are_the_local_files(self):
        here = self.local("digest", db=self.server.db)
        there = self.remote("digest")
        self.assertEqual(there.returncode, 0, there.stderr)
        undated = lambda text: {k: v for k, v in json.loads(text).items() if k != "time"}
        self.assertEqual(undated(there.stdout), undated(here.stdout))
        digest = os.path.join(self.tmp, "digest.json")
        with open(digest, "w") as f:
            f.write(there.stdout)
        for seq in ("1", "5", "100000"):
            self.assertSameAsLocal(["prove", "--digest", digest, "--seq", seq])
        # Another ledger's digest, one larger than the ledger: exit 3, as locally.
        other = os.path.join(self.tmp, "other")
        ledgerctl("init", db=other, check=True)
        ledgerctl("import", "-", db=other, check=True, input="\n".join(self.lines[:3]) + "\n")
        other_digest = os.path.join(self.tmp, "other-digest.json")
        with open(other_digest, "w") as f:
            f.write(self.local("digest", db=other).stdout)
        larger = os.path.join(self.tmp, "larger-digest.json")
        with open(larger, "w") as f:
            f.write(json.dumps(dict(json.loads(there.stdout), tree_size=10**9, head_seq=10**9)))
        for d in (other_digest, larger):
            p = self.assertSameAsLocal(["prove", "--digest", d, "--seq", "1"])
            self.assertEqual(p.returncode, 3, p.stderr)
        # --time without --sign: the server dates what it signs.
        p = self.remote("digest", "--time", "2025-01-01T00:00:00Z")
        self.assertEqual(p.returncode, 2)
        self.assertIn("needs --sign", p.stderr)

    def test_a_digest_signed_remotely_is_the_callers_statement_on_the_servers_tree(self):
        key = os.path.join(self.tmp, "mykey")
        if not os.path.exists(key):
            ledgerctl("keygen", "--out", key, check=True)
        args = ["digest", "--sign", key, "--time", "2030-01-02T03:04:05Z"]
        here, there = self.local(*args, db=self.server.db), self.remote(*args)
        self.assertEqual(outcome(there), outcome(here))
        self.assertEqual(there.returncode, 0, there.stderr)
        signed = os.path.join(self.tmp, "signed-digest.json")
        with open(signed, "w") as f:
            f.write(there.stdout)
        # It checks as a digest of the served ledger signed by that key.
        p = self.local("verify", "--against", signed, "--pubkey", key + ".pub", db=self.server.db)
        self.assertEqual(p.returncode, 0, p.stderr)
        # Signed at the server's time: the same tree, root and head.
        p = self.remote("digest", "--sign", key)
        self.assertEqual(p.returncode, 0, p.stderr)
        tree = lambda text: {k: v for k, v in json.loads(text).items()
                             if k not in ("time", "signature")}
        self.assertEqual(tree(p.stdout), tree(here.stdout))
        for args in (["digest", "--sign", os.path.join(self.tmp, "no-such-key")],
                     ["digest", "--sign", key, "--time", "yesterday"]):
            self.assertSameAsLocal(args)

    def test_a_command_that_cannot_run_remotely_is_a_usage_error(self):
        for args, named in [(["verify"], "ledgerctl verify: "), (["stats"], "ledgerctl stats: "),
                            (["tail", "--format", "xml"], "ledgerctl tail: option '--format'")]:
            p = self.remote(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertTrue(p.stderr.startswith(named), p.stderr)
        c = certs()
        p = run(["--server", f"https://127.0.0.1:{self.server.port}", "--cert", f"{c}/reader.pem",
                 "log"])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("go together", p.stderr)
        p = run(tls_args(self.server.port)[2:] + ["--server", "http://127.0.0.1:1", "log"])
        self.assertEqual(p.returncode, 2, p.stderr)

    def test_a_closed_month_prints_its_sealed_rows_as_the_local_command_prints_them(self):
        # The generator's whole workload: monthly closes (January to March)
        # and the approvals a second actor gives.
        def prepare(server):
            ledgerctl("import", "-", db=server.db, check=True, input=ledgerctl(
                "generate", "--contracts", "4", "--days", "100", check=True).stdout)

        server = Ledgerd(prepare=prepare)
        try:
            opened = json.loads(ledgerctl("log", "--json", "--type", "ContractOpened", "--limit",
                                          "1", db=server.db, check=True).stdout)
            contract, currency = opened["contract"], opened["currency"]
            cases = [
                ["margin", "--period", "2025-02"],
                ["margin", "--by", "contract,month", "--period", "2025-02", "--format", "csv"],
                ["margin", "--by", "customer", "--period", "2025-03", "--format", "json"],
                ["-q", "margin", "--period", "2025-01", "--format", "json"],
                ["margin", "--period", "2025-02", "--contract", contract],
                ["margin", "--period", "2025-02", "--currency", currency, "--format", "csv"],
                ["margin", "--period", "2025-05"],  # not closed: exit 1
                ["margin", "--period", "2025-02", "--contract", "NOPE"],
                ["margin", "--period", "2025-13"],
                ["margin", "--period", "2025-02", "--as-of", "2025-02-01"],
            ]
            for args in cases:
                here = self.local(*args, db=server.db)
                there = run(tls_args(server.port) + args)
                self.assertEqual(outcome(there), outcome(here), args)
            p = run(tls_args(server.port) + ["margin", "--period", "2025-02"])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("sealed: period 2025-02 closed by ", p.stdout)
            self.assertEqual(run(tls_args(server.port) + ["margin", "--period", "2025-05"])
                             .returncode, 1)
            self.assertEqual(run(tls_args(server.port) + ["margin", "--period", "2025-13"])
                             .returncode, 2)
        finally:
            server.close()

    def test_a_server_that_is_down_is_exit_4_naming_it(self):
        port = free_port()
        p = run(tls_args(port) + ["log"])
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertIn(f"https://127.0.0.1:{port}: cannot connect", p.stderr)

    def test_a_server_certificate_of_another_ca_is_refused_before_anything_is_sent(self):
        other = other_ca(os.path.join(self.tmp, "other-ca"), "allroles")
        head = self.server.head_seq()
        booking = dict(self.first("HoursBooked"), event_id=str(uuid.uuid4()))
        p = run(tls_args(self.server.port, cacert=os.path.join(other, "ca.pem")) +
                ["append", "--json", json.dumps(booking)])
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("TLS handshake failed", p.stderr)
        self.assertIn("certificate verify failed", p.stderr)
        self.assertEqual(self.server.head_seq(), head)

    def test_a_key_of_another_certificate_is_named_as_such(self):
        # Both files are sound PEM; they are not a pair. The message must
        # say so, not call the key unreadable.
        c = certs()
        args = tls_args(self.server.port)
        args[args.index("--key") + 1] = f"{c}/reader.key"
        p = run(args + ["log"])
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn(f"{c}/reader.key: not the key of the certificate in {c}/allroles.pem",
                      p.stderr)
        self.assertNotIn("not a PEM private key", p.stderr)
        # A file that is not of the option's kind says so, and asks whether
        # the other file was given for it (the two swapped); a key protected
        # by a passphrase says that, never prompting for it.
        encrypted = os.path.join(self.tmp, "encrypted.key")
        subprocess.run(["openssl", "pkey", "-in", f"{c}/allroles.key", "-aes256", "-passout",
                        "pass:secret", "-out", encrypted], check=True, timeout=30)
        no_cert = "no PEM certificate in it (BEGIN CERTIFICATE); is it"
        for option, value, said in [
                ("--key", f"{c}/ca.pem", "no PEM private key in it (BEGIN PRIVATE KEY); is it "
                 "the certificate?"),
                ("--cert", f"{c}/allroles.key", no_cert + " the key?"),
                ("--cacert", f"{c}/allroles.key", no_cert + " a key?"),
                ("--key", encrypted, "the private key is encrypted")]:
            args = tls_args(self.server.port)
            args[args.index(option) + 1] = value
            p = subprocess.run([LEDGERCTL] + args + ["log"], capture_output=True, text=True,
                               timeout=60, stdin=subprocess.DEVNULL)
            self.assertEqual(p.returncode, 4, (option, value, p.stderr))
            self.assertIn(f"{option} {value}: {said}", p.stderr)
            self.assertNotIn("pass phrase", p.stderr + p.stdout)

    def test_a_followed_tail_ends_when_its_pipes_reader_is_gone(self):
        # No event comes after the last two: the follow waits in a read, and
        # must end when head exits, not at the next event (exit 124: hung).
        cmd = " ".join(shlex.quote(a) for a in
                       [LEDGERCTL] + tls_args(self.server.port) + ["tail", "--follow", "-n", "2"])
        p = subprocess.run(["bash", "-c", f"timeout 60 {cmd} | head -n 2; exit ${{PIPESTATUS[0]}}"],
                           capture_output=True, text=True, timeout=90)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(p.stdout.splitlines()), 2, p.stdout)
        # More comes than head takes: a write meets the closed pipe (it ended
        # the process by SIGPIPE, exit 141), in either format.
        for fmt in ("jsonl", "csv"):
            cmd = " ".join(shlex.quote(a) for a in [LEDGERCTL] + tls_args(self.server.port) +
                           ["tail", "--follow", "-n", "50", "--format", fmt])
            p = subprocess.run(["bash", "-c", f"timeout 60 {cmd} | head -n 2; exit ${{PIPESTATUS[0]}}"],
                               capture_output=True, text=True, timeout=90)
            self.assertEqual((p.returncode, p.stderr), (0, ""), fmt)

    def test_a_followed_tail_ends_with_exit_0_on_ctrl_c_or_sigterm(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            p = subprocess.Popen([LEDGERCTL] + tls_args(self.server.port) +
                                 ["tail", "--follow", "-n", "1"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            try:
                self.assertTrue(p.stdout.readline(), "the last event first")
                p.send_signal(sig)
                self.assertEqual(p.wait(timeout=10), 0, sig)
            finally:
                if p.poll() is None:
                    p.kill()
                p.communicate()

    def test_a_silent_server_ends_in_a_timeout_not_a_hang(self):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        held = []

        def accept():
            try:
                while True:
                    held.append(listener.accept()[0])  # never answered
            except OSError:
                pass

        threading.Thread(target=accept, daemon=True).start()
        try:
            start = time.monotonic()
            p = run(tls_args(listener.getsockname()[1]) + ["log"], timeout=60)
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn("TLS handshake failed", p.stderr)
            self.assertLess(time.monotonic() - start, 30)
        finally:
            listener.close()
            for s in held:
                s.close()


if __name__ == "__main__":
    unittest.main()
