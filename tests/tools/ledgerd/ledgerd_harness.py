"""Shared by the ledgerd end-to-end tests: certificates made once per run by
tools/ledgerd/make_test_certs.sh, a real ledgerd on 127.0.0.1 (a free port it
picks itself and writes to --port-file), a Python standard-library HTTPS
client with client certificates, and ledgerctl. Environment: LEDGERD,
LEDGERCTL, CCL_SOURCE_DIR (set by CTest)."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

LEDGERD = os.environ["LEDGERD"]
LEDGERCTL = os.environ["LEDGERCTL"]
SOURCE_DIR = os.environ["CCL_SOURCE_DIR"]

# Principals with certificates; "nobody" has one but no line in the policy;
# the s_* ones are scoped (ledgerd_security_test.py).
PRINCIPALS = ["writer", "reader", "auditor", "admin", "nobody", "allroles", "s_writer",
              "s_reader", "s_auditor", "s_admin"]
POLICY = ("# the test principals\n"
          "writer writer\nreader reader\nauditor auditor\nadmin admin\n"
          "allroles writer,reader,auditor,admin\n")
START_TIMEOUT_S = 20
REQUEST_TIMEOUT_S = 30

_certs_dir = None


def certs():
    """The folder of the run's CA, server and client certificates."""
    global _certs_dir
    if _certs_dir is None:
        _certs_dir = tempfile.mkdtemp(prefix="ledgerd-certs-")
        subprocess.run(["bash", os.path.join(SOURCE_DIR, "tools/ledgerd/make_test_certs.sh"),
                        _certs_dir] + PRINCIPALS, check=True, stdout=subprocess.DEVNULL)
        # A certificate of the same CA whose subject has no CN: 401.
        d = _certs_dir
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-out", f"{d}/nocn.key"], check=True,
                       stderr=subprocess.DEVNULL)
        subprocess.run(["openssl", "req", "-new", "-key", f"{d}/nocn.key", "-subj", "/O=no common name",
                        "-out", f"{d}/nocn.csr"], check=True)
        subprocess.run(["openssl", "x509", "-req", "-in", f"{d}/nocn.csr", "-CA", f"{d}/ca.pem",
                        "-CAkey", f"{d}/ca.key", "-CAcreateserial", "-days", "2",
                        "-out", f"{d}/nocn.pem"], check=True, stderr=subprocess.DEVNULL)
    return _certs_dir


def other_ca(folder, *principals):
    """Makes, in `folder`, a CA of its own (not the run's) with certificates
    of `principals`; returns folder."""
    subprocess.run(["bash", os.path.join(SOURCE_DIR, "tools/ledgerd/make_test_certs.sh"), folder]
                   + list(principals), check=True, stdout=subprocess.DEVNULL)
    return folder


