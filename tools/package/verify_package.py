#!/usr/bin/env python3
"""Checks an audit package of the Contract Consumption Ledger, offline.

Usage: python3 verify_package.py DIR [--vkey FILE] [--previous DIR]

Needs Python 3.8+ and its standard library only: it decodes the stored
FlatBuffers itself (docs/events.fbs), recomputes the hash chain and the
RFC 6962 Merkle root (docs/FORMAT.md, docs/MERKLE.md), verifies the
signatures of the MANIFEST and the checkpoint (Ed25519, RFC 8032, or ECDSA
P-256 with SHA-256, FIPS 186-5: both implemented below), the consistency proof from the previous package's checkpoint, and re-derives
every balance and margin row and both state digests from the period's events
and the earlier ones they need, pending events they approve and entries they
reverse (docs/projections-FORMAT.md). Exit 0 when everything holds; exit 3 with one
line naming the file and the first difference otherwise; exit 2 for usage.
README.md of the package says what each check proves.
"""

import base64
import hashlib
import json
import os
import struct
import sys

EXIT_FAILED = 3
EXIT_USAGE = 2
FORMAT = "ccl-audit-package/v1"
FILE_BYTES_MAX = 1 << 34  # no file of a package is larger than 16 GiB
NOTE_BYTES_MAX = 1 << 20


class Failure(Exception):
    """The first difference found: names the file it is in."""

    def __init__(self, file, message):
        super().__init__(file + ": " + message)


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


# ---------------------------------------------------------------- FlatBuffers (docs/events.fbs)

LINES = ["proactive", "reactive", "designated_engineering", "service_delivery"]
OVERAGE = {1: "reject", 2: "allow"}
SEVERITY = {1: "A", 2: "B", 3: "C"}
TYPES = [None, "ContractOpened", "ContractAmended", "HoursBooked", "DeliveryCompleted",
         "EscalationOpened", "EscalationSeverityChanged", "EscalationResolved", "EntryReversed",
         "ContractClosed", "PeriodClosed", "LegalHoldPlaced", "LegalHoldReleased",
         "ApprovalPolicySet", "Approved", "Rejected", "PeriodReopened"]


class Table:
    """A FlatBuffers table at pos of buf, every read bounds-checked."""

    def __init__(self, buf, pos):
        self.buf = buf
        self.pos = pos
        self._need(pos, 4)
        vt = pos - struct.unpack_from("<i", buf, pos)[0]
        self._need(vt, 4)
        self.vt_size = struct.unpack_from("<H", buf, vt)[0]
        self._need(vt, self.vt_size)
        self.vt = vt

    def _need(self, at, size):
        if at < 0 or at + size > len(self.buf):
            raise ValueError("offset %d+%d outside the buffer" % (at, size))

    def _field(self, index):
        at = 4 + 2 * index
        if at + 2 > self.vt_size:
            return 0
        return struct.unpack_from("<H", self.buf, self.vt + at)[0]

    def scalar(self, index, fmt, default=0):
        off = self._field(index)
        if off == 0:
            return default
        self._need(self.pos + off, struct.calcsize(fmt))
        return struct.unpack_from("<" + fmt, self.buf, self.pos + off)[0]

    def _target(self, index):
        off = self._field(index)
        if off == 0:
            return None
        at = self.pos + off
        self._need(at, 4)
        return at + struct.unpack_from("<I", self.buf, at)[0]

    def string(self, index):
        at = self._target(index)
        if at is None:
            return ""
        self._need(at, 4)
        n = struct.unpack_from("<I", self.buf, at)[0]
        self._need(at + 4, n + 1)
        return self.buf[at + 4:at + 4 + n].decode("utf-8")

    def table(self, index):
        at = self._target(index)
        return None if at is None else Table(self.buf, at)

    def tables(self, index):
        at = self._target(index)
        if at is None:
            return []
        self._need(at, 4)
        n = struct.unpack_from("<I", self.buf, at)[0]
        self._need(at + 4, 4 * n)
        out = []
        for i in range(n):
            item = at + 4 + 4 * i
            out.append(Table(self.buf, item + struct.unpack_from("<I", self.buf, item)[0]))
        return out

    def inline(self, index, size):
        """The bytes of an inline struct field, or None when absent."""
        off = self._field(index)
        if off == 0:
            return None
        self._need(self.pos + off, size)
        return self.buf[self.pos + off:self.pos + off + size]

    def structs(self, index, size):
        """The elements of a vector of structs of `size` bytes each."""
        at = self._target(index)
        if at is None:
            return []
        self._need(at, 4)
        n = struct.unpack_from("<I", self.buf, at)[0]
        self._need(at + 4, size * n)
        return [self.buf[at + 4 + size * i:at + 4 + size * (i + 1)] for i in range(n)]

    def uuid(self, index):
        off = self._field(index)
        if off == 0:
            return None
        self._need(self.pos + off, 16)
        h = self.buf[self.pos + off:self.pos + off + 16].hex()
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def day_text(days):
    y, m, d = civil_from_days(days)
    return "%04d-%02d-%02d" % (y, m, d)


