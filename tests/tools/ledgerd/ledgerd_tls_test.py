"""ledgerd's TLS: TLS 1.2 with the listed ECDHE-ECDSA AEAD ciphers, or TLS 1.3
without CCM; older versions and other ciphers end in a handshake alert
(openssl s_client against a real server on 127.0.0.1)."""

import subprocess
import unittest

from ledgerd_harness import ServedTestCase, certs


class TlsTest(ServedTestCase):
    def s_client(self, *args):
        c = certs()
        return subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{self.server.port}",
                               "-CAfile", f"{c}/ca.pem", "-cert", f"{c}/reader.pem", "-key",
                               f"{c}/reader.key"] + list(args), input="", capture_output=True,
                              text=True, timeout=30)

    def test_versions_below_1_2_and_ciphers_outside_the_list_are_refused(self):
        ok = self.s_client("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256")
        self.assertIn("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256", ok.stdout)
        for args in [("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"),
                     ("-tls1", "-cipher", "DEFAULT@SECLEVEL=0"),
                     ("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256"),
                     ("-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA"),
                     ("-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256")]:
            r = self.s_client(*args)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn("Cipher is (NONE)", r.stdout, args)
            self.assertIn("alert", r.stderr, (args, r.stderr))


if __name__ == "__main__":
    unittest.main()
