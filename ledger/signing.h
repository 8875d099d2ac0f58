// Ed25519 keys and signatures (RFC 8032, PureEdDSA) through OpenSSL's EVP
// interface, for signed digests. Key files are what `openssl` reads and
// writes, so an auditor can check a signature with stock tools:
//   PREFIX      private key, PEM PKCS#8 ("BEGIN PRIVATE KEY"), mode 0600
//   PREFIX.pub  public key, PEM SubjectPublicKeyInfo ("BEGIN PUBLIC KEY")
// Readers also accept a file holding just the 32-byte key as 64 lower-case hex
// digits (and a trailing newline).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"

namespace ccl::ledger {

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

struct SigningKey {
  std::array<uint8_t, 32> seed{};  // the RFC 8032 private key
  PublicKey public_key{};
};

// Largest key file read (a PEM Ed25519 key is about 120 bytes).
inline constexpr size_t kKeyFileBytesMax = 8 * 1024;

// A fresh key pair from OpenSSL's CSPRNG. IOError if OpenSSL fails.
[[nodiscard]] Status GenerateSigningKey(SigningKey* out);

// Writes PREFIX (private, created with mode 0600) and PREFIX.pub. Refuses
// (InvalidArgument) to overwrite either file, so a key in use is never lost.
[[nodiscard]] Status WriteKeyFiles(const std::string& prefix, const SigningKey& key);

// Reads a private key file (PEM PKCS#8, unencrypted, or 64 hex digits).
// NotFound / IOError for the file, InvalidArgument for contents that are not an
// Ed25519 private key.
[[nodiscard]] Status ReadSigningKey(const std::string& path, SigningKey* out);
// Reads a public key file (PEM SubjectPublicKeyInfo or 64 hex digits).
[[nodiscard]] Status ReadPublicKey(const std::string& path, PublicKey* out);

[[nodiscard]] Status Ed25519Sign(const SigningKey& key, std::string_view message, Signature* out);
// OK only when `signature` is a valid signature of `message` by `key`;
// Corruption otherwise.
[[nodiscard]] Status Ed25519Verify(const PublicKey& key, std::string_view message,
                                   const Signature& signature);

}  // namespace ccl::ledger
