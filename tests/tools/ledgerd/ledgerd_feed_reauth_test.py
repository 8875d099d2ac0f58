"""ledgerd's feed under a reload, end to end against a real server: an open
GET /v1/feed is authorized again under the new policy and tokens before it is
sent anything more (SIGHUP or POST /v1/admin/reload). A subscriber whose line
or token is removed gets a `closed` event saying why and is closed (at the
reload, not at its next event or heartbeat); one whose scope is narrowed gets
only the events of its new scope."""

import json
import signal
import time
import unittest

from ledgerd_harness import Ledgerd, generate, ledgerctl

# Long enough that a closing seen within CLOSED_WITHIN_S came from the reload.
HEARTBEAT_MS = 20000
CLOSED_WITHIN_S = 5
READ_TIMEOUT_S = 10


def policy(reader_scope="", with_s_reader=True):
    return ("writer writer\nadmin admin\nfeedbot reader\n"
            f"reader reader {reader_scope}\n" + ("s_reader reader\n" if with_s_reader else ""))


class Feed:
    """One GET /v1/feed on a raw TLS connection, read line by line."""

    def __init__(self, server, after, principal=None, token=None):
        self.sock = server.tls_socket(principal)
        self.sock.settimeout(READ_TIMEOUT_S)
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.sock.sendall(f"GET /v1/feed?after={after} HTTP/1.1\r\nHost: x\r\n{auth}\r\n".encode())
        self.file = self.sock.makefile("rb")
        status = self.file.readline()
        assert b" 200 " in status, status
        while self.file.readline() not in (b"\r\n", b""):
            pass

    def messages(self, until=None):
        """The SSE messages (dicts of field -> value; comments under ":")
        up to the end of the stream, or up to the first for which
        until(message) holds."""
        out, message = [], {}
        while True:
            line = self.file.readline()
            if not line:
                return out
            line = line.decode().rstrip("\n")
            if line == "":
                if message:
                    out.append(message)
                    if until and until(message):
                        return out
                message = {}
                continue
            name, _, value = line.partition(":")
            message[name or ":"] = value.lstrip(" ")

    def close(self):
        self.sock.close()


class FeedReauthorizationTest(unittest.TestCase):
    def setUp(self):
        lines = generate(2, 10)
        opened = [json.loads(l) for l in lines if '"ContractOpened"' in l]
        self.kept, self.dropped = opened[0]["contract"], opened[1]["contract"]
        self.token, token_line = self.new_token("feedbot")
        self.server = Ledgerd(policy=policy(), tokens=token_line + "\n",
                              args=["--feed-heartbeat-ms", str(HEARTBEAT_MS)])
        self.addCleanup(self.server.close)
        self.assertEqual(self.server.post_events(lines, "writer").status, 200)
        self.lines = lines
        self.bookings = 0

    @staticmethod
    def new_token(principal):
        r = ledgerctl("token", "new", "--principal", principal, check=True)
        return r.stdout.strip(), r.stderr.strip()

    def booking(self, contract):
        """A new one-minute booking of `contract` (its last one, another id)."""
        e = json.loads(next(l for l in reversed(self.lines)
                            if '"HoursBooked"' in l and json.loads(l)["contract"] == contract))
        self.bookings += 1
        e.update(event_id=f"00000000-0000-4000-8000-{self.bookings:012x}", minutes=1)
        return e

    def reload(self, reader_scope, with_s_reader, tokens):
        s = self.server
        with open(s.policy_path, "w") as f:
            f.write(policy(reader_scope, with_s_reader))
        with open(s.tokens_path, "w") as f:
            f.write(tokens)
        r = s.request("POST", "/v1/admin/reload", "admin")
        self.assertEqual(r.status, 200, r.body)

    def test_a_revoked_subscriber_is_closed_and_a_narrowed_one_sees_its_new_scope_only(self):
        s = self.server
        head = s.head_seq()
        narrowed = Feed(s, head, "reader")
        removed = Feed(s, head, "s_reader")
        revoked = Feed(s, head, token=self.token)
        for f in (narrowed, removed, revoked):
            self.addCleanup(f.close)
        # Each subscriber streams what it may see before the reload.
        before = self.booking(self.dropped)
        self.assertEqual(s.post_events([json.dumps(before)], "writer").status, 200)
        for f in (narrowed, removed, revoked):
            got = f.messages(until=lambda m: "data" in m)
            self.assertIn(before["event_id"], got[-1]["data"])

        self.reload(f"contract:{self.kept}", with_s_reader=False, tokens="# none\n")
        start = time.monotonic()
        for f, code in [(removed, "forbidden"), (revoked, "unauthorized")]:
            got = f.messages()  # to the end of the stream: it is closed
            self.assertLess(time.monotonic() - start, CLOSED_WITHIN_S, "closed at the reload")
            self.assertEqual([m.get("event") for m in got], ["closed"], got)
            self.assertEqual(json.loads(got[0]["data"])["error"]["code"], code)

        # Out of the new scope first, then in it: the narrowed subscriber
        # gets the second and never the first.
        outside, inside = self.booking(self.dropped), self.booking(self.kept)
        for e in (outside, inside):
            self.assertEqual(s.post_events([json.dumps(e)], "writer").status, 200)
        got = narrowed.messages(until=lambda m: "data" in m)
        data = [m["data"] for m in got if "data" in m]
        self.assertEqual(len(data), 1, got)
        self.assertIn(inside["event_id"], data[0])
        self.assertEqual(json.loads(data[0])["seq"], s.head_seq())
        self.assertIn("feed of s_reader", s.log())

    def test_sighup_closes_a_feed_whose_line_it_removed(self):
        s = self.server
        feed = Feed(s, s.head_seq(), "s_reader")
        self.addCleanup(feed.close)
        with open(s.policy_path, "w") as f:
            f.write(policy(with_s_reader=False))
        start = time.monotonic()
        s.proc.send_signal(signal.SIGHUP)
        got = feed.messages()
        self.assertLess(time.monotonic() - start, CLOSED_WITHIN_S, "closed at the reload")
        self.assertEqual([m.get("event") for m in got], ["closed"], got)
        self.assertEqual(json.loads(got[0]["data"])["error"]["code"], "forbidden")

    def test_a_reload_that_keeps_the_grant_keeps_the_feed(self):
        s = self.server
        head = s.head_seq()
        feed = Feed(s, head, token=self.token)
        self.addCleanup(feed.close)
        with open(s.tokens_path) as f:
            tokens = f.read()
        self.reload("", with_s_reader=True, tokens=tokens)
        e = self.booking(self.kept)
        self.assertEqual(s.post_events([json.dumps(e)], "writer").status, 200)
        got = feed.messages(until=lambda m: "data" in m)
        self.assertEqual([m.get("event") for m in got], [None], got)
        self.assertIn(e["event_id"], got[0]["data"])


if __name__ == "__main__":
    unittest.main()
