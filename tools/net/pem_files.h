// What to say when OpenSSL refuses the PEM file of an option: shared by
// ledgerd (--tls-cert, --tls-key, --client-ca) and its client (--cert, --key,
// --cacert), so that a swapped certificate and key are named as such.
#pragma once

#include <string>
#include <string_view>

namespace ccl::net {

// What an option wants of its file.
enum class PemBlock { kCertificate, kPrivateKey };

// The message for the file `path` of `option` that OpenSSL refused with
// `reason`: when the file holds no PEM block of the kind `wanted`, that,
// naming the BEGIN line looked for, and when it holds the other kind, asking
// whether it is `other` ("the key"); else OpenSSL's reason. Begins with
// "OPTION PATH: ". Reads at most 16 MiB of the file.
std::string PemRefusal(std::string_view option, const std::string& path, PemBlock wanted,
                       std::string_view other, std::string_view reason);

}  // namespace ccl::net
