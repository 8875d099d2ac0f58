// The offline audit package (`ledgerctl audit-package`): everything an auditor
// needs to check one period of the ledger without the ledger or our code.
// A package folder holds the period's events (stored bytes and JSON form),
// what precedes the period (the chain hash before it, the Merkle frontier of
// the events before it, the balances and margins states at its start, and the
// earlier events its figures need: pending events it approves and reversal
// targets), a C2SP checkpoint at the
// period's end, the consistency proof from a previous package's checkpoint,
// the balances and margins at the period's end with their state digests, the
// format documents and a stand-alone verifier, `verify_package.py` and the
// `verify_*.py` modules it loads from its own folder (Python 3 standard
// library only). A signed MANIFEST lists every other file with its
// SHA-256, so nothing in the folder can be swapped. The layout is in
// tools/package/PACKAGE_README.md, copied into every package as README.md.
#pragma once

#include <cstdint>
#include <string>

#include "events/base/status.h"
#include "ledger/merkle/merkle_store.h"
#include "ledger/merkle/signing.h"
#include "ledger/store/ledger.h"

namespace ccl::package {

inline constexpr char kManifestFormat[] = "ccl-audit-package/v1";
// A package holds at most this many events. The builder streams the events
// into their files, but verify_package.py holds the period's events decoded
// in memory (about 2.4 KB per event under CPython), so a larger period is
// refused rather than handed to an auditor who cannot check it: split it. A
// month of a 1,000,000-event year is about 90,000 events.
inline constexpr uint64_t kPackageEventsMax = 2'000'000;

struct AuditPackageOptions {
  // The period: the events with from_ns <= recorded_at < end_ns (ns since
  // 1970-01-01T00:00:00Z; a month is its first day 00:00Z to the next
  // month's).
  int64_t from_ns = 0;
  int64_t end_ns = 0;
  // A new folder, or an existing empty one; nothing in it is ever replaced.
  std::string out_dir;
  // A previous package's folder, or empty: the new package then carries the
  // consistency proof from that package's checkpoint.
  std::string previous_dir;
  // Signs the checkpoint and the MANIFEST, under `origin` (the key name).
  ledger::SigningKey key;
  std::string origin;
};

struct AuditPackageResult {
  uint64_t first_seq = 0;         // the period's first event (last_seq + 1 when empty)
  uint64_t last_seq = 0;          // the checkpoint's tree size
  uint64_t previous_size = 0;     // the previous package's tree size (0: none)
  uint64_t approved_pending = 0;  // pending events before the period approved in it
  uint64_t reversal_targets = 0;  // events before the period carried for reversals
  uint64_t bytes = 0;             // all files written
  int files = 0;
};

// Writes the package of the period into options.out_dir. Errors:
// InvalidArgument (out_dir exists and is not an empty folder, a bad period or
// origin, a period that ends after the recorded_at of the ledger's last event
// (events appended later could still fall in it), a previous folder that is
// no package, is later than this one or whose period does not end where this
// one starts),
// NotFound (a previous package's file missing), Corruption (the previous
// package is not of this ledger's history, or the ledger fails its checks
// while read), IOError. On failure the files written so far stay (never a
// file that existed before) and the error says so.
// REQUIRES: tree is the ledger's tree (ledger::OpenLedgerTree).
[[nodiscard]] Status BuildAuditPackage(ledger::Ledger* ledger, const ledger::MerkleStore& tree,
                                       const AuditPackageOptions& options,
                                       AuditPackageResult* result);

}  // namespace ccl::package
