#include "ledger/merkle/signing.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "events/base/durable_file.h"
#include "ledger/merkle/merkle.h"
#include "ledger/merkle/merkle_json.h"

namespace ccl::ledger {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// OpenSSL keeps a per-thread error queue; drain it so one failure does not leak
// into a later, unrelated call, and say what it was.
std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  std::string msg = code == 0 ? "unknown OpenSSL error" : ERR_error_string(code, nullptr);
  ERR_clear_error();
  return msg;
}

Status ReadSmallFile(const std::string& path, std::string* out) {
  Status s = internal::ReadFileBounded(path, kKeyFileBytesMax, out);
  if (s.IsCorruption()) return Status::InvalidArgument(s.message() + "; not a key file");
  return s;
}

// "64 hex digits" with at most one trailing newline.
bool ParseHexKey(std::string_view text, std::array<uint8_t, 32>* out) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return HexDecode(text, *out);
}

Status Pem(EVP_PKEY* pkey, bool private_key, std::string* out) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio) return Status::IOError("BIO_new: " + OpenSslError());
  int ok = private_key
               ? PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr)
               : PEM_write_bio_PUBKEY(bio.get(), pkey);
  if (ok != 1) return Status::IOError("PEM encoding: " + OpenSslError());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  out->assign(data, static_cast<size_t>(len));
  return Status::OK();
}

// Ed25519, or EC on P-256: the two algorithms signatures here use.
Status CheckKeyType(const std::string& path, EVP_PKEY* p) {
  if (EVP_PKEY_get_id(p) == EVP_PKEY_ED25519) return Status::OK();
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_id(p) == EVP_PKEY_EC &&
      EVP_PKEY_get_group_name(p, group, sizeof(group), &len) == 1 &&
      std::string_view(group, len) == "prime256v1") {
    return Status::OK();
  }
  ERR_clear_error();
  return Status::InvalidArgument(path + ": neither an Ed25519 nor an ECDSA P-256 key");
}

// DER encodings of an EC key: i2d_PrivateKey (SEC1) or i2d_PUBKEY (SPKI).
template <typename Encode>
Status Der(EVP_PKEY* pkey, Encode encode, std::string* out) {
  unsigned char* buf = nullptr;
  const int len = encode(pkey, &buf);
  if (len <= 0) return Status::IOError("DER encoding: " + OpenSslError());
  out->assign(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return Status::OK();
}

// Refuses any passphrase prompt: keys here are unencrypted or rejected.
int NoPassphrase(char*, int, int, void*) { return -1; }

Status PkeyFromPem(const std::string& path, const std::string& text, bool private_key, Pkey* out) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) return Status::IOError("BIO_new_mem_buf: " + OpenSslError());
  EVP_PKEY* p = private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr)
                            : PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr);
  if (p == nullptr) {
    // The usual mix-up, a key pair's other half, is said in words; anything
    // else keeps OpenSSL's reason.
    const bool other_half = text.find(private_key ? "-----BEGIN PUBLIC KEY-----"
                                                  : "PRIVATE KEY-----") != std::string::npos;
    const std::string reason =
        !other_half   ? OpenSslError()
        : private_key ? "it is a public key; give the private key file (keygen's PREFIX)"
                      : "it is a private key; give its public key (PREFIX.pub)";
    ERR_clear_error();
    return Status::InvalidArgument(path + ": not a PEM " + (private_key ? "private" : "public") +
                                   " key (" + reason + ")");
  }
  out->reset(p);
  return CheckKeyType(path, p);
}

Status KeyFromSeed(const std::array<uint8_t, 32>& seed, Pkey* out) {
  out->reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!*out) return Status::IOError("Ed25519 private key: " + OpenSslError());
  return Status::OK();
}

Status RawKeys(EVP_PKEY* pkey, SigningKey* out) {
  if (EVP_PKEY_get_id(pkey) == EVP_PKEY_EC) {
    *out = SigningKey{};
    out->algorithm = KeyAlgorithm::kEcdsaP256;
    CCL_RETURN_IF_ERROR(Der(
        pkey, [](EVP_PKEY* k, unsigned char** b) { return i2d_PrivateKey(k, b); },
        &out->ecdsa_private_der));
    return Der(
        pkey, [](EVP_PKEY* k, unsigned char** b) { return i2d_PUBKEY(k, b); }, &out->ecdsa_spki);
  }
  out->algorithm = KeyAlgorithm::kEd25519;
  size_t len = out->seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey, out->seed.data(), &len) != 1 || len != 32) {
    return Status::InvalidArgument("Ed25519 private key: " + OpenSslError());
  }
  len = out->public_key.size();
  if (EVP_PKEY_get_raw_public_key(pkey, out->public_key.data(), &len) != 1 || len != 32) {
    return Status::InvalidArgument("Ed25519 public key: " + OpenSslError());
  }
  return Status::OK();
}

