"""The stored events of an audit package: FlatBuffers read by hand
(docs/events.fbs, every offset bounds-checked), their JSON form as
`ledgerctl log --json` prints it, the dates and instants in it, and the
package's BE64 seq || BE32 length || bytes records.

Part of the audit package's verifier; loaded by verify_package.py from its
own folder (run that, not this).
"""

import struct

from verify_failure import Failure


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

    def present(self, index):
        """Whether field `index` is stored (a vector may be stored empty)."""
        return self._field(index) != 0

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
        # As the ledger decodes a close (events/model/codec.cc): the seal is
        # there when its digests are, and then all three keys are printed,
        # sealed_totals as [] for a month before any contract.
        balances, margins = p.inline(1, 32), p.inline(2, 32)
        if balances is None and margins is None and not p.present(3):
            return
        if balances is None or margins is None:
            raise ValueError("PeriodClosed with an incomplete seal")
        e["sealed_balances_digest"] = balances.hex()
        e["sealed_margins_digest"] = margins.hex()
        totals = []
        for raw in p.structs(3, 40):  # SealedTotal: currency[3], pad, 4 x int64
            revenue, cost, margin, minutes = struct.unpack_from("<qqqq", raw, 8)
            totals.append({"currency": raw[:3].decode("ascii"), "revenue_minor": revenue,
                           "cost_minor": cost, "margin_minor": margin, "minutes": minutes})
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
