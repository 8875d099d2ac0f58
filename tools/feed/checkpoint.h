// The feed checkpoint: a small text file in which a consumer of `ledgerctl
// export events --checkpoint FILE` keeps its place. It records the last seq
// delivered, that event's chain hash h_seq and the ledger id, so the next
// run starts right after it, and refuses to go on when the ledger is another
// one (other id) or was rewritten or restored from an older backup (the
// stored h_seq differs, or the ledger is shorter than the checkpoint).
//
// File format (exactly these four lines, "\n" after each):
//   ccl-feed-checkpoint v1
//   ledger_id <lower-case UUID>
//   seq <decimal>
//   hash <64 lower-case hex digits>
// A missing file means "nothing delivered yet" (seq 0, the genesis hash).
//
// Durability: SaveCheckpoint writes through events::WriteFileDurably (a
// temporary file next to FILE, fsync, rename over FILE, fsync of the
// directory), so after a crash FILE holds either the old or the new
// checkpoint, never a mix.
#pragma once

#include <cstdint>
#include <string>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/ledger.h"

namespace ccl::feed {

// Checkpoint files are tiny; anything larger is not one.
inline constexpr size_t kCheckpointBytesMax = 512;

struct FeedCheckpoint {
  events::Uuid ledger_id{};
  uint64_t seq = 0;     // last seq delivered; 0: none yet
  ledger::Hash hash{};  // h_seq (the genesis hash when seq is 0)
  bool operator==(const FeedCheckpoint&) const = default;
};

// The checkpoint text (the four lines above).
std::string FormatCheckpoint(const FeedCheckpoint& cp);
// Strict parse of that text. InvalidArgument naming the line and the rule.
Status ParseCheckpoint(std::string_view text, FeedCheckpoint* out);

// Reads `path` into *out. *exists = false (and OK) when the file does not
// exist; IOError when it cannot be read; InvalidArgument when it is malformed.
Status LoadCheckpoint(const std::string& path, FeedCheckpoint* out, bool* exists);

// Replaces `path` atomically and durably (see above). IOError naming the step.
Status SaveCheckpoint(const std::string& path, const FeedCheckpoint& cp);

// Checks that `cp` belongs to `ledger` and that the ledger still holds the
// events it covers: same ledger id (else Conflict), cp.seq <= head seq and the
// stored chain hash of cp.seq equal to cp.hash (else Corruption saying the
// ledger was rewritten or restored from an older backup). `what` names the
// checkpoint in messages ("checkpoint feed.ckpt").
Status CheckCheckpointAgainst(ledger::Ledger* ledger, const FeedCheckpoint& cp,
                              const std::string& what);

}  // namespace ccl::feed
