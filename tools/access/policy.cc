#include "tools/access/policy.h"

#include <array>
#include <cassert>
#include <utility>
#include <vector>

#include "events/base/limits.h"
#include "events/base/quote.h"

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

// The fields of one line: "<principal> <roles> [<scope> ...]".
Status ParseLine(const std::vector<std::string>& fields, std::string* principal, Grant* grant) {
  assert(!fields.empty());  // the caller skips blank lines
  *principal = fields[0];
  if (fields.size() < 2) {
    return Status::InvalidArgument("principal " + events::QuoteForMessage(*principal) +
                                   " has no roles (expected '<principal> <role>[,<role>...] "
                                   "[<scope> ...]')");
  }
  CCL_RETURN_IF_ERROR(CheckPrincipalName(*principal).WithContext("field 1"));
  CCL_RETURN_IF_ERROR(ParseRoles(fields[1], &grant->roles).WithContext("field 2"));
  CCL_RETURN_IF_ERROR(
      ParseScopes(std::span<const std::string>(fields).subspan(2), 3, &grant->scope));
  // `types:` narrows appends only: on a line without the writer role it would
  // read as a narrowing of what the principal may read, which it is not.
  if (grant->scope.types_mask != 0 && (grant->roles & kRoleWriter) == 0) {
    size_t field = 3;
    while (field < fields.size() && !fields[field - 1].starts_with("types:")) ++field;
    return Status::InvalidArgument("field " + std::to_string(field) +
                                   ": types: narrows what a writer may append, and this line "
                                   "grants no writer role (a reader reads every type of the "
                                   "contracts its scope reaches)");
  }
  return Status::OK();
}

}  // namespace

Status CheckPrincipalName(std::string_view principal) {
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
  CCL_RETURN_IF_ERROR(ForEachPolicyLine(text, [&p](const std::vector<std::string>& fields) {
    std::string principal;
    Grant grant;
    CCL_RETURN_IF_ERROR(ParseLine(fields, &principal, &grant));
    if (!p.grants_.emplace(principal, std::move(grant)).second) {
      return Status::InvalidArgument("principal " + events::QuoteForMessage(principal) +
                                     " is named twice");
    }
    return Status::OK();
  }));
  *out = std::move(p);
  return Status::OK();
}

Status Policy::Load(const std::string& path, Policy* out,
                    std::optional<std::array<uint8_t, 32>>* sha256) {
  std::string text;
  CCL_RETURN_IF_ERROR(ReadPolicyFile(path, limits::kServerPolicyBytesMax, &text, sha256));
  Policy p;
  CCL_RETURN_IF_ERROR(Parse(text, &p).WithContext(path));
  if (p.size() == 0) {
    // Most likely truncated or emptied by mistake: in force it would refuse
    // every request, the admin's reload included.
    return Status::InvalidArgument(
               "grants nothing: the file is empty or holds only comments and blank lines "
               "(a policy names at least one principal)")
        .WithContext(path);
  }
  *out = std::move(p);
  return Status::OK();
}

RoleSet Policy::RolesOf(std::string_view principal) const {
  const Grant* g = GrantOf(principal);
  return g == nullptr ? 0 : g->roles;
}

const Grant* Policy::GrantOf(std::string_view principal) const {
  const auto it = grants_.find(principal);
  return it == grants_.end() ? nullptr : &it->second;
}

Status PolicyStore::Reload(ReloadDigests* digests) {
  ReloadDigests read;
  AccessRules rules;
  // Both files are read before either error is returned, so that a failed
  // reload still says what each file held.
  // Each error names its file's role as well as its path: a start-up that
  // fails says which option to look at ("policy: nope: no such file").
  const Status policy =
      Policy::Load(policy_path_, &rules.policy, &read.policy).WithContext("policy");
  const Status tokens =
      tokens_path_.empty()
          ? Status::OK()
          : TokenTable::Load(tokens_path_, &rules.tokens, &read.tokens).WithContext("tokens");
  if (digests != nullptr) *digests = read;
  CCL_RETURN_IF_ERROR(policy);
  CCL_RETURN_IF_ERROR(tokens);
  auto next = std::make_shared<const AccessRules>(std::move(rules));
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(next);
  return Status::OK();
}

}  // namespace ccl::ledgerd
