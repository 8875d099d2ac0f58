// ledgerd's access records and GET /v1/access-log (tools/server/access.h).
#include "tools/server/access.h"

#include <algorithm>

#include "events/base/hex.h"
#include "events/base/limits.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "tools/server/routes.h"

namespace ccl::ledgerd {
namespace {

// `s` cut to the record's field limit, at a UTF-8 character boundary.
std::string Bounded(std::string_view s) {
  return std::string(events::Utf8Prefix(s, limits::kAccessFieldBytesMax));
}

void AddParam(std::string_view name, std::string_view value, ledger::AccessRecord* r) {
  if (r->params.size() >= limits::kAccessParamsMax) return;
  r->params.push_back({Bounded(name), Bounded(value)});
}

// The {name} segments of `route` with their values in `path`.
void AddPathParams(const Route& route, std::string_view path, ledger::AccessRecord* r) {
  std::vector<std::string> values;
  unsigned status = 0;
  if (MatchRoute(route.method, path, &values, &status) != &route) return;
  std::string_view pattern = route.pattern;
  for (const std::string& value : values) {
    const size_t open = pattern.find('{');
    const size_t close = pattern.find('}', open);
    if (open == std::string_view::npos || close == std::string_view::npos) return;
    AddParam(pattern.substr(open + 1, close - open - 1), value, r);
    pattern.remove_prefix(close + 1);
  }
}

}  // namespace

ledger::AccessRecord RequestAccessRecord(const RequestFacts& f) {
  ledger::AccessRecord r;
  r.kind = ledger::AccessKind::kRequest;
  r.time_ns = f.time_ns;
  r.principal = Bounded(f.principal);
  r.auth = f.auth;
  r.client = Bounded(f.client);
  r.method = Bounded(f.method);
  const size_t q = f.target.find('?');
  const std::string_view path = f.target.substr(0, q);
  if (f.route == nullptr) {
    // Refused for its method (405), the path is still a route's: recorded
    // under its pattern and segments as every routed request is.
    const Route* of_path = RouteOfPath(path);
    if (of_path == nullptr) {
      r.route = Bounded(path);
      return r;
    }
    r.route = std::string(of_path->pattern);
    AddPathParams(*of_path, path, &r);
    return r;
  }
  r.route = std::string(f.route->pattern);
  AddPathParams(*f.route, path, &r);
  Query query;
  const std::string_view raw =
      q == std::string_view::npos ? std::string_view() : f.target.substr(q + 1);
  if (Query::Parse(raw, f.route->params, &query)) return r;  // malformed: none recorded
  for (std::string_view name : f.route->params) {
    if (query.Has(name)) AddParam(name, query.Get(name), &r);
  }
  return r;
}

void SetAccessParam(std::string_view name, std::string_view value, ledger::AccessRecord* r) {
  for (auto& param : r->params) {
    if (param.name == name) {
      param.value = Bounded(value);
      return;
    }
  }
  AddParam(name, value, r);
}

std::string LoggableTarget(std::string_view target, const Route* route) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  Query query;
  if (route != nullptr && !Query::Parse(target.substr(q + 1), route->params, &query)) {
    return std::string(target);
  }
  return std::string(target.substr(0, q)) + "?...";
}

