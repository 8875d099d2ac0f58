#include "ledger/merkle/cosignature.h"

#include <algorithm>
#include <cassert>

namespace ccl::ledger {

std::string CosignedMessage(std::string_view checkpoint_text, uint64_t timestamp) {
  std::string out = "cosignature/v1\ntime " + std::to_string(timestamp) + "\n";
  out.append(checkpoint_text);
  return out;
}

Status CosignerVerifierKey(const SigningKey& key, std::string_view name, NoteVerifierKey* out) {
  if (key.algorithm != KeyAlgorithm::kEd25519) {
    return Status::InvalidArgument("a cosignature/v1 key must be Ed25519");
  }
  CCL_RETURN_IF_ERROR(NoteVerifierKeyOf(key, name, out));
  out->type = NoteKeyType::kCosignatureV1;
  out->key_id = NoteKeyId(out->name, out->type, out->public_key);
  return Status::OK();
}

Status Cosign(const SigningKey& key, std::string_view name, std::string_view checkpoint_text,
              uint64_t timestamp, NoteSignature* out) {
  assert(timestamp <= kCosignatureTimestampMax);
  NoteVerifierKey vkey;
  CCL_RETURN_IF_ERROR(CosignerVerifierKey(key, name, &vkey));
  Signature sig;
  CCL_RETURN_IF_ERROR(Ed25519Sign(key, CosignedMessage(checkpoint_text, timestamp), &sig));
  out->name = vkey.name;
  out->key_id = vkey.key_id;
  out->signature.clear();
  for (int i = 7; i >= 0; --i) out->signature.push_back(static_cast<char>(timestamp >> (8 * i)));
  out->signature.append(reinterpret_cast<const char*>(sig.data()), sig.size());
  return Status::OK();
}

Status VerifyCosignature(const NoteVerifierKey& key, std::string_view checkpoint_text,
                         const NoteSignature& sig, uint64_t* timestamp) {
  if (key.type != NoteKeyType::kCosignatureV1 || key.public_key.size() != 32) {
    return Status::Corruption("key " + key.name + " is not a cosignature/v1 key");
  }
  if (sig.name != key.name || sig.key_id != key.key_id) {
    return Status::Corruption("the cosignature is not by " + key.name);
  }
  if (sig.signature.size() != 8 + 64) {
    return Status::Corruption("cosignature of " + key.name + ": not 8 + 64 bytes");
  }
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = t << 8 | static_cast<uint8_t>(sig.signature[i]);
  if (t > kCosignatureTimestampMax) {
    return Status::Corruption("cosignature of " + key.name + ": timestamp beyond 2^63 - 1");
  }
  PublicKey pk;
  Signature s;
  std::copy(key.public_key.begin(), key.public_key.end(), pk.begin());
  std::copy(sig.signature.begin() + 8, sig.signature.end(), s.begin());
  CCL_RETURN_IF_ERROR(Ed25519Verify(pk, CosignedMessage(checkpoint_text, t), s)
                          .WithContext("cosigner " + key.name));
  *timestamp = t;
  return Status::OK();
}

}  // namespace ccl::ledger
