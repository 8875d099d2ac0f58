"""ledgerd's scoped auditor and inclusion proofs, end to end against a real
server: the proof of an event outside the auditor's scope is refused exactly
as the proof of a seq beyond the digest (status, code and message), and the
message is true of both; an unscoped auditor's says what is wrong."""

import json
import unittest

from ledgerd_security_test import ScopedServer


class ScopedProofTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ScopedServer.start(cls)
        cls.events = [json.loads(line) for line in ScopedServer.log(cls.server)]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def refusal(self, seq, size, principal):
        r = self.server.request("GET", f"/v1/proofs/inclusion?seq={seq}&size={size}", principal)
        return r.status, r.error()

    def test_an_out_of_scope_seq_reads_as_one_beyond_the_digest_in_words_true_of_both(self):
        size = len(self.events)
        outside = next(e["seq"] for e in self.events if e.get("contract") in self.out_of_scope)
        inside = next(e["seq"] for e in self.events if e.get("contract") in self.in_scope)
        self.assertLess(outside, size)
        self.assertEqual(self.server.request(
            "GET", f"/v1/proofs/inclusion?seq={inside}&size={size}", "s_auditor").status, 200)
        for seq in (outside, size + 1, 0):
            with self.subTest(seq=seq):
                status, error = self.refusal(seq, size, "s_auditor")
                self.assertEqual((status, error), (404, {
                    "code": "not_found", "seq": seq, "field": None, "line": None,
                    "message": f"seq {seq}: no event you may see among the digest's {size} events"}))
        # The whole ledger's auditor: the seq is beyond the digest, said so.
        status, error = self.refusal(size + 1, size, "allroles")
        self.assertEqual((status, error["message"]),
                         (404, f"seq {size + 1} is not among the digest's {size} events"))
        self.assertEqual(self.server.request(
            "GET", f"/v1/proofs/inclusion?seq={outside}&size={size}", "allroles").status, 200)


if __name__ == "__main__":
    unittest.main()
