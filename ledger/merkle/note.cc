#include "ledger/merkle/note.h"

#include <openssl/evp.h>

#include <cassert>
#include <cctype>

#include "ledger/merkle/merkle.h"

namespace ccl::ledger {
namespace {

// U+2014 EM DASH and a space: how every signature line starts.
constexpr std::string_view kSignatureLinePrefix = "\xE2\x80\x94 ";

std::string Be32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (24 - 8 * i));
  return out;
}

uint32_t ReadBe32(std::string_view b) {
  assert(b.size() >= 4);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | static_cast<uint8_t>(b[i]);
  return v;
}

std::string Hex8(uint32_t v) {
  const std::string b = Be32(v);
  return HexEncode(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b.data()), 4));
}

// The spec forbids control characters other than newline anywhere in a note.
bool HasForbiddenControl(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') return true;
  }
  return false;
}

Status ParseSignatureLine(std::string_view line, NoteSignature* out) {
  if (line.substr(0, kSignatureLinePrefix.size()) != kSignatureLinePrefix) {
    return Status::Corruption("does not start with an em dash and a space");
  }
  line.remove_prefix(kSignatureLinePrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return Status::Corruption("no signature after the key name");
  const std::string_view name = line.substr(0, space);
  if (!IsValidNoteKeyName(name)) return Status::Corruption("invalid key name");
  std::string raw;
  if (!Base64Decode(line.substr(space + 1), &raw) || raw.size() <= 4 ||
      raw.size() > kNoteSignatureBytesMax) {
    return Status::Corruption("the signature is not base64 of a key ID and a signature");
  }
  out->name = std::string(name);
  out->key_id = ReadBe32(raw);
  out->signature = raw.substr(4);
  return Status::OK();
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  out->clear();
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4 * kNoteBytesMax) return false;
  for (const char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) {
      return false;
    }
  }
  std::string buf(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  buf.resize(static_cast<size_t>(n) - pad);
  // Canonical only: a re-encoding must give the same text (no stray bits in
  // the padding, no '=' in the middle).
  if (Base64Encode(buf) != text) return false;
  *out = std::move(buf);
  return true;
}

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty() || name.size() > kNoteKeyNameBytesMax) return false;
  // Printable ASCII without space or '+': the spec forbids spaces (Unicode
  // ones too) and '+'; a name is for machines, so nothing beyond ASCII.
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '+') return false;
  }
  return true;
}

uint32_t NoteKeyId(std::string_view name, NoteKeyType type, std::string_view public_key) {
  std::string data;
  if (type == NoteKeyType::kEcdsa) {
    data.assign(public_key);  // the spec: SHA-256 of the DER SPKI alone
  } else {
    data.reserve(name.size() + 2 + public_key.size());
    data.append(name);
    data.push_back('\n');
    data.push_back(static_cast<char>(type));
    data.append(public_key);
  }
  const Hash h = Sha256(data);
  return uint32_t{h[0]} << 24 | uint32_t{h[1]} << 16 | uint32_t{h[2]} << 8 | h[3];
}

std::string FormatVerifierKey(const NoteVerifierKey& key) {
  std::string material(1, static_cast<char>(key.type));
  material += key.public_key;
  return key.name + "+" + Hex8(key.key_id) + "+" + Base64Encode(material);
}

Status ParseVerifierKey(std::string_view text, NoteVerifierKey* out) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  const size_t plus1 = text.find('+');
  const size_t plus2 = plus1 == std::string_view::npos ? plus1 : text.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) {
    return Status::Corruption("verifier key: not <name>+<key ID>+<key>");
  }
  const std::string_view name = text.substr(0, plus1);
  const std::string_view id_hex = text.substr(plus1 + 1, plus2 - plus1 - 1);
  if (!IsValidNoteKeyName(name)) return Status::Corruption("verifier key: invalid key name");
  std::array<uint8_t, 4> id{};
  if (id_hex.size() != 8 || !HexDecode(id_hex, id)) {
    return Status::Corruption("verifier key: the key ID is not 8 lower-case hex digits");
  }
  std::string material;
  if (!Base64Decode(text.substr(plus2 + 1), &material) || material.size() < 2 ||
      material.size() > kNotePublicKeyBytesMax + 1) {
    return Status::Corruption("verifier key: the key is not base64 of a type and a key");
  }
  const auto type = static_cast<NoteKeyType>(material[0]);
  const std::string key = material.substr(1);
  if (type == NoteKeyType::kEd25519 || type == NoteKeyType::kCosignatureV1) {
    if (key.size() != 32) return Status::Corruption("verifier key: an Ed25519 key is 32 bytes");
  } else if (type != NoteKeyType::kEcdsa) {
    return Status::Corruption("verifier key: unsupported signature type " +
                              std::to_string(static_cast<unsigned>(material[0]) & 0xff));
  }
  const uint32_t want = NoteKeyId(name, type, key);
  if (want != ReadBe32(std::string_view(reinterpret_cast<const char*>(id.data()), 4))) {
    return Status::Corruption("verifier key: the key ID " + std::string(id_hex) +
                              " is not the one of this name and key (" + Hex8(want) + ")");
  }
  out->name = std::string(name);
  out->key_id = want;
  out->type = type;
  out->public_key = key;
  return Status::OK();
}

