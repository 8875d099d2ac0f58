// Service tokens: for systems that cannot hold a client certificate. A client
// sends `Authorization: Bearer <token>`; the server holds only the SHA-256 of
// each token, in a tokens file (`--tokens FILE`, re-read on SIGHUP with the
// policy), one line each:
//   <principal> sha256:<64 lower-case hex digits>      # a comment
// The principal is then granted what the policy grants it, as a certificate's
// CN would be. A token is 256 random bits written as 64 lower-case hex
// digits (`ledgerctl token new`). Revoking one is removing its line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/base/status.h"
#include "ledger/merkle/merkle.h"

namespace ccl::ledgerd {

inline constexpr size_t kServiceTokenRandomBytes = 32;  // 256 bits
inline constexpr std::string_view kTokenHashPrefix = "sha256:";

// A fresh token from OpenSSL's RAND_bytes. IOError when the generator fails.
[[nodiscard]] Status NewServiceToken(std::string* token);
// The tokens file's value for `token`: "sha256:<hex of SHA-256(token)>".
std::string TokenHashText(std::string_view token);

class TokenTable {
 public:
  // Parses a tokens file's text field by field (scope.h's quoting).
  // InvalidArgument "line N: field F: ..." for a line of other than two
  // fields, a principal over limits::kServerPrincipalBytesMax or holding a
  // control character, a hash that is not "sha256:" and 64 lower-case hex
  // digits, or a hash on two lines. A principal may have several tokens
  // (rotation: the new one is added before the old one is removed).
  [[nodiscard]] static Status Parse(std::string_view text, TokenTable* out);
  // Reads and parses `path` (at most limits::kServerTokensBytesMax bytes);
  // errors are prefixed with the path. `sha256`, when given, is set to the
  // SHA-256 of the bytes read (parsed or not), or reset when none were.
  [[nodiscard]] static Status Load(const std::string& path, TokenTable* out,
                                   std::optional<ledger::Hash>* sha256 = nullptr);

  // The principal of `token`, "" when no line holds its hash. The token's
  // hash is compared with every line's with CRYPTO_memcmp, all lines every
  // time, so the answer's timing says nothing of how much of a hash matched.
  std::string PrincipalOf(std::string_view token) const;
  size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::string, ledger::Hash>> entries_;
};

}  // namespace ccl::ledgerd
