"""The balances and margins projections as the ledger folds them: their
canonical states (docs/projections-FORMAT.md), the fold of an event, and the
rows `ledgerctl export` prints.

Part of the audit package's verifier; loaded by verify_package.py from its
own folder (run that, not this).
"""

import struct

from verify_events import LINES, civil_from_days
from verify_failure import Failure


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
