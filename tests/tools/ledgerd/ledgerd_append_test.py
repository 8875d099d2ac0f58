"""POST /v1/events answered from the ledger's group commit, end to end: HTTP/1.1
pipelining on one keep-alive connection (a large body parsed on a worker
beside small ones parsed on the connection's strand) is answered in request
order; clients that vanish while their append is queued leave every batch
whole or absent and the server serving; SIGTERM with appends in flight
answers them, exits 0, and keeps every acknowledged event. All on loopback,
bounded in count and time."""

import json
import socket
import struct
import threading
import time
import unittest
import uuid

from ledgerd_harness import Ledgerd, generate, ledgerctl

# A body past this many bytes is parsed on a worker (session.cc).
STRAND_BODY_BYTES_MAX = 64 << 10


def post_bytes(lines, query=""):
    body = ("\n".join(lines) + "\n").encode()
    return (f"POST /v1/events{query} HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/x-ndjson\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def read_response(f):
    """(status, body) of the next response on the file `f` (Content-Length)."""
    status_line = f.readline()
    if not status_line:
        raise AssertionError("connection closed before a response")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = f.readline().strip()
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, f.read(length)


class AppendTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lines = generate(6, 200)

    def setUp(self):
        self.server = Ledgerd()

    def tearDown(self):
        self.server.close()

    def fresh_bookings(self, n):
        """n new one-minute bookings (new event ids) of a contract the
        generated workload leaves open, as JSON Lines."""
        events = [json.loads(l) for l in self.lines]
        closed = {e["contract"] for e in events if e["type"] == "ContractClosed"}
        booking = next(e for e in reversed(events)
                       if e["type"] == "HoursBooked" and e["contract"] not in closed)
        out = []
        for _ in range(n):
            booking.update(event_id=str(uuid.uuid4()), minutes=1)
            out.append(json.dumps(booking))
        return out

    def test_pipelined_requests_are_answered_in_request_order(self):
        s = self.server
        # A: the first events of the workload, a body parsed on a worker;
        # B: a stale expected_version (409); C: the next event, which needs
        # A's; D: one more. Sent at once on one connection.
        k = 1
        while len(("\n".join(self.lines[:k]) + "\n").encode()) <= STRAND_BODY_BYTES_MAX:
            k += 1
        self.assertLess(k + 2, len(self.lines))
        contract = json.loads(self.lines[0])["contract"]
        sock = s.tls_socket("writer")
        sock.settimeout(30)
        sock.sendall(post_bytes(self.lines[:k]) +
                     post_bytes(self.lines[k:k + 1], f"?expected_version=0&contract={contract}") +
                     post_bytes(self.lines[k:k + 1]) + post_bytes(self.lines[k + 1:k + 2]))
        f = sock.makefile("rb")
        answers = [read_response(f) for _ in range(4)]
        f.close()
        sock.close()
        self.assertEqual([a[0] for a in answers], [200, 409, 200, 200], answers)
        a, c, d = (json.loads(answers[i][1]) for i in (0, 2, 3))
        self.assertEqual((a["appended"], a["first_seq"], a["last_seq"]), (k, 1, k))
        self.assertEqual((c["appended"], c["first_seq"]), (1, k + 1))
        self.assertEqual((d["appended"], d["first_seq"]), (1, k + 2))
        self.assertEqual(json.loads(answers[1][1])["error"]["code"], "conflict")

    def test_a_client_gone_while_its_append_is_queued_leaves_the_batch_whole_or_absent(self):
        s = self.server
        r = s.post_events(self.lines)
        self.assertEqual(r.status, 200, r.body)
        batches = [self.fresh_bookings(3) for _ in range(12)]
        for i, batch in enumerate(batches):
            sock = s.tls_socket("writer")
            sock.sendall(post_bytes(batch))
            if i % 2:  # a reset rather than an orderly close
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        # The server goes on serving; each batch ends whole or absent.
        deadline = time.monotonic() + 10
        while True:
            found = [sum(s.request("GET", "/v1/events/by-id/" + json.loads(l)["event_id"]).status
                         == 200 for l in batch) for batch in batches]
            if all(n == 3 for n in found) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertTrue(all(n in (0, 3) for n in found), found)
        r = s.post_events(self.fresh_bookings(2))
        self.assertEqual(r.status, 200, r.body)
        out = ledgerctl("verify", db=s.db)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)


class SigtermTest(unittest.TestCase):
    def test_sigterm_with_appends_in_flight_answers_them_and_keeps_every_acknowledged(self):
        lines = generate(8, 120)
        by_contract = {}
        for line in lines:
            by_contract.setdefault(json.loads(line)["contract"], []).append(line)
        s = Ledgerd(["--limit-shutdown-drain-ms", "20000"])
        try:
            acked, errors, started = [], [], threading.Barrier(len(by_contract) + 1)

            def client(own):
                sock = s.tls_socket("writer")
                sock.settimeout(30)
                f = sock.makefile("rb")
                started.wait()
                try:
                    for line in own:
                        sock.sendall(post_bytes([line]))
                        status, body = read_response(f)
                        if status != 200:
                            errors.append((status, body))
                            return
                        acked.append(json.loads(line)["event_id"])
                except (OSError, AssertionError):
                    return  # closed by the shutdown: its last event unacknowledged
                finally:
                    f.close()
                    sock.close()

            threads = [threading.Thread(target=client, args=(own,))
                       for own in by_contract.values()]
            for t in threads:
                t.start()
            started.wait()
            deadline = time.monotonic() + 20
            while len(acked) < 100 and time.monotonic() < deadline:
                time.sleep(0.005)
            self.assertEqual(s.stop(), 0, s.log())
            for t in threads:
                t.join(30)
            self.assertEqual(errors, [])
            # The signal came while clients were appending.
            self.assertGreaterEqual(len(acked), 100)
            self.assertLess(len(acked), len(lines))
            out = ledgerctl("log", "--json", db=s.db, check=True).stdout
            stored = {json.loads(l)["event_id"] for l in out.splitlines() if l.strip()}
            self.assertEqual([i for i in acked if i not in stored], [])
            out = ledgerctl("verify", db=s.db)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