// The EVP key of a SigningKey of either algorithm.
Status PkeyOf(const SigningKey& key, Pkey* out) {
  if (key.algorithm == KeyAlgorithm::kEd25519) return KeyFromSeed(key.seed, out);
  const auto* p = reinterpret_cast<const unsigned char*>(key.ecdsa_private_der.data());
  out->reset(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(key.ecdsa_private_der.size())));
  if (!*out) return Status::InvalidArgument("ECDSA private key: " + OpenSslError());
  return Status::OK();
}

}  // namespace

std::string_view KeyAlgorithmName(KeyAlgorithm algorithm) {
  return algorithm == KeyAlgorithm::kEd25519 ? "ed25519" : "ecdsa-p256";
}

bool ParseKeyAlgorithm(std::string_view name, KeyAlgorithm* out) {
  if (name == "ed25519") {
    *out = KeyAlgorithm::kEd25519;
  } else if (name == "ecdsa-p256") {
    *out = KeyAlgorithm::kEcdsaP256;
  } else {
    return false;
  }
  return true;
}

VerifyingKey VerifyingKeyOf(const SigningKey& key) {
  if (key.algorithm == KeyAlgorithm::kEcdsaP256) return {key.algorithm, key.ecdsa_spki};
  return Ed25519VerifyingKey(key.public_key);
}

VerifyingKey Ed25519VerifyingKey(const PublicKey& key) {
  return {KeyAlgorithm::kEd25519,
          std::string(reinterpret_cast<const char*>(key.data()), key.size())};
}

Status GenerateSigningKey(SigningKey* out, KeyAlgorithm algorithm) {
  if (algorithm == KeyAlgorithm::kEcdsaP256) {
    Pkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!pkey) return Status::IOError("ECDSA P-256 key generation: " + OpenSslError());
    return RawKeys(pkey.get(), out);
  }
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return Status::IOError("Ed25519 key generation: " + OpenSslError());
  }
  Pkey pkey(raw);
  return RawKeys(pkey.get(), out);
}

Status WriteKeyFiles(const std::string& prefix, const SigningKey& key) {
  if (prefix.empty()) return Status::InvalidArgument("key file prefix is empty");
  Pkey pkey;
  CCL_RETURN_IF_ERROR(PkeyOf(key, &pkey));
  std::string private_pem, public_pem;
  CCL_RETURN_IF_ERROR(Pem(pkey.get(), true, &private_pem));
  CCL_RETURN_IF_ERROR(Pem(pkey.get(), false, &public_pem));
  const std::string pub_path = prefix + ".pub";
  // Check both first so a refusal leaves nothing half-written.
  struct stat st;
  if (::stat(prefix.c_str(), &st) == 0 || ::stat(pub_path.c_str(), &st) == 0) {
    return Status::InvalidArgument(prefix + " or " + pub_path +
                                   " exists; refusing to overwrite a key file");
  }
  // Never replaces a key file, and the private key is never readable by others.
  using events::ExistingFile;
  CCL_RETURN_IF_ERROR(events::WriteFileDurably(prefix, private_pem, {ExistingFile::kRefuse, 0600}));
  return events::WriteFileDurably(pub_path, public_pem, {ExistingFile::kRefuse, 0644});
}

Status ReadSigningKey(const std::string& path, SigningKey* out) {
  std::string text;
  CCL_RETURN_IF_ERROR(ReadSmallFile(path, &text));
  Pkey pkey;
  if (text.rfind("-----BEGIN", 0) == 0) {
    CCL_RETURN_IF_ERROR(PkeyFromPem(path, text, true, &pkey));
  } else {
    std::array<uint8_t, 32> seed;
    if (!ParseHexKey(text, &seed)) {
      return Status::InvalidArgument(path + ": neither a PEM private key nor 64 hex digits");
    }
    CCL_RETURN_IF_ERROR(KeyFromSeed(seed, &pkey));
  }
  return RawKeys(pkey.get(), out).WithContext(path);
}

