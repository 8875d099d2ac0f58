"""ledgerd after a real write I/O error: the ledger's folder on a small
tmpfs that is then filled up, so the write of an append fails with ENOSPC.
The failed request is 503 with the error body, later writes are 503 until
ledgerd is restarted (even once there is room again), each saying so, reads are served
with the access log off and withheld (503 access_log_failed: their records
cannot be written) with it on, and nothing of the failed batch is written. Needs root to mount the
tmpfs; skipped, saying so, where it cannot be mounted."""

import errno
import json
import os
import subprocess
import tempfile
import unittest

from ledgerd_harness import Ledgerd, generate, ledgerctl

TMPFS_BYTES = 32 << 20  # room for the ledger's first files, not for RocksDB's WAL preallocation
BATCH_EVENTS = 40


def mount_tmpfs(path, size_bytes):
    """None when mounted, else why it cannot be."""
    if os.geteuid() != 0:
        return "mounting a size-limited tmpfs needs root"
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", path],
                       capture_output=True, text=True)
    return None if r.returncode == 0 else "mount -t tmpfs failed: " + r.stderr.strip()


def fill(path):
    """Writes `path` until the file system has no room left."""
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 20, 4096, 1):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise


class IoErrorTest(unittest.TestCase):
    def setUp(self):
        self.mount = tempfile.mkdtemp(prefix="ledgerd-tmpfs-")
        why = mount_tmpfs(self.mount, TMPFS_BYTES)
        if why:
            os.rmdir(self.mount)
            self.skipTest(why)
        self.lines = generate(4, 60)
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.close()
        subprocess.run(["umount", self.mount], check=True)
        os.rmdir(self.mount)

    def on_tmpfs(self, server):
        server.db = os.path.join(self.mount, "db")
        ledgerctl("init", db=server.db, check=True)

    def ids(self, lines):
        return [json.loads(l)["event_id"] for l in lines]

    def test_a_failed_write_is_503_until_reopened_reads_served_nothing_partial(self):
        self.fail_a_write(access_log=False)

    def test_with_the_access_log_reads_it_cannot_record_are_withheld(self):
        self.fail_a_write(access_log=True)

    def fail_a_write(self, access_log):
        args = [] if access_log else ["--access-log", "off"]
        s = self.server = Ledgerd(args=args, prepare=self.on_tmpfs)
        first = self.lines[:BATCH_EVENTS]
        self.assertEqual(s.post_events(first).status, 200)
        filler = os.path.join(self.mount, "filler")
        fill(filler)
        # Batches until one fails: each one acknowledged before it is kept.
        acknowledged, failed, r = list(first), None, None
        for at in range(BATCH_EVENTS, len(self.lines), BATCH_EVENTS):
            batch = self.lines[at:at + BATCH_EVENTS]
            r = s.post_events(batch)
            if r.status != 200:
                failed = batch
                break
            acknowledged += batch
        self.assertIsNotNone(failed, "no append failed on a full file system")
        self.assertEqual((r.status, r.error()["code"]), (503, "io_error"), r.body)
        # The write's error, then what it means for this server's clients.
        self.assertIn("no space left on device", r.error()["message"])
        self.assertTrue(r.error()["message"].endswith(
            "; writes are refused after a failed write, until ledgerd is restarted"), r.body)
        self.assertNotIn("reopen", r.error()["message"])
        self.assertIsNone(r.error()["line"], "an I/O error is about no event of the body")

        # Reads are served, unless the access log cannot record them; writes
        # are refused until ledgerd is restarted, even once there is room
        # again. A refusal is sent as it is: it shows nothing.
        head = len(acknowledged)
        one = s.request("GET", "/v1/events/1", "reader")
        listed = s.request("GET", "/v1/events", "reader")
        if access_log:
            for r in (one, listed):
                self.assertEqual((r.status, r.error()["code"]), (503, "access_log_failed"), r.body)
        else:
            self.assertEqual(one.status, 200)
            self.assertEqual((listed.status, len(listed.body.splitlines())), (200, head))
        ready = s.request("GET", "/readyz")
        self.assertEqual((ready.status, ready.error()["code"]), (503, "unavailable"), ready.body)
        self.assertEqual(ready.error()["message"],
                         "writes are refused after a failed write, until ledgerd is restarted")
        os.remove(filler)
        again = s.post_events(failed)
        self.assertEqual((again.status, again.error()["code"]), (503, "io_error"), again.body)
        self.assertEqual(again.error()["message"],
                         "writes are refused after a failed write, until ledgerd is restarted "
                         "(reads are still served; nothing acknowledged was lost)")
        self.assertEqual(s.request("GET", f"/v1/events/{head + 1}", "reader").status, 404)

        # Reopened: everything acknowledged is there, nothing of the failed
        # batch, the ledger verifies, and the batch can be sent again.
        s.stop()
        self.assertEqual(ledgerctl("verify", db=s.db).returncode, 0)
        stored = [json.loads(l)["event_id"]
                  for l in ledgerctl("log", "--json", db=s.db, check=True).stdout.splitlines()]
        self.assertEqual(stored, self.ids(acknowledged))
        s.start()
        r = s.post_events(failed)
        self.assertEqual((r.status, r.json()["appended"]), (200, len(failed)), r.body)
        self.assertEqual(r.json()["first_seq"], head + 1)


if __name__ == "__main__":
    unittest.main()
