// The stored form of a projection's checkpoint and state (the value under the
// projection's name in the ledger's `projections` column family). Layout in
// projections/FORMAT.md. Decoding is strict: a snapshot that fails any check
// is reported as Corruption, and the runner then rebuilds from zero rather
// than trust it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "events/model/event.h"

namespace ccl::projections {

using Sha256 = std::array<uint8_t, 32>;

// SHA-256 of `bytes` (OpenSSL).
Sha256 Sha256Of(std::string_view bytes);
// Lower-case hex of a hash.
std::string HexOf(const Sha256& h);

inline constexpr uint32_t kSnapshotFormatVersion = 1;

struct SnapshotHeader {
  std::string projection;  // the projection's name
  uint32_t projection_version = 0;
  events::Uuid ledger_id{};               // a snapshot of another ledger is not used
  uint64_t checkpoint_seq = 0;            // last seq folded into the state (0: none)
  int64_t checkpoint_recorded_at_ns = 0;  // recorded_at of that event (0: none)
  // The ledger's chain hash h_seq at checkpoint_seq (the genesis hash for 0).
  // It commits to every event up to the checkpoint and to the ledger id, so a
  // ledger whose history changed under the snapshot (restored from an older
  // backup, then appended to again) is detected with one read.
  Sha256 checkpoint_chain_hash{};
};

// Appends the snapshot (header, state, trailing SHA-256 checksum) to *out.
void EncodeSnapshot(const SnapshotHeader& header, std::string_view state, std::string* out);

// Parses `bytes`: magic, format version, lengths, checksum. On OK, *header is
// filled and *state points into `bytes`. Corruption naming the failed check
// otherwise. Does not judge the header against a ledger or a projection
// version: the runner does (CheckSnapshotHeader).
Status DecodeSnapshot(std::string_view bytes, SnapshotHeader* header, std::string_view* state);

}  // namespace ccl::projections
