"""ledgerd's reading of HTTP/1.1 framing, end to end over raw TLS sockets on
loopback: a request whose body length is ambiguous (a Transfer-Encoding other
than one `chunked`, or one beside Content-Length) is refused and its
connection closed, so its body is never read as a next request (request
smuggling behind a proxy that frames it otherwise); and one without exactly
one Host field is refused."""

import unittest

from ledgerd_harness import ServedTestCase, http_statuses, read_until_closed

READ_TIMEOUT_S = 10


def exchange(server, raw, principal="reader"):
    """Sends `raw` on a fresh TLS connection of `principal` and returns
    every byte the server sends until it closes the connection."""
    sock = server.tls_socket(principal)
    try:
        sock.sendall(raw)
        return read_until_closed(sock, READ_TIMEOUT_S)
    finally:
        sock.close()


SMUGGLED = (b"GET /v1/events/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


class FramingTest(ServedTestCase):
    def post(self, framing, body):
        return (b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                + framing + b"\r\n" + body)

    def test_a_transfer_coding_other_than_chunked_is_501_and_the_body_never_a_request(self):
        for coding in [b"gzip", b"chunked, gzip", b"gzip, chunked", b"xchunked", b"identity"]:
            answer = exchange(self.server, self.post(b"Transfer-Encoding: " + coding + b"\r\n",
                                                     SMUGGLED))
            self.assertEqual(http_statuses(answer), [501], (coding, answer))
            self.assertIn(b"not_implemented", answer)
            self.assertIn(b"Connection: close", answer)

    def test_transfer_encoding_beside_content_length_is_400(self):
        for coding in [b"xchunked", b"gzip", b"chunked"]:
            framing = (b"Transfer-Encoding: " + coding + b"\r\nContent-Length: "
                       + str(len(SMUGGLED)).encode() + b"\r\n")
            answer = exchange(self.server, self.post(framing, SMUGGLED))
            self.assertEqual(http_statuses(answer), [400], (coding, answer))

    def test_two_transfer_encoding_fields_are_refused(self):
        framing = b"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"
        answer = exchange(self.server, self.post(framing, b"0\r\n\r\n" + SMUGGLED))
        self.assertEqual(len(http_statuses(answer)), 1, answer)
        self.assertIn(http_statuses(answer)[0], (400, 501), answer)

    def test_chunked_alone_is_read_as_the_body(self):
        # An empty body, chunked (the coding's name is case-insensitive),
        # then a second request on the same connection: two answers, the
        # first the route's own to the body it read (no events: 400), never
        # a 501. (A reader, refused on the header, would have its
        # connection closed, the body unread.)
        body = b"0\r\n\r\n" + SMUGGLED
        answer = exchange(self.server, self.post(b"Transfer-Encoding: Chunked\r\n", body),
                          "writer")
        self.assertEqual(http_statuses(answer), [400, 403], answer)
        self.assertIn(b"no events", answer)


class HostTest(ServedTestCase):
    """An HTTP/1.1 request names its host in exactly one Host field."""

    def test_an_http_1_1_request_without_one_host_is_400_and_1_0_needs_none(self):
        for head in [b"GET /healthz HTTP/1.1\r\n",
                     b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n"]:
            answer = exchange(self.server, head + b"\r\n" + SMUGGLED)
            self.assertEqual(http_statuses(answer), [400], answer)
            self.assertIn(b"Host", answer)
        answer = exchange(self.server, b"GET /healthz HTTP/1.0\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.0 200") or answer.startswith(b"HTTP/1.1 200"),
                        answer)
        answer = exchange(self.server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                       b"Connection: close\r\n\r\n")
        self.assertEqual(http_statuses(answer), [200], answer)


if __name__ == "__main__":
    unittest.main()