def civil_from_days(z):
    # Howard Hinnant's days_from_civil inverse: proleptic Gregorian, any day.
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if m <= 2 else 0), m, d


def days_from_civil(y, m, d):
    y -= 1 if m <= 2 else 0
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def parse_instant(text):
    """ns of a canonical RFC 3339 UTC instant as the ledger writes them."""
    if len(text) not in (20, 30) or text[-1] != "Z" or text[10] != "T":
        raise ValueError("not a canonical RFC 3339 UTC instant: %r" % text)
    y, mo, d = (int(x) for x in text[:10].split("-"))
    h, mi, sec = (int(x) for x in text[11:19].split(":"))
    frac = int(text[20:29]) if len(text) == 30 else 0
    ns = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 10 ** 9 + frac)
    if instant_text(ns, False) != text:
        raise ValueError("not a canonical RFC 3339 UTC instant: %r" % text)
    return ns


def instant_text(ns, always_fraction):
    days, rest = divmod(ns, 86400 * 10 ** 9)
    secs, frac = divmod(rest, 10 ** 9)
    text = "%sT%02d:%02d:%02d" % (day_text(days), secs // 3600, secs // 60 % 60, secs % 60)
    if frac or always_fraction:
        text += ".%09d" % frac
    return text + "Z"


def lines_json(tables, opened):
    out = []
    for t in tables:
        line = {"service_line": line_name(t.scalar(0, "B"))}
        if opened:
            line["funded_minutes"] = t.scalar(1, "q")
        else:
            line["funded_minutes_delta"] = t.scalar(2, "q")
        rate = t.scalar(3, "q", None)
        if rate is not None:
            line["bill_rate_minor"] = rate
        overage = t.scalar(4, "B")
        if overage:
            line["overage"] = OVERAGE[overage]
        out.append(line)
    return out


def line_name(value):
    if not 1 <= value <= 4:
        raise ValueError("unknown service line %d" % value)
    return LINES[value - 1]


def decode_payload(kind, p, e):
    """The payload's fields in their JSON form, added to e."""
    if kind == "ContractOpened":
        e.update(customer=p.string(0), term_start=day_text(p.scalar(1, "i")),
                 term_end=day_text(p.scalar(2, "i")), currency=p.string(3))
        lines = lines_json(p.tables(4), True)
    elif kind == "ContractAmended":
        e["reason"] = p.string(0)
        end = p.scalar(1, "i", None)
        if end is not None:
            e["term_end"] = day_text(end)
        lines = lines_json(p.tables(2), False)
    elif kind == "HoursBooked":
        e.update(engineer=p.string(0), service_line=line_name(p.scalar(1, "B")),
                 minutes=p.scalar(2, "i"), cost_rate_minor=p.scalar(3, "q"))
        if p.string(4):
            e["reference"] = p.string(4)
        e["_applied"] = p.scalar(5, "q", None)
        return
    elif kind == "DeliveryCompleted":
        e.update(delivery=p.string(0), offering=p.string(1),
                 service_line=line_name(p.scalar(2, "B")), minutes=p.scalar(3, "i"),
                 cost_minor=p.scalar(4, "q"))
        e["_applied"] = p.scalar(5, "q", None)
        return
    elif kind in ("EscalationOpened", "EscalationSeverityChanged"):
        e.update(escalation=p.string(0), severity=SEVERITY[p.scalar(1, "B")])
        if kind == "EscalationOpened":
            e["summary"] = p.string(2)
        return
    elif kind == "EscalationResolved":
        e.update(escalation=p.string(0), resolution=p.string(1))
        return
    elif kind == "PeriodClosed":
        month = p.scalar(0, "i")
        e["period"] = "%04d-%02d" % (month // 12, month % 12 + 1)  # year * 12 + month - 1
        for index, key in ((1, "sealed_balances_digest"), (2, "sealed_margins_digest")):
            digest = p.inline(index, 32)
            if digest is not None:
                e[key] = digest.hex()
        totals = []
        for raw in p.structs(3, 40):  # SealedTotal: currency[3], pad, 4 x int64
            revenue, cost, margin, minutes = struct.unpack_from("<qqqq", raw, 8)
            totals.append({"currency": raw[:3].decode("ascii"), "revenue_minor": revenue,
                           "cost_minor": cost, "margin_minor": margin, "minutes": minutes})
        if totals:
            e["sealed_totals"] = totals
        return
    elif kind in ("LegalHoldPlaced", "LegalHoldReleased"):
        e.update(case=p.string(0), reason=p.string(1))
        return
    elif kind == "ApprovalPolicySet":
        numbers = [raw[0] for raw in p.structs(0, 1)]  # [ubyte]: type numbers, ascending
        if any(not 1 <= n < len(TYPES) for n in numbers) or numbers != sorted(set(numbers)):
            raise ValueError("bad approval policy types %s" % numbers)
        e["types"] = ",".join(TYPES[n] for n in numbers) or "none"
        threshold = p.scalar(1, "q", None)
        if threshold is not None:
            e["threshold_minutes"] = threshold
        return
    elif kind in ("Approved", "Rejected"):
        e["target_event_id"] = p.uuid(0)
        if kind == "Rejected":
            e["reason"] = p.string(1)
        return
    elif kind == "PeriodReopened":
        month = p.scalar(0, "i")
        e.update(period="%04d-%02d" % (month // 12, month % 12 + 1), reason=p.string(1))
        return
    elif kind == "EntryReversed":
        e.update(target_event_id=p.uuid(0), reason=p.string(1))
        return
    else:
        e["reason"] = p.string(0)
        return
    if lines:
        e["lines"] = lines


def decode_event(data):
    """The event of stored bytes as a dict of its JSON form (log --json keys),
    plus "_effective_ns" and "_applied" for the folds. ValueError when the
    bytes are not an event."""
    if len(data) < 8 or data[4:8] != b"CCL1":
        raise ValueError("no FlatBuffers file identifier CCL1")
    root = Table(data, struct.unpack_from("<I", data, 0)[0])
    type_number = root.scalar(9, "B")
    if not 1 <= type_number < len(TYPES):
        raise ValueError("unknown event type %d" % type_number)
    kind = TYPES[type_number]
    effective = root.scalar(4, "q")
    recorded = root.scalar(5, "q")
    e = {"seq": root.scalar(0, "Q"), "event_id": root.uuid(1), "type": kind,
         "contract": root.string(2), "stream_version": root.scalar(3, "Q"),
         "effective_at": instant_text(effective, False),
         "recorded_at": instant_text(recorded, True),
         "actor": root.string(6), "source": root.string(7)}
    if not e["contract"]:
        del e["contract"]  # a ledger-wide event (or a decision on one) names no contract
    if root.string(8):
        e["note"] = root.string(8)
    payload = root.table(10)
    if payload is None:
        raise ValueError("no payload")
    decode_payload(kind, payload, e)
    e["_awaits"] = bool(root.scalar(11, "B"))  # assigned: accepted pending approval
    e["_effective_ns"] = effective
    e["_recorded_ns"] = recorded
    return e


def json_form(e):
    """What log --json prints for event e, less the hash."""
    out = {k: v for k, v in e.items() if not k.startswith("_")}
    if e.get("_applied") is not None:
        out["applied_bill_rate_minor"] = e["_applied"]
    if e.get("_awaits"):
        out["awaits_approval"] = True
    return out


def read_records(data, file):
    """(seq, bytes) of each BE64 seq || BE32 length || bytes record."""
    out, at = [], 0
    while at < len(data):
        if at + 12 > len(data):
            raise Failure(file, "a truncated record at byte %d" % at)
        seq, n = struct.unpack_from(">QI", data, at)
        if at + 12 + n > len(data):
            raise Failure(file, "the record of seq %d runs past the end" % seq)
        out.append((seq, data[at + 12:at + 12 + n]))
        at += 12 + n
    return out


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


# ---------------------------------------------------------------- projection states (docs/projections-FORMAT.md)

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


class StateReader:
    def __init__(self, data, file):
        self.data, self.at, self.file = data, 0, file

    def take(self, fmt):
        size = struct.calcsize("<" + fmt)
        if self.at + size > len(self.data):
            raise Failure(self.file, "truncated state at byte %d" % self.at)
        value = struct.unpack_from("<" + fmt, self.data, self.at)[0]
        self.at += size
        return value

    def text(self):
        n = self.take("I")
        if self.at + n > len(self.data):
            raise Failure(self.file, "truncated string at byte %d" % self.at)
        try:
            value = self.data[self.at:self.at + n].decode("utf-8")
        except UnicodeDecodeError:
            raise Failure(self.file, "a string at byte %d is not UTF-8" % self.at)
        self.at += n
        return value

    def finish(self):
        if self.at != len(self.data):
            raise Failure(self.file, "%d trailing bytes" % (len(self.data) - self.at))


def decode_balances(data, file):
    r, state = StateReader(data, file), {}
    for _ in range(r.take("I")):
        name, mask = r.text(), r.take("B")
        if mask >= 16 or (state and name <= max(state)):
            raise Failure(file, "contract %r out of order or with an unknown line" % name)
        state[name] = {i: [r.take("q"), r.take("q")] for i in range(4) if mask >> i & 1}
    r.finish()
    return state


def encode_balances(state):
    out = [struct.pack("<I", len(state))]
    for name in sorted(state, key=lambda n: n.encode()):
        lines = state[name]
        raw = name.encode()
        out.append(struct.pack("<I", len(raw)) + raw)
        out.append(struct.pack("<B", sum(1 << i for i in lines)))
        for i in sorted(lines):
            out.append(struct.pack("<qq", *lines[i]))
    return b"".join(out)


def decode_margins(data, file):
    r = StateReader(data, file)
    overflowed, state = r.take("B"), {}
    for _ in range(r.take("I")):
        name = r.text()
        c = {"customer": r.text(), "currency": r.text(), "months": {}}
        for _ in range(r.take("I")):
            month = r.take("i")
            c["months"][month] = [r.take("q"), r.take("q")]
        state[name] = c
    r.finish()
    return overflowed == 1, state


def encode_margins(overflowed, state):
    def text(s):
        raw = s.encode()
        return struct.pack("<I", len(raw)) + raw

    out = [struct.pack("<BI", 1 if overflowed else 0, len(state))]
    for name in sorted(state, key=lambda n: n.encode()):
        c = state[name]
        out += [text(name), text(c["customer"]), text(c["currency"]),
                struct.pack("<I", len(c["months"]))]
        for month in sorted(c["months"]):
            out.append(struct.pack("<iqq", month, *c["months"][month]))
    return b"".join(out)


# ---------------------------------------------------------------- the folds


def div_half_even(n, d):
    """n / d rounded to the nearest integer, ties to even (d != 0)."""
    if d < 0:
        n, d = -n, -d
    q, r = divmod(n, d)
    if 2 * r > d or (2 * r == d and q & 1):
        q += 1
    return q


def value_minor(minutes, rate):
    return div_half_even(minutes * rate, 60)


def month_index(effective_ns):
    y, m, _ = civil_from_days(effective_ns // (86400 * 10 ** 9))
    return y * 12 + m - 1


class Folds:
    """balances and margins, as the ledger's projections fold them."""

    def __init__(self, balances, overflowed, margins):
        self.balances, self.overflowed, self.margins = balances, overflowed, margins

    def _line(self, contract, line):
        return self.balances.setdefault(contract, {}).setdefault(LINES.index(line), [0, 0])

    def _margin(self, contract):
        return self.margins.setdefault(contract, {"customer": "", "currency": "", "months": {}})

    def _add(self, contract, c, sign):
        cell = self._margin(contract)["months"].setdefault(month_index(c["_effective_ns"]), [0, 0])
        revenue = value_minor(c["minutes"], c["_applied"] or 0)
        cost = (value_minor(c["minutes"], c["cost_rate_minor"]) if c["type"] == "HoursBooked"
                else c["cost_minor"])
        for i, v in enumerate((revenue, cost)):
            cell[i] += sign * v
            if not INT64_MIN <= cell[i] <= INT64_MAX:
                self.overflowed = True
                cell[i] = (cell[i] - INT64_MIN) % (1 << 64) + INT64_MIN

    def apply(self, e, target):
        kind = e["type"]
        if kind in ("ContractOpened", "ContractAmended"):
            for line in e.get("lines", []):
                b = self._line(e["contract"], line["service_line"])
                b[0] += line["funded_minutes" if kind == "ContractOpened" else "funded_minutes_delta"]
            if kind == "ContractOpened":
                self._margin(e["contract"]).update(customer=e["customer"], currency=e["currency"])
        elif kind in ("HoursBooked", "DeliveryCompleted"):
            self._line(e["contract"], e["service_line"])[1] += e["minutes"]
            self._add(e["contract"], e, +1)
        elif kind == "EntryReversed" and target is not None and target["contract"] == e["contract"]:
            self._line(e["contract"], target["service_line"])[1] -= target["minutes"]
            self._add(e["contract"], target, -1)

    def balance_rows(self):
        rows = []
        for name, lines in self.balances.items():
            for i, (funded, consumed) in lines.items():
                rows.append({"contract": name, "service_line": LINES[i], "funded_minutes": funded,
                             "consumed_minutes": consumed,
                             "remaining_minutes": max(0, funded - consumed),
                             "overage_minutes": max(0, consumed - funded)})
        return sorted(rows, key=lambda r: (r["contract"].encode(), r["service_line"].encode()))

    def margin_rows(self):
        rows = []
        for name, c in self.margins.items():
            for month, (revenue, cost) in c["months"].items():
                margin = revenue - cost
                rows.append({"contract": name, "month": "%04d-%02d" % (month // 12, month % 12 + 1),
                             "currency": c["currency"], "revenue_minor": revenue,
                             "cost_minor": cost, "margin_minor": margin,
                             "margin_bp": div_half_even(margin * 10000, revenue) if revenue else None})
        return sorted(rows, key=lambda r: (r["contract"].encode(), r["month"], r["currency"]))


# ---------------------------------------------------------------- the package


LAST_READ = ["(none)"]  # the file being checked, for an unforeseen malformation


def read(folder, name, limit=FILE_BYTES_MAX):
    LAST_READ[0] = name
    path = os.path.join(folder, name)
    try:
        if os.path.getsize(path) > limit:
            raise Failure(name, "larger than %d bytes" % limit)
        with open(path, "rb") as f:
            return f.read()
    except OSError as err:
        raise Failure(name, "cannot be read: %s" % err.strerror)


def parse_manifest(text):
    """The MANIFEST's keyed lines: {key: [fields]}, files: {name: sha256}."""
    lines = text.rstrip("\n").split("\n")
    if lines[0] != FORMAT:
        raise Failure("MANIFEST", "not %s" % FORMAT)
    keyed, files = {}, {}
    for line in lines[1:]:
        fields = line.split(" ")
        if fields[0] == "file" and len(fields) == 3:
            files[fields[2]] = fields[1]
        elif fields[0] == "state" and len(fields) == 5:
            keyed["state " + fields[1]] = fields[2:]
        elif fields[0] in keyed or fields[0] == "file":
            raise Failure("MANIFEST", "malformed or repeated line %r" % line)
        else:
            keyed[fields[0]] = fields[1:]
    shapes = {"ledger": 1, "origin": 1, "period": 2, "events": 2, "chain-before": 1,
              "checkpoint": 3, "state balances": 3, "state margins": 3}
    for key, count in shapes.items():
        if len(keyed.get(key, [])) != count:
            raise Failure("MANIFEST", "no %s line of %d fields" % (key, count))
    try:
        for key in ("events", "frontier", "checkpoint", "previous"):
            if key in keyed:
                int(keyed[key][0])
        hashes = (keyed["chain-before"] + keyed["frontier"][1:] + keyed["checkpoint"][1:] +
                  keyed["state balances"][1:] + keyed["state margins"][1:] +
                  keyed.get("previous", ["", ""])[1:] + list(files.values()))
        if any(len(bytes.fromhex(h)) != 32 for h in hashes if h):
            raise ValueError("a hash is not 32 bytes")
    except (ValueError, IndexError, KeyError) as err:
        raise Failure("MANIFEST", "malformed number or hash: %s" % err)
    return keyed, files


def check_files(folder, files):
    """Every file but MANIFEST is listed with its SHA-256, and nothing else is there."""
    present = set()
    for top, dirs, names in os.walk(folder):
        for name in names:
            present.add(os.path.relpath(os.path.join(top, name), folder).replace(os.sep, "/"))
    for name in sorted(present - set(files) - {"MANIFEST"}):
        raise Failure(name, "not listed in MANIFEST (a file added to the package)")
    for name, want in sorted(files.items()):
        if name not in present:
            raise Failure(name, "listed in MANIFEST but missing")
        got = hashlib.sha256(read(folder, name)).hexdigest()
        if got != want:
            raise Failure(name, "SHA-256 %s, MANIFEST says %s" % (got, want))


def parse_checkpoint(text, file):
    """(origin, size, root, ledger id, chain head) of a C2SP checkpoint text."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) < 4 or not lines[1].isdigit():
        raise Failure(file, "not a checkpoint (origin, size, root, chain head)")
    head = lines[3].split(" ")
    if len(head) != 3 or head[0] != "ccl-chain-head":
        raise Failure(file, "no ccl-chain-head extension line")
    try:
        root, chain = base64.b64decode(lines[2], validate=True), bytes.fromhex(head[2])
    except ValueError:
        raise Failure(file, "the root is not base64 or the chain head not hex")
    return lines[0], int(lines[1]), root, head[1], chain


def check_events(folder, m, checkpoint):
    """Chain, tree and JSON form of the period's events; returns them decoded."""
    first, last = (int(x) for x in m["events"])
    chain = bytes.fromhex(m["chain-before"][0])
    if first == 1:
        genesis = hashlib.sha256(b"ccl-genesis" + bytes.fromhex(m["ledger"][0].replace("-", "")))
        if chain != genesis.digest():
            raise Failure("MANIFEST", "chain-before of seq 1 is not the genesis hash")
    size = int(m["frontier"][0])
    frontier = [bytes.fromhex(h) for h in m["frontier"][1:]]
    sizes = frontier_sizes(size)
    if size != first - 1 or len(sizes) != len(frontier):
        raise Failure("MANIFEST", "the frontier is not that of the %d events before" % (first - 1))
    records = read_records(read(folder, "events.bin"), "events.bin")
    try:
        json_lines = read(folder, "events.jsonl").decode("utf-8").split("\n")
    except UnicodeDecodeError as err:
        raise Failure("events.jsonl", "not UTF-8: %s" % err)
    if len(records) != last - first + 1 or len(json_lines) != len(records) + 1:
        raise Failure("events.bin", "%d events, events.jsonl %d lines; MANIFEST says %d..%d"
                      % (len(records), len(json_lines) - 1, first, last))
    try:
        period_from, period_end = (parse_instant(t) for t in m["period"])
    except ValueError as err:
        raise Failure("MANIFEST", "period: %s" % err)
    decoded = []
    for i, (seq, data) in enumerate(records):
        if seq != first + i:
            raise Failure("events.bin", "seq %d where %d was expected" % (seq, first + i))
        try:
            e = decode_event(data)
        except (ValueError, KeyError, UnicodeDecodeError, struct.error) as err:
            raise Failure("events.bin", "seq %d does not decode: %s" % (seq, err))
        if e["seq"] != seq:
            raise Failure("events.bin", "the event at seq %d carries seq %d" % (seq, e["seq"]))
        if not period_from <= e["_recorded_ns"] < period_end:
            raise Failure("events.bin", "seq %d was recorded at %s, outside the period"
                          % (seq, e["recorded_at"]))
        chain = hashlib.sha256(chain + struct.pack(">Q", seq) + data).digest()
        append_leaf(frontier, sizes, hashlib.sha256(b"\x00" + struct.pack(">Q", seq) + data).digest())
        try:
            given = json.loads(json_lines[i])
        except ValueError:
            given = None
        if not isinstance(given, dict) or dict(given, hash=None) != dict(json_form(e), hash=None):
            raise Failure("events.jsonl", "line %d is not the JSON form of seq %d" % (i + 1, seq))
        if given.get("hash") != chain.hex():
            raise Failure("events.jsonl", "line %d: hash %s, the chain hash recomputed from "
                          "chain-before and events.bin is %s" % (i + 1, given.get("hash"), chain.hex()))
        decoded.append(e)
    _, cp_size, cp_root, cp_ledger, cp_head = checkpoint
    if cp_size != last or cp_ledger != m["ledger"][0]:
        raise Failure("checkpoint", "size %d of ledger %s; the package ends at %d of ledger %s"
                      % (cp_size, cp_ledger, last, m["ledger"][0]))
    if chain != cp_head:
        raise Failure("events.bin", "the chain hash at %d is %s, the checkpoint says %s"
                      % (last, chain.hex(), cp_head.hex()))
    if root_of(frontier) != cp_root:
        raise Failure("events.bin", "the Merkle root at %d is %s, the checkpoint says %s"
                      % (last, root_of(frontier).hex(), cp_root.hex()))
    return decoded


def check_previous(folder, m, files, vkey, checkpoint, previous_dir):
    """The consistency proof from the previous package's checkpoint."""
    if "previous" not in m:
        if "consistency.json" in files or previous_dir:
            raise Failure("MANIFEST", "no previous line, yet a previous package is named")
        return
    text = open_note(read(folder, "previous.checkpoint", NOTE_BYTES_MAX), vkey, "previous.checkpoint")
    _, old_size, old_root, old_ledger, _ = parse_checkpoint(text, "previous.checkpoint")
    if [str(old_size), old_root.hex()] != m["previous"] or old_ledger != m["ledger"][0]:
        raise Failure("previous.checkpoint", "is not the checkpoint the MANIFEST names")
    if previous_dir:
        if read(previous_dir, "checkpoint", NOTE_BYTES_MAX) != read(folder, "previous.checkpoint"):
            raise Failure("previous.checkpoint", "differs from %s/checkpoint" % previous_dir)
        # The previous package ends where this one starts: its last seq and its
        # end states are this package's start.
        before, _ = parse_manifest(open_note(read(previous_dir, "MANIFEST", NOTE_BYTES_MAX), vkey,
                                             previous_dir + "/MANIFEST"))
        if int(before["events"][1]) + 1 != int(m["events"][0]):
            raise Failure("MANIFEST", "starts at seq %s; the previous package ends at %s"
                          % (m["events"][0], before["events"][1]))
        for name in ("balances", "margins"):
            if before["state " + name][2] != m["state " + name][1]:
                raise Failure(name + ".start.state", "is not the previous package's end state")
    try:
        proof = json.loads(read(folder, "consistency.json").decode("utf-8"))
        path = [bytes.fromhex(h) for h in proof["path"]]
    except (ValueError, KeyError, TypeError) as err:
        raise Failure("consistency.json", "not a consistency proof: %s" % err)
    if (proof["ledger_id"], proof["old_size"], proof["new_size"]) != (old_ledger, old_size,
                                                                      checkpoint[1]):
        raise Failure("consistency.json", "is not the proof from %d to %d" % (old_size, checkpoint[1]))
    if not verify_consistency(old_size, checkpoint[1], old_root, checkpoint[2], path):
        raise Failure("consistency.json", "does not prove that the tree of %d extends the "
                                          "previous package's tree of %d" % (checkpoint[1], old_size))


def approved_event(approval, pending, asked):
    """The event `approval` approves, taken out of the period's pending events
    or else out of pending.bin's: an approval takes effect once, by another
    actor than the one who asked (four eyes)."""
    e = pending.pop(approval["target_event_id"], None)
    if e is None:
        e = asked.pop(approval["target_event_id"], None)
    if e is None:
        raise Failure("pending.bin", "lacks the event approved at seq %d (it was not appended "
                      "pending within the period either)" % approval["seq"])
    if e["actor"] == approval["actor"]:
        raise Failure("events.bin", "seq %d approves seq %d by its own actor %s"
                      % (approval["seq"], e["seq"], e["actor"]))
    return e


def earlier_events(folder, name, first, what, accept):
    """{event_id: event} of the records of `name`: events recorded before the
    period that its figures need, each decoding, carrying its own seq, before
    seq `first`, `what` (accept(event) holds), and there once."""
    out = {}
    for seq, data in read_records(read(folder, name), name):
        try:
            e = decode_event(data)
        except (ValueError, KeyError, UnicodeDecodeError, struct.error) as err:
            raise Failure(name, "seq %d does not decode: %s" % (seq, err))
        if seq >= first or e["seq"] != seq or not accept(e):
            raise Failure(name, "seq %d is not %s before the period" % (seq, what))
        if e["event_id"] in out:
            raise Failure(name, "seq %d is carried twice" % seq)
        out[e["event_id"]] = e
    return out


def check_figures(folder, m, events):
    """Balances and margins re-derived from the start states and the events."""
    first = int(m["events"][0])
    asked = earlier_events(folder, "pending.bin", first, "an event appended pending",
                           lambda t: t["_awaits"])
    targets = earlier_events(folder, "targets.bin", first, "a consumption event",
                             lambda t: t["type"] in ("HoursBooked", "DeliveryCompleted"))
    start = {}
    for name in ("balances", "margins"):
        data = read(folder, name + ".start.state")
        if hashlib.sha256(data).hexdigest() != m["state " + name][1]:
            raise Failure(name + ".start.state", "its digest is not the MANIFEST's start digest")
        start[name] = data
    folds = Folds(decode_balances(start["balances"], "balances.start.state"),
                  *decode_margins(start["margins"], "margins.start.state"))
    consumed = {}  # the period's consumption events, by id
    pending = {}  # the period's events awaiting approval: they count once approved
    used = set()  # the ids of targets.bin's events some reversal took back
    for e in events:
        if e["type"] in ("HoursBooked", "DeliveryCompleted"):
            consumed[e["event_id"]] = e
        if e["_awaits"]:
            pending[e["event_id"]] = e
            continue
        if e["type"] == "Approved":
            e = approved_event(e, pending, asked)
        target = None
        if e["type"] == "EntryReversed":
            target = consumed.get(e["target_event_id"]) or targets.get(e["target_event_id"])
            if target is None:
                raise Failure("targets.bin", "lacks the target of the reversal at seq %d" % e["seq"])
            used.add(e["target_event_id"])
        folds.apply(e, target)
    for e in asked.values():
        raise Failure("pending.bin", "seq %d is not approved within the period" % e["seq"])
    for event_id, t in targets.items():
        if event_id not in used:
            raise Failure("targets.bin", "seq %d is the target of no reversal the period folds"
                          % t["seq"])
    ends = {"balances": encode_balances(folds.balances),
            "margins": encode_margins(folds.overflowed, folds.margins)}
    for name, data in ends.items():
        if hashlib.sha256(data).hexdigest() != m["state " + name][2]:
            raise Failure("MANIFEST", "the %s state digest at the end is %s, recomputed %s"
                          % (name, m["state " + name][2], hashlib.sha256(data).hexdigest()))
    for name, rows in (("balances.jsonl", folds.balance_rows()),
                       ("margins.jsonl", folds.margin_rows())):
        try:
            given = [json.loads(line) for line in read(folder, name).decode("utf-8").splitlines()]
        except ValueError as err:
            raise Failure(name, "not JSON Lines: %s" % err)
        for i, (got, want) in enumerate(zip(given, rows)):
            if got != want:
                raise Failure(name, "line %d is %s; recomputed from the events: %s"
                              % (i + 1, json.dumps(got), json.dumps(want)))
        if len(given) != len(rows):
            raise Failure(name, "%d rows; recomputed from the events: %d" % (len(given), len(rows)))


def verify(folder, vkey_file, previous_dir):
    vkey_text = read(folder, "log.vkey", NOTE_BYTES_MAX).decode("utf-8", "replace")
    if vkey_file is not None:
        with open(vkey_file, encoding="utf-8") as f:
            if f.read().strip() != vkey_text.strip():
                raise Failure("log.vkey", "is not the trusted key of %s" % vkey_file)
    vkey = parse_vkey(vkey_text, "log.vkey")
    m, files = parse_manifest(open_note(read(folder, "MANIFEST", NOTE_BYTES_MAX), vkey, "MANIFEST"))
    if m["origin"] != [vkey[0]]:
        raise Failure("log.vkey", "names %s, the MANIFEST's origin is %s" % (vkey[0], m["origin"]))
    check_files(folder, files)
    checkpoint = parse_checkpoint(open_note(read(folder, "checkpoint", NOTE_BYTES_MAX), vkey,
                                            "checkpoint"), "checkpoint")
    if checkpoint[0] != vkey[0] or [checkpoint[2].hex(), checkpoint[4].hex()] != m["checkpoint"][1:]:
        raise Failure("checkpoint", "is not the checkpoint the MANIFEST names (origin %s, root %s)"
                      % (checkpoint[0], checkpoint[2].hex()))
    events = check_events(folder, m, checkpoint)
    check_previous(folder, m, files, vkey, checkpoint, previous_dir)
    check_figures(folder, m, events)
    return m, len(events)


def main(argv):
    args, vkey_file, previous_dir = [], None, None
    it = iter(argv[1:])
    for a in it:
        if a in ("--vkey", "--previous"):
            value = next(it, None)
            if value is None:
                break
            if a == "--vkey":
                vkey_file = value
            else:
                previous_dir = value
        else:
            args.append(a)
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python3 verify_package.py DIR [--vkey FILE] [--previous DIR]",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        m, count = verify(args[0], vkey_file, previous_dir)
    except Failure as failure:
        print("verify_package: FAILED: %s" % failure, file=sys.stderr)
        return EXIT_FAILED
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError, struct.error) as err:
        print("verify_package: FAILED: %s (or a file it refers to) is malformed: %s: %s"
              % (LAST_READ[0], type(err).__name__, err), file=sys.stderr)
        return EXIT_FAILED
    print("OK: %d events (seq %s..%s, recorded %s to %s) of ledger %s: chain, Merkle root, "
          "signatures%s, balances and margins all check"
          % (count, m["events"][0], m["events"][1], m["period"][0], m["period"][1],
             m["ledger"][0], ", consistency with the previous package" if "previous" in m else ""))
    if vkey_file is None:
        print("note: no --vkey given: the signing key in log.vkey was trusted as given",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
