"""Period close and four-eyes approval where an auditor meets them: a
PeriodClosed whose stored seal was changed by one byte (with RocksDB's ldb,
as someone with the files could) makes `ledgerctl verify` exit 3 naming the
close; over ledgerd a principal cannot approve its own pending event (422,
the message ledgerctl prints for the same append), another principal can,
and a policy that lists itself is lifted only with a second principal."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
import uuid

from ledgerd_harness import LEDGERCTL, Ledgerd, generate, ledgerctl

LDB = shutil.which("ldb")


@unittest.skipIf(LDB is None, "RocksDB's ldb (Debian rocksdb-tools, tools/setup.sh) is missing")
class SealTamperTest(unittest.TestCase):
    def test_one_changed_byte_of_a_seal_makes_verify_exit_3_naming_the_close(self):
        tmp = tempfile.mkdtemp(prefix="ccl-seal-tamper-")
        try:
            db = os.path.join(tmp, "db")
            ledgerctl("init", db=db, check=True)
            # The generator closes each month past: January and February here.
            workload = ledgerctl("generate", "--contracts", "2", "--days", "70", check=True).stdout
            ledgerctl("import", "-", db=db, input=workload, check=True)
            self.assertEqual(ledgerctl("verify", db=db).returncode, 0)
            close = json.loads(ledgerctl("log", "--json", "--type", "PeriodClosed", "--limit", "1",
                                         db=db, check=True).stdout)
            key = "0x%016x" % close["seq"]
            got = subprocess.run([LDB, "--db=" + db, "--column_family=events", "get", "--key_hex",
                                  "--value_hex", key], capture_output=True, text=True, check=True)
            value = got.stdout.strip()[2:].lower()
            at = value.find(close["sealed_margins_digest"])
            self.assertGreater(at, 0, "the sealed digest is not in the stored bytes")
            tampered = bytearray.fromhex(value)
            tampered[at // 2 + 7] ^= 0x01  # one byte of the stored seal
            subprocess.run([LDB, "--db=" + db, "--column_family=events", "put", "--key_hex",
                            "--value_hex", key, "0x" + tampered.hex()], capture_output=True,
                           check=True)
            v = ledgerctl("verify", db=db)
            self.assertEqual(v.returncode, 3, v.stdout + v.stderr)
            self.assertIn(f"FAILED at seq {close['seq']}", v.stdout)
            # The seal is recomputed before the chain is: the close is named, and the figure.
            self.assertIn(f"seq {close['seq']}: PeriodClosed {close['period']} (event "
                          f"{close['event_id']}): sealed figures differ", v.stderr)
            self.assertIn("sealed_margins_digest", v.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class FourEyesOverLedgerdTest(unittest.TestCase):
    def test_a_principal_cannot_approve_its_own_pending_event_another_can(self):
        lines = [json.dumps(dict(json.loads(l), actor="allroles")) for l in generate(2, 20, actor=True)]
        booking = next(json.loads(l) for l in lines if json.loads(l)["type"] == "HoursBooked")
        tmp = tempfile.mkdtemp(prefix="ccl-four-eyes-")
        twin = os.path.join(tmp, "twin")

        def prepare(server):
            ledgerctl("import", "-", db=server.db, input="\n".join(lines) + "\n", check=True)
            shutil.copytree(server.db, twin)

        server = Ledgerd(prepare=prepare)
        try:
            envelope = lambda kind, **kw: dict(event_id=str(uuid.uuid4()), type=kind,
                                               effective_at=booking["effective_at"], source="test",
                                               **kw)
            policy = envelope("ApprovalPolicySet", types="EntryReversed")
            reversal = envelope("EntryReversed", contract=booking["contract"],
                                target_event_id=booking["event_id"], reason="booked twice")
            own = envelope("Approved", contract=booking["contract"],
                           target_event_id=reversal["event_id"])
            for event, principal in [(policy, "allroles"), (reversal, "writer")]:
                r = server.request("POST", "/v1/events", principal, body=json.dumps(event) + "\n")
                self.assertEqual(r.status, 200, r.body)
                local = ledgerctl("append", "--json", json.dumps(dict(event, actor=principal)),
                                  db=twin)
                self.assertEqual(local.returncode, 0, local.stderr)
            head = server.head_seq()
            r = server.request("POST", "/v1/events", "writer", body=json.dumps(own) + "\n")
            self.assertEqual(r.status, 422, r.body)
            message = r.json()["error"]["message"]
            self.assertIn("an event is approved by another actor: actor 'writer' asked for event "
                          + reversal["event_id"], message)
            local = ledgerctl("append", "--json", json.dumps(dict(own, actor="writer")), db=twin)
            self.assertEqual(local.returncode, 1)
            # The server names the body's line before the library's message.
            self.assertEqual(f"ledgerctl: line 1: {local.stderr[len('ledgerctl: '):]}",
                             f"ledgerctl: {message}\n")
            self.assertEqual(server.head_seq(), head, "a refused approval wrote nothing")
            other = dict(own, event_id=str(uuid.uuid4()))
            r = server.request("POST", "/v1/events", "allroles", body=json.dumps(other) + "\n")
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(server.head_seq(), head + 1)
        finally:
            server.close()
            shutil.rmtree(tmp, ignore_errors=True)

    def test_a_policy_that_lists_itself_is_lifted_only_with_a_second_principal(self):
        lines = [json.dumps(dict(json.loads(l), actor="allroles")) for l in generate(2, 20, actor=True)]
        bookings = [json.loads(l) for l in lines if json.loads(l)["type"] == "HoursBooked"]
        latest = max(json.loads(l)["effective_at"] for l in lines)
        server = Ledgerd(prepare=lambda server: ledgerctl(
            "import", "-", db=server.db, input="\n".join(lines) + "\n", check=True))
        try:
            envelope = lambda kind, **kw: dict(event_id=str(uuid.uuid4()), type=kind,
                                               effective_at=latest, source="test", **kw)
            reversal = lambda booking: envelope("EntryReversed", contract=booking["contract"],
                                                target_event_id=booking["event_id"],
                                                reason="booked twice")

            def post(event, principal):
                r = server.request("POST", "/v1/events", principal, body=json.dumps(event) + "\n")
                return r, server.head_seq()

            def awaits(seq):
                r = server.request("GET", f"/v1/events/{seq}", "allroles")
                self.assertEqual(r.status, 200, r.body)
                return r.json().get("awaits_approval", False)

            r, _ = post(envelope("ApprovalPolicySet", types="EntryReversed,ApprovalPolicySet"),
                        "allroles")
            self.assertEqual(r.status, 200, r.body)
            lift = envelope("ApprovalPolicySet", types="none")
            r, lift_seq = post(lift, "writer")
            self.assertEqual(r.status, 200, r.body)
            self.assertTrue(awaits(lift_seq), "one writer lifted four eyes alone")
            r, seq = post(reversal(bookings[0]), "writer")
            self.assertEqual(r.status, 200, r.body)
            self.assertTrue(awaits(seq), "the old policy is still in force")
            r, _ = post(envelope("Approved", target_event_id=lift["event_id"]), "writer")
            self.assertEqual(r.status, 422, r.body)
            self.assertIn("an event is approved by another actor", r.json()["error"]["message"])
            r, _ = post(envelope("Approved", target_event_id=lift["event_id"]), "allroles")
            self.assertEqual(r.status, 200, r.body)
            r, seq = post(reversal(bookings[1]), "writer")
            self.assertEqual(r.status, 200, r.body)
            self.assertFalse(awaits(seq), "the approved policy lists no type")
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
