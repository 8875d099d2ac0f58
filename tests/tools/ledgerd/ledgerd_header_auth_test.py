"""ledgerd decides on a request's header alone whether to read its body: a
request that is not authenticated, not authorized, routed nowhere, with a
malformed query or a query value or Content-Type its route refuses is
answered before a byte of its body is read (and is never sent `100
Continue`), and its connection is closed after the answer (a refused chunked
body is read to its last chunk first); and an unauthenticated client's 404s
and 405s count against its address as its 401s do. End to end over raw TLS
sockets on loopback."""

import re
import unittest

from ledgerd_harness import Ledgerd, ServedTestCase, http_statuses, read_until_closed

READ_TIMEOUT_S = 5
# Far more than any test sends: a server that waits for the body would wait
# for the body read time (60 s), well past READ_TIMEOUT_S.
DECLARED_BODY_BYTES = 100000


def read_response(sock):
    """The first response the server sends (an interim one, `100 Continue`,
    included), within READ_TIMEOUT_S: a server that waits for the body
    first times out (socket.timeout)."""
    sock.settimeout(READ_TIMEOUT_S)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"\r\nContent-Length: (\d+)", head, re.IGNORECASE)
    while length and len(body) < int(length.group(1)):
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def post_header(path="/v1/events", expect=False, extra=b"", content_type="application/x-ndjson"):
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {DECLARED_BODY_BYTES}\r\n".encode()
            + (b"Expect: 100-continue\r\n" if expect else b"") + extra + b"\r\n")