Status ParseSignedNote(std::string_view note, SignedNote* out) {
  *out = SignedNote{};
  if (note.size() > kNoteBytesMax) return Status::Corruption("note: larger than 64 KiB");
  if (HasForbiddenControl(note)) return Status::Corruption("note: a control character");
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos || note.empty() || note.back() != '\n') {
    return Status::Corruption("note: no blank line before the signatures");
  }
  out->text = std::string(note.substr(0, split + 1));
  std::string_view rest = note.substr(split + 2);
  size_t line_no = 0;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    assert(nl != std::string_view::npos);  // the note ends in '\n'
    ++line_no;
    if (out->signatures.size() == kNoteSignaturesMax) {
      return Status::Corruption("note: more than 100 signatures");
    }
    NoteSignature sig;
    Status s = ParseSignatureLine(rest.substr(0, nl), &sig);
    if (!s.ok()) return s.WithContext("note: signature line " + std::to_string(line_no));
    out->signatures.push_back(std::move(sig));
    rest.remove_prefix(nl + 1);
  }
  if (out->signatures.empty()) return Status::Corruption("note: no signature line");
  return Status::OK();
}

std::string FormatSignedNote(const SignedNote& note) {
  std::string out = note.text + "\n";
  for (const NoteSignature& sig : note.signatures) {
    out += kSignatureLinePrefix;
    out += sig.name + " " + Base64Encode(Be32(sig.key_id) + sig.signature) + "\n";
  }
  return out;
}

Status NoteVerifierKeyOf(const SigningKey& key, std::string_view name, NoteVerifierKey* out) {
  if (!IsValidNoteKeyName(name)) {
    return Status::InvalidArgument("key name '" + std::string(name) +
                                   "': must be printable ASCII without spaces or '+'");
  }
  const VerifyingKey vk = VerifyingKeyOf(key);
  out->name = std::string(name);
  out->type = vk.algorithm == KeyAlgorithm::kEd25519 ? NoteKeyType::kEd25519 : NoteKeyType::kEcdsa;
  out->public_key = vk.bytes;
  out->key_id = NoteKeyId(name, out->type, out->public_key);
  return Status::OK();
}

Status SignNote(const SigningKey& key, std::string_view name, std::string_view text,
                NoteSignature* out) {
  if (text.empty() || text.back() != '\n' || text.find("\n\n") != std::string_view::npos ||
      HasForbiddenControl(text)) {
    return Status::InvalidArgument("note text: must end in a newline, with no blank line");
  }
  NoteVerifierKey vkey;
  CCL_RETURN_IF_ERROR(NoteVerifierKeyOf(key, name, &vkey));
  CCL_RETURN_IF_ERROR(SignMessage(key, text, &out->signature));
  out->name = vkey.name;
  out->key_id = vkey.key_id;
  return Status::OK();
}

Status VerifyNoteSignature(const NoteVerifierKey& key, std::string_view text,
                           const NoteSignature& sig) {
  if (sig.name != key.name || sig.key_id != key.key_id) {
    return Status::Corruption("the signature is not by key " + key.name + "+" + Hex8(key.key_id));
  }
  if (key.type != NoteKeyType::kEd25519 && key.type != NoteKeyType::kEcdsa) {
    return Status::Corruption("key " + key.name +
                              " is not a log signature key (type 0x01 or 0x02)");
  }
  const VerifyingKey vk{
      key.type == NoteKeyType::kEd25519 ? KeyAlgorithm::kEd25519 : KeyAlgorithm::kEcdsaP256,
      key.public_key};
  return VerifyMessage(vk, text, sig.signature).WithContext("key " + key.name);
}

std::vector<const NoteSignature*> SignaturesBy(const SignedNote& note, const NoteVerifierKey& key) {
  std::vector<const NoteSignature*> out;
  for (const NoteSignature& sig : note.signatures) {
    if (sig.name == key.name && sig.key_id == key.key_id) out.push_back(&sig);
  }
  return out;
}

}  // namespace ccl::ledger
