// Who may do what: the policy file maps a principal (the subject CN of a
// client certificate) to roles, one line each:
//   <principal> <role>[,<role>...]      # a comment
// Roles: writer (POST events), reader (events, reports, feed), auditor
// (reader's routes plus digest and proofs), admin (metrics, reload). A
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

#include "events/status.h"

namespace ccl::ledgerd {

enum Role : uint8_t {
  kRoleWriter = 1,
  kRoleReader = 2,
  kRoleAuditor = 4,
  kRoleAdmin = 8,
};
using RoleSet = uint8_t;

// "writer" -> kRoleWriter; false for any other name.
bool RoleFromName(std::string_view name, Role* out);
// "reader,auditor" (in the order of the enum); "-" for none.
std::string RoleSetName(RoleSet roles);

class Policy {
 public:
  // Parses a policy file's text. InvalidArgument "LINE: ..." (line in
  // Status::field is not used; the message names it) for an unknown role, a
  // principal named twice, a line without roles, a principal over
  // limits::kServerPrincipalBytesMax bytes or holding control characters.
  [[nodiscard]] static Status Parse(std::string_view text, Policy* out);
  // Reads and parses `path` (at most limits::kServerPolicyBytesMax bytes);
  // errors are prefixed with the path. `sha256`, when given, is set to the
  // SHA-256 of the bytes read (parsed or not), or reset when none were.
  [[nodiscard]] static Status Load(const std::string& path, Policy* out,
                                   std::optional<std::array<uint8_t, 32>>* sha256 = nullptr);

  // The roles granted to `principal` (0 when it is not named).
  RoleSet RolesOf(std::string_view principal) const;
  size_t size() const { return roles_.size(); }

 private:
  std::map<std::string, RoleSet, std::less<>> roles_;
};

// The policy in force, replaced as a whole by a reload; readers take a
// snapshot (thread-safe).
class PolicyStore {
 public:
  explicit PolicyStore(Policy initial)
      : current_(std::make_shared<const Policy>(std::move(initial))) {}
  std::shared_ptr<const Policy> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  // Loads `path`; on success it replaces the policy in force, on failure the
  // old one stays and the Status says why. `sha256` as Policy::Load.
  [[nodiscard]] Status Reload(const std::string& path,
                              std::optional<std::array<uint8_t, 32>>* sha256 = nullptr);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Policy> current_;
};

}  // namespace ccl::ledgerd
