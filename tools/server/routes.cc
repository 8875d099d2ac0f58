#include "tools/server/routes.h"

#include <array>

namespace ccl::ledgerd {
namespace {

constexpr RoleSet kReaders = kRoleReader | kRoleAuditor;
// The digest (tree size and roots) shows no event: every role may fetch it.
constexpr RoleSet kEveryRole = kRoleWriter | kRoleReader | kRoleAuditor | kRoleAdmin;

constexpr std::array<std::string_view, 2> kPostEventsParams = {"expected_version", "contract"};
constexpr std::array<std::string_view, 4> kGetEventsParams = {"after", "limit", "contract", "type"};
constexpr std::array<std::string_view, 2> kInclusionParams = {"seq", "size"};
constexpr std::array<std::string_view, 2> kConsistencyParams = {"old", "new"};
constexpr std::array<std::string_view, 1> kFeedParams = {"after"};
constexpr std::array<std::string_view, 4> kReportParams = {"contract", "as_of", "known_at",
                                                           "format"};
constexpr std::array<std::string_view, 7> kMarginParams = {
    "contract", "as_of", "known_at", "format", "by", "currency", "period"};
constexpr std::array<std::string_view, 6> kAccessLogParams = {"principal", "contract", "since",
                                                              "denied",    "after",    "limit"};
constexpr std::array<std::string_view, 5> kBurnParams = {"contract", "as_of", "known_at", "format",
                                                         "at_risk"};

const std::array<Route, 17> kRoutes = {{
    {"POST", "/v1/events", kRoleWriter, kPostEventsParams, RouteKind::kAsyncReply, nullptr,
     PostEvents, CheckPostEventsHeader},
    {"GET", "/v1/events", kReaders, kGetEventsParams, RouteKind::kReply, GetEvents},
    {"GET", "/v1/events/{seq}", kReaders, {}, RouteKind::kReply, GetEventBySeq},
    {"GET", "/v1/events/by-id/{event_id}", kReaders, {}, RouteKind::kReply, GetEventById},
    {"GET", "/v1/digest", kEveryRole, {}, RouteKind::kReply, GetDigest},
    {"GET", "/v1/proofs/inclusion", kRoleAuditor, kInclusionParams, RouteKind::kReply,
     GetInclusionProof},
    {"GET", "/v1/proofs/consistency", kRoleAuditor, kConsistencyParams, RouteKind::kReply,
     GetConsistencyProof},
    {"GET", "/v1/feed", kReaders, kFeedParams, RouteKind::kFeed, nullptr},
    {"GET", "/v1/reports/balance", kReaders, kReportParams, RouteKind::kReply, GetBalanceReport},
    {"GET", "/v1/reports/margin", kReaders, kMarginParams, RouteKind::kReply, GetMarginReport},
    {"GET", "/v1/reports/escalations", kReaders, kReportParams, RouteKind::kReply,
     GetEscalationsReport},
    {"GET", "/v1/reports/burn", kReaders, kBurnParams, RouteKind::kReply, GetBurnReport},
    {"GET", "/v1/access-log", kRoleAuditor, kAccessLogParams, RouteKind::kReply, GetAccessLog},
    {"GET", "/healthz", 0, {}, RouteKind::kReply, GetHealthz},
    {"GET", "/readyz", 0, {}, RouteKind::kReply, GetReadyz},
    {"GET", "/metrics", kRoleAdmin, {}, RouteKind::kReply, GetMetrics},
    {"POST", "/v1/admin/reload", kRoleAdmin, {}, RouteKind::kReply, PostReload},
}};

// Matches `path` against `pattern` segment by segment.
bool PathMatches(std::string_view pattern, std::string_view path,
                 std::vector<std::string>* params) {
  params->clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view p = pattern.substr(0, pattern.find('/'));
    const std::string_view s = path.substr(0, path.find('/'));
    if (p.starts_with('{')) {
      if (s.empty()) return false;
      params->emplace_back(s);
    } else if (p != s) {
      return false;
    }
    pattern.remove_prefix(p.size());
    path.remove_prefix(s.size());
  }
  return true;
}

}  // namespace

std::span<const Route> Routes() { return kRoutes; }

const Route* MatchRoute(std::string_view method, std::string_view path,
                        std::vector<std::string>* params, unsigned* status, std::string* allow) {
  *status = 404;
  if (allow != nullptr) allow->clear();
  // No two patterns of the table match one path (a test checks it), so the
  // first match is the only one.
  const Route* found = nullptr;
  for (const Route& r : kRoutes) {
    if (!PathMatches(r.pattern, path, params)) continue;
    if (allow != nullptr) *allow += (allow->empty() ? "" : ", ") + std::string(r.method);
    if (r.method != method) {
      *status = 405;
      continue;
    }
    found = &r;
    break;
  }
  if (found != nullptr) PathMatches(found->pattern, path, params);
  return found;
}

const Route* RouteOfPath(std::string_view path) {
  std::vector<std::string> params;
  for (const Route& r : kRoutes) {
    if (PathMatches(r.pattern, path, &params)) return &r;
  }
  return nullptr;
}

}  // namespace ccl::ledgerd
