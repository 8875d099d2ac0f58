// A transparency-log witness (c2sp.org/tlog-witness semantics, file based):
// it cosigns a log's checkpoint only after checking the log's signature and
// that the checkpoint is consistent with the last one it cosigned for that
// origin, so two parties shown different histories (a fork) or a shorter one
// (a roll-back) cannot both hold its cosignature. And the client side: a
// checkpoint is trusted when the log's signature and a quorum of witness
// cosignatures verify. schemas/MERKLE.md "The witness".
//
// State: one file per origin in the state folder, named
// "origin-<hex SHA-256 of the origin>", holding "<origin>\n<size>\n<base64
// root>\n" (the first three lines of the checkpoint last cosigned), replaced
// durably before the cosignature is handed out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "ledger/merkle/checkpoint.h"
#include "ledger/merkle/cosignature.h"
#include "ledger/merkle/note.h"
#include "ledger/merkle/proof.h"

namespace ccl::ledger {

inline constexpr size_t kTrustedKeysMax = 256;
inline constexpr size_t kTrustedKeysFileBytesMax = 64 * 1024;
inline constexpr size_t kWitnessStateFileBytesMax = 4 * 1024;

struct WitnessRequest {
  std::string note;                         // the signed checkpoint
  NoteVerifierKey log_key;                  // the log's key (its name is the origin)
  const ConsistencyProof* proof = nullptr;  // from the last cosigned size; may be null
  std::string state_dir;
  uint64_t now_seconds = 0;  // the cosignature's timestamp
};

struct WitnessResult {
  bool first_sight = false;    // no earlier state for the origin: trusted as first seen
  uint64_t previous_size = 0;  // the size last cosigned (0 on first sight)
  std::string cosigned_note;   // the note with this witness's line added
};

// Checks and cosigns (see the file comment). Corruption for a bad log
// signature, a roll-back (smaller than the last cosigned size), a fork (same
// size, other root; or a consistency proof that does not hold);
// InvalidArgument when a proof is needed and not given, or is for other sizes.
// Nothing is written on failure.
[[nodiscard]] Status WitnessCheckpoint(const SigningKey& witness_key, std::string_view witness_name,
                                       const WitnessRequest& request, WitnessResult* result);

// A trusted-keys file: one vkey per line; blank lines and lines starting with
// '#' ignored; at most kTrustedKeysMax keys. Corruption naming the line.
[[nodiscard]] Status ParseTrustedKeys(std::string_view text, std::vector<NoteVerifierKey>* out);

struct QuorumReport {
  std::string log_key_name;
  std::vector<std::string> cosigners;  // names whose cosignature verified
};

// Accepts a signed checkpoint when, among `trusted`: the log key (an Ed25519
// or ECDSA key named as the checkpoint's origin) signed it, and at least
// `quorum` distinct cosigner keys (type 0x04) cosigned it. A signature line of
// a trusted key that fails rejects the note (signed-note). Corruption saying
// which rule failed.
[[nodiscard]] Status CheckCheckpointQuorum(std::string_view note,
                                           const std::vector<NoteVerifierKey>& trusted,
                                           uint32_t quorum, Checkpoint* cp, QuorumReport* report);

}  // namespace ccl::ledger
