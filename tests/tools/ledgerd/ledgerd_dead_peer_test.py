"""A feed subscriber whose machine vanishes without closing its connection (no
FIN, no reset) loses its subscriber slot once the data sent to it stays
unacknowledged for --limit-feed-write-ms (the feed socket's TCP_USER_TIMEOUT),
not after the kernel's many minutes of retransmissions.

The vanishing is made by dropping every loopback packet inside a network
namespace of the test's own (`unshare -n`, then iptables), so nothing outside
it is touched: the test runs itself again in that namespace. Where it may not
make one (not root, no unshare or iptables, a container that forbids it) it is
skipped with exit code 77, which CTest reports as skipped."""

import os
import re
import shutil
import subprocess
import sys
import time
import unittest

SKIP = 77
INNER = "CCL_DEAD_PEER_INNER"
HEARTBEAT_MS = 500
UNACKED_MS = 2000  # --limit-feed-write-ms
# Packets dropped this long: the heartbeats then stay unacknowledged for
# several times UNACKED_MS. The kernel's own retransmissions would go on
# for about 15 minutes (net.ipv4.tcp_retries2).
DROPPED_S = 8
SETTLE_S = 10


def drop_loopback(on):
    subprocess.run(["iptables", "-A" if on else "-D", "INPUT", "-i", "lo", "-j", "DROP"],
                   check=True, capture_output=True, timeout=30)


def subscribers(server):
    text = server.request("GET", "/metrics", "admin").body.decode()
    return int(re.search(r"^ledgerd_feed_subscribers (\d+)", text, re.M).group(1))


class DeadPeerTest(unittest.TestCase):
    def test_a_vanished_subscriber_loses_its_slot_after_the_write_limit(self):
        from ledgerd_harness import Ledgerd
        server = Ledgerd(args=["--feed-heartbeat-ms", str(HEARTBEAT_MS),
                               "--limit-feed-write-ms", str(UNACKED_MS)])
        dropping = False
        try:
            sock = server.tls_socket("reader")
            sock.sendall(b"GET /v1/feed HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertIn(b" 200 ", sock.recv(4096))
            self.assertEqual(subscribers(server), 1)
            drop_loopback(True)
            dropping = True
            time.sleep(DROPPED_S)
            drop_loopback(False)
            dropping = False
            # Without the limit the connection would now carry on where it
            # stopped, and the slot stay taken.
            deadline = time.monotonic() + SETTLE_S
            while subscribers(server) != 0 and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertEqual(subscribers(server), 0, server.log())
            self.assertIn("the client went away", server.log())
            sock.close()
        finally:
            if dropping:
                drop_loopback(False)
            server.close()


def main():
    if os.environ.get(INNER):
        # In the namespace: its loopback starts down.
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=30)
        unittest.main()
        return
    if os.geteuid() != 0 or not all(shutil.which(t) for t in ("unshare", "iptables", "ip")):
        print("skipped: needs root, unshare, iptables and ip (tools/setup.sh installs them)")
        sys.exit(SKIP)
    probe = subprocess.run(["unshare", "-n", "iptables", "-L", "INPUT", "-n"],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        print("skipped: no network namespace with iptables here: " + probe.stderr.strip())
        sys.exit(SKIP)
    env = dict(os.environ, **{INNER: "1"})
    sys.exit(subprocess.run(["unshare", "-n", sys.executable] + sys.argv, env=env).returncode)


if __name__ == "__main__":
    main()
