#include "ledger/signing.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <memory>
#include <string>

#include "events/durable_file.h"
#include "ledger/merkle.h"
#include "ledger/merkle_json.h"

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

// Refuses any passphrase prompt: keys here are unencrypted or rejected.
int NoPassphrase(char*, int, int, void*) { return -1; }

Status PkeyFromPem(const std::string& path, const std::string& text, bool private_key, Pkey* out) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) return Status::IOError("BIO_new_mem_buf: " + OpenSslError());
  EVP_PKEY* p = private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr)
                            : PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr);
  if (p == nullptr) {
    return Status::InvalidArgument(path + ": not a PEM " + (private_key ? "private" : "public") +
                                   " key (" + OpenSslError() + ")");
  }
  out->reset(p);
  if (EVP_PKEY_get_id(p) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument(path + ": not an Ed25519 key");
  }
  return Status::OK();
}

Status KeyFromSeed(const std::array<uint8_t, 32>& seed, Pkey* out) {
  out->reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!*out) return Status::IOError("Ed25519 private key: " + OpenSslError());
  return Status::OK();
}

Status RawKeys(EVP_PKEY* pkey, SigningKey* out) {
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

}  // namespace

Status GenerateSigningKey(SigningKey* out) {
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
  CCL_RETURN_IF_ERROR(KeyFromSeed(key.seed, &pkey));
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
  size_t len = out->size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), out->data(), &len) != 1 || len != 32) {
    return Status::InvalidArgument(path + ": Ed25519 public key: " + OpenSslError());
  }
  return Status::OK();
}

Status Ed25519Sign(const SigningKey& key, std::string_view message, Signature* out) {
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

}  // namespace ccl::ledger
