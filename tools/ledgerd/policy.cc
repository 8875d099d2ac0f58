#include "tools/ledgerd/policy.h"

#include <array>
#include <utility>

#include "events/limits.h"
#include "events/quote.h"
#include "ledger/merkle.h"
#include "ledger/merkle_json.h"

namespace ccl::ledgerd {
namespace {

constexpr std::array<std::pair<std::string_view, Role>, 4> kRoleNames = {{
    {"writer", kRoleWriter},
    {"reader", kRoleReader},
    {"auditor", kRoleAuditor},
    {"admin", kRoleAdmin},
}};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

Status ParseRoles(std::string_view list, RoleSet* out) {
  *out = 0;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view name = Trim(list.substr(0, comma));
    Role role;
    if (!RoleFromName(name, &role)) {
      return Status::InvalidArgument("unknown role " + events::QuoteForMessage(name) +
                                     " (roles: writer, reader, auditor, admin)");
    }
    *out |= role;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return Status::OK();
}

Status CheckPrincipal(std::string_view principal) {
  if (principal.size() > limits::kServerPrincipalBytesMax) {
    return Status::InvalidArgument("principal longer than " +
                                   std::to_string(limits::kServerPrincipalBytesMax) + " bytes");
  }
  for (char c : principal) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("principal " + events::QuoteForMessage(principal) +
                                     " holds a control character");
    }
  }
  return Status::OK();
}

// One non-comment line: "<principal> <roles>".
Status ParseLine(std::string_view line, std::string* principal, RoleSet* roles) {
  size_t split = 0;
  while (split < line.size() && !IsSpace(line[split])) ++split;
  *principal = std::string(line.substr(0, split));
  const std::string_view rest = Trim(line.substr(split));
  if (rest.empty()) {
    return Status::InvalidArgument("principal " + events::QuoteForMessage(*principal) +
                                   " has no roles (expected '<principal> <role>[,<role>...]')");
  }
  if (rest.find_first_of(" \t") != std::string_view::npos) {
    return Status::InvalidArgument("roles are one comma-separated word, got " +
                                   events::QuoteForMessage(rest));
  }
  CCL_RETURN_IF_ERROR(CheckPrincipal(*principal));
  return ParseRoles(rest, roles);
}

}  // namespace

bool RoleFromName(std::string_view name, Role* out) {
  for (const auto& [n, role] : kRoleNames) {
    if (n == name) {
      *out = role;
      return true;
    }
  }
  return false;
}

std::string RoleSetName(RoleSet roles) {
  std::string out;
  for (const auto& [n, role] : kRoleNames) {
    if ((roles & role) == 0) continue;
    if (!out.empty()) out += ',';
    out += n;
  }
  return out.empty() ? "-" : out;
}

Status Policy::Parse(std::string_view text, Policy* out) {
  Policy p;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    std::string principal;
    RoleSet roles = 0;
    Status s = ParseLine(line, &principal, &roles);
    if (s.ok() && p.roles_.count(principal) != 0) {
      s = Status::InvalidArgument("principal " + events::QuoteForMessage(principal) +
                                  " is named twice");
    }
    if (!s.ok()) return s.WithContext("line " + std::to_string(line_no));
    p.roles_.emplace(std::move(principal), roles);
  }
  *out = std::move(p);
  return Status::OK();
}

Status Policy::Load(const std::string& path, Policy* out,
                    std::optional<std::array<uint8_t, 32>>* sha256) {
  std::string text;
  if (sha256 != nullptr) sha256->reset();
  CCL_RETURN_IF_ERROR(
      ledger::internal::ReadFileBounded(path, limits::kServerPolicyBytesMax, &text));
  if (sha256 != nullptr) *sha256 = ledger::Sha256(text);
  return Parse(text, out).WithContext(path);
}

RoleSet Policy::RolesOf(std::string_view principal) const {
  const auto it = roles_.find(principal);
  return it == roles_.end() ? 0 : it->second;
}

Status PolicyStore::Reload(const std::string& path,
                           std::optional<std::array<uint8_t, 32>>* sha256) {
  Policy p;
  CCL_RETURN_IF_ERROR(Policy::Load(path, &p, sha256));
  auto next = std::make_shared<const Policy>(std::move(p));
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(next);
  return Status::OK();
}

}  // namespace ccl::ledgerd
