#!/usr/bin/env python3
"""Checks a ccl inclusion or consistency proof against trusted digests with
SHA-256 alone (schemas/MERKLE.md). Usage:
  check_proof.py PROOF DIGEST          (inclusion)
  check_proof.py PROOF OLD NEW         (consistency)
Signatures are checked separately (openssl pkeyutl, see MERKLE.md)."""
import hashlib, json, sys

def sha(b): return hashlib.sha256(b).digest()
def node(l, r): return sha(b"\x01" + l + r)
def h(s): return bytes.fromhex(s)

def root_from_inclusion(index, size, leaf, path):
    # RFC 9162 2.1.3.2
    if index >= size: raise ValueError("index >= size")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0: raise ValueError("path too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1; sn >>= 1
    if sn != 0: raise ValueError("path too short")
    return r

def check_consistency(m, n, old_root, new_root, path):
    # RFC 9162 2.1.4.2
    if m > n: raise ValueError("old size > new size")
    if m == n: return not path and old_root == new_root
    if m == 0: return not path and old_root == sha(b"")
    if not path: return False
    if m & (m - 1) == 0: path = [old_root] + path
    fn, sn = m - 1, n - 1
    while fn & 1: fn >>= 1; sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1; sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root

def main():
    proof = json.load(open(sys.argv[1]))
    digests = [json.load(open(p)) for p in sys.argv[2:]]
    for d in digests:
        assert d["format"] == "ccl-digest-v1" and d["head_seq"] == d["tree_size"], "not a digest"
        assert d["ledger_id"] == proof["ledger_id"], "digest of another ledger"
    if proof["format"] == "ccl-inclusion-proof-v1":
        (d,) = digests
        assert proof["tree_size"] == d["tree_size"], "proof for another tree size"
        assert 1 <= proof["seq"] <= proof["tree_size"] and proof["leaf_index"] == proof["seq"] - 1
        leaf = sha(b"\x00" + proof["seq"].to_bytes(8, "big") + h(proof["event"]))
        r = root_from_inclusion(proof["leaf_index"], proof["tree_size"], leaf,
                                [h(x) for x in proof["path"]])
        return r == h(d["root_hash"])
    if proof["format"] == "ccl-consistency-proof-v1":
        old, new = digests
        assert proof["old_size"] == old["tree_size"] and proof["new_size"] == new["tree_size"]
        if old["tree_size"] == new["tree_size"] and old["head_hash"] != new["head_hash"]:
            return False
        return check_consistency(proof["old_size"], proof["new_size"], h(old["root_hash"]),
                                 h(new["root_hash"]), [h(x) for x in proof["path"]])
    raise ValueError("unknown proof format")

try:
    ok = main()
except Exception as e:  # any malformed input is a failed check
    print("FAILED:", e)
    sys.exit(3)
print("OK" if ok else "FAILED")
sys.exit(0 if ok else 3)
