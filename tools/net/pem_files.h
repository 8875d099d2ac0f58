// What to say when OpenSSL refuses the PEM file of an option: shared by
// ledgerd (--tls-cert, --tls-key, --client-ca) and its client (--cert, --key,
// --cacert), so that a swapped certificate and key are named as such.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <string_view>

namespace ccl::net {

// What an option wants of its file.
enum class PemBlock { kCertificate, kPrivateKey };

// The message for the file `path` of `option` that OpenSSL refused with
// `reason`: when the file holds no PEM block of the kind `wanted`, that,
// naming the BEGIN line looked for, and when it holds the other kind, asking
// whether it is `other` ("the key"); for an encrypted private key, that no
// passphrase is asked for (NeverAskPassphrase); else OpenSSL's reason. Begins with
// "OPTION PATH: ". Reads at most 16 MiB of the file.
std::string PemRefusal(std::string_view option, const std::string& path, PemBlock wanted,
                       std::string_view other, std::string_view reason);

// Makes OpenSSL refuse an encrypted private key of `ctx` instead of asking
// for its passphrase on the terminal (a server has none, and a command must
// not stop to wait for one): PemRefusal then says what to do.
void NeverAskPassphrase(SSL_CTX* ctx);

}  // namespace ccl::net
