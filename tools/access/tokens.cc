#include "tools/access/tokens.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <set>

#include "events/base/limits.h"
#include "events/base/quote.h"
#include "tools/access/policy.h"
#include "tools/access/scope.h"

namespace ccl::ledgerd {
namespace {

Status ParseTokenLine(const std::vector<std::string>& fields, std::string* principal,
                      ledger::Hash* hash) {
  if (fields.size() != 2) {
    return Status::InvalidArgument("expected '<principal> sha256:<hex>', got " +
                                   std::to_string(fields.size()) + " fields");
  }
  CCL_RETURN_IF_ERROR(CheckPrincipalName(fields[0]).WithContext("field 1"));
  const std::string_view value = fields[1];
  if (!value.starts_with(kTokenHashPrefix) ||
      !ledger::HexDecode(value.substr(kTokenHashPrefix.size()), *hash)) {
    return Status::InvalidArgument(
        "field 2: the token's hash must be 'sha256:' and 64 lower-case hex digits");
  }
  *principal = fields[0];
  return Status::OK();
}

}  // namespace

Status NewServiceToken(std::string* token) {
  std::array<uint8_t, kServiceTokenRandomBytes> bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::IOError("the random generator failed (RAND_bytes)");
  }
  *token = events::HexEncode(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return Status::OK();
}

std::string TokenHashText(std::string_view token) {
  return std::string(kTokenHashPrefix) + ledger::HexEncode(ledger::Sha256(token));
}

Status TokenTable::Parse(std::string_view text, TokenTable* out) {
  TokenTable t;
  std::set<ledger::Hash> seen;
  CCL_RETURN_IF_ERROR(ForEachPolicyLine(text, [&](const std::vector<std::string>& fields) {
    std::string principal;
    ledger::Hash hash;
    CCL_RETURN_IF_ERROR(ParseTokenLine(fields, &principal, &hash));
    if (!seen.insert(hash).second) {
      return Status::InvalidArgument("the same token hash is on an earlier line");
    }
    t.entries_.emplace_back(std::move(principal), hash);
    return Status::OK();
  }));
  *out = std::move(t);
  return Status::OK();
}

Status TokenTable::Load(const std::string& path, TokenTable* out,
                        std::optional<ledger::Hash>* sha256) {
  std::string text;
  CCL_RETURN_IF_ERROR(ReadPolicyFile(path, limits::kServerTokensBytesMax, &text, sha256));
  return Parse(text, out).WithContext(path);
}

std::string TokenTable::PrincipalOf(std::string_view token) const {
  const ledger::Hash hash = ledger::Sha256(token);
  const std::string* found = nullptr;
  for (const auto& [principal, h] : entries_) {
    if (CRYPTO_memcmp(h.data(), hash.data(), hash.size()) == 0) found = &principal;
  }
  return found == nullptr ? std::string() : *found;
}

}  // namespace ccl::ledgerd
