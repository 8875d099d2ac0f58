// C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the note text
//   <origin>\n<tree size>\n<base64 root hash>\n[extension lines]
// signed as a signed note (note.h). The ledger's checkpoints carry one
// extension line, "ccl-chain-head <ledger id> <hex chain hash at tree size>",
// so a checkpoint states what a digest states (digest.h) minus the time, in
// the format transparency-log witnesses cosign. schemas/MERKLE.md
// "Checkpoints".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/merkle.h"
#include "ledger/merkle/note.h"

namespace ccl::ledger {

inline constexpr char kChainHeadExtension[] = "ccl-chain-head";
inline constexpr size_t kCheckpointExtensionLinesMax = 16;

struct Checkpoint {
  std::string origin;
  uint64_t tree_size = 0;
  Hash root_hash{};
  std::vector<std::string> extensions;  // non-empty lines, in order

  bool operator==(const Checkpoint&) const = default;
};

// The note text (ends in "\n").
std::string CheckpointText(const Checkpoint& cp);
// Strict parse of a note text: an origin valid as a key name, a decimal size
// without leading zeros, a canonical base64 32-byte root, then non-empty
// extension lines. Corruption naming the line otherwise.
[[nodiscard]] Status ParseCheckpointText(std::string_view text, Checkpoint* out);

// The checkpoint of a digest under `origin`: its size, root, and the chain
// head extension line.
Checkpoint CheckpointOfDigest(const Digest& digest, std::string_view origin);
// The digest a ledger checkpoint states (time 0, unsigned), from its chain
// head extension line. Corruption when it has none or a malformed one.
[[nodiscard]] Status DigestOfCheckpoint(const Checkpoint& cp, Digest* out);

// A checkpoint signed by `key` as `origin` (the log's key name is its origin).
[[nodiscard]] Status SignCheckpoint(const SigningKey& key, const Checkpoint& cp,
                                    std::string* note_out);

// Parses a signed checkpoint note and checks the log's signature under `log_key`
// (whose name must be the origin). Corruption otherwise.
[[nodiscard]] Status OpenCheckpoint(std::string_view note, const NoteVerifierKey& log_key,
                                    SignedNote* note_out, Checkpoint* cp_out);

}  // namespace ccl::ledger
