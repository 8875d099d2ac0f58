// Every route ledgerd serves, in one table: method, path pattern, the roles
// that may call it and the handler. The README's "Running the service" lists
// the same routes (a test compares the two), and the authorization test
// checks every route against every role from this table.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tools/access/policy.h"
#include "tools/server/service.h"

namespace ccl::ledgerd {

enum class RouteKind {
  kReply,       // the handler returns the whole response
  kAsyncReply,  // the handler answers later, through its ReplyDone (an append)
  kFeed,        // Server-Sent Events, streamed by the session (feed.cc)
};

// How a kAsyncReply handler answers: exactly once, from any thread.
using ReplyDone = std::function<void(Reply)>;
using AsyncHandler = void (*)(std::shared_ptr<const Request>, Service&, ReplyDone);

struct Route {
  std::string_view method;   // "GET", "POST"
  std::string_view pattern;  // "/v1/events/{seq}": a {name} matches one non-empty segment
  // Any one of these roles grants the route; 0: every authenticated client
  // (the health routes).
  RoleSet roles;
  std::span<const std::string_view> params;  // the query parameters it accepts
  RouteKind kind;
  Reply (*handler)(const Request&, Service&);  // kReply only, else null
  AsyncHandler async_handler = nullptr;        // kAsyncReply only
  // What of the request its header alone decides beyond its query's names
  // (their values, the Content-Type), checked before the body is read or
  // `100 Continue` sent; the handler checks the same again. Null: nothing.
  std::optional<ApiError> (*check_header)(const Request&) = nullptr;
};

std::span<const Route> Routes();

// The route for `method` and `path`, filling *params with its {name}
// segments. nullptr when none matches: *status is 404 when no route has the
// path, 405 when one has it under another method; *allow (when not null)
// then lists the path's methods, "GET, POST", for the 405's Allow header.
const Route* MatchRoute(std::string_view method, std::string_view path,
                        std::vector<std::string>* params, unsigned* status,
                        std::string* allow = nullptr);

// The route whose pattern matches `path`, under whichever method (routes of
// one path share its pattern), or nullptr: what a 405's record names.
const Route* RouteOfPath(std::string_view path);

// Handlers (events_routes.cc, audit_routes.cc, report_routes.cc).
// Parses and checks the body, then appends it with Ledger::AppendAsync
// (no thread waits for the group commit) and answers once it is synced.
void PostEvents(std::shared_ptr<const Request> r, Service& s, ReplyDone done);
// PostEvents' checks of the query's values and the Content-Type.
std::optional<ApiError> CheckPostEventsHeader(const Request& r);
Reply GetEvents(const Request& r, Service& s);
Reply GetEventBySeq(const Request& r, Service& s);
Reply GetEventById(const Request& r, Service& s);
Reply GetDigest(const Request& r, Service& s);
Reply GetInclusionProof(const Request& r, Service& s);
Reply GetConsistencyProof(const Request& r, Service& s);
Reply GetHealthz(const Request& r, Service& s);
Reply GetReadyz(const Request& r, Service& s);
Reply GetMetrics(const Request& r, Service& s);
Reply PostReload(const Request& r, Service& s);
Reply GetBalanceReport(const Request& r, Service& s);
Reply GetMarginReport(const Request& r, Service& s);
Reply GetEscalationsReport(const Request& r, Service& s);
Reply GetBurnReport(const Request& r, Service& s);
Reply GetAccessLog(const Request& r, Service& s);  // access.cc

}  // namespace ccl::ledgerd
