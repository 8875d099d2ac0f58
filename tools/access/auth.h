// Authentication of one request: a service token (Authorization: Bearer)
// when the request carries one, else the TLS client certificate's subject CN;
// failures counted per client address, which past a limit is refused (429)
// until its window ends. Nothing secret is kept or returned.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "tools/access/api_error.h"
#include "tools/access/policy.h"
#include "tools/access/request_context.h"

namespace ccl::ledgerd {

// Failed authentications per client address within a fixed window
// (limits::kServerAuthFailureWindowMs) from the address's first failure; at
// most limits::kServerAuthFailureClientsMax addresses (past it the oldest
// window is dropped). Thread-safe.
class AuthFailureLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit AuthFailureLimiter(uint32_t failures_max) : failures_max_(failures_max) {}

  // True when `peer` has made failures_max failures in its current window.
  bool Blocked(const std::string& peer, Clock::time_point now);
  void CountFailure(const std::string& peer, Clock::time_point now);

 private:
  struct Window {
    Clock::time_point start;
    uint32_t failures = 0;
  };
  const uint32_t failures_max_;
  std::mutex mu_;
  std::map<std::string, Window> windows_;
};

struct AuthFailure {
  ApiError error;      // 401 or 429, the response
  std::string reason;  // for the server's log: what was wrong, never the credential
};

// A request from `peer` refused before any credential of it was checked
// (no client certificate, and refused while its header was read: too
// large, malformed): counts against `peer` as a failed authentication
// does, so that such requests are not free of the limit. When `peer` is
// blocked already, the 429 to answer instead.
[[nodiscard]] std::optional<ApiError> CountUncheckedRefusal(AuthFailureLimiter* limiter,
                                                            const std::string& peer);

// Authenticates a request from `peer`. `certificate_principal` is the
// verified client certificate's subject CN ("" without one);
// `authorization` the Authorization header ("" when absent). On success
// fills *out (principal, method, the rules in force and the principal's
// grant). Fails with 429 when `peer` is blocked, 401 for an Authorization
// header that is not "Bearer <token>", a token no line of the tokens file
// holds, or no credential at all; each 401 counts against `peer`.
[[nodiscard]] std::optional<AuthFailure> Authenticate(
    std::string_view certificate_principal, std::string_view authorization, const std::string& peer,
    const PolicyStore& store, AuthFailureLimiter* limiter, RequestContext* out);

// Re-checks a caller authenticated earlier (`before`, filled by
// Authenticate) against the rules in force now, with the credential it
// presented then (`authorization`, "" for its certificate): on success fills
// *out as Authenticate would, with the new rules and grant. Fails with 401
// when its token is in no line of the tokens file any more, or now names
// another principal. Counts no failure: the caller did not present anything
// new. For a long request (the feed) after a reload.
[[nodiscard]] std::optional<AuthFailure> Reauthenticate(const RequestContext& before,
                                                        std::string_view authorization,
                                                        const PolicyStore& store,
                                                        RequestContext* out);

// 403 unless `ctx`'s roles hold one of `allowed` (0: every authenticated
// client), naming the principal, its roles and what `what` needs.
[[nodiscard]] std::optional<ApiError> Authorize(const RequestContext& ctx, RoleSet allowed,
                                                std::string_view what);

}  // namespace ccl::ledgerd
