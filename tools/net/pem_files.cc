// What to say when OpenSSL refuses a PEM file (tools/net/pem_files.h).
#include "tools/net/pem_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace ccl::net {
namespace {

// The kinds of PEM block a file holds, by the labels of its
// "-----BEGIN <label>-----" lines.
struct PemKinds {
  bool read = false;         // the whole file was read (else nothing is known)
  bool certificate = false;  // CERTIFICATE, TRUSTED CERTIFICATE, X509 CERTIFICATE
  bool private_key = false;  // PRIVATE KEY, EC PRIVATE KEY, ENCRYPTED PRIVATE KEY...
  bool encrypted = false;    // ENCRYPTED PRIVATE KEY, or a "Proc-Type: 4,ENCRYPTED" header
};

// A PEM file longer than this is not read to name what it lacks.
constexpr size_t kPemScanBytesMax = size_t{16} << 20;

PemKinds PemKindsOf(const std::string& path) {
  PemKinds kinds;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kinds;
  std::string text;
  char buffer[16384];
  ssize_t n = 0;
  while (text.size() <= kPemScanBytesMax && (n = ::read(fd, buffer, sizeof(buffer))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  if (n != 0) return kinds;
  kinds.read = true;
  constexpr std::string_view kBegin = "-----BEGIN ";
  for (size_t at = text.find(kBegin); at != std::string::npos; at = text.find(kBegin, at)) {
    at += kBegin.size();
    const size_t end = text.find("-----", at);
    if (end == std::string::npos) break;
    const std::string_view label = std::string_view(text).substr(at, end - at);
    kinds.certificate |=
        label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE" || label == "X509 CERTIFICATE";
    kinds.private_key |= label.ends_with("PRIVATE KEY");
    kinds.encrypted |= label == "ENCRYPTED PRIVATE KEY";
  }
  kinds.encrypted |= text.find("Proc-Type: 4,ENCRYPTED") != std::string::npos;
  return kinds;
}

}  // namespace

std::string PemRefusal(std::string_view option, const std::string& path, PemBlock wanted,
                       std::string_view other, std::string_view reason) {
  const std::string named = std::string(option) + " " + path + ": ";
  const PemKinds kinds = PemKindsOf(path);
  const bool key = wanted == PemBlock::kPrivateKey;
  if (key && kinds.encrypted) {
    return named +
           "the private key is encrypted (protected by a passphrase), and no passphrase is asked "
           "for: give it unencrypted (openssl pkey -in KEY -out PLAIN), readable by its user only";
  }
  if (!kinds.read || (key ? kinds.private_key : kinds.certificate)) {
    return named + std::string(reason);
  }
  std::string why = key ? "no PEM private key in it (BEGIN PRIVATE KEY)"
                        : "no PEM certificate in it (BEGIN CERTIFICATE)";
  if (key ? kinds.certificate : kinds.private_key) {
    why += "; is it " + std::string(other) + "?";
  }
  return named + why;
}

void NeverAskPassphrase(SSL_CTX* ctx) {
  // No passphrase: the decryption fails, and nothing is read from a terminal.
  SSL_CTX_set_default_passwd_cb(ctx, [](char*, int, int, void*) { return 0; });
}

}  // namespace ccl::net
