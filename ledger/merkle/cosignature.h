// C2SP tlog-cosignature/v1 (c2sp.org/tlog-cosignature), the Ed25519 type: a
// witness's signature line on a checkpoint note, key ID type byte 0x04, whose
// signature is BE64(timestamp) || Ed25519 signature of
//   "cosignature/v1\ntime <timestamp>\n" || <the whole checkpoint note text>
// (timestamp: POSIX seconds, decimal without leading zeros).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "ledger/merkle/note.h"
#include "ledger/merkle/signing.h"

namespace ccl::ledger {

// The spec: a timestamp must not exceed 2^63 - 1.
inline constexpr uint64_t kCosignatureTimestampMax = (uint64_t{1} << 63) - 1;

// The bytes an Ed25519 cosignature signs.
std::string CosignedMessage(std::string_view checkpoint_text, uint64_t timestamp);

// The cosigner's verifier key: `name`, type 0x04.
[[nodiscard]] Status CosignerVerifierKey(const SigningKey& key, std::string_view name,
                                         NoteVerifierKey* out);

// A cosignature of `checkpoint_text` by `key` as `name` at `timestamp`.
// REQUIRES: timestamp <= kCosignatureTimestampMax.
[[nodiscard]] Status Cosign(const SigningKey& key, std::string_view name,
                            std::string_view checkpoint_text, uint64_t timestamp,
                            NoteSignature* out);

// OK when `sig` is a valid cosignature by `key` (type 0x04, same name and key
// ID) of `checkpoint_text`; *timestamp is then its time. Corruption otherwise.
[[nodiscard]] Status VerifyCosignature(const NoteVerifierKey& key, std::string_view checkpoint_text,
                                       const NoteSignature& sig, uint64_t* timestamp);

}  // namespace ccl::ledger