def free_port():
    """A loopback TCP port nothing listens on (free when asked)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client_context(principal):
    """TLS client context trusting the test CA, presenting `principal`'s
    certificate (none when principal is None)."""
    ctx = ssl.create_default_context(cafile=os.path.join(certs(), "ca.pem"))
    if principal:
        ctx.load_cert_chain(os.path.join(certs(), principal + ".pem"),
                            os.path.join(certs(), principal + ".key"))
    return ctx


def ledgerctl(*args, db=None, input=None, check=False):
    cmd = [LEDGERCTL] + (["--db", db] if db else []) + list(args)
    return subprocess.run(cmd, input=input, capture_output=True, text=True, check=check,
                          timeout=120)


def generate(contracts, days, seed=1, actor=False):
    """A rule-abiding JSON Lines workload (ledgerctl generate), as lines: every
    event of a contract, without the ledger-wide monthly closes and approval
    policy (the tests split the lines by contract among concurrent clients;
    an approval needs a second principal). Without `actor`
    (unless asked), since ledgerd fills in the authenticated principal and
    refuses another."""
    out = ledgerctl("generate", "--contracts", str(contracts), "--days", str(days), "--seed",
                    str(seed), "--no-period-closes", "--no-approvals", check=True).stdout
    lines = [line for line in out.splitlines() if line.strip()]
    return lines if actor else [without_actor(line) for line in lines]


def without_actor(line):
    event = json.loads(line)
    del event["actor"]
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


def served_routes():
    """(METHOD, PATTERN) of every route the server serves, from its own table."""
    out = subprocess.run([LEDGERD, "--print-routes"], capture_output=True, text=True, check=True)
    return [tuple(line.split()[:2]) for line in out.stdout.splitlines()]


def read_until_closed(sock, timeout):
    """Every byte the server sends on `sock` until it closes the connection
    (a reset or the TLS connection's end counts as closed); socket.timeout
    when `timeout` seconds pass without a byte."""
    sock.settimeout(timeout)
    out = b""
    while True:
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
            return out
        if not data:
            return out
        out += data


def http_statuses(answer):
    """The status codes of the HTTP/1.1 responses in `answer`, in order."""
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)]


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def error(self):
        return self.json()["error"]


class Ledgerd:
    """One ledgerd process over a ledger in its own temporary folder."""

    def __init__(self, args=(), policy=POLICY, prepare=None, log_json=False, tokens=None):
        self.dir = tempfile.mkdtemp(prefix="ledgerd-")
        self.db = os.path.join(self.dir, "db")
        self.policy_path = os.path.join(self.dir, "policy")
        self.tokens_path = os.path.join(self.dir, "tokens")
        if tokens is not None:
            with open(self.tokens_path, "w") as f:
                f.write(tokens)
            args = ["--tokens", self.tokens_path] + list(args)
        self.args = list(args)
        self.log_json = log_json
        self.proc = None
        with open(self.policy_path, "w") as f:
            f.write(policy)
        ledgerctl("init", db=self.db, check=True)
        if prepare:
            prepare(self)
        self.start()

    def command(self):
        c = certs()
        return [LEDGERD, "--db", self.db, "--listen", "127.0.0.1:0", "--port-file", self.port_file,
                "--tls-cert", f"{c}/server.pem", "--tls-key", f"{c}/server.key",
                "--client-ca", f"{c}/ca.pem", "--policy", self.policy_path,
                "--log-format", "json" if self.log_json else "text"] + self.args

    def start(self):
        self.port_file = os.path.join(self.dir, "port")
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        self.log_path = os.path.join(self.dir, "ledgerd.log")
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"ledgerd exited {self.proc.returncode}: {self.log()}")
            if os.path.exists(self.port_file):
                with open(self.port_file) as f:
                    text = f.read()
                if text.endswith("\n"):
                    self.port = int(text)
                    return
            time.sleep(0.02)
        raise AssertionError("ledgerd did not start: " + self.log())

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def request(self, method, path, principal="allroles", body=None, headers=None,
                content_type="application/x-ndjson", token=None, context=None):
        """One request with `principal`'s certificate (None: no certificate),
        or a service token, or a TLS context of the caller's own."""
        if token is not None:
            principal = None
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S,
                                           context=context or client_context(principal))
        try:
            h = dict(headers or {})
            if token is not None:
                h["Authorization"] = "Bearer " + token
            if body is not None:
                h.setdefault("Content-Type", content_type)
                if isinstance(body, str):
                    body = body.encode()
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return Response(r.status, dict(r.getheaders()), r.read())
        finally:
            conn.close()

    def post_events(self, lines, principal="allroles", query=""):
        return self.request("POST", "/v1/events" + query, principal, "\n".join(lines) + "\n")

    def head_seq(self):
        return self.request("GET", "/readyz").json()["head_seq"]

    def tls_socket(self, principal="allroles", source_ip=None):
        """A raw TLS connection (handshake done)."""
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10,
                                       source_address=(source_ip, 0) if source_ip else None)
        return client_context(principal).wrap_socket(raw, server_hostname="127.0.0.1")

    def curl(self, *args, principal="allroles"):
        c = certs()
        cmd = ["curl", "-sS", "--cacert", f"{c}/ca.pem", "--cert", f"{c}/{principal}.pem", "--key",
               f"{c}/{principal}.key", "-w", "\n%{http_code}"] + list(args)
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        body, _, code = out.stdout.rpartition("\n")
        return int(code or 0), body

    def url(self, path):
        return f"https://127.0.0.1:{self.port}{path}"

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Signals ledgerd and returns its exit code."""
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self.proc = None
        return code

    def close(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


class ServedTestCase(unittest.TestCase):
    """Test cases that share one ledgerd of the default settings."""

    @classmethod
    def setUpClass(cls):
        cls.server = Ledgerd()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
