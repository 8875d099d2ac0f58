"""SIGKILL under load: client threads append single events and batches to a
real ledgerd over TLS, noting each batch's ids before sending and after its
2xx; ledgerd is killed at a random moment and restarted. Every acknowledged
id must be there, every batch whole or absent, seq gap-free, and `ledgerctl
verify` OK. CCL_LEDGERD_CRASH_KILLS sets the count (CI: 10; long mode: 500),
CCL_LEDGERD_CRASH_SEED repeats a run."""

import collections
import http.client
import json
import os
import random
import re
import signal
import threading
import time
import unittest
import uuid

from ledgerd_harness import Ledgerd, client_context, generate, ledgerctl

KILLS = int(os.environ.get("CCL_LEDGERD_CRASH_KILLS", "10"))
SEED = int(os.environ.get("CCL_LEDGERD_CRASH_SEED", str(random.randrange(1 << 30))))
THREADS = 4
BATCH_EVENTS_MAX = 8
RUN_SECONDS_MIN, RUN_SECONDS_MAX = 0.2, 1.2


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def in_epoch(body, epoch):
    """The workload again as new contracts: epoch N renames every contract
    and event id (references included), so a long run never runs out."""
    if epoch == 0:
        return body
    text = body.decode()
    text = UUID.sub(lambda m: str(uuid.uuid5(uuid.NAMESPACE_OID, f"{epoch}/{m.group(0)}")), text)
    text = text.replace('"contract":"', f'"contract":"E{epoch}-')
    return text.encode()


class Writer(threading.Thread):
    """Sends its batches in order over one keep-alive connection, from the
    first one not acknowledged, until the connection fails. Batch g is
    template g % len in epoch g // len."""

    def __init__(self, server, batches, start_at, journal):
        super().__init__()
        self.server, self.batches, self.next = server, batches, start_at
        self.journal, self.failure = journal, None

    def run(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, timeout=30,
                                           context=client_context("writer"))
        try:
            while True:
                epoch, at = divmod(self.next, len(self.batches))
                body = in_epoch(self.batches[at][1], epoch)
                ids = [json.loads(l)["event_id"] for l in body.splitlines()]
                self.journal.note("sent", self.next, ids)
                conn.request("POST", "/v1/events", body=body,
                             headers={"Content-Type": "application/x-ndjson"})
                r = conn.getresponse()
                text = r.read()
                if r.status != 200:
                    self.failure = f"batch {self.next}: {r.status} {text!r}"
                    return
                self.journal.note("acked", self.next, ids)
                self.next += 1
        except (OSError, http.client.HTTPException):
            return  # the server was killed
        finally:
            conn.close()


class Journal:
    """The ids sent and acknowledged, as the issue's client log has them."""

    def __init__(self, path):
        self.lock = threading.Lock()
        self.acked = set()  # since the last check
        self.sent = {}  # (writer, batch) -> ids, since the last check
        self.acked_total = 0
        self.file = open(path, "a")

    def note(self, what, batch, ids):
        key = (threading.current_thread().name, batch)
        with self.lock:
            self.file.write(f"{what} {key} {' '.join(ids)}\n")
            self.file.flush()
            if what == "sent":
                self.sent[key] = ids
            else:
                self.acked.update(ids)
                self.acked_total += len(ids)


def batches_per_writer(lines, rng):
    """Each writer gets whole contracts (their events stay in order) cut into
    batches of 1..BATCH_EVENTS_MAX events."""
    streams = collections.defaultdict(list)
    for line in lines:
        streams[json.loads(line)["contract"]].append(line)
    per_writer = [[] for _ in range(THREADS)]
    for i, contract in enumerate(sorted(streams)):
        per_writer[i % THREADS].extend(streams[contract])
    out = []
    for mine in per_writer:
        batches, at = [], 0
        while at < len(mine):
            n = rng.randint(1, BATCH_EVENTS_MAX)
            chunk = mine[at:at + n]
            body = ("\n".join(chunk) + "\n").encode()
            batches.append((None, body))
            at += n
        out.append(batches)
    return out


class CrashTest(unittest.TestCase):
    def test_kill_loop(self):
        print(f"seed {SEED}, {KILLS} kills", flush=True)
        rng = random.Random(SEED)
        writers_batches = batches_per_writer(generate(16, 365, seed=SEED % 1000 + 1), rng)
        server = Ledgerd()
        journal = Journal(os.path.join(server.dir, "journal.txt"))
        positions = [0] * THREADS
        self.present, self.checked_head, self.checked_hash = set(), 0, None
        try:
            for kill in range(KILLS):
                writers = [Writer(server, writers_batches[i], positions[i], journal)
                           for i in range(THREADS)]
                for i, w in enumerate(writers):
                    w.name = f"w{i}"
                    w.start()
                time.sleep(rng.uniform(RUN_SECONDS_MIN, RUN_SECONDS_MAX))
                server.proc.send_signal(signal.SIGKILL)
                server.proc.wait()
                server.proc = None
                for w in writers:
                    w.join()
                    self.assertIsNone(w.failure, f"seed {SEED}")
                positions = [w.next for w in writers]
                verify = ledgerctl("verify", db=server.db)
                self.assertEqual(verify.returncode, 0, f"seed {SEED} kill {kill}: {verify.stderr}")
                server.start()
                self.check(server, journal, kill)
            self.assertEqual(server.stop(), 0)
            self.assertEqual(ledgerctl("verify", db=server.db).returncode, 0)
            print(f"{KILLS} kills, {journal.acked_total} events acknowledged", flush=True)
        finally:
            journal.file.close()
            server.close()

    def check(self, server, journal, kill):
        """What this round wrote, on top of what earlier rounds proved: the
        events up to the last checked head are unchanged (its chain hash),
        seq runs on without a gap, every acknowledged id is there and every
        batch sent is whole or absent."""
        where = f"seed {SEED} kill {kill}"
        seq = self.checked_head
        if seq:
            r = server.request("GET", f"/v1/events/{seq}", "reader")
            self.assertEqual((r.status, r.json()["hash"]), (200, self.checked_hash), where)
        new_ids = set()
        while True:
            r = server.request("GET", f"/v1/events?after={seq}", "reader")
            self.assertEqual(r.status, 200)
            rows = [json.loads(l) for l in r.body.splitlines()]
            if not rows:
                break
            for row in rows:
                seq += 1
                self.assertEqual(row["seq"], seq, f"{where}: seq has a gap")
                new_ids.add(row["event_id"])
                self.checked_hash = row["hash"]
        self.checked_head = seq
        self.present |= new_ids
        self.assertFalse(journal.acked - self.present, f"{where}: acknowledged events lost")
        for key, batch_ids in journal.sent.items():
            present = sum(1 for i in batch_ids if i in self.present)
            self.assertIn(present, (0, len(batch_ids)), f"{where}: batch {key} partly written")
        journal.acked.clear()
        journal.sent.clear()


if __name__ == "__main__":
    unittest.main()
