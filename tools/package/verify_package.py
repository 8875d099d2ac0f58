#!/usr/bin/env python3
"""Checks an audit package of the Contract Consumption Ledger, offline.

Usage: python3 verify_package.py DIR [--vkey FILE] [--previous DIR]

Needs Python 3.8+ and its standard library only: it decodes the stored
FlatBuffers itself (docs/events.fbs), recomputes the hash chain and the
RFC 6962 Merkle root (docs/FORMAT.md, docs/MERKLE.md), verifies the
signatures of the MANIFEST and the checkpoint (Ed25519, RFC 8032, or ECDSA
P-256 with SHA-256, FIPS 186-5: both implemented in verify_signatures.py),
the consistency proof from the previous package's checkpoint, and re-derives
every balance and margin row and both state digests from the period's events
and the earlier ones they need, pending events they approve and entries they
reverse (docs/projections-FORMAT.md). Exit 0 when everything holds; exit 3 with one
line naming the file and the first difference otherwise; exit 2 for usage.
README.md of the package says what each check proves.

This file is the entry point and the package checks; the rest of the
verifier is in the modules MODULES names, next to it in the package, each
checked against the SHA-256 this file pins before any of it runs.

Whoever can edit the package can replace this file too, and a replaced
verifier can say anything. Run a copy you trust, with its modules next to
it: one from a package you already trust, or one from the ledgerctl
distribution (tools/package/ in its sources); it checks any package DIR
given on its command line, including that package's own copy of the
verifier (against the MANIFEST, like every file).
"""

import base64
import hashlib
import importlib.util
import json
import os
import struct
import sys

EXIT_FAILED = 3
EXIT_USAGE = 2
FORMAT = "ccl-audit-package/v1"
FILE_BYTES_MAX = 1 << 34  # no file of a package is larger than 16 GiB
NOTE_BYTES_MAX = 1 << 20

# The verifier's own modules, each importing only those before it.
MODULES = ("verify_failure", "verify_signatures", "verify_events", "verify_merkle",
           "verify_folds")

# The SHA-256 of each module, as this file was built with them: a module
# changed by a single byte stops the verifier, named, before any of its code
# runs. (The MANIFEST cannot serve here: its signature is checked by a
# module, and whoever edits a module can edit the MANIFEST's line for it.)
# So trust in the modules rests on trust in this file: run a copy you trust.
# tools/package/CMakeLists.txt refuses to build with a stale entry.
MODULE_SHA256 = {
    "verify_failure": "1b4139c8f8e8cd5132c7582f95c350cd99f1611d46185be05529225d4727e26c",
    "verify_signatures": "c36bfd0bc4636e409ba558d125d125a8a47d71b485d8ec3e7b63e89859169ea1",
    "verify_events": "0214cb8eea0d00a43b3b3f6324b988cccd12a696aecf8eb0316c0d741b3e247b",
    "verify_merkle": "7f4f5b70e3ee89536745310e21313e0602a15998ff6417f4a4e1e34ec83476c4",
    "verify_folds": "dc0536137394f4e6cff71b11154d57c0d49215b733af0d21cb3f51e278061509",
}


def stop(name, message):
    print("verify_package: FAILED: %s.py: %s" % (name, message), file=sys.stderr)
    raise SystemExit(EXIT_FAILED)


def load_modules():
    """Loads MODULES from this file's own folder, by path, and registers them
    under their names, so that the imports below and theirs find these and
    never a module of the same name in the current directory or on
    PYTHONPATH. Each is hashed before it is run, from the very bytes it is
    run from: one missing or not MODULE_SHA256's stops the verifier, named
    (exit 3)."""
    here = os.path.dirname(os.path.realpath(__file__))
    # A __pycache__ folder written into the package would be a file its
    # MANIFEST does not list.
    sys.dont_write_bytecode = True
    for name in MODULES:
        path = os.path.join(here, name + ".py")
        if not os.path.isfile(path):
            stop(name, "missing next to %s (the verifier is incomplete)"
                 % os.path.basename(__file__))
        try:
            with open(path, "rb") as f:
                source = f.read()
        except OSError as err:
            stop(name, "cannot be read: %s" % err.strerror)
        got = hashlib.sha256(source).hexdigest()
        if got != MODULE_SHA256[name]:
            stop(name, "SHA-256 %s, this verify_package.py expects %s: the module was changed "
                       "(none of it was run)" % (got, MODULE_SHA256[name]))
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        exec(compile(source, path, "exec"), module.__dict__)


