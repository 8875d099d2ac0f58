"""ledgerd's life cycle: policy reload on SIGHUP, SIGTERM with a request in
flight, the JSON log, --config, and ledgerctl beside a running server."""

import errno
import hashlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import unittest

from ledgerd_harness import POLICY, Ledgerd, generate, ledgerctl

STARTS_SIGNALLED = 10


class OpsTest(unittest.TestCase):
    def setUp(self):
        self.lines = generate(3, 30)
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.close()

    def wait_for_log(self, text, timeout_s=5):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if text in self.server.log():
                return
            time.sleep(0.02)
        self.fail(f"{text!r} not logged: {self.server.log()}")

    def test_sighup_reloads_the_policy_and_a_bad_file_keeps_the_old_one(self):
        s = self.server = Ledgerd()
        self.assertEqual(s.request("GET", "/v1/events", "nobody").status, 403)
        with open(s.policy_path, "w") as f:
            f.write(POLICY + "nobody reader\n")
        s.proc.send_signal(signal.SIGHUP)
        self.wait_for_log("policy reloaded")
        self.assertEqual(s.request("GET", "/v1/events", "nobody").status, 200)
        with open(s.policy_path, "w") as f:
            f.write("nobody reader,root\n")
        s.proc.send_signal(signal.SIGHUP)
        self.wait_for_log("policy not reloaded, the old one stays")
        self.assertIn("line 1: field 2: unknown role 'root'", s.log())
        self.assertEqual(s.request("GET", "/v1/events", "nobody").status, 200)
        self.assertEqual(s.request("GET", "/v1/events", "writer").status, 403)
        r = s.request("POST", "/v1/admin/reload", "admin")
        self.assertEqual((r.status, r.error()["code"]), (400, "invalid_argument"))
        # The server's log says why, as for a SIGHUP (it said nothing).
        self.wait_for_log("policy not reloaded, the old one stays (POST /v1/admin/reload by "
                          "admin): ")
        # A policy that grants nothing (emptied, truncated, only comments)
        # would lock everyone out: refused like a bad file, the old one stays.
        for text in ("", "# nobody\n\n   # at all\n"):
            with open(s.policy_path, "w") as f:
                f.write(text)
            before = s.log().count("policy not reloaded")
            s.proc.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 5
            while s.log().count("policy not reloaded") == before and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertIn(f"policy: {s.policy_path}: grants nothing: the file is empty or holds "
                          "only comments", s.log().splitlines()[-1])
            self.assertEqual(s.request("GET", "/v1/events", "nobody").status, 200)

    def test_a_policy_that_grants_nothing_stops_the_start_and_an_empty_tokens_file_does_not(self):
        for text in ("", "# only a comment\n"):
            with self.subTest(policy=text):
                s = self.server = Ledgerd()
                s.stop()
                with open(s.policy_path, "w") as f:
                    f.write(text)
                os.remove(s.port_file)
                r = subprocess.run(s.command(), capture_output=True, text=True, timeout=10)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(f"ledgerd: policy: {s.policy_path}: grants nothing", r.stderr)
                self.assertFalse(os.path.exists(s.port_file))
                s.close()
        # No token is a tokens file's legitimate state (every one revoked):
        # Bearer tokens are then refused, certificates still work.
        s = self.server = Ledgerd(tokens="# every token revoked\n")
        self.assertEqual(s.request("GET", "/healthz", token="f" * 64).status, 401)
        self.assertEqual(s.request("GET", "/v1/events", "reader").status, 200)

    def test_a_policy_and_tokens_file_starting_with_a_byte_order_mark_are_read(self):
        # Windows editors may begin a UTF-8 file with EF BB BF; the first
        # line is still a comment, the grants after it in force.
        token = "b" * 64
        digest = hashlib.sha256(token.encode()).hexdigest()
        files = {"policy": POLICY + "billing reader\n",
                 "tokens": f"# service tokens\nbilling sha256:{digest}\n"}

        def with_marks(s):
            for path, text in ((s.policy_path, files["policy"]), (s.tokens_path, files["tokens"])):
                with open(path, "wb") as f:
                    f.write(b"\xef\xbb\xbf" + text.encode())

        s = self.server = Ledgerd(tokens="", prepare=with_marks)
        self.assertEqual(s.request("GET", "/v1/events", "reader").status, 200)
        self.assertEqual(s.request("GET", "/v1/events", token=token).status, 200)

    def test_a_sigterm_as_soon_as_the_port_file_is_written_is_a_clean_stop(self):
        # A supervisor may signal as soon as the port is published: by then
        # SIGTERM is the server's to handle (drain, checkpoint, exit 0), not
        # the default action's.
        s = self.server = Ledgerd()
        s.stop()
        for _ in range(STARTS_SIGNALLED):
            os.remove(s.port_file)
            s.proc = subprocess.Popen(s.command(), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 20
            while not os.path.exists(s.port_file) and time.monotonic() < deadline:
                time.sleep(0.0005)
            self.assertEqual(s.stop(signal.SIGTERM), 0)

    def test_sigterm_finishes_the_request_in_flight_then_exits_zero(self):
        s = self.server = Ledgerd(["--limit-shutdown-drain-ms", "20000"])
        idle = s.tls_socket("reader")
        body = ("\n".join(self.lines) + "\n").encode()
        sock = s.tls_socket("writer")
        # Half the request: the server is reading it when SIGTERM comes.
        sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/x-ndjson\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:len(body) // 2])
        time.sleep(0.3)
        s.proc.send_signal(signal.SIGTERM)
        self.wait_for_log("shutting down")
        idle.settimeout(5)
        self.assertEqual(idle.recv(100), b"", "an idle connection is closed at once")
        time.sleep(0.3)
        self.assertIsNone(s.proc.poll(), "ledgerd waits for the request in flight")
        sock.sendall(body[len(body) // 2:])
        sock.settimeout(10)
        response = b""
        while b"}" not in response:
            chunk = sock.recv(4096)
            self.assertTrue(chunk, response)
            response += chunk
        self.assertIn(b"HTTP/1.1 200 OK", response)
        self.assertIn(b"Connection: close", response)
        self.assertIn(f'"appended":{len(self.lines)}'.encode(), response)
        self.assertEqual(s.proc.wait(timeout=30), 0, s.log())
        s.proc = None
        idle.close()
        sock.close()
        self.assertIn("stopped", s.log())
        # Everything acknowledged is there, the ledger verifies, and the
        # checkpoint of the shutdown covers it.
        self.assertEqual(ledgerctl("verify", db=s.db).returncode, 0)
        head = json.loads(ledgerctl("log", "--json", db=s.db, check=True).stdout.splitlines()[-1])
        self.assertEqual(head["seq"], len(self.lines))
        checkpoints = os.listdir(s.db + ".checkpoints")
        self.assertIn(f"checkpoint-{len(self.lines):020d}.txt", checkpoints)

    def test_a_request_stalled_past_the_drain_time_is_cut_and_the_exit_is_clean(self):
        s = self.server = Ledgerd(["--limit-shutdown-drain-ms", "300"])
        sock = s.tls_socket("writer")
        sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n{")
        time.sleep(0.2)
        head = s.head_seq()
        start = time.monotonic()
        self.assertEqual(s.stop(signal.SIGTERM), 0, s.log())
        self.assertLess(time.monotonic() - start, 5)
        self.assertIn("still open after the drain time", s.log())
        self.assertEqual(ledgerctl("verify", db=s.db).returncode, 0)
        self.assertEqual(len(ledgerctl("log", "--json", db=s.db).stdout.splitlines()), head)
        sock.close()

    def test_sigterm_while_connections_are_accepted_exits_zero(self):
        # The shutdown closes the acceptor while accepts complete on the
        # other I/O thread; a ThreadSanitizer build exits 66 on a race
        # between the two (ledgerd's own exit code is 0 either way).
        s = self.server = Ledgerd()
        stop = threading.Event()

        def connect():
            while not stop.is_set():
                try:
                    socket.create_connection(("127.0.0.1", s.port), timeout=1).close()
                except OSError:
                    pass  # refused once the acceptor is closed

        threads = [threading.Thread(target=connect) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        try:
            self.assertEqual(s.stop(signal.SIGTERM), 0, s.log())
        finally:
            stop.set()
            for t in threads:
                t.join(10)

    def test_reads_still_on_the_workers_after_the_drain_time_leave_a_clean_exit(self):
        # Six large reads (two workers: four wait in their queue) when
        # SIGTERM comes with no drain time: their answers and access records
        # arrive after the connections were cut, and the sessions holding
        # them must all be gone before the server's own state is; a session
        # released later touched freed memory and the exit was an abort.
        lines = generate(20, 200, actor=True)

        def prepare(server):
            ledgerctl("import", "-", db=server.db, input="\n".join(lines) + "\n", check=True)

        s = self.server = Ledgerd(["--limit-shutdown-drain-ms", "0", "--workers", "2"],
                                  prepare=prepare)
        socks = [s.tls_socket("reader") for _ in range(6)]
        for sock in socks:
            sock.sendall(b"GET /v1/events?limit=10000 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.05)
        self.assertEqual(s.stop(signal.SIGTERM), 0, s.log())
        self.assertIn("still open after the drain time", s.log())
        self.assertIn("stopped", s.log())
        for sock in socks:
            sock.close()
        self.assertEqual(ledgerctl("verify", db=s.db).returncode, 0)

    def test_ledgerctl_writes_are_refused_naming_the_server_and_reads_work(self):
        s = self.server = Ledgerd()
        self.assertEqual(s.post_events(self.lines[:5]).status, 200)
        r = ledgerctl("append", "--json", json.dumps(dict(json.loads(self.lines[5]), actor="x")),
                      db=s.db)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("ledgerd", r.stderr)
        self.assertIn("in use by another process", r.stderr)
        self.assertIn("write through that server (ledgerctl --server URL", r.stderr)
        self.assertNotIn("try again", r.stderr)
        log = ledgerctl("log", "--json", db=s.db)
        self.assertEqual((log.returncode, len(log.stdout.splitlines())), (0, 5))
        self.assertEqual(ledgerctl("verify", db=s.db).returncode, 0)
        # A backup is a read: it is taken while the server holds the ledger,
        # every time, and restores.
        for i in range(3):
            r = ledgerctl("backup", os.path.join(s.dir, "bk"), db=s.db)
            self.assertEqual(r.returncode, 0, r.stderr)
        restored = os.path.join(s.dir, "restored")
        r = ledgerctl("restore", os.path.join(s.dir, "bk"), db=restored)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("5 events", r.stdout)

    def test_json_log_has_one_object_per_line_and_no_body(self):
        s = self.server = Ledgerd(log_json=True)
        secret = "do-not-log-this-reason"
        booking = json.loads(next(l for l in self.lines if '"HoursBooked"' in l))
        booking["note"] = secret
        s.post_events([json.dumps(booking)])
        s.request("GET", "/v1/events?limit=1", "reader")
        s.stop()
        entries = [json.loads(line) for line in s.log().splitlines()]
        requests = [e for e in entries if "status" in e]
        self.assertEqual([(e["method"], e["route"], e["principal"]) for e in requests],
                         [("POST", "/v1/events", "allroles"), ("GET", "/v1/events", "reader")])
        self.assertNotIn(secret, s.log())
        self.assertTrue(all("time" in e and "level" in e and "msg" in e for e in entries))

    def test_a_closed_stderr_never_lends_its_number_to_a_ledger_file(self):
        # Started with stderr closed (a careless supervisor), ledgerd opens the
        # ledger's files and its sockets: none may take descriptor 2, or every
        # log line would be written into it (the WAL, say).
        s = self.server = Ledgerd()
        s.stop()
        os.remove(s.port_file)
        s.proc = subprocess.Popen(s.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  preexec_fn=lambda: os.close(2))
        deadline = time.monotonic() + 30
        while not (os.path.exists(s.port_file) and open(s.port_file).read().endswith("\n")):
            self.assertIsNone(s.proc.poll(), "ledgerd exited")
            self.assertLess(time.monotonic(), deadline, "ledgerd did not start")
            time.sleep(0.02)
        s.port = int(open(s.port_file).read())
        # Descriptor 2 is held by /dev/null, not by whatever ledgerd opened
        # first (without the guard: an eventfd of Asio's, or a ledger file).
        self.assertEqual(os.readlink(f"/proc/{s.proc.pid}/fd/2"), "/dev/null")
        self.assertEqual(s.request("GET", "/v1/no-such-route").status, 404)
        self.assertEqual(s.post_events(self.lines).status, 200)
        self.assertEqual(s.stop(), 0)
        # The text log's lines (start-up, requests) are nowhere in the ledger.
        for root, _, files in os.walk(s.db):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                for text in (b"ledgerd [info]", b"listening on 127.0.0.1"):
                    self.assertNotIn(text, data, name)
        self.assertEqual(ledgerctl("verify", db=s.db).returncode, 0)

    def test_a_checkpoint_folder_it_cannot_write_stops_it_at_start_and_fails_its_stop(self):
        # Writes the folder could not cover were acknowledged, and the stop
        # that could not publish their checkpoint exited 0. Root writes
        # through permission bits: a read-only bind mount stands in.
        if os.geteuid() != 0:
            self.skipTest("needs root to mount a read-only view of the folder")
        s = self.server = Ledgerd()
        folder = s.db + ".checkpoints"
        os.makedirs(folder, exist_ok=True)
        subprocess.run(["mount", "--bind", folder, folder], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", folder], check=True)
            self.assertEqual(s.post_events(self.lines).status, 200)
            self.assertEqual(s.stop(), 4, s.log())
            self.assertIn("stopped, but the ledger's checkpoint was not published", s.log())
            r = subprocess.run(s.command(), capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 4, r.stderr)
            self.assertIn(f"{folder}: {os.strerror(errno.EROFS)}", r.stderr)
            self.assertIn("(not serving it)", r.stderr)
        finally:
            subprocess.run(["umount", "-l", folder], check=False)
        s.start()
        self.assertEqual(s.stop(), 0, s.log())
        self.assertEqual(ledgerctl("verify", db=s.db).returncode, 0)

    def test_the_port_file_is_never_a_ledger_file_nor_a_file_it_did_not_write(self):
        s = self.server = Ledgerd()
        self.assertEqual(s.post_events(self.lines).status, 200)
        self.assertEqual(s.stop(), 0, s.log())
        folder = s.db + ".checkpoints"
        checkpoint = sorted(n for n in os.listdir(folder) if n.startswith("checkpoint-"))[-1]
        notes = os.path.join(s.dir, "notes.txt")
        with open(notes, "w") as f:
            f.write("keep me\n")

        def snapshot():
            out = {}
            for d in (s.db, folder):
                for n in os.listdir(d):
                    if n != "LOCK" and not n.startswith("LOG") and os.path.isfile(os.path.join(d, n)):
                        with open(os.path.join(d, n), "rb") as f:
                            out[os.path.join(d, n)] = f.read()
            with open(notes, "rb") as f:
                out[notes] = f.read()
            return out

        before = snapshot()
        cmd = s.command()
        at = cmd.index("--port-file") + 1
        for path, said in [(os.path.join(s.db, "CURRENT"), "which the ledger owns"),
                           (os.path.join(s.db, "port"), "which the ledger owns"),
                           (os.path.join(folder, checkpoint), "which the ledger owns"),
                           (os.path.join(folder, "log.key"), "which the ledger owns"),
                           (os.path.join(s.dir, "db", ".", "CURRENT"), "which the ledger owns"),
                           (notes, "exists and is not a port file")]:
            bad = list(cmd)
            bad[at] = path
            r = subprocess.run(bad, capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1, (path, r.stderr))
            self.assertIn(f"--port-file", r.stderr)
            self.assertIn(said, r.stderr)
        self.assertEqual(snapshot(), before)
        self.assertFalse(os.path.exists(os.path.join(s.db, "port")))
        # A previous run's port file is replaced (atomically) by this run's.
        previous = os.path.join(s.dir, "previous-port")
        with open(previous, "w") as f:
            f.write("1\n")
        good = list(cmd)
        good[at] = previous
        proc = subprocess.Popen(good, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 20
            text = "1\n"
            while text == "1\n" and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.02)
                with open(previous) as f:
                    text = f.read()
            self.assertTrue(text.endswith("\n") and int(text) > 1, text)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=30)
        self.assertEqual(ledgerctl("verify", db=s.db).returncode, 0)

    def test_config_file_and_bad_settings(self):
        s = self.server = Ledgerd()
        s.stop()
        cmd = s.command()
        conf = os.path.join(s.dir, "ledgerd.conf")
        with open(conf, "w") as f:
            for i in range(1, len(cmd), 2):
                f.write(f"{cmd[i][2:]} = {cmd[i + 1]}\n")
        s.command = lambda: [cmd[0], "--config", conf]
        s.start()
        self.assertEqual(s.request("GET", "/healthz").status, 200)
        s.stop()
        listen = cmd.index("--listen") + 1
        for option, value, code in [("--listen", "localhost:1", 1), ("--listen", "127.0.0.1:99999", 1),
                                    ("--log-format", "xml", 2), ("--limit-body-bytes", "-5", 2),
                                    ("--workers", "0", 2), ("--policy", "/nonexistent", 1),
                                    ("--checkpoints", os.path.join(s.db, "x"), 1)]:
            bad = list(cmd)
            if option in bad:
                bad[bad.index(option) + 1] = value
            else:
                bad += [option, value]
            r = subprocess.run(bad, capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, code, (option, value, r.stderr))
        self.assertEqual(cmd[listen], "127.0.0.1:0")
        # A key that belongs to another certificate is named as such.
        bad = list(cmd)
        key = bad.index("--tls-key") + 1
        bad[key] = os.path.join(os.path.dirname(bad[key]), "reader.key")
        r = subprocess.run(bad, capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"--tls-key {bad[key]}: not the key of the certificate in --tls-cert", r.stderr)
        # A PEM file that is not there, or a folder, is named with what is
        # wrong with it (it was "asio.ssl error" and "no start line").
        for option in ("--tls-key", "--tls-cert", "--client-ca"):
            for value, said in [(os.path.join(s.dir, "missing.pem"), "No such file or directory"),
                                (s.dir, "is a folder, not a PEM file")]:
                bad = list(cmd)
                bad[bad.index(option) + 1] = value
                r = subprocess.run(bad, capture_output=True, text=True, timeout=30)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(f"{option} {value}: ", r.stderr)
                self.assertIn(said, r.stderr)
        # A file of the other kind (a key for a certificate, or no PEM at
        # all) says so, never OpenSSL's bare "no start line".
        c = os.path.dirname(cmd[cmd.index("--tls-cert") + 1])
        no_cert = ": no PEM certificate in it (BEGIN CERTIFICATE)"
        for option, value, said in [
                ("--tls-cert", f"{c}/server.key", no_cert + "; is it the key?"),
                ("--tls-key", f"{c}/server.pem",
                 ": no PEM private key in it (BEGIN PRIVATE KEY); is it the certificate?"),
                ("--client-ca", f"{c}/ca.key", no_cert + "; is it a key?"),
                ("--client-ca", s.policy_path, no_cert + "\n")]:
            bad = list(cmd)
            bad[bad.index(option) + 1] = value
            r = subprocess.run(bad, capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1, (option, value, r.stderr))
            self.assertIn(f"{option} {value}{said}", r.stderr)
            self.assertNotIn("no start line", r.stderr)
        # A key protected by a passphrase: refused, saying so, with no prompt
        # on a terminal (there is none for a server, and stdin is closed here).
        encrypted = os.path.join(s.dir, "encrypted.key")
        subprocess.run(["openssl", "pkey", "-in", f"{c}/server.key", "-aes256", "-passout",
                        "pass:secret", "-out", encrypted], check=True, timeout=30)
        bad = list(cmd)
        bad[bad.index("--tls-key") + 1] = encrypted
        r = subprocess.run(bad, capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"--tls-key {encrypted}: the private key is encrypted (protected by a "
                      "passphrase), and no passphrase is asked for", r.stderr)
        self.assertNotIn("pass phrase", r.stderr + r.stdout)
        # An empty value (an unset variable in a unit file) is refused, never
        # a setting turned off: `--digest-key ''` served unsigned digests.
        for option in ("--digest-key", "--tokens", "--log-level"):
            r = subprocess.run(cmd + [option, ""], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2, (option, r.stderr))
            self.assertIn(f"{option}: empty; leave the option out instead", r.stderr)
        # An option given twice in one source is refused, naming it (a
        # number's last value won without a word); the command line wins
        # over the config file, deliberately.
        for option, values in [("--limit-body-bytes", ("1000", "2000")), ("--workers", ("2", "2")),
                               ("--listen", ("127.0.0.1:0", "127.0.0.1:0"))]:
            # Exits at once; a server that took the last value would serve
            # until the timeout.
            r = subprocess.run(cmd + [option, values[0], option, values[1]], capture_output=True,
                               text=True, timeout=10)
            self.assertEqual(r.returncode, 2, (option, r.stderr))
            self.assertIn(f"option '{option}' cannot be specified more than once", r.stderr)
            with open(conf, "w") as f:
                f.write(f"{option[2:]} = {values[0]}\n{option[2:]} = {values[1]}\n")
            bare = [c for i, c in enumerate(cmd) if c != option and cmd[i - 1] != option]
            r = subprocess.run(bare + ["--config", conf], capture_output=True, text=True,
                               timeout=10)
            self.assertEqual(r.returncode, 2, (option, r.stderr))
            self.assertIn(f"option '{option[2:]}' cannot be specified more than once", r.stderr)
        with open(conf, "w") as f:
            f.write("limit-body-bytes = 100000\nlimit-header-bytes = 3000\n")
        s.command = lambda: cmd + ["--limit-body-bytes", "2000", "--config", conf]
        s.start()
        self.assertEqual(s.request("POST", "/v1/events", "writer", body="x" * 3000).status, 413)
        self.assertEqual(s.request("GET", "/healthz", headers={"X-Big": "y" * 3500}).status, 431)
        s.stop()
        # A config file holds settings: a meta option in one is unrecognised,
        # and a folder or an endless file is no config file.
        for text in ("help = 1\n", "print-routes = 1\n", "config = other.conf\n", "digest-key =\n"):
            with open(conf, "w") as f:
                f.write(text)
            r = subprocess.run(cmd + ["--config", conf], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2, (text, r.stderr))
        for path in (s.dir, "/dev/zero"):
            r = subprocess.run(cmd + ["--config", path], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2, (path, r.stderr))
            self.assertIn("--config: ", r.stderr)


if __name__ == "__main__":
    unittest.main()
