// The identity ledgerd reads from a client certificate, shared by the server
// (who a connection is) and its clients (who they will be taken for).
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace ccl::net {

// The principal of a certificate: its subject's one CN, as UTF-8; "" when
// the subject names no CN or several (which would be the principal is then
// ambiguous, and the server refuses such a certificate with 401).
std::string CertificatePrincipal(X509* cert);

// The same of the first certificate of a PEM file (a chain's leaf); "" when
// the file cannot be read or holds no certificate.
std::string CertificateFilePrincipal(const std::string& pem_path);

}  // namespace ccl::net