load_modules()

# Resolved to the modules load_modules registered.
from verify_events import decode_event, json_form, parse_instant, read_records
from verify_failure import Failure
from verify_folds import (Folds, decode_balances, decode_margins, encode_balances,
                          encode_margins)
from verify_merkle import append_leaf, frontier_sizes, root_of, verify_consistency
from verify_signatures import open_note, parse_vkey


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
        # And its period starts at the instant the previous one ends: no
        # recorded_at in no package or in two.
        if parse_instant(before["period"][1]) != parse_instant(m["period"][0]):
            raise Failure("MANIFEST", "the period starts at %s; the previous package's ends at %s "
                          "(chained periods meet exactly)" % (m["period"][0], before["period"][1]))
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


class BadArgument(Exception):
    """An argument the auditor gave that cannot be used: exit 2, naming it."""


def read_trusted_vkey(vkey_file):
    """The text of the --vkey file: a verifier key, as `ledgerctl vkey` prints."""
    try:
        if os.path.getsize(vkey_file) > NOTE_BYTES_MAX:
            raise BadArgument("--vkey %s: larger than %d bytes" % (vkey_file, NOTE_BYTES_MAX))
        with open(vkey_file, "rb") as f:
            text = f.read().decode("utf-8")
    except OSError as err:
        raise BadArgument("--vkey %s: cannot be read: %s" % (vkey_file, err.strerror))
    except UnicodeDecodeError:
        raise BadArgument("--vkey %s: not UTF-8 text" % vkey_file)
    try:
        parse_vkey(text, vkey_file)
    except Failure as failure:
        raise BadArgument("--vkey %s (a verifier key, as `ledgerctl vkey` prints it)" % failure)
    return text


def untrusted_key_reason(vkey_text, trusted, vkey_file):
    """Why log.vkey's text is not the trusted verifier key of the --vkey file:
    the key names, when the two are one public key under two names (a
    signature names its key, so that is no trusted key either)."""
    try:
        name, _, key, key_type = parse_vkey(vkey_text, "log.vkey")
    except Failure:
        return "is not the trusted key of --vkey %s" % vkey_file
    trusted_name, _, trusted_key, trusted_type = parse_vkey(trusted, vkey_file)
    if (key_type, key) == (trusted_type, trusted_key) and name != trusted_name:
        return ('the key names differ: it names its key "%s", --vkey %s names the same key "%s"'
                % (name, vkey_file, trusted_name))
    return "is not the trusted key of --vkey %s" % vkey_file


def verify(folder, vkey_file, previous_dir):
    trusted = read_trusted_vkey(vkey_file) if vkey_file is not None else None
    for name, path in (("DIR", folder), ("--previous", previous_dir)):
        if path is not None and not os.path.isdir(path):
            raise BadArgument("%s %s: not a folder" % (name, path))
    for name in ("checkpoint", "MANIFEST"):
        if previous_dir is not None and not os.path.isfile(os.path.join(previous_dir, name)):
            raise BadArgument("--previous %s: not an audit package (it has no %s)"
                              % (previous_dir, name))
    vkey_text = read(folder, "log.vkey", NOTE_BYTES_MAX).decode("utf-8", "replace")
    if trusted is not None and trusted.strip() != vkey_text.strip():
        raise Failure("log.vkey", untrusted_key_reason(vkey_text, trusted, vkey_file))
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
    except BadArgument as err:
        print("verify_package: %s" % err, file=sys.stderr)
        return EXIT_USAGE
    except Failure as failure:
        print("verify_package: FAILED: %s" % failure, file=sys.stderr)
        return EXIT_FAILED
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError, struct.error) as err:
        print("verify_package: FAILED: %s (or a file it refers to) is malformed: %s: %s"
              % (LAST_READ[0], type(err).__name__, err), file=sys.stderr)
        return EXIT_FAILED
    print("OK: %d events (seq %s..%s, recorded from %s up to but not including %s) of ledger "
          "%s: chain, Merkle root, signatures%s, balances and margins all check"
          % (count, m["events"][0], m["events"][1], m["period"][0], m["period"][1],
             m["ledger"][0], ", consistency with the previous package" if "previous" in m else ""))
    if vkey_file is None:
        print("note: no --vkey given: the signing key in log.vkey was trusted as given",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