class RefusedOnTheHeaderTest(ServedTestCase):
    def send_header(self, principal, header, expect):
        """Sends `header`, reads the answer to it, then (unless the client
        waits for `100 Continue`) sends its body as a client that does not
        wait would; returns the answer, after checking that the connection is
        then closed with nothing more said."""
        sock = self.server.tls_socket(principal)
        try:
            sock.sendall(header)
            answer = read_response(sock)
            if not expect:
                sock.sendall(b"x" * DECLARED_BODY_BYTES)  # dropped, never parsed
            self.assertEqual(read_until_closed(sock, READ_TIMEOUT_S), b"", "closed after the answer")
            return answer
        finally:
            sock.close()

    def test_an_unauthenticated_post_is_401_before_its_body_and_never_told_to_continue(self):
        for expect in (False, True):
            with self.subTest(expect=expect):
                answer = self.send_header(None, post_header(expect=expect), expect)
                self.assertEqual(http_statuses(answer), [401], answer)
                self.assertNotIn(b"100 Continue", answer)
                self.assertIn(b"Connection: close", answer)
                self.assertIn(b'"code":"unauthorized"', answer)
        bad_token = post_header(expect=True, extra=b"Authorization: Bearer " + b"f" * 64 + b"\r\n")
        self.assertEqual(http_statuses(self.send_header(None, bad_token, True)), [401])

    def test_a_principal_without_the_role_is_403_before_its_body(self):
        for expect in (False, True):
            with self.subTest(expect=expect):
                answer = self.send_header("reader", post_header(expect=expect), expect)
                self.assertEqual(http_statuses(answer), [403], answer)
                self.assertNotIn(b"100 Continue", answer)
                self.assertIn(b"Connection: close", answer)

    def test_no_route_or_a_bad_query_is_refused_before_the_body(self):
        cases = [("/v1/no-such-route", 404), ("/v1/digest", 405),
                 ("/v1/events?no_such_parameter=1", 400)]
        for path, status in cases:
            with self.subTest(path=path):
                answer = self.send_header("writer", post_header(path, expect=True), True)
                self.assertEqual(http_statuses(answer), [status], answer)
                self.assertNotIn(b"100 Continue", answer)

    def test_a_bad_parameter_value_or_content_type_is_refused_before_the_body(self):
        cases = [("/v1/events?expected_version=x&contract=C1", "application/x-ndjson", 400,
                  b'"field":"expected_version"'),
                 ("/v1/events?contract=C1", "application/x-ndjson", 400,
                  b'"field":"expected_version"'),
                 ("/v1/events", "text/plain", 415, b'"code":"unsupported_media_type"')]
        for path, content_type, status, said in cases:
            for expect in (True, False):
                with self.subTest(path=path, content_type=content_type, expect=expect):
                    header = post_header(path, expect=expect, content_type=content_type)
                    answer = self.send_header("writer", header, expect)
                    self.assertEqual(http_statuses(answer), [status], answer)
                    self.assertIn(said, answer)

    def test_the_body_of_a_refused_request_is_never_read_as_a_request(self):
        smuggled = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        header = (b"POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                  + f"Content-Length: {len(smuggled)}\r\n\r\n".encode())
        sock = self.server.tls_socket(None)
        try:
            sock.sendall(header + smuggled)
            self.assertEqual(http_statuses(read_until_closed(sock, READ_TIMEOUT_S)), [401])
        finally:
            sock.close()

    def test_a_refused_chunked_body_is_read_to_its_last_chunk_then_closed(self):
        # A chunked body declares no length: what is drained of it ends with
        # its last chunk, and the connection is closed then, not after the
        # body read time (60 s, past READ_TIMEOUT_S) of a client that waits.
        header = (b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        bodies = [b"0\r\n\r\n", b"5\r\nhello\r\n400\r\n" + b"x" * 1024 + b"\r\n0\r\n\r\n"]
        for principal, status in ((None, 401), ("reader", 403)):
            for body in bodies:
                for with_header in (True, False):
                    with self.subTest(principal=principal, body=len(body), with_header=with_header):
                        sock = self.server.tls_socket(principal)
                        try:
                            sock.sendall(header + (body if with_header else b""))
                            answer = read_response(sock)
                            if not with_header:
                                sock.sendall(body)
                            self.assertEqual(http_statuses(answer), [status], answer)
                            self.assertEqual(read_until_closed(sock, READ_TIMEOUT_S), b"")
                        finally:
                            sock.close()

    def test_a_writer_is_told_to_continue_and_its_body_is_appended(self):
        sock = self.server.tls_socket("writer")
        try:
            body = b"[]"
            sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                         b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode())
            sock.settimeout(READ_TIMEOUT_S)
            self.assertEqual(sock.recv(4096), b"HTTP/1.1 100 Continue\r\n\r\n")
            sock.sendall(body)
            answer = read_until_closed(sock, READ_TIMEOUT_S)
            # An empty batch is refused for its content: the body was read.
            self.assertEqual(http_statuses(answer), [400], answer)
            self.assertIn(b"no events", answer)
        finally:
            sock.close()


class UnauthenticatedProbesTest(unittest.TestCase):
    def test_404_and_405_without_a_credential_count_as_failed_authentications(self):
        s = Ledgerd(args=["--limit-auth-failures", "3"])
        try:
            # An authenticated client's misses count nothing.
            for _ in range(4):
                self.assertEqual(s.request("GET", "/v1/no-such-route", "reader").status, 404)
            self.assertEqual(s.request("GET", "/v1/no-such-route", None).status, 404)
            self.assertEqual(s.request("DELETE", "/v1/events", None).status, 405)
            self.assertEqual(s.request("GET", "/nope", None, token="f" * 64).status, 404)
            for method, path in [("GET", "/v1/no-such-route"), ("DELETE", "/v1/events"),
                                 ("GET", "/healthz")]:
                r = s.request(method, path, None)
                self.assertEqual((r.status, r.error()["code"]), (429, "too_many_failures"), path)
            self.assertEqual(s.request("GET", "/healthz", "reader").status, 429)
        finally:
            s.close()

    def test_a_chunked_body_over_the_limit_is_413_and_closed_after_its_last_chunk(self):
        s = Ledgerd(args=["--limit-body-bytes", "2000"])
        try:
            sock = s.tls_socket("writer")
            try:
                sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/x-ndjson\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n"
                             + b"bb8\r\n" + b"x" * 3000 + b"\r\n0\r\n\r\n")
                answer = read_until_closed(sock, READ_TIMEOUT_S)
                self.assertEqual(http_statuses(answer), [413], answer)
            finally:
                sock.close()
        finally:
            s.close()

    def test_oversized_requests_without_a_credential_count_and_drain_at_most_the_limit(self):
        limit = 65536
        s = Ledgerd(args=["--limit-auth-failures", "3", "--limit-body-bytes", str(limit)])
        try:
            declared = 5 << 20
            header = (b"POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                      + f"Content-Length: {declared}\r\n\r\n".encode())
            sent_max = 16 << 20  # far below what an unbounded drain takes in
            for attempt in range(3):
                sock = s.tls_socket(None)
                try:
                    sock.sendall(header)
                    self.assertEqual(http_statuses(read_response(sock)), [413], attempt)
                    sent = 0
                    with self.assertRaises(OSError, msg="the server kept reading"):
                        while sent < sent_max:
                            sock.sendall(b"x" * 65536)
                            sent += 65536
                finally:
                    sock.close()
            # Three refusals without a credential: the address is blocked,
            # for an oversized request too, and for a certificate's.
            sock = s.tls_socket(None)
            try:
                sock.sendall(header)
                self.assertEqual(http_statuses(read_until_closed(sock, READ_TIMEOUT_S)), [429])
            finally:
                sock.close()
            self.assertEqual(s.request("GET", "/healthz", "reader").status, 429)
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
