// Ed25519 keys and signatures (RFC 8032, PureEdDSA), and ECDSA P-256 with
// SHA-256 (FIPS 186-5) for modules without EdDSA, through OpenSSL's EVP
// interface, for signed digests and checkpoints. Key files are what `openssl` reads and
// writes, so an auditor can check a signature with stock tools:
//   PREFIX      private key, PEM PKCS#8 ("BEGIN PRIVATE KEY"), mode 0600
//   PREFIX.pub  public key, PEM SubjectPublicKeyInfo ("BEGIN PUBLIC KEY")
// Readers also accept a file holding just the 32-byte Ed25519 key as 64
// lower-case hex digits (and a trailing newline). The algorithm of a PEM key
// is the key's own (an EC key must be on P-256).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/base/status.h"

namespace ccl::ledger {

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

enum class KeyAlgorithm : uint8_t { kEd25519, kEcdsaP256 };

// "ed25519" / "ecdsa-p256": the names of keygen's --algorithm.
std::string_view KeyAlgorithmName(KeyAlgorithm algorithm);
[[nodiscard]] bool ParseKeyAlgorithm(std::string_view name, KeyAlgorithm* out);

struct SigningKey {
  KeyAlgorithm algorithm = KeyAlgorithm::kEd25519;
  std::array<uint8_t, 32> seed{};  // Ed25519: the RFC 8032 private key
  PublicKey public_key{};          // Ed25519: the public key
  std::string ecdsa_private_der;   // ECDSA: the private key, DER (SEC1 ECPrivateKey)
  std::string ecdsa_spki;          // ECDSA: the public key, DER SubjectPublicKeyInfo
};

// A public key of either algorithm: the 32 Ed25519 bytes, or ECDSA's DER
// SubjectPublicKeyInfo.
struct VerifyingKey {
  KeyAlgorithm algorithm = KeyAlgorithm::kEd25519;
  std::string bytes;

  bool operator==(const VerifyingKey&) const = default;
};
inline constexpr size_t kVerifyingKeyBytesMax = 256;
inline constexpr size_t kSignatureBytesMax = 80;  // a DER ECDSA P-256 signature is at most 72

VerifyingKey VerifyingKeyOf(const SigningKey& key);
VerifyingKey Ed25519VerifyingKey(const PublicKey& key);

// Largest key file read (a PEM Ed25519 key is about 120 bytes).
inline constexpr size_t kKeyFileBytesMax = 8 * 1024;

// A fresh key pair from OpenSSL's CSPRNG. IOError if OpenSSL fails.
[[nodiscard]] Status GenerateSigningKey(SigningKey* out,
                                        KeyAlgorithm algorithm = KeyAlgorithm::kEd25519);

// Writes PREFIX (private, created with mode 0600) and PREFIX.pub. Refuses
// (InvalidArgument) to overwrite either file, so a key in use is never lost.
[[nodiscard]] Status WriteKeyFiles(const std::string& prefix, const SigningKey& key);

// Reads a private key file (PEM PKCS#8, unencrypted, or 64 hex digits).
// NotFound / IOError for the file, InvalidArgument for contents that are not an
// Ed25519 private key.
[[nodiscard]] Status ReadSigningKey(const std::string& path, SigningKey* out);
// Reads an Ed25519 public key file (PEM SubjectPublicKeyInfo or 64 hex digits).
[[nodiscard]] Status ReadPublicKey(const std::string& path, PublicKey* out);
// Reads a public key file of either algorithm (PEM, or 64 hex digits: Ed25519).
[[nodiscard]] Status ReadVerifyingKey(const std::string& path, VerifyingKey* out);

// Signs `message` by the key's algorithm: Ed25519 (64 bytes) or ECDSA P-256
// over SHA-256 (a DER signature).
[[nodiscard]] Status SignMessage(const SigningKey& key, std::string_view message,
                                 std::string* signature);
// OK only when `signature` is a valid signature of `message` by `key`;
// Corruption otherwise.
[[nodiscard]] Status VerifyMessage(const VerifyingKey& key, std::string_view message,
                                   std::string_view signature);

[[nodiscard]] Status Ed25519Sign(const SigningKey& key, std::string_view message, Signature* out);
// OK only when `signature` is a valid signature of `message` by `key`;
// Corruption otherwise.
[[nodiscard]] Status Ed25519Verify(const PublicKey& key, std::string_view message,
                                   const Signature& signature);

}  // namespace ccl::ledger
