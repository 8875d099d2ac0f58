// Canonical JSON output of events (AppendEventJson in events/model/json.h).
// Canonical means one text per event: fixed key order (the envelope, then the
// payload in the order schemas/EVENTS.md lists for the type), no spaces,
// integers for money and minutes, RFC 3339 UTC times, and one escaping rule
// (\" \\ and \u00XX for control characters; everything else as UTF-8).
#include <array>
#include <cstring>

#include "events/base/csv_cell.h"
#include "events/base/hex.h"
#include "events/base/time_format.h"
#include "events/model/fields.h"
#include "events/model/json.h"
#include "events/model/uuid.h"

namespace ccl::events {

namespace {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() {
    out_->push_back('{');
    first_ = true;
  }
  void EndObject() {
    out_->push_back('}');
    first_ = false;
  }
  void Key(std::string_view name) {
    // Our own names: nothing to escape. One append per key.
    char buf[48];
    if (name.size() > sizeof(buf) - 4)
      name = name.substr(0, sizeof(buf) - 4);  // never: ours are short
    char* p = buf;
    if (!first_) *p++ = ',';
    first_ = false;
    *p++ = '"';
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    *p++ = '"';
    *p++ = ':';
    out_->append(buf, p);
  }
  void String(std::string_view key, std::string_view value) {
    Key(key);
    AppendString(value);
  }
  void OptionalString(std::string_view key, std::string_view value) {
    if (!value.empty()) String(key, value);
  }
  void Integer(std::string_view key, int64_t value) {
    Key(key);
    AppendDecimal(value, out_);
  }
  void Bool(std::string_view key, bool value) {
    Key(key);
    out_->append(value ? "true" : "false");
  }
  void Unsigned(std::string_view key, uint64_t value) {
    Key(key);
    AppendDecimal(value, out_);
  }
  void Uuid(std::string_view key, const events::Uuid& id) {
    Quoted(key, [&] { AppendUuid(id, out_); });
  }
  void Date(std::string_view key, int32_t day) {
    Quoted(key, [&] { AppendDate(day, out_); });
  }
  void Instant(std::string_view key, int64_t ns, bool always_fraction) {
    Quoted(key, [&] {
      if (always_fraction) {
        AppendInstantNs(ns, out_);
      } else {
        AppendInstant(ns, out_);
      }
    });
  }
  void Raw(std::string_view text) { out_->append(text); }
  void AfterValue() { first_ = false; }

 private:
  // Key, then a string value that append_body writes and that needs no
  // escaping (our own formats: UUIDs, dates, times).
  template <typename Body>
  void Quoted(std::string_view key, Body&& append_body) {
    Key(key);
    out_->push_back('"');
    append_body();
    out_->push_back('"');
  }
  void AppendString(std::string_view s) {
    out_->push_back('"');
    AppendJsonStringBody(s, /*escape_del_c1=*/false, out_);
    out_->push_back('"');
  }

