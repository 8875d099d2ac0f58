// Who made a request and what it may reach: filled by the session when it
// authenticates a request, before the route runs, and read by the route
// handlers (scopes, the actor of appended events) and by whatever records
// the request (the log line, the metrics).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ledger/store/access_log.h"
#include "tools/access/policy.h"

namespace ccl::ledgerd {

// How a request was authenticated: kNone (refused), kCertificate (the
// subject CN of the verified TLS client certificate), kToken (a service
// token, Authorization: Bearer). The access log's type, so that its records
// take the method from here as is; AuthMethodName gives "none",
// "certificate", "token".
using ledger::AuthMethod;
using ledger::AuthMethodName;

struct RequestContext {
  std::string principal;  // "" when not authenticated
  AuthMethod auth_method = AuthMethod::kNone;
  std::string peer;  // the client's IP address
  // The rules in force when the request was authenticated; a reload during
  // the request does not change what it may do.
  std::shared_ptr<const AccessRules> rules;
  const Grant* grant = nullptr;  // the principal's line in rules->policy; nullptr: none

  RoleSet roles() const { return grant == nullptr ? 0 : grant->roles; }
  // The principal's scope; `*` when it has no policy line (it then has no
  // role either, so no route that reads scope admits it).
  const Scope& scope() const;
};

}  // namespace ccl::ledgerd
