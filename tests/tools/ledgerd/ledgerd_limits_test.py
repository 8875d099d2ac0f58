"""ledgerd's named limits, each past its value, and hostile clients (TLS
garbage, malformed HTTP, slow and vanished clients): each gets its status or
a closed connection, nothing is written, and the server goes on serving. All
on loopback, bounded in count and time."""

import json
import os
import socket
import ssl
import time
import unittest
import uuid

from ledgerd_harness import Ledgerd, generate, ledgerctl

LIMITS = {
    "--limit-body-bytes": 200_000,
    "--limit-events-per-request": 50,
    "--limit-header-bytes": 2048,
    "--limit-header-read-ms": 600,
    "--limit-idle-ms": 800,
    "--limit-connections": 7,
    "--limit-connections-per-client": 4,
    "--limit-feed-subscribers": 2,
    "--limit-response-rows": 20,
    "--feed-heartbeat-ms": 200,
    "--limit-feed-write-ms": 600,
}


def prepare(server):
    # Enough events that a feed backlog outgrows the socket buffers.
    lines = generate(60, 120, actor=True)  # imported by ledgerctl, which needs one
    path = os.path.join(server.dir, "events.jsonl")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    ledgerctl("import", path, db=server.db, check=True)
    server.lines = lines


def closed_by_peer(sock, timeout_s):
    """True when the server closes `sock` within timeout_s."""
    sock.settimeout(timeout_s)
    try:
        while True:
            if not sock.recv(4096):
                return True
    except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    except ssl.SSLError:
        return True


class LimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        args = [str(x) for kv in LIMITS.items() for x in kv]
        cls.server = Ledgerd(args, prepare=prepare)
        cls.head = cls.server.head_seq()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def tearDown(self):
        # Whatever the test did, the server still serves and wrote nothing.
        self.assertEqual(self.server.request("GET", "/healthz").status, 200)
        self.assertEqual(self.server.head_seq(), self.head)

    def test_body_bytes(self):
        # Refused on its Content-Length, before the body is sent (a client
        # that sends it anyway may find the connection closed instead).
        sock = self.server.tls_socket("writer")
        sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                     b"Content-Length: 300000\r\n\r\n")
        sock.settimeout(5)
        response = sock.recv(4096)
        self.assertIn(b" 413 ", response)
        self.assertIn(b'"code":"limit_exceeded"', response)
        sock.close()

    def test_events_per_request(self):
        r = self.server.post_events(self.server.lines[:51])
        self.assertEqual(r.status, 413)
        self.assertIn("more than 50 events", r.error()["message"])

    def test_header_bytes(self):
        r = self.server.request("GET", "/healthz", headers={"X-Big": "y" * 3000})
        self.assertEqual(r.status, 431)

    def test_header_read_time_closes_a_slow_client(self):
        sock = self.server.tls_socket()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        self.assertTrue(closed_by_peer(sock, 5))
        self.assertLess(time.monotonic() - start, 3)
        sock.close()

    def test_idle_keep_alive_time(self):
        sock = self.server.tls_socket()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIn(b"200", sock.recv(4096))
        self.assertFalse(closed_by_peer(sock, 0.3), "closed before the idle time")
        self.assertTrue(closed_by_peer(sock, 5))
        sock.close()

    def test_half_open_connection_is_closed_after_the_idle_time(self):
        sock = socket.create_connection(("127.0.0.1", self.server.port))
        self.assertTrue(closed_by_peer(sock, 5))
        sock.close()

    def test_connections_per_client_and_in_all(self):
        held = [self.server.tls_socket() for _ in range(4)]
        with self.assertRaises(OSError):
            extra = self.server.tls_socket()
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            if not extra.recv(10):
                raise ConnectionResetError("closed")
        # Another client address of the loopback network has its own share,
        # up to the limit in all (7).
        held += [self.server.tls_socket(source_ip="127.0.0.2") for _ in range(3)]
        with self.assertRaises(OSError):
            extra = self.server.tls_socket(source_ip="127.0.0.3")
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            if not extra.recv(10):
                raise ConnectionResetError("closed")
        for s in held:
            s.close()
        time.sleep(0.2)

    def test_response_rows(self):
        r = self.server.request("GET", "/v1/events")
        self.assertEqual(len(r.body.splitlines()), 20)
        r = self.server.request("GET", "/v1/events?limit=21")
        self.assertEqual((r.status, r.error()["field"]), (400, "limit"))

    def open_feed(self, after, rcvbuf=None):
        raw = socket.socket()
        if rcvbuf:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.connect(("127.0.0.1", self.server.port))
        from ledgerd_harness import client_context
        sock = client_context("reader").wrap_socket(raw, server_hostname="127.0.0.1")
        sock.sendall(f"GET /v1/feed?after={after} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        return sock

    def test_feed_subscribers_and_heartbeats(self):
        feeds = [self.open_feed(self.head) for _ in range(2)]
        for f in feeds:
            f.settimeout(5)
            data = b""
            while b": heartbeat" not in data:
                chunk = f.recv(4096)
                self.assertTrue(chunk)
                data += chunk
            self.assertIn(b" 200 ", data)
        r = self.server.request("GET", "/v1/feed", "reader")
        self.assertEqual((r.status, r.error()["code"]), (503, "limit_exceeded"))
        for f in feeds:
            f.close()
        time.sleep(0.5)  # the server sees them go at its next heartbeat

    def test_a_slow_feed_consumer_is_disconnected(self):
        sock = self.open_feed(0, rcvbuf=4096)
        time.sleep(3)  # reads nothing: the server's writes stall
        metrics = self.server.request("GET", "/metrics", "admin").body.decode()
        self.assertIn("ledgerd_feed_slow_subscribers_closed_total 1", metrics)
        self.assertIn("a slow subscriber", self.server.log())
        sock.close()

    def test_tls_garbage(self):
        for payload in [os.urandom(3000), b"\x16\x03\x01\x00\x05hello", b"GET / HTTP/1.1\r\n\r\n"]:
            sock = socket.create_connection(("127.0.0.1", self.server.port))
            sock.sendall(payload)
            self.assertTrue(closed_by_peer(sock, 5))
            sock.close()

    def test_malformed_http(self):
        for request in [b"GARBAGE\r\n\r\n", b"GET /healthz HTTP/9.9\r\n\r\n",
                        b"POST /v1/events HTTP/1.1\r\nContent-Length: -5\r\n\r\n"]:
            sock = self.server.tls_socket()
            sock.sendall(request)
            sock.settimeout(5)
            self.assertIn(b" 400 ", sock.recv(4096), request)
            sock.close()

    def test_abrupt_disconnect_mid_body_writes_nothing(self):
        events = [json.loads(l) for l in self.server.lines]
        closed = {e["contract"] for e in events if e["type"] == "ContractClosed"}
        booking = next(e for e in reversed(events)
                       if e["type"] == "HoursBooked" and e["contract"] not in closed)
        booking.update(event_id=str(uuid.uuid4()), minutes=1, actor="writer")
        body = (json.dumps(booking) + "\n").encode()
        for cut in [1, len(body) // 2, len(body) - 1]:
            sock = self.server.tls_socket("writer")
            sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/x-ndjson\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:cut])
            sock.close()
        time.sleep(0.2)
        self.assertEqual(self.server.head_seq(), self.head)
        # The same body sent whole is appended: the cut requests were not
        # refused for their content.
        r = self.server.request("POST", "/v1/events", "writer", body=body)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["appended"], 1, r.body)
        type(self).head += 1


if __name__ == "__main__":
    unittest.main()