  std::string* out_;
  bool first_ = true;
};

void AppendLinesArray(const Event& e, JsonWriter& w) {
  const bool opened = e.type == EventType::kContractOpened;
  w.Raw("[");
  for (size_t i = 0; i < e.lines.size(); ++i) {
    const ContractLine& l = e.lines[i];
    if (i != 0) w.Raw(",");
    w.BeginObject();
    w.String("service_line", ServiceLineName(l.service_line));
    if (opened) {
      w.Integer("funded_minutes", l.funded_minutes);
    } else {
      w.Integer("funded_minutes_delta", l.funded_minutes_delta);
    }
    if (l.bill_rate_minor.has_value()) w.Integer("bill_rate_minor", *l.bill_rate_minor);
    if (l.overage != Overage::kUnset) w.String("overage", OverageName(l.overage));
    w.EndObject();
  }
  w.Raw("]");
  w.AfterValue();
}

void AppendLines(const Event& e, JsonWriter& w) {
  if (e.lines.empty()) return;
  w.Key("lines");
  AppendLinesArray(e, w);
}

// The payloads of a contract's terms and of consumption: the ones with amounts.
void AppendContractOrConsumptionPayload(const Event& e, JsonWriter& w) {
  switch (e.type) {
    case EventType::kContractOpened:
      w.String("customer", e.customer);
      w.Date("term_start", e.term_start_day);
      if (e.term_end_day.has_value()) w.Date("term_end", *e.term_end_day);
      w.String("currency", e.currency);
      AppendLines(e, w);
      break;
    case EventType::kContractAmended:
      w.String("reason", e.reason);
      if (e.term_end_day.has_value()) w.Date("term_end", *e.term_end_day);
      AppendLines(e, w);
      break;
    case EventType::kHoursBooked:
      w.String("engineer", e.engineer);
      w.String("service_line", ServiceLineName(e.service_line));
      w.Integer("minutes", e.minutes);
      w.Integer("cost_rate_minor", e.cost_rate_minor);
      w.OptionalString("reference", e.reference);
      break;
    case EventType::kDeliveryCompleted:
      w.String("delivery", e.delivery);
      w.String("offering", e.offering);
      w.String("service_line", ServiceLineName(e.service_line));
      w.Integer("minutes", e.minutes);
      w.Integer("cost_minor", e.cost_minor);
      break;
    default:
      break;
  }
}

void AppendPayload(const Event& e, JsonWriter& w) {
  switch (e.type) {
    case EventType::kContractOpened:
    case EventType::kContractAmended:
    case EventType::kHoursBooked:
    case EventType::kDeliveryCompleted:
      AppendContractOrConsumptionPayload(e, w);
      break;
    case EventType::kEscalationOpened:
      w.String("escalation", e.escalation);
      w.String("severity", SeverityName(e.severity));
      w.String("summary", e.summary);
      break;
    case EventType::kEscalationSeverityChanged:
      w.String("escalation", e.escalation);
      w.String("severity", SeverityName(e.severity));
      break;
    case EventType::kEscalationResolved:
      w.String("escalation", e.escalation);
      w.String("resolution", e.resolution);
      break;
    case EventType::kEntryReversed:
    case EventType::kRejected:
      w.Uuid("target_event_id", e.target_event_id);
      w.String("reason", e.reason);
      break;
    case EventType::kContractClosed:
      w.String("reason", e.reason);
      break;
    case EventType::kPeriodClosed:
      w.String("period", FormatMonthIndex(e.period_month));
      break;
    case EventType::kLegalHoldPlaced:
    case EventType::kLegalHoldReleased:
      w.String("case", e.legal_case);
      w.String("reason", e.reason);
      break;
    case EventType::kApprovalPolicySet:
      w.String("types", FormatApprovalTypes(e.approval_types));
      if (e.threshold_minutes.has_value()) w.Integer("threshold_minutes", *e.threshold_minutes);
      break;
    case EventType::kApproved:
      w.Uuid("target_event_id", e.target_event_id);
      break;
    case EventType::kPeriodReopened:
      w.String("period", FormatMonthIndex(e.period_month));
      w.String("reason", e.reason);
      break;
  }
}

// The envelope in canonical order, the assigned fields in their places.
void AppendEnvelope(const Event& e, bool assigned, JsonWriter& w) {
  if (assigned) w.Unsigned("seq", e.seq);
  w.Uuid("event_id", e.event_id);
  w.String("type", EventTypeName(e.type));
  // A decision on a ledger-wide event has no contract either.
  if (!IsLedgerWide(e.type) && !e.contract.empty()) w.String("contract", e.contract);
  if (assigned) w.Unsigned("stream_version", e.stream_version);
  w.Instant("effective_at", e.effective_at_ns, false);
  if (assigned) w.Instant("recorded_at", e.recorded_at_ns, true);
  w.String("actor", e.actor);
  w.String("source", e.source);
  w.OptionalString("note", e.note);
}

void AppendSealedTotalsArray(const PeriodSeal& seal, JsonWriter& w) {
  w.Raw("[");
  for (size_t i = 0; i < seal.totals.size(); ++i) {
    const SealedTotal& t = seal.totals[i];
    if (i != 0) w.Raw(",");
    w.BeginObject();
    w.String("currency", t.currency);
    w.Integer("revenue_minor", t.revenue_minor);
    w.Integer("cost_minor", t.cost_minor);
    w.Integer("margin_minor", t.margin_minor);
    w.Integer("minutes", t.minutes);
    w.EndObject();
  }
  w.Raw("]");
  w.AfterValue();
}

void AppendSeal(const PeriodSeal& seal, JsonWriter& w) {
  std::string hex;
  AppendHex(seal.balances_digest, &hex);
  w.String("sealed_balances_digest", hex);
  hex.clear();
  AppendHex(seal.margins_digest, &hex);
  w.String("sealed_margins_digest", hex);
  w.Key("sealed_totals");
  AppendSealedTotalsArray(seal, w);
}

}  // namespace

void AppendSealedTotalsJson(const PeriodSeal& seal, std::string* out) {
  JsonWriter w(out);
  AppendSealedTotalsArray(seal, w);
}

void AppendDigestHex(const std::array<uint8_t, 32>& digest, std::string* out) {
  AppendHex(digest, out);
}

void AppendLinesJson(const Event& e, std::string* out) {
  JsonWriter w(out);
  AppendLinesArray(e, w);
}

void AppendEventJson(const Event& e, const JsonOutputOptions& options, std::string* out) {
  JsonWriter w(out);
  const bool assigned = options.assigned_fields;
  w.BeginObject();
  if (options.envelope) AppendEnvelope(e, assigned, w);
  AppendPayload(e, w);
  if (!options.contract_currency.empty() && e.type != EventType::kContractOpened &&
      CarriesMoney(e)) {
    w.String("currency", options.contract_currency);
  }
  if (assigned && e.applied_bill_rate_minor.has_value()) {
    w.Integer("applied_bill_rate_minor", *e.applied_bill_rate_minor);
  }
  if (assigned && e.seal.has_value()) AppendSeal(*e.seal, w);
  if (assigned && e.awaits_approval) w.Bool("awaits_approval", true);
  if (options.hash != nullptr) {
    char hex[64];
    HexInto(std::span<const uint8_t>(options.hash, 32), hex);
    w.String("hash", std::string_view(hex, sizeof(hex)));
  }
  w.EndObject();
}

}  // namespace ccl::events
