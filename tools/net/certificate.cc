#include "tools/net/certificate.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>

namespace ccl::net {

std::string CertificatePrincipal(X509* cert) {
  std::string out;
  if (cert == nullptr) return out;
  X509_NAME* name = X509_get_subject_name(cert);
  const int at = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (at < 0 || X509_NAME_get_index_by_NID(name, NID_commonName, at) >= 0) return out;
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at)));
  if (n > 0) out.assign(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string CertificateFilePrincipal(const std::string& pem_path) {
  std::FILE* f = std::fopen(pem_path.c_str(), "rb");
  if (f == nullptr) return "";
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  const std::string principal = CertificatePrincipal(cert);
  X509_free(cert);
  return principal;
}

}  // namespace ccl::net