AccessLog::AccessLog(ledger::Ledger* ledger) : ledger_(ledger) {
  writer_ = std::thread([this] { WriterLoop(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  writer_.join();
}

void AccessLog::RecordAsync(ledger::AccessRecord r, std::function<void(const Status&)> done) {
  {
    std::lock_guard<std::mutex> l(mu_);
    queue_.push_back(Pending{std::move(r), std::move(done)});
  }
  cv_.notify_one();
}

void AccessLog::WriterLoop() {
  std::vector<Pending> batch;
  std::vector<ledger::AccessRecord> records;
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    cv_.wait(l, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopped, and nothing is left to write
    const size_t n = std::min(queue_.size(), limits::kAccessRecordsPerAppendMax);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    l.unlock();
    records.clear();
    for (const Pending& p : batch) records.push_back(p.record);
    const Status s = ledger_->AppendAccess(records);
    for (Pending& p : batch) p.done(s);
    batch.clear();
    l.lock();
  }
}

Status AccessLog::Record(const ledger::AccessRecord& r) { return ledger_->AppendAccess({&r, 1}); }

Status AccessLog::RecordStart(const ServerOptions& o) {
  ledger::AccessRecord r;
  r.kind = ledger::AccessKind::kStart;
  r.time_ns = ledger::SystemClock()->NowNs();
  r.method = "start";
  AddParam("listen", o.listen, &r);
  AddParam("db", o.db_path, &r);
  AddParam("policy", o.policy_path, &r);
  if (!o.tokens_path.empty()) AddParam("tokens", o.tokens_path, &r);
  r.status = 200;
  return Record(r);
}

Status AccessLog::RecordReload(std::string_view trigger, const RequestContext& who,
                               const PolicyStore& store, const ReloadDigests& digests,
                               uint16_t status) {
  std::vector<ledger::AccessRecord> records;
  const auto add = [&](ledger::AccessKind kind, const std::string& path,
                       const std::optional<ledger::Hash>& sha256) {
    ledger::AccessRecord& r = records.emplace_back();
    r.kind = kind;
    r.time_ns = ledger::SystemClock()->NowNs();
    r.principal = Bounded(who.principal);
    r.auth = who.auth_method;
    r.client = Bounded(who.peer);
    r.method = Bounded(trigger);
    AddParam("file", path, &r);
    if (sha256) AddParam("sha256", events::HexEncode(*sha256), &r);
    r.status = status;
  };
  add(ledger::AccessKind::kPolicyReload, store.policy_path(), digests.policy);
  if (!store.tokens_path().empty()) {
    add(ledger::AccessKind::kTokensReload, store.tokens_path(), digests.tokens);
  }
  return ledger_->AppendAccess(records);
}

bool AttachAccessRecord(const Request& r, ledger::AppendOptions* options) {
  if (!r.access) return false;
  ledger::AccessRecord record = *r.access;
  record.status = 200;  // written only with an accepted append
  record.bytes = r.body.size();
  options->access_records.push_back(std::move(record));
  return true;
}

Reply AccessLogFailure(const Status& s) {
  return Reply::Error(HttpError(
      503, "access_log_failed",
      "the access log could not record this request, so it is not answered: " + s.message()));
}

Reply GetAccessLog(const Request& r, Service& svc) {
  // The log is ledger-wide (every principal's requests, on every contract),
  // so only a `*` scope reads it, like ledger-wide events.
  if (!r.context.scope().everything) {
    return Reply::Error(HttpError(403, "forbidden",
                                  "principal " + events::QuoteForMessage(r.context.principal) +
                                      " has a scope: the access log is ledger-wide, only a "
                                      "principal of scope * may read it"));
  }
  const size_t rows_max = svc.options->limits.response_rows;
  uint64_t after = 0, limit = 0;
  if (auto e = r.query.Number("after", 0, UINT64_MAX - 1, &after)) return Reply::Error(*e);
  if (auto e = r.query.Number("limit", rows_max, rows_max, &limit)) return Reply::Error(*e);
  ledger::AccessFilter filter;
  filter.principal = std::string(r.query.Get("principal"));
  filter.contract = std::string(r.query.Get("contract"));
  if (r.query.Has("since")) {
    Status s = events::ParseInstant(r.query.Get("since"), &filter.since_ns);
    if (!s.ok()) return Reply::Error(BadParameter("since", s.message()));
  }
  if (r.query.Has("denied")) {
    const std::string_view v = r.query.Get("denied");
    if (v != "true" && v != "false") {
      return Reply::Error(
          BadParameter("denied", "true or false, got " + events::QuoteForMessage(v)));
    }
    filter.denied = v == "true";
  }
  Reply reply{200, "application/x-ndjson", ""};
  Status s = svc.ledger->ReadAccess(after + 1, [&](const ledger::AccessEntry& e) {
    if (reply.rows >= limit) return false;  // limit=0: none, as GET /v1/events
    if (!ledger::MatchesAccessFilter(filter, e.record)) return true;
    ledger::AppendAccessEntryJson(e, &reply.body);
    reply.body += '\n';
    return ++reply.rows < limit;
  });
  if (!s.ok()) return Reply::Of(s);
  return reply;
}

}  // namespace ccl::ledgerd
