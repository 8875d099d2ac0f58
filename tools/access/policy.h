// Who may do what: the policy file maps a principal (the subject CN of a
// client certificate, or the name of a service token) to roles and scopes,
// one line each:
//   <principal> <role>[,<role>...] [<scope> ...]      # a comment
// Fields are separated by spaces; a field holding spaces is quoted with `"`
// (scope.h). Roles: writer (POST events), reader (events, reports, feed),
// auditor (reader's routes plus proofs), admin (metrics, reload); the digest
// is open to every role. Scopes (scope.h) narrow what the roles reach. A
// principal not named has no role: everything but the health routes is
// denied.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "tools/access/scope.h"
#include "tools/access/tokens.h"

namespace ccl::ledgerd {

enum Role : uint8_t {
  kRoleWriter = 1,
  kRoleReader = 2,
  kRoleAuditor = 4,
  kRoleAdmin = 8,
};
using RoleSet = uint8_t;

// OK for a principal name of at most limits::kServerPrincipalBytesMax bytes
// without control characters; InvalidArgument saying which rule it breaks.
[[nodiscard]] Status CheckPrincipalName(std::string_view principal);

// "writer" -> kRoleWriter; false for any other name.
bool RoleFromName(std::string_view name, Role* out);
// "reader,auditor" (in the order of the enum); "-" for none.
std::string RoleSetName(RoleSet roles);

// What one policy line grants.
struct Grant {
  RoleSet roles = 0;
  Scope scope;
};

class Policy {
 public:
  // Parses a policy file's text, field by field. InvalidArgument "line N:
  // field F: ..." for a malformed field (scope.h), an unknown role, a
  // principal named twice, a line without roles, a bad scope, a principal
  // over limits::kServerPrincipalBytesMax bytes or holding control characters.
  [[nodiscard]] static Status Parse(std::string_view text, Policy* out);
  // Reads and parses `path` (at most limits::kServerPolicyBytesMax bytes);
  // errors are prefixed with the path. A file that grants nothing (empty,
  // or only comments and blank lines) is InvalidArgument: it would lock
  // every principal out. *out is set only on success. `sha256`, when given, is set to the
  // SHA-256 of the bytes read (parsed or not), or reset when none were.
  [[nodiscard]] static Status Load(const std::string& path, Policy* out,
                                   std::optional<std::array<uint8_t, 32>>* sha256 = nullptr);

  // The roles granted to `principal` (0 when it is not named).
  RoleSet RolesOf(std::string_view principal) const;
  // What `principal` is granted; nullptr when it is not named.
  const Grant* GrantOf(std::string_view principal) const;
  size_t size() const { return grants_.size(); }

 private:
  std::map<std::string, Grant, std::less<>> grants_;
};

// The policy and the service tokens in force.
struct AccessRules {
  Policy policy;
  TokenTable tokens;
};

// The SHA-256 of each file a reload read; absent for a file it could not
// read, and for the tokens file when there is none.
struct ReloadDigests {
  std::optional<std::array<uint8_t, 32>> policy;
  std::optional<std::array<uint8_t, 32>> tokens;
};

// The access rules in force, replaced as a whole by a reload; readers take a
// snapshot (thread-safe).
class PolicyStore {
 public:
  // `tokens_path` empty: no tokens file (every Bearer token is refused).
  PolicyStore(std::string policy_path, std::string tokens_path)
      : policy_path_(std::move(policy_path)), tokens_path_(std::move(tokens_path)) {}

  std::shared_ptr<const AccessRules> Rules() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  std::shared_ptr<const Policy> Get() const {
    auto rules = Rules();
    return std::shared_ptr<const Policy>(rules, &rules->policy);
  }
  // Loads the policy file and the tokens file; only when both parse do they
  // replace the rules in force, else the old ones stay and the Status says
  // why (the policy file's error first). `digests`, when given, receives
  // the SHA-256 of each file read, parsed or not. REQUIRES for Get/Rules:
  // one Reload returned OK.
  [[nodiscard]] Status Reload(ReloadDigests* digests = nullptr);
  const std::string& policy_path() const { return policy_path_; }
  const std::string& tokens_path() const { return tokens_path_; }  // "": none

 private:
  const std::string policy_path_;
  const std::string tokens_path_;
  mutable std::mutex mu_;
  std::shared_ptr<const AccessRules> current_ = std::make_shared<const AccessRules>();
};

}  // namespace ccl::ledgerd
