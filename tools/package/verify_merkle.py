"""The Merkle tree of the ledger (RFC 6962 / 9162, docs/MERKLE.md): roots
from a frontier of perfect subtrees, and consistency proofs.

Part of the audit package's verifier; loaded by verify_package.py from its
own folder (run that, not this).
"""

import hashlib


# ---------------------------------------------------------------- Merkle tree (RFC 6962 / 9162)


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_of(frontier):
    """MTH of a tree given its frontier (largest subtree first)."""
    if not frontier:
        return hashlib.sha256(b"").digest()
    h = frontier[-1]
    for node in reversed(frontier[:-1]):
        h = node_hash(node, h)
    return h


def append_leaf(frontier, sizes, leaf):
    """Appends a leaf hash to a frontier of perfect subtrees (sizes: their leaf counts)."""
    frontier.append(leaf)
    sizes.append(1)
    while len(sizes) > 1 and sizes[-1] == sizes[-2]:
        right = frontier.pop()
        sizes.pop()
        frontier[-1] = node_hash(frontier[-1], right)
        sizes[-1] *= 2


def frontier_sizes(size):
    return [1 << b for b in range(63, -1, -1) if size >> b & 1]


def verify_consistency(old_size, new_size, old_root, new_root, path):
    """RFC 9162 section 2.1.4.2; True when path proves new extends old."""
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0 or old_size > new_size:
        return old_size == 0 and not path
    if old_size & (old_size - 1) == 0:
        path = [old_root] + path
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
