#!/usr/bin/env python3
"""Unit tests of verify_package.py's own cryptography, against published
vectors and a naive RFC 6962 tree: Ed25519 (RFC 8032 section 7.1), Merkle
roots from a frontier, and consistency proofs; and of how it loads its
modules: from its own folder only, none missing.

Usage: python3 verify_package_test.py PATH/TO/verify_package.py
"""

import base64
import hashlib
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

VERIFIER = os.path.abspath(sys.argv.pop(1))
spec = importlib.util.spec_from_file_location("verify_package", VERIFIER)
vp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vp)
# The modules verify_package.py loaded (and registered under their names).
signatures, events, merkle, folds = (sys.modules["verify_" + name]
                                     for name in ("signatures", "events", "merkle", "folds"))

# RFC 8032 section 7.1, TEST 1..3: (public key, message, signature).
RFC8032 = [
    ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
]


def leaf(i):
    return hashlib.sha256(b"\x00" + struct.pack(">Q", i + 1) + b"event %d" % i).digest()


def mth(leaves):
    """RFC 6962 section 2.1, by its definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(mth(leaves[:k]), mth(leaves[k:]))


def subproof(m, leaves, complete):
    """RFC 6962 section 2.1.2 SUBPROOF."""
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, leaves[:k], complete) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


class Ed25519Test(unittest.TestCase):
    def test_rfc8032_vectors_verify(self):
        for key, msg, sig in RFC8032:
            self.assertTrue(signatures.ed25519_verify(bytes.fromhex(key), bytes.fromhex(msg),
                                              bytes.fromhex(sig)))

    def test_any_changed_bit_fails(self):
        for key, msg, sig in RFC8032:
            key, msg, sig = bytes.fromhex(key), bytes.fromhex(msg), bytes.fromhex(sig)
            for i in range(0, 64, 7):
                bad = bytearray(sig)
                bad[i] ^= 1 << (i % 8)
                self.assertFalse(signatures.ed25519_verify(key, msg, bytes(bad)), i)
            self.assertFalse(signatures.ed25519_verify(key, msg + b"x", sig))
            other = bytearray(key)
            other[0] ^= 1
            self.assertFalse(signatures.ed25519_verify(bytes(other), msg, sig))

    def test_non_canonical_s_is_rejected(self):
        key, msg, sig = (bytes.fromhex(x) for x in RFC8032[0])
        s = int.from_bytes(sig[32:], "little") + signatures._L
        self.assertFalse(signatures.ed25519_verify(key, msg, sig[:32] + s.to_bytes(32, "little")))

    def test_wrong_lengths_are_rejected(self):
        key, msg, sig = (bytes.fromhex(x) for x in RFC8032[0])
        self.assertFalse(signatures.ed25519_verify(key[:31], msg, sig))
        self.assertFalse(signatures.ed25519_verify(key, msg, sig[:63]))


class MerkleTest(unittest.TestCase):
    def test_frontier_roots_match_the_definition(self):
        leaves = [leaf(i) for i in range(70)]
        frontier, sizes = [], []
        for n in range(71):
            self.assertEqual(merkle.root_of(frontier), mth(leaves[:n]), n)
            self.assertEqual(sizes, merkle.frontier_sizes(n))
            if n < 70:
                merkle.append_leaf(frontier, sizes, leaves[n])

    def test_every_consistency_proof_up_to_40_verifies_and_tampering_fails(self):
        leaves = [leaf(i) for i in range(40)]
        for n in range(1, 41):
            for m in range(1, n + 1):
                path = subproof(m, leaves[:n], True) if m < n else []
                old, new = mth(leaves[:m]), mth(leaves[:n])
                self.assertTrue(merkle.verify_consistency(m, n, old, new, path), (m, n))
                if m == n:
                    continue
                self.assertFalse(merkle.verify_consistency(m, n, new, new, path), (m, n))
                self.assertFalse(merkle.verify_consistency(m, n, old, old, path), (m, n))
                for i in range(len(path)):
                    bad = list(path)
                    bad[i] = hashlib.sha256(bad[i]).digest()
                    self.assertFalse(merkle.verify_consistency(m, n, old, new, bad), (m, n, i))
                self.assertFalse(merkle.verify_consistency(m, n, old, new, path[:-1]), (m, n))

    def test_the_worked_example_of_merkle_md(self):
        # tests/data/merkle/example-hashes.txt: the leaves and roots of the
        # worked example in schemas/MERKLE.md, and its consistency proof 3 -> 5.
        leaves = [bytes.fromhex(h) for h in (
            "a643ad67459277cb6622eaf3e90031f6de5867f405a3e319d3a850a04e8e49a5",
            "09ef29c93b7475743342dc39fb249df71e2c93ebea6d0eee777585259213c4e7",
            "abf8171447ce34f3ed9b843d32c61ab018a9ad79696feb7c471d6bbac8524f35",
            "3b98e7c327d750ecd50a9dc7f6c300b0ec085d36c68ee2bc55a6bcdb1690ec83",
            "490be6264a06523f12b8479bb36fd179b222bfb5e92101a0eb4e3fc612fb30b1")]
        root3 = bytes.fromhex("d83032ee518f2073242f319b89b0b897cb948335a3fab247e09a3f785b682933")
        root5 = bytes.fromhex("b24665bf453a9cdada7837c80062ce6e7a4d98491179ef7e413d6d58c0e137bd")
        frontier, sizes = [], []
        for n, h in enumerate(leaves, 1):
            merkle.append_leaf(frontier, sizes, h)
            if n == 3:
                self.assertEqual(merkle.root_of(frontier), root3)
        self.assertEqual(merkle.root_of(frontier), root5)
        path = [bytes.fromhex(h) for h in (
            "abf8171447ce34f3ed9b843d32c61ab018a9ad79696feb7c471d6bbac8524f35",
            "3b98e7c327d750ecd50a9dc7f6c300b0ec085d36c68ee2bc55a6bcdb1690ec83",
            "f86cb45eab5c93a7b9612ba4d9a06ffda024252b075f54881767f4609cfb928f",
            "490be6264a06523f12b8479bb36fd179b222bfb5e92101a0eb4e3fc612fb30b1")]
        self.assertTrue(merkle.verify_consistency(3, 5, root3, root5, path))
        self.assertFalse(merkle.verify_consistency(3, 5, root5, root3, path))


class ArithmeticTest(unittest.TestCase):
    def test_half_even_rounding(self):
        cases = [(90, 60, 2), (30, 60, 0), (150, 60, 2), (210, 60, 4), (-90, 60, -2),
                 (-30, 60, 0), (91, 60, 2), (-91, 60, -2), (5, -2, -2), (7, 2, 4)]
        for n, d, want in cases:
            self.assertEqual(folds.div_half_even(n, d), want, (n, d))

    def test_days_and_instants(self):
        self.assertEqual(events.day_text(0), "1970-01-01")
        self.assertEqual(events.day_text(20454), "2026-01-01")
        self.assertEqual(events.day_text(-1), "1969-12-31")
        self.assertEqual(events.instant_text(1, True), "1970-01-01T00:00:00.000000001Z")
        self.assertEqual(events.instant_text(86400 * 10 ** 9, False), "1970-01-02T00:00:00Z")
        self.assertEqual(folds.month_index(0), 1970 * 12)
        for ns in (0, 1, 86400 * 10 ** 9 * 20454 + 3723 * 10 ** 9 + 5, -1, 951782400 * 10 ** 9):
            self.assertEqual(events.parse_instant(events.instant_text(ns, False)), ns)
        for bad in ("2026-02-30T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00.000000000Z",
                    "2026-01-01 00:00:00Z"):
            with self.assertRaises(ValueError):
                events.parse_instant(bad)


class LoadingTest(unittest.TestCase):
    """The verifier as an auditor runs it, from another directory: a copy of
    it and its modules in `pkg`, run from `cwd`."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="verify_package_test.")
        self.pkg = os.path.join(self.tmp, "pkg")
        self.cwd = os.path.join(self.tmp, "cwd")
        os.mkdir(self.pkg)
        os.mkdir(self.cwd)
        for name in ("verify_package",) + vp.MODULES:
            shutil.copy(os.path.join(os.path.dirname(VERIFIER), name + ".py"), self.pkg)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_verifier(self, *args):
        env = dict(os.environ, PYTHONPATH=self.cwd)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as on an auditor's machine: Python's default
        return subprocess.run([sys.executable, os.path.join("..", "pkg", "verify_package.py")] +
                              list(args), cwd=self.cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=60)

    def test_modules_of_the_same_name_elsewhere_are_not_loaded(self):
        # Decoys in the current directory, which is also on PYTHONPATH: one
        # loaded would exit 99 before the usage message.
        for name in vp.MODULES:
            with open(os.path.join(self.cwd, name + ".py"), "w") as f:
                f.write("raise SystemExit(99)\n")
        r = self.run_verifier()
        self.assertEqual(r.returncode, vp.EXIT_USAGE, r.stderr)
        self.assertIn("usage:", r.stderr)
        r = self.run_verifier(self.pkg)  # not a package: fails, but in the verifier's own code
        self.assertEqual(r.returncode, vp.EXIT_FAILED, r.stderr)
        self.assertIn("log.vkey", r.stderr)
        # Nothing written next to the verifier (no __pycache__): the package
        # holds only what its MANIFEST lists.
        self.assertEqual(sorted(os.listdir(self.pkg)),
                         sorted(n + ".py" for n in ("verify_package",) + vp.MODULES))

    def test_an_argument_that_cannot_be_used_is_a_usage_error_naming_it(self):
        # The auditor's own inputs, before any file of the package is read:
        # exit 2 naming the argument, never a traceback or another file's name.
        pem = os.path.join(self.tmp, "key.pub")
        with open(pem, "w") as f:
            f.write("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n")
        binary = os.path.join(self.tmp, "binary")
        with open(binary, "wb") as f:
            f.write(b"\xff\xfe\x00")
        missing = os.path.join(self.tmp, "missing")
        for args, named in (([self.pkg, "--vkey", missing], "--vkey " + missing),
                            ([self.pkg, "--vkey", self.tmp], "--vkey " + self.tmp),
                            ([self.pkg, "--vkey", pem], "--vkey " + pem),
                            ([self.pkg, "--vkey", binary], "--vkey " + binary),
                            ([missing], "DIR " + missing),
                            ([self.pkg, "--previous", missing], "--previous " + missing),
                            ([self.pkg, "--previous", self.cwd],
                             "--previous %s: not an audit package" % self.cwd)):
            r = self.run_verifier(*args)
            self.assertEqual(r.returncode, vp.EXIT_USAGE, args)
            self.assertIn(named, r.stderr)
            self.assertNotIn("Traceback", r.stderr)

    def test_the_trusted_key_under_another_name_is_refused_naming_both_names(self):
        # A signature line names its key, so the same public key under
        # another name is not the trusted key: exit 3, as for another key,
        # in words that say what differs (even when the --vkey file is
        # itself named log.vkey).
        raw = b"\x01" + bytes(range(32))

        def vkey(name, key=raw):
            key_id = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4]
            return "%s+%s+%s\n" % (name, key_id.hex(), base64.b64encode(key).decode())

        with open(os.path.join(self.pkg, "log.vkey"), "w") as f:
            f.write(vkey("ledger.example/log"))
        trusted = os.path.join(self.cwd, "log.vkey")
        for text, said in ((vkey("ledger.example/audit"),
                            'FAILED: log.vkey: the key names differ: it names its key '
                            '"ledger.example/log", --vkey %s names the same key '
                            '"ledger.example/audit"' % trusted),
                           (vkey("ledger.example/log", b"\x01" + bytes(32)),
                            "FAILED: log.vkey: is not the trusted key of --vkey %s" % trusted)):
            with open(trusted, "w") as f:
                f.write(text)
            r = self.run_verifier(self.pkg, "--vkey", trusted)
            self.assertEqual(r.returncode, vp.EXIT_FAILED, r.stderr)
            self.assertIn(said + "\n", r.stderr)

    def test_a_missing_module_is_named(self):
        for missing in vp.MODULES:
            os.rename(os.path.join(self.pkg, missing + ".py"), os.path.join(self.tmp, "aside"))
            r = self.run_verifier(self.pkg)
            self.assertEqual(r.returncode, vp.EXIT_FAILED, r.stderr)
            self.assertIn(missing + ".py: missing", r.stderr)
            os.rename(os.path.join(self.tmp, "aside"), os.path.join(self.pkg, missing + ".py"))

    def test_an_edited_module_is_named_and_none_of_it_runs(self):
        # A byte flipped at the start (a syntax error once run), or code
        # appended that would print OK: exit 3 naming the module, before
        # any of its code runs (no traceback, no OK).
        for name in vp.MODULES:
            path = os.path.join(self.pkg, name + ".py")
            with open(path, "rb") as f:
                original = f.read()
            flipped = bytes([original[0] ^ 0x20]) + original[1:]
            appended = original + b'\nimport sys as _s; print("OK: all check"); _s.exit(0)\n'
            for edited in (flipped, appended):
                with open(path, "wb") as f:
                    f.write(edited)
                r = self.run_verifier(self.pkg)
                self.assertEqual(r.returncode, vp.EXIT_FAILED, (name, r.stdout, r.stderr))
                self.assertIn("FAILED: %s.py: SHA-256 " % name, r.stderr)
                self.assertNotIn("Traceback", r.stderr)
                self.assertNotIn("OK", r.stdout)
            with open(path, "wb") as f:
                f.write(original)

    def test_the_pinned_hashes_are_the_modules(self):
        for name in vp.MODULES:
            with open(os.path.join(os.path.dirname(VERIFIER), name + ".py"), "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), vp.MODULE_SHA256[name], name)


if __name__ == "__main__":
    unittest.main()
