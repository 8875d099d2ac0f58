#include "tools/access/auth.h"

#include <boost/algorithm/string/predicate.hpp>
#include <cassert>

#include "events/base/limits.h"
#include "events/base/quote.h"

namespace ccl::ledgerd {
namespace {

constexpr std::string_view kBearer = "Bearer ";

const Scope& EverythingScope() {
  static const Scope everything;
  return everything;
}

AuthFailure Unauthorized(std::string message, std::string reason) {
  return AuthFailure{HttpError(401, "unauthorized", std::move(message)), std::move(reason)};
}

// The answer to a request from an address blocked for its failures.
ApiError BlockedError() {
  return HttpError(429, "too_many_failures",
                   "too many failed authentications from this address; retry within " +
                       std::to_string(limits::kServerAuthFailureWindowMs / 1000) +
                       " s (limit auth failures)");
}

}  // namespace

const Scope& RequestContext::scope() const {
  return grant == nullptr ? EverythingScope() : grant->scope;
}

bool AuthFailureLimiter::Blocked(const std::string& peer, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = windows_.find(peer);
  if (it == windows_.end()) return false;
  if (now - it->second.start >= std::chrono::milliseconds(limits::kServerAuthFailureWindowMs)) {
    windows_.erase(it);
    return false;
  }
  return it->second.failures >= failures_max_;
}

void AuthFailureLimiter::CountFailure(const std::string& peer, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = windows_.find(peer);
  if (it != windows_.end() &&
      now - it->second.start >= std::chrono::milliseconds(limits::kServerAuthFailureWindowMs)) {
    windows_.erase(it);
    it = windows_.end();
  }
  if (it == windows_.end()) {
    if (windows_.size() >= limits::kServerAuthFailureClientsMax) {
      auto oldest = windows_.begin();
      for (auto w = windows_.begin(); w != windows_.end(); ++w) {
        if (w->second.start < oldest->second.start) oldest = w;
      }
      windows_.erase(oldest);
    }
    it = windows_.emplace(peer, Window{now, 0}).first;
  }
  ++it->second.failures;
}

std::optional<ApiError> CountUncheckedRefusal(AuthFailureLimiter* limiter,
                                              const std::string& peer) {
  const auto now = AuthFailureLimiter::Clock::now();
  if (limiter->Blocked(peer, now)) return BlockedError();
  limiter->CountFailure(peer, now);
  return std::nullopt;
}

std::optional<AuthFailure> Authenticate(std::string_view certificate_principal,
                                        std::string_view authorization, const std::string& peer,
                                        const PolicyStore& store, AuthFailureLimiter* limiter,
                                        RequestContext* out) {
  const auto now = AuthFailureLimiter::Clock::now();
  if (limiter->Blocked(peer, now)) {
    return AuthFailure{BlockedError(), "blocked after too many failed authentications"};
  }
  std::shared_ptr<const AccessRules> rules = store.Rules();
  std::optional<AuthFailure> failure;
  if (!authorization.empty()) {
    // The scheme's name is case-insensitive (RFC 9110 11.1).
    if (!boost::istarts_with(authorization, kBearer) || authorization.size() == kBearer.size()) {
      failure = Unauthorized("the Authorization header must be 'Bearer <token>'",
                             "an Authorization header that is not a Bearer token");
    } else {
      out->principal = rules->tokens.PrincipalOf(authorization.substr(kBearer.size()));
      out->auth_method = AuthMethod::kToken;
      if (out->principal.empty()) {
        failure = Unauthorized("the service token is not valid (unknown or revoked)",
                               "a service token no line of the tokens file holds");
      } else if (!certificate_principal.empty() && certificate_principal != out->principal) {
        // Two proven identities: acting as either would lose the other from
        // the record, and a token must not silently outrank a certificate.
        failure = Unauthorized(
            "two identities: the client certificate names " +
                events::QuoteForMessage(certificate_principal) + ", the service token " +
                events::QuoteForMessage(out->principal) + "; send one credential",
            "a certificate of " + events::QuoteForMessage(certificate_principal) +
                " and a token of " + events::QuoteForMessage(out->principal));
      }
    }
  } else if (certificate_principal.empty()) {
    failure = Unauthorized(
        "no credential: send a client certificate whose subject names one CN, "
        "or a service token (Authorization: Bearer <token>)",
        "no service token and no certificate with one subject CN");
  } else {
    out->principal = certificate_principal;
    out->auth_method = AuthMethod::kCertificate;
  }
  if (failure) {
    out->principal.clear();
    out->auth_method = AuthMethod::kNone;
    limiter->CountFailure(peer, now);
    return failure;
  }
  out->peer = peer;
  out->grant = rules->policy.GrantOf(out->principal);
  out->rules = std::move(rules);
  return std::nullopt;
}

std::optional<AuthFailure> Reauthenticate(const RequestContext& before,
                                          std::string_view authorization, const PolicyStore& store,
                                          RequestContext* out) {
  assert(before.auth_method != AuthMethod::kNone);
  std::shared_ptr<const AccessRules> rules = store.Rules();
  if (before.auth_method == AuthMethod::kToken) {
    const std::string principal =
        authorization.size() > kBearer.size()
            ? rules->tokens.PrincipalOf(authorization.substr(kBearer.size()))
            : std::string();
    if (principal != before.principal) {
      // Revoked, or moved to another principal: what was granted to the
      // caller's principal is no longer the token's.
      return Unauthorized("the service token is not valid (unknown or revoked)",
                          "a service token no line of the tokens file holds any more");
    }
  }
  *out = before;
  out->grant = rules->policy.GrantOf(out->principal);
  out->rules = std::move(rules);
  return std::nullopt;
}

std::optional<ApiError> Authorize(const RequestContext& ctx, RoleSet allowed,
                                  std::string_view what) {
  if (allowed == 0 || (ctx.roles() & allowed) != 0) return std::nullopt;
  return HttpError(403, "forbidden",
                   "principal " + events::QuoteForMessage(ctx.principal) +
                       " (roles: " + RoleSetName(ctx.roles()) + ") may not " + std::string(what) +
                       " (needs one of: " + RoleSetName(allowed) + ")");
}

}  // namespace ccl::ledgerd
