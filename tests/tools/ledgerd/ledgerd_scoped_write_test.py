"""ledgerd's scoped writer, end to end against a real server: a batch cannot
borrow another customer's stored contract by naming the writer's customer in
a ContractOpened of its id. The refusal is the 403 of any write to that
contract and says nothing of it (its number of events), and no other event of
the batch is checked against it."""

import json
import re
import unittest

from ledgerd_security_test import ScopedServer


class ScopedWriterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ScopedServer.start(cls)
        cls.opened = {json.loads(l)["contract"]: json.loads(l) for l in cls.lines
                      if '"ContractOpened"' in l}
        with open(cls.server.policy_path) as f:
            scope = next(l for l in f if l.startswith("s_writer "))
        cls.customer = re.search(r'customer:"([^"]*)"', scope).group(1)
        cls.ids = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def fresh(self, event, **changes):
        """`event` with a new event_id and `changes`."""
        type(self).ids += 1
        return dict(event, event_id=f"00000000-0000-4000-b000-{self.ids:012x}", **changes)

    def post(self, *events):
        r = self.server.request("POST", "/v1/events", "s_writer",
                                body="\n".join(json.dumps(e) for e in events))
        return r.status, r.error()

    def booking(self, contract):
        e = next(json.loads(l) for l in reversed(self.lines)
                 if '"HoursBooked"' in l and json.loads(l)["contract"] == contract)
        return self.fresh(e, minutes=1)

    def test_opening_a_stored_contract_of_another_customer_is_403_and_shows_nothing_of_it(self):
        s = self.server
        head = s.head_seq()
        outside = sorted(c for c in self.out_of_scope if self.opened[c]["customer"] != self.customer)[0]
        reopen = self.fresh(self.opened[outside], customer=self.customer)
        status, error = self.post(reopen)
        self.assertEqual((status, error["code"], error["line"], error["field"]),
                         (403, "forbidden", 1, "contract"), error)
        self.assertNotIn("events", error["message"])
        self.assertNotIn(self.opened[outside]["customer"], error["message"])
        # The answer of any write to that contract, word for word.
        self.assertEqual(self.post(self.booking(outside)), (status, error))
        # A booking before it, which would otherwise be checked against the
        # stored contract's state: refused on its own line, as out of scope.
        status, error = self.post(self.booking(outside), self.fresh(reopen))
        self.assertEqual((status, error["code"], error["line"]), (403, "forbidden", 1), error)
        self.assertEqual(s.head_seq(), head, "nothing written")

    def test_reopening_a_stored_contract_in_scope_is_the_rule_error(self):
        inside = sorted(c for c in self.in_scope if self.opened[c]["customer"] == self.customer)[0]
        status, error = self.post(self.fresh(self.opened[inside]))
        self.assertEqual((status, error["code"]), (422, "rule_violation"), error)
        self.assertIn("(rule R-LIFE-02)", error["message"])

    def test_a_new_contract_of_the_writers_customer_is_judged_by_the_batch(self):
        template = self.opened[sorted(self.in_scope)[0]]
        new = self.fresh(template, contract="SC-SCOPED-NEW-1", customer=self.customer)
        booking = self.fresh(self.booking(template["contract"]), contract="SC-SCOPED-NEW-1")
        r = self.server.request("POST", "/v1/events", "s_writer",
                                body="\n".join(json.dumps(e) for e in (new, booking)))
        self.assertEqual(r.status, 200, r.body)
        other = self.fresh(template, contract="SC-SCOPED-NEW-2", customer="Someone Else")
        status, error = self.post(other)
        self.assertEqual((status, error["line"]), (403, 1), error)


if __name__ == "__main__":
    unittest.main()
