// The event routes: adapters from HTTP to app::ImportBody (what `ledgerctl
// import` appends with) and to the ledger's readers, producing what
// `ledgerctl log --json` and `show` produce.
#include <atomic>
#include <boost/algorithm/string/predicate.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "events/base/quote.h"
#include "events/model/json.h"
#include "events/model/rules.h"
#include "events/model/uuid.h"
#include "ledger/merkle/merkle.h"
#include "tools/access/scope.h"
#include "tools/app/import.h"
#include "tools/feed/contract_currency.h"
#include "tools/server/routes.h"

namespace ccl::ledgerd {
namespace {

using events::Event;

// The format of the body by its Content-Type: a JSON array or JSON Lines.
std::optional<ApiError> BodyFormatOf(const Request& r, app::InputFormat* format) {
  // Media types are case-insensitive (RFC 9110 8.3.1).
  if (boost::iequals(r.content_type, "application/json")) {
    *format = app::InputFormat::kJsonArray;
  } else if (boost::iequals(r.content_type, "application/x-ndjson") ||
             boost::iequals(r.content_type, "application/jsonl")) {
    *format = app::InputFormat::kJsonLines;
  } else {
    return HttpError(415, "unsupported_media_type",
                     "Content-Type must be application/json (an array of events) or "
                     "application/x-ndjson (JSON Lines), got " +
                         events::QuoteForMessage(r.content_type));
  }
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

// What the request's header says of its append: the query's values and the
// body's format.
std::optional<ApiError> HeaderOptionsOf(const Request& r, app::ImportOptions* out) {
  if (auto e = AppendOptionsOf(r, &out->append)) return e;
  return BodyFormatOf(r, &out->format);
}

// A refused import: the library's error, with the line of the body it names;
// more events than the request limit is 413.
ApiError ImportFailure(const Status& s) {
  ApiError e = ApiErrorOf(s);
  if (s.line() != 0) e.line = s.line();
  if (s.rule() == rules::kBatchEventsMax) {
    e.http_status = 413;
    e.code = "limit_exceeded";
  }
  return e;
}

// The answer to a body of one event names its stream version
// (`stream_version`, 0: left out) and whether it was accepted pending
// approval (`awaits_approval`, present only when true), as `ledgerctl append`
// says.
std::string AppendedJson(const app::ImportResult& result, const ledger::Hash& last_hash,
                         uint64_t stream_version, bool awaits_approval) {
  return "{\"appended\":" + std::to_string(result.appended) +
         ",\"duplicates\":" + std::to_string(result.duplicates) +
         ",\"first_seq\":" + std::to_string(result.lowest_seq) +
         ",\"last_seq\":" + std::to_string(result.highest_seq) + ",\"head_hash\":\"" +
         ledger::HexEncode(last_hash) + "\"" +
         (stream_version != 0 ? ",\"stream_version\":" + std::to_string(stream_version) : "") +
         (awaits_approval ? ",\"awaits_approval\":true" : "") + "}";
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
  Reply reply = Reply::Json(body);
  reply.rows = 1;
  return reply;
}

// The answer to an append of `in` that ended with `s` and `appended`.
Reply AppendedReply(const Status& s, const ledger::AppendResult& appended,
                    std::span<const uint64_t> lines, bool attached, double seconds, Service& svc) {
  app::ImportResult result;
  Status added = app::AddBodyAppended(s, appended, lines, "", &result);
  if (!added.ok() && added.IsIOError()) {
    svc.writes_failed = true;
    // The state a failed write leaves the server in, in ledgerd's words: the
    // library's ("until the ledger is opened again") name no step a client
    // can take. After the write's own error, when this append's write failed.
    if (appended.writes_refused) {
      added = added.WithMessage(std::string(kWritesRefusedUntilRestart) +
                                " (reads are still served; nothing acknowledged was lost)");
    } else if (svc.ledger->WritesRefused()) {
      added = added.WithMessage(added.message() + "; " + std::string(kWritesRefusedUntilRestart));
    }
  }
  if (!added.ok()) return Reply::Error(ImportFailure(added));
  svc.metrics->CountAppend(result.events, result.appended, seconds);
  if (appended.first_of_group) svc.metrics->CountGroup(appended.group_events);
  if (result.appended > 0 && svc.on_appended) svc.on_appended();
  ledger::Hash hash;
  added = svc.ledger->GetChainHash(result.highest_seq, &hash);
  if (!added.ok()) return Reply::Of(added);
  // One event (an `append`): its stream version too, which a writer could
  // otherwise learn only by reading the event back (a reader's right). The
  // append assigned it; a duplicate's is read (a retry: rare).
  uint64_t stream_version = 0;
  bool awaits_approval = false;
  if (result.events == 1 && appended.outcomes.size() == 1) {
    stream_version = appended.outcomes[0].stream_version;
    awaits_approval = appended.outcomes[0].awaits_approval;
    if (appended.outcomes[0].duplicate) {
      Event stored;
      added = svc.ledger->Get(appended.outcomes[0].seq, &stored);
      if (!added.ok()) return Reply::Of(added);
      stream_version = stored.stream_version;
      awaits_approval = stored.awaits_approval;
    }
  }
  Reply reply = Reply::Json(AppendedJson(result, hash, stream_version, awaits_approval));
  reply.rows = result.appended;
  reply.access_recorded = attached;
  return reply;
}

// AppendedReply on a thread of the ledger, which must not see an exception
// (ledger.h): one thrown while making the answer (a subscriber's callback,
// memory) is a 500 to the client, the append's outcome standing. The record
// written with the batch says 200 and names the events; the 500 the client
// got is recorded too, as a second record of the request, as is any other
// failure to answer a written append: the log must show what was answered.
//
// `kept`: the batch of a principal with a scope (null for `*`). Its refusal
// is checked against the scope again first: the ledger may have changed since
// CheckWriteBatch looked (another writer opened a contract of this batch in
// between, and the rules' refusal would describe that contract: its number of
// events). The refusal through the scope then comes first, as it would have
// had the other append come first; otherwise the rules' refusal, with what
// lies outside the scope hidden (HideOutOfScopeEvents).
Reply AnswerAppend(const Request& r, const std::vector<Event>* kept, Status s,
                   const ledger::AppendResult& appended, std::span<const uint64_t> lines,
                   bool attached, double seconds, Service& svc) noexcept {
  try {
    if (kept != nullptr && !s.ok()) {
      ScopeCheck scope(r.context.scope(), svc.ledger);
      if (auto refused = CheckWriteBatch(r.context.principal, &scope, *kept, lines)) {
        return Reply::Error(*refused);
      }
      s = HideOutOfScopeEvents(&scope, *kept, appended, s);
    }
    return AppendedReply(s, appended, lines, attached, seconds, svc);
  } catch (const std::exception& e) {
    Reply reply = Reply::Error(HttpError(500, "internal",
                                         std::string(s.ok() ? "the batch was appended, but " : "") +
                                             "answering failed: " + e.what()));
    return reply;
  }
}

// Counts an append in flight until its answer was handed over, however that
// ended: shutdown waits for the count to reach zero.
class InFlight {
 public:
  explicit InFlight(std::atomic<size_t>* n) : n_(n) {}
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() { n_->fetch_sub(1); }

 private:
  std::atomic<size_t>* n_;
};

}  // namespace

std::optional<ApiError> CheckPostEventsHeader(const Request& r) {
  app::ImportOptions options;
  return HeaderOptionsOf(r, &options);
}

void PostEvents(std::shared_ptr<const Request> request, Service& svc, ReplyDone done) {
  const Request& r = *request;
  app::ImportOptions options;
  if (auto e = HeaderOptionsOf(r, &options)) return done(Reply::Error(*e));
  options.events_max = svc.options->limits.events_per_request;
  // Over the server an event's actor is the authenticated principal: filled
  // in when omitted, another one refused (CheckWriteBatch), as are events
  // outside the principal's scope or types; nothing of a refused body is
  // written.
  options.default_actor = r.context.principal;
  ScopeCheck scope(r.context.scope(), svc.ledger);
  for (const auto& [contract, version] : options.append.expected_versions) {
    if (Status s = scope.ContractShownOrNotFound(contract); !s.ok()) return done(Reply::Of(s));
  }
  std::optional<ApiError> refused;
  options.check_batch = [&](std::span<const Event> batch, std::span<const uint64_t> lines) {
    refused = CheckWriteBatch(r.context.principal, &scope, batch, lines);
    return refused ? Status::InvalidArgument("refused for the principal") : Status::OK();
  };
  app::BodyBatch in;
  Status s = app::ReadBodyBatch(r.body, "", options, &in);
  if (refused) return done(Reply::Error(*refused));
  if (!s.ok()) return done(Reply::Error(ImportFailure(s)));
  // The request's record goes into the append's own synced batch: the body
  // is one atomic append, so it is written exactly when the events are.
  const bool attached = AttachAccessRecord(r, &options.append);
  // A refusal seen through a scope must not name what lies outside it: the
  // events are kept to check them again and to say what is refused
  // (AnswerAppend).
  std::shared_ptr<const std::vector<Event>> kept;
  if (!scope.everything()) kept = std::make_shared<const std::vector<Event>>(in.events);
  const auto start = std::chrono::steady_clock::now();
  svc.appends_in_flight.fetch_add(1);
  svc.ledger->AppendAsync(
      std::move(in.events), std::move(options.append),
      [&svc, request, kept, lines = std::move(in.lines), attached, start, done = std::move(done)](
          const Status& st, ledger::AppendResult&& appended) {
        const InFlight in_flight(&svc.appends_in_flight);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        done(AnswerAppend(*request, kept.get(), st, appended, lines, attached, took.count(), svc));
      });
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
  // Whether the answer can hold every event (a client that needs the whole
  // ledger, the PostgreSQL sink, asks before it writes anything).
  reply.headers.emplace_back("Ledger-Scope", scope.everything() ? "all" : "narrowed");
  feed::ContractCurrencies currencies(svc.ledger);
  ledger::Hash hash;
  for (uint64_t& rows = reply.rows; it->Valid() && rows < limit; it->Next()) {
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

namespace {

// The reply to a read of one event `e` that returned `read`: the event and
// its chain hash when the caller's scope shows it, else `not_found` (an event
// out of scope is not shown to exist). An error names `seq` when the request
// did.
Reply ShownEventReply(const Request& r, Service& svc, const Status& read, const Event& e,
                      const Status& not_found, std::optional<uint64_t> seq) {
  Status s = read;
  if (s.ok()) s = ScopeCheck(r.context.scope(), svc.ledger).EventShownOrNotFound(e, not_found);
  ledger::Hash hash;
  if (s.ok()) s = svc.ledger->GetChainHash(e.seq, &hash);
  if (!s.ok()) {
    ApiError err = ApiErrorOf(s);
    if (seq) err.seq = seq;
    return Reply::Error(err);
  }
  return EventReply(e, hash, svc);
}

}  // namespace

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
  const Status read = svc.ledger->Get(seq, &e);
  return ShownEventReply(r, svc, read, e, ledger::EventNotFound(seq), seq);
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
  const Status read = svc.ledger->GetByEventId(id, &e);
  return ShownEventReply(r, svc, read, e, ledger::EventIdNotFound(id), std::nullopt);
}

}  // namespace ccl::ledgerd