Status ReadPublicKey(const std::string& path, PublicKey* out) {
  std::string text;
  CCL_RETURN_IF_ERROR(ReadSmallFile(path, &text));
  if (text.rfind("-----BEGIN", 0) != 0) {
    if (!ParseHexKey(text, out)) {
      return Status::InvalidArgument(path + ": neither a PEM public key nor 64 hex digits");
    }
    return Status::OK();
  }
  Pkey pkey;
  CCL_RETURN_IF_ERROR(PkeyFromPem(path, text, false, &pkey));
  if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument(path + ": not an Ed25519 key");
  }
  size_t len = out->size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), out->data(), &len) != 1 || len != 32) {
    return Status::InvalidArgument(path + ": Ed25519 public key: " + OpenSslError());
  }
  return Status::OK();
}

Status Ed25519Sign(const SigningKey& key, std::string_view message, Signature* out) {
  if (key.algorithm != KeyAlgorithm::kEd25519) {
    return Status::InvalidArgument("not an Ed25519 key: an Ed25519 signature is needed here");
  }
  Pkey pkey;
  CCL_RETURN_IF_ERROR(KeyFromSeed(key.seed, &pkey));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t len = out->size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), out->data(), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != out->size()) {
    return Status::IOError("Ed25519 signing: " + OpenSslError());
  }
  return Status::OK();
}

Status Ed25519Verify(const PublicKey& key, std::string_view message, const Signature& signature) {
  Pkey pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
  if (!pkey) return Status::Corruption("Ed25519 public key is invalid: " + OpenSslError());
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    return Status::Corruption("Ed25519 verification setup failed: " + OpenSslError());
  }
  const int rc =
      EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ERR_clear_error();
  if (rc != 1) return Status::Corruption("Ed25519 signature does not verify");
  return Status::OK();
}

Status ReadVerifyingKey(const std::string& path, VerifyingKey* out) {
  std::string text;
  CCL_RETURN_IF_ERROR(ReadSmallFile(path, &text));
  if (text.rfind("-----BEGIN", 0) != 0) {
    PublicKey raw;
    CCL_RETURN_IF_ERROR(ReadPublicKey(path, &raw));
    *out = Ed25519VerifyingKey(raw);
    return Status::OK();
  }
  Pkey pkey;
  CCL_RETURN_IF_ERROR(PkeyFromPem(path, text, false, &pkey));
  if (EVP_PKEY_get_id(pkey.get()) == EVP_PKEY_ED25519) {
    PublicKey raw;
    CCL_RETURN_IF_ERROR(ReadPublicKey(path, &raw));
    *out = Ed25519VerifyingKey(raw);
    return Status::OK();
  }
  out->algorithm = KeyAlgorithm::kEcdsaP256;
  return Der(
      pkey.get(), [](EVP_PKEY* k, unsigned char** b) { return i2d_PUBKEY(k, b); }, &out->bytes);
}

Status SignMessage(const SigningKey& key, std::string_view message, std::string* signature) {
  if (key.algorithm == KeyAlgorithm::kEd25519) {
    Signature sig;
    CCL_RETURN_IF_ERROR(Ed25519Sign(key, message, &sig));
    signature->assign(reinterpret_cast<const char*>(sig.data()), sig.size());
    return Status::OK();
  }
  Pkey pkey;
  CCL_RETURN_IF_ERROR(PkeyOf(key, &pkey));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) != 1) {
    return Status::IOError("ECDSA signing: " + OpenSslError());
  }
  signature->assign(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature->data()), &len, msg,
                     message.size()) != 1) {
    return Status::IOError("ECDSA signing: " + OpenSslError());
  }
  signature->resize(len);
  return Status::OK();
}

Status VerifyMessage(const VerifyingKey& key, std::string_view message,
                     std::string_view signature) {
  if (key.algorithm == KeyAlgorithm::kEd25519) {
    PublicKey pk;
    Signature sig;
    if (key.bytes.size() != pk.size() || signature.size() != sig.size()) {
      return Status::Corruption("Ed25519: a key is 32 bytes and a signature 64");
    }
    std::copy(key.bytes.begin(), key.bytes.end(), pk.begin());
    std::copy(signature.begin(), signature.end(), sig.begin());
    return Ed25519Verify(pk, message, sig);
  }
  const auto* p = reinterpret_cast<const unsigned char*>(key.bytes.data());
  Pkey pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(key.bytes.size())));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  int rc = 0;
  if (pkey && ctx && CheckKeyType("ECDSA public key", pkey.get()).ok() &&
      EVP_PKEY_get_id(pkey.get()) == EVP_PKEY_EC &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) == 1) {
    rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size());
  }
  ERR_clear_error();
  if (rc != 1) return Status::Corruption("ECDSA P-256 signature does not verify");
  return Status::OK();
}

}  // namespace ccl::ledger
