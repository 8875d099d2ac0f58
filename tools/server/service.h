// What a route handler sees and returns. Handlers are adapters: they check
// the request's parameters, call the library (ledger/, events/, projections/)
// and shape its answer; they hold no business rule of their own. They run on
// ledgerd's worker threads and may block; an append does not: it answers
// through a callback once its group commit is synced (routes.h kAsyncReply).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/merkle/signing.h"
#include "ledger/store/ledger.h"
#include "tools/access/api_error.h"
#include "tools/access/policy.h"
#include "tools/access/request_context.h"
#include "tools/server/access.h"
#include "tools/server/metrics.h"
#include "tools/server/options.h"
#include "tools/server/query.h"

namespace ccl::ledgerd {

struct Request {
  std::string_view method;
  std::string_view path;
  std::vector<std::string> path_params;  // the {name} segments of the route, in order
  Query query;
  std::string_view content_type;  // without parameters (";charset=...")
  std::string_view body;
  RequestContext context;  // who asks, how authenticated, what it may reach
  // The request's access record, status and counts still to be set; absent
  // when the access log is off (tools/server/access.h).
  std::optional<ledger::AccessRecord> access;
};

struct Reply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  uint64_t rows = 0;  // rows or events in the body, for the access log
  // Headers besides Content-Type and Cache-Control (name, value), e.g. the
  // close a sealed margins report was checked against.
  std::vector<std::pair<std::string, std::string>> headers = {};
  // The request's access record is already written (with a write's events).
  bool access_recorded = false;

  static Reply Json(std::string body) { return Reply{200, "application/json", std::move(body)}; }
  static Reply Error(const ApiError& e) {
    return Reply{e.http_status, "application/json", e.ToJson()};
  }
  static Reply Of(const Status& s) { return Error(ApiErrorOf(s)); }
};

// What ledgerd says once its ledger refuses writes (Ledger::WritesRefused),
// which a restart opens again: after the failed write's error, as the
// refusal of a later append (503 io_error), and as /readyz's reason.
inline constexpr std::string_view kWritesRefusedUntilRestart =
    "writes are refused after a failed write, until ledgerd is restarted";

// The state handlers share. Owned by the server; outlives every request.
struct Service {
  ledger::Ledger* ledger = nullptr;
  const ServerOptions* options = nullptr;
  Metrics* metrics = nullptr;
  PolicyStore* policy = nullptr;
  AccessLog* access_log = nullptr;               // null when --access-log off
  std::optional<ledger::SigningKey> digest_key;  // GET /v1/digest signs with it when set
  // Called after an acknowledged append that added events (wakes the feed).
  std::function<void()> on_appended;
  // Called after each attempt to reload the policy and tokens files, with its
  // outcome and what asked for it ("SIGHUP", "POST /v1/admin/reload by P"):
  // the server's log says what happened, as for every reload.
  std::function<void(const Status& outcome, const std::string& trigger)> on_reload;
  std::atomic<bool> draining{false};       // SIGTERM received: /readyz says 503
  std::atomic<bool> writes_failed{false};  // an append failed with IOError: /readyz 503
  // Appends handed to Ledger::AppendAsync and not answered yet: the server
  // waits for none before it closes the connections at shutdown.
  std::atomic<size_t> appends_in_flight{0};
};

}  // namespace ccl::ledgerd
