// The event routes: adapters from HTTP to events::JsonEventParser,
// ledger::Ledger::Append and the ledger's readers, producing what `ledgerctl
// import`, `log --json` and `show` produce.
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "events/json.h"
#include "events/quote.h"
#include "events/uuid.h"
#include "ledger/merkle.h"
#include "tools/feed/contract_currency.h"
#include "tools/ledgerd/events_body.h"
#include "tools/ledgerd/routes.h"
#include "tools/ledgerd/scope.h"

namespace ccl::ledgerd {
namespace {

using events::Event;

// One parser per worker thread: it reuses its buffers.
events::JsonEventParser& ThreadParser() {
  thread_local events::JsonEventParser parser;
  return parser;
}

// A failure of input line `line`: the message and the line, as `ledgerctl
// import` names "FILE:LINE: ...".
ApiError AtLine(const Status& s, uint64_t line) {
  ApiError e = ApiErrorOf(s.WithContext("line " + std::to_string(line)));
  e.line = line;
  return e;
}

// The events of the body and the line each starts on.
std::optional<ApiError> ParseBody(const Request& r, const ServerOptions& o, std::vector<Event>* out,
                                  std::vector<uint64_t>* lines) {
  BodyFormat format;
  if (r.content_type == "application/json") {
    format = BodyFormat::kJsonArray;
  } else if (r.content_type == "application/x-ndjson" || r.content_type == "application/jsonl") {
    format = BodyFormat::kJsonLines;
  } else {
    return HttpError(415, "unsupported_media_type",
                     "Content-Type must be application/json (an array of events) or "
                     "application/x-ndjson (JSON Lines), got " +
                         events::QuoteForMessage(r.content_type));
  }
  std::vector<BodyEvent> texts;
  if (auto e = SplitEventsBody(r.body, format, o.limits.events_per_request, &texts)) return e;
  out->resize(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    Status s = ThreadParser().Parse(texts[i].text, &(*out)[i], r.context.principal);
    if (!s.ok()) return AtLine(s, texts[i].line);
  }
  lines->clear();
  for (const BodyEvent& t : texts) lines->push_back(t.line);
  return std::nullopt;
}

std::optional<ApiError> AppendOptionsOf(const Request& r, ledger::AppendOptions* out) {
  const bool has_version = r.query.Has("expected_version");
  if (has_version != r.query.Has("contract")) {
    return BadParameter(has_version ? "contract" : "expected_version",
                        "expected_version and contract go together");
  }
  if (!has_version) return std::nullopt;
  uint64_t version = 0;
  if (auto e = r.query.Number("expected_version", 0, UINT64_MAX, &version)) return e;
  out->expected_versions.emplace_back(std::string(r.query.Get("contract")), version);
  return std::nullopt;
}

// A rejected append, named by the line of its event as `ledgerctl import`
// names it (the ledger's message names the event itself).
ApiError AppendFailure(const Status& s, const ledger::AppendResult& result,
                       const std::vector<uint64_t>& lines) {
  if (result.failed_index >= lines.size()) return ApiErrorOf(s);
  Status named = s;
  if (result.first_use_index < lines.size()) {
    named =
        s.WithDetail("(first used on line " + std::to_string(lines[result.first_use_index]) + ")");
  }
  return AtLine(named, lines[result.failed_index]);
}

std::string AppendedJson(const ledger::AppendResult& result, const ledger::Hash& last_hash) {
  uint64_t first = UINT64_MAX, last = 0;
  for (const ledger::EventOutcome& o : result.outcomes) {
    first = std::min(first, o.seq);
    last = std::max(last, o.seq);
  }
  return "{\"appended\":" + std::to_string(result.appended) +
         ",\"duplicates\":" + std::to_string(result.duplicates) +
         ",\"first_seq\":" + std::to_string(first) + ",\"last_seq\":" + std::to_string(last) +
         ",\"head_hash\":\"" + ledger::HexEncode(last_hash) + "\"}";
}

// The event's `log --json` line (with its contract's currency beside every
// amount), appended to *out.
Status AppendEventLine(const Event& e, const ledger::Hash& hash,
                       feed::ContractCurrencies* currencies, std::string* out) {
  events::JsonOutputOptions options;
  options.hash = hash.data();
  CCL_RETURN_IF_ERROR(currencies->CurrencyFor(e, &options.contract_currency));
  events::AppendEventJson(e, options, out);
  return Status::OK();
}

Reply EventReply(const Event& e, const ledger::Hash& hash, Service& svc) {
  feed::ContractCurrencies currencies(svc.ledger);
  std::string body;
  if (Status s = AppendEventLine(e, hash, &currencies, &body); !s.ok()) return Reply::Of(s);
  return Reply::Json(body);
}

}  // namespace

Reply PostEvents(const Request& r, Service& svc) {
  ledger::AppendOptions options;
  if (auto e = AppendOptionsOf(r, &options)) return Reply::Error(*e);
  std::vector<Event> batch;
  std::vector<uint64_t> lines;
  if (auto e = ParseBody(r, *svc.options, &batch, &lines)) return Reply::Error(*e);
  ScopeCheck scope(r.context.scope(), svc.ledger);
  if (auto e = CheckWriteBatch(r.context.principal, &scope, batch, lines)) return Reply::Error(*e);
  for (const auto& [contract, version] : options.expected_versions) {
    if (Status s = scope.ContractShownOrNotFound(contract); !s.ok()) return Reply::Of(s);
  }

  ledger::AppendResult result;
  const auto start = std::chrono::steady_clock::now();
  Status s = svc.ledger->Append(batch, options, &result);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (!s.ok()) {
    if (s.IsIOError()) svc.writes_failed = true;
    return Reply::Error(AppendFailure(s, result, lines));
  }
  svc.metrics->CountAppend(batch.size(), result.appended, took.count());
  if (result.appended > 0 && svc.on_appended) svc.on_appended();
  uint64_t last = 0;
  for (const ledger::EventOutcome& o : result.outcomes) last = std::max(last, o.seq);
  ledger::Hash hash;
  s = svc.ledger->GetChainHash(last, &hash);
  if (!s.ok()) return Reply::Of(s);
  return Reply::Json(AppendedJson(result, hash));
}

Reply GetEvents(const Request& r, Service& svc) {
  const size_t rows_max = svc.options->limits.response_rows;
  uint64_t after = 0, limit = 0;
  if (auto e = r.query.Number("after", 0, UINT64_MAX - 1, &after)) return Reply::Error(*e);
  if (auto e = r.query.Number("limit", rows_max, rows_max, &limit)) return Reply::Error(*e);
  std::optional<events::EventType> type;
  if (r.query.Has("type")) {
    events::EventType t;
    if (!events::EventTypeFromName(r.query.Get("type"), &t)) {
      return Reply::Error(BadParameter(
          "type", "unknown event type " + events::QuoteForMessage(r.query.Get("type"))));
    }
    type = t;
  }
  const std::string contract(r.query.Get("contract"));
  ScopeCheck scope(r.context.scope(), svc.ledger);
  Status checked = scope.ContractShownOrNotFound(contract);
  if (checked.ok()) checked = ledger::CheckContractExists(svc.ledger, contract);
  if (!checked.ok()) return Reply::Of(checked);
  // A contract's events come from its stream, never a full scan.
  std::unique_ptr<ledger::EventIterator> it = contract.empty()
                                                  ? svc.ledger->NewIterator(after + 1)
                                                  : svc.ledger->NewStreamIterator(contract, 1);
  Reply reply{200, "application/x-ndjson", ""};
  feed::ContractCurrencies currencies(svc.ledger);
  ledger::Hash hash;
  for (uint64_t rows = 0; it->Valid() && rows < limit; it->Next()) {
    const Event& e = it->event();
    if (e.seq <= after || (type && e.type != *type)) continue;
    bool in_scope = true;
    Status s = scope.EventInScope(e, &in_scope);
    if (s.ok() && !in_scope) continue;
    if (s.ok()) s = it->chain_hash(&hash);
    if (s.ok()) s = AppendEventLine(e, hash, &currencies, &reply.body);
    if (!s.ok()) return Reply::Of(s);
    reply.body += '\n';
    ++rows;
  }
  if (!it->status().ok()) return Reply::Of(it->status());
  return reply;
}

Reply GetEventBySeq(const Request& r, Service& svc) {
  uint64_t seq = 0;
  if (!ParseDecimal(r.path_params.at(0), &seq)) {
    ApiError e = HttpError(
        400, "invalid_argument",
        "seq must be a whole number, got " + events::QuoteForMessage(r.path_params.at(0)));
    e.field = "seq";
    return Reply::Error(e);
  }
  Event e;
  ledger::Hash hash;
  Status s = svc.ledger->Get(seq, &e);
  if (s.ok()) {
    s = ScopeCheck(r.context.scope(), svc.ledger)
            .EventShownOrNotFound(e, ledger::EventNotFound(seq));
  }
  if (s.ok()) s = svc.ledger->GetChainHash(seq, &hash);
  if (!s.ok()) {
    ApiError err = ApiErrorOf(s);
    err.seq = seq;
    return Reply::Error(err);
  }
  return EventReply(e, hash, svc);
}

Reply GetEventById(const Request& r, Service& svc) {
  events::Uuid id;
  if (!events::ParseUuid(r.path_params.at(0), &id)) {
    ApiError e =
        HttpError(400, "invalid_argument",
                  "not an event id (a UUID): " + events::QuoteForMessage(r.path_params.at(0)));
    e.field = "event_id";
    return Reply::Error(e);
  }
  Event e;
  ledger::Hash hash;
  Status s = svc.ledger->GetByEventId(id, &e);
  if (s.ok()) {
    s = ScopeCheck(r.context.scope(), svc.ledger)
            .EventShownOrNotFound(e, ledger::EventIdNotFound(id));
  }
  if (s.ok()) s = svc.ledger->GetChainHash(e.seq, &hash);
  if (!s.ok()) return Reply::Of(s);
  return EventReply(e, hash, svc);
}

}  // namespace ccl::ledgerd
