#include "ledger/merkle/digest.h"

#include <string>

#include "events/base/time_format.h"
#include "ledger/merkle/merkle_json.h"

namespace ccl::ledger {
namespace {

// A digest file that does not parse is rejected input; a parsed one that does
// not match a ledger or a key is a verification failure (Corruption).
Status Bad(std::string_view field, std::string_view rule) {
  return internal::BadField("digest", field, rule);
}

// The optional "signature" object of a digest's JSON.
Status ParseDigestSignature(const internal::JsonObjectReader& r, DigestSignature* out) {
  internal::JsonObjectReader sig;
  Status s = r.Object("signature", &sig);
  if (s.ok()) s = sig.CheckKeys({"algorithm", "public_key", "value"});
  if (!s.ok()) return s.WithContext("digest: signature");
  std::string algorithm;
  if (!sig.String("algorithm", 32, &algorithm).ok() ||
      (algorithm != kSignatureAlgorithm && algorithm != kEcdsaSignatureAlgorithm)) {
    return Bad("signature.algorithm", std::string("must be \"") + kSignatureAlgorithm + "\" or \"" +
                                          kEcdsaSignatureAlgorithm + "\"");
  }
  std::string hex;
  if (algorithm == kSignatureAlgorithm) {
    if (!sig.String("public_key", 64, &hex).ok() || hex.size() != 64 ||
        !HexDecodeString(hex, 64, &out->public_key)) {
      return Bad("signature.public_key", "must be 64 lower-case hex digits");
    }
    if (!sig.String("value", 128, &hex).ok() || hex.size() != 128 ||
        !HexDecodeString(hex, 128, &out->value)) {
      return Bad("signature.value", "must be 128 lower-case hex digits");
    }
  } else {
    out->algorithm = KeyAlgorithm::kEcdsaP256;
    if (!sig.String("public_key", 2 * kVerifyingKeyBytesMax, &hex).ok() ||
        !HexDecodeString(hex, 2 * kVerifyingKeyBytesMax, &out->public_key) ||
        out->public_key.empty()) {
      return Bad("signature.public_key", "must be the lower-case hex of a DER public key");
    }
    if (!sig.String("value", 2 * kSignatureBytesMax, &hex).ok() ||
        !HexDecodeString(hex, 2 * kSignatureBytesMax, &out->value) || out->value.empty()) {
      return Bad("signature.value", "must be the lower-case hex of a DER ECDSA signature");
    }
  }
  return Status::OK();
}

}  // namespace

std::string DigestSigningBytes(const Digest& d) {
  std::string out;
  out.reserve(320);
  out += "format=";
  out += kDigestFormat;
  out += "\nledger_id=" + d.ledger_id;
  out += "\ntree_size=" + std::to_string(d.tree_size);
  out += "\nroot_hash=" + HexEncode(d.root_hash);
  out += "\nhead_seq=" + std::to_string(d.head_seq);
  out += "\nhead_hash=" + HexEncode(d.head_hash);
  out += "\ntime=" + events::FormatInstant(d.time_ns);
  out += "\n";
  return out;
}

std::string DigestToJson(const Digest& d) {
  std::string out;
  internal::AppendDocumentHead(kDigestFormat, d.ledger_id, &out);
  out += ",\n  \"tree_size\": " + std::to_string(d.tree_size);
  out += ",\n  \"root_hash\": \"" + HexEncode(d.root_hash) + "\"";
  out += ",\n  \"head_seq\": " + std::to_string(d.head_seq);
  out += ",\n  \"head_hash\": \"" + HexEncode(d.head_hash) + "\"";
  out += ",\n  \"time\": \"" + events::FormatInstant(d.time_ns) + "\"";
  if (d.signature) {
    out += ",\n  \"signature\": {\n    \"algorithm\": \"";
    out += d.signature->algorithm == KeyAlgorithm::kEd25519 ? kSignatureAlgorithm
                                                            : kEcdsaSignatureAlgorithm;
    out += "\",\n    \"public_key\": \"" + HexEncode(d.signature->public_key) + "\"";
    out += ",\n    \"value\": \"" + HexEncode(d.signature->value) + "\"\n  }";
  }
  out += "\n}\n";
  return out;
}

Status ParseDigestJson(std::string_view text, Digest* out) {
  internal::JsonObjectReader r;
  Digest d;
  CCL_RETURN_IF_ERROR(internal::ReadDocumentHead(
      "digest", text, kDigestJsonBytesMax, kDigestFormat,
      {"format", "ledger_id", "tree_size", "root_hash", "head_seq", "head_hash", "time"},
      {"signature"}, &r, &d.ledger_id));
  Status s = r.Uint("tree_size", &d.tree_size);
  if (s.ok()) s = r.HashHex("root_hash", &d.root_hash);
  if (s.ok()) s = r.Uint("head_seq", &d.head_seq);
  if (s.ok()) s = r.HashHex("head_hash", &d.head_hash);
  if (!s.ok()) return s.WithContext("digest");
  if (d.tree_size > kTreeSizeMax) return Bad("tree_size", "over the maximum tree size");
  if (d.head_seq != d.tree_size) {
    return Bad("head_seq", "must equal tree_size (the tree covers every event)");
  }
  if (d.tree_size == 0 && d.root_hash != EmptyTreeHash()) {
    // A hash that does not match: not a syntax error.
    return Bad("root_hash", "must be the empty tree hash SHA-256(\"\") when tree_size is 0")
        .WithCode(Status::Code::kCorruption);
  }
  std::string time;
  if (!r.String("time", 64, &time).ok() || !events::ParseInstant(time, &d.time_ns).ok() ||
      events::FormatInstant(d.time_ns) != time) {
    return Bad("time", "must be a canonical RFC 3339 UTC time like 2026-03-31T23:59:59Z");
  }
  if (r.Has("signature")) {
    DigestSignature ds;
    CCL_RETURN_IF_ERROR(ParseDigestSignature(r, &ds));
    d.signature = ds;
  }
  *out = std::move(d);
  return Status::OK();
}

Status ReadDigestFile(const std::string& path, Digest* out) {
  std::string text;
  CCL_RETURN_IF_ERROR(internal::ReadFileBounded(path, kDigestJsonBytesMax, &text));
  return ParseDigestJson(text, out).WithContext(path);
}

Status SignDigest(const SigningKey& key, Digest* digest) {
  digest->signature.reset();
  DigestSignature ds;
  const VerifyingKey vk = VerifyingKeyOf(key);
  ds.algorithm = vk.algorithm;
  ds.public_key = vk.bytes;
  CCL_RETURN_IF_ERROR(SignMessage(key, DigestSigningBytes(*digest), &ds.value));
  digest->signature = ds;
  return Status::OK();
}

Status CheckDigestSignature(const Digest& digest, const PublicKey* trusted_key) {
  if (trusted_key == nullptr) return CheckDigestSignatureBy(digest, nullptr);
  const VerifyingKey key = Ed25519VerifyingKey(*trusted_key);
  return CheckDigestSignatureBy(digest, &key);
}

Status CheckDigestSignatureBy(const Digest& digest, const VerifyingKey* trusted_key) {
  if (!digest.signature) {
    if (trusted_key == nullptr) return Status::OK();
    return Status::Corruption("digest is not signed; a signature by the trusted key " +
                              HexEncode(trusted_key->bytes) + " is required");
  }
  const VerifyingKey signer{digest.signature->algorithm, digest.signature->public_key};
  if (trusted_key != nullptr && signer != *trusted_key) {
    return Status::Corruption("digest is signed by key " + HexEncode(signer.bytes) +
                              ", not by the trusted key " + HexEncode(trusted_key->bytes));
  }
  Status s = VerifyMessage(signer, DigestSigningBytes(digest), digest.signature->value);
  if (!s.ok()) {
    return Status::Corruption("digest signature does not verify under key " +
                              HexEncode(signer.bytes) + ": the digest was altered or forged");
  }
  return Status::OK();
}

}  // namespace ccl::ledger
