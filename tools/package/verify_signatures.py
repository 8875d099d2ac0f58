"""Signature checks of the audit package's verifier, in pure Python: Ed25519
(RFC 8032) and ECDSA P-256 with SHA-256 (FIPS 186-5), verify only, and the
C2SP signed notes and verifier keys that carry them.

Part of the audit package's verifier; loaded by verify_package.py from its
own folder (run that, not this).
"""

import base64
import hashlib

from verify_failure import Failure


# ---------------------------------------------------------------- Ed25519 (RFC 8032, verify only)

_P = 2 ** 255 - 19
_L = 2 ** 252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _recover_x(y, sign):
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


def _add(a, b):
    # Extended homogeneous coordinates (RFC 8032 section 5.1.4).
    x = (a[1] - a[0]) * (b[1] - b[0]) % _P
    y = (a[1] + a[0]) * (b[1] + b[0]) % _P
    c = 2 * a[3] * b[3] * _D % _P
    d = 2 * a[2] * b[2] % _P
    e, f, g, h = y - x, d - c, d + c, y + x
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(s, point):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, point)
        point = _add(point, point)
        s >>= 1
    return q


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _decompress(data):
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= _P:
        return None
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


_G = _decompress(bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666"))


def ed25519_verify(public_key, message, signature):
    """RFC 8032 section 5.1.7: True when signature is by public_key over message."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _decompress(public_key)
    r = _decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little")
    return _equal(_mul(s, _G), _add(r, _mul(h % _L, a)))


# ---------------------------------------------------------------- ECDSA P-256 with SHA-256 (FIPS 186-5, verify only)

_N256 = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_P256 = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_B256 = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
_G256 = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
         0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)
# DER SubjectPublicKeyInfo of a P-256 key, up to the uncompressed point.
_SPKI_P256 = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")


def _p256_add(a, b):
    # Affine points, None the point at infinity; a = -3.
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0]:
        if (a[1] + b[1]) % _P256 == 0:
            return None
        lam = (3 * a[0] * a[0] - 3) * pow(2 * a[1], _P256 - 2, _P256) % _P256
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], _P256 - 2, _P256) % _P256
    x = (lam * lam - a[0] - b[0]) % _P256
    return (x, (lam * (a[0] - x) - a[1]) % _P256)


def _p256_mul(k, point):
    q = None
    while k:
        if k & 1:
            q = _p256_add(q, point)
        point = _p256_add(point, point)
        k >>= 1
    return q


def _der_integers(sig):
    """(r, s) of a DER SEQUENCE of two INTEGERs, or None."""
    if len(sig) < 8 or sig[0] != 0x30 or sig[1] != len(sig) - 2:
        return None
    out, at = [], 2
    for _ in range(2):
        if at + 2 > len(sig) or sig[at] != 0x02 or at + 2 + sig[at + 1] > len(sig):
            return None
        n = sig[at + 1]
        out.append(int.from_bytes(sig[at + 2:at + 2 + n], "big"))
        at += 2 + n
    return tuple(out) if at == len(sig) else None


def ecdsa_p256_verify(spki, message, signature):
    """True when the DER signature is by the P-256 key of the DER SPKI over message."""
    if len(spki) != 91 or spki[:26] != _SPKI_P256 or spki[26] != 0x04:
        return False
    q = (int.from_bytes(spki[27:59], "big"), int.from_bytes(spki[59:], "big"))
    if (q[1] * q[1] - q[0] ** 3 + 3 * q[0] - _B256) % _P256 != 0:
        return False
    rs = _der_integers(signature)
    if rs is None or not all(0 < v < _N256 for v in rs):
        return False
    r, s = rs
    w = pow(s, _N256 - 2, _N256)
    e = int.from_bytes(hashlib.sha256(message).digest(), "big")
    x = _p256_add(_p256_mul(e * w % _N256, _G256), _p256_mul(r * w % _N256, q))
    return x is not None and x[0] % _N256 == r


# ---------------------------------------------------------------- signed notes (C2SP signed-note)


def parse_vkey(text, file):
    """<name>+<hex key id>+<base64(type || key)>: (name, key_id, type, key)."""
    parts = text.strip("\n").split("+", 2)
    if len(parts) != 3 or len(parts[1]) != 8:
        raise Failure(file, "not a verifier key name+keyid+base64")
    try:
        name, key_id = parts[0], bytes.fromhex(parts[1])
        raw = base64.b64decode(parts[2], validate=True)
    except ValueError:
        raise Failure(file, "the key id is not hex or the key not base64")
    if not raw:
        raise Failure(file, "empty key")
    if raw[0] == 0x02:  # ECDSA: the key id is SHA-256 of the DER SPKI alone
        want = hashlib.sha256(raw[1:]).digest()[:4]
    elif raw[0] == 0x01 and len(raw) == 33:
        want = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    else:
        raise Failure(file, "not an Ed25519 (0x01) or ECDSA P-256 (0x02) verifier key")
    if want != key_id:
        raise Failure(file, "key id %s does not match the key (%s)" % (key_id.hex(), want.hex()))
    return name, key_id, raw[1:], raw[0]


def open_note(data, vkey, file):
    """The text of a signed note carrying a valid signature by vkey."""
    name, key_id, key, key_type = vkey
    check = ed25519_verify if key_type == 0x01 else ecdsa_p256_verify
    try:
        note = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Failure(file, "not UTF-8 text")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise Failure(file, "not a signed note (no blank line before the signatures)")
    text, sigs = note[:cut + 1], note[cut + 2:]
    if not sigs.endswith("\n"):
        raise Failure(file, "the signature lines do not end in a newline")
    for line in sigs[:-1].split("\n"):
        fields = line.split(" ")
        if len(fields) != 3 or fields[0] != "\u2014":
            raise Failure(file, "malformed signature line %r" % line)
        if fields[1] != name:
            continue
        try:
            raw = base64.b64decode(fields[2], validate=True)
        except ValueError:
            raise Failure(file, "signature of %s is not base64" % name)
        if raw[:4] == key_id and check(key, text.encode(), raw[4:]):
            return text
        raise Failure(file, "the signature of %s does not verify under the key of log.vkey" % name)
    raise Failure(file, "no signature by %s (the key of log.vkey)" % name)
