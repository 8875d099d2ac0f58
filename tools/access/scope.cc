#include "tools/access/scope.h"

#include <cassert>

#include "events/base/limits.h"
#include "events/base/quote.h"
#include "events/model/rules.h"
#include "events/model/validate.h"
#include "ledger/merkle/merkle.h"
#include "ledger/merkle/merkle_json.h"

namespace ccl::ledgerd {
namespace {

constexpr std::string_view kCustomerPrefix = "customer:";
constexpr std::string_view kContractPrefix = "contract:";
constexpr std::string_view kTypesPrefix = "types:";
constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

bool IsFieldSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

Status FieldError(size_t field_no, const std::string& what) {
  return Status::InvalidArgument("field " + std::to_string(field_no) + ": " + what);
}

// One field starting at line[*at] (not a space); *at moves past it.
Status ReadField(std::string_view line, size_t field_no, size_t* at, std::string* out) {
  out->clear();
  bool quoted = false;
  for (; *at < line.size(); ++*at) {
    const char c = line[*at];
    if (static_cast<unsigned char>(c) < 0x20 && !IsFieldSpace(c)) {
      return FieldError(field_no, "holds a control character");
    }
    if (!quoted && IsFieldSpace(c)) break;
    if (c == '"') {
      quoted = !quoted;
    } else if (quoted && c == '\\') {
      if (*at + 1 >= line.size() || (line[*at + 1] != '"' && line[*at + 1] != '\\')) {
        return FieldError(field_no, "a backslash inside quotes escapes only '\"' or '\\'");
      }
      out->push_back(line[++*at]);
    } else {
      out->push_back(c);
    }
  }
  if (quoted) return FieldError(field_no, "a quote is not closed");
  return Status::OK();
}

Status AddTypes(std::string_view list, Scope* scope) {
  if (list.empty()) return Status::InvalidArgument("types: names no event type");
  while (true) {
    const size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    events::EventType t;
    if (!events::EventTypeFromName(name, &t)) {
      return Status::InvalidArgument("types: unknown event type " + events::QuoteForMessage(name));
    }
    static_assert(events::kEventTypeCount < 64);
    scope->types_mask |= uint64_t{1} << static_cast<unsigned>(t);
    if (comma == std::string_view::npos) return Status::OK();
    list.remove_prefix(comma + 1);
  }
}

// Adds one field to *scope, which starts narrowed to nothing (everything
// false) and becomes `*` only by a `*` field.
Status AddScopeField(std::string_view field, bool star, Scope* scope) {
  const size_t narrowing = scope->customers.size() + scope->contracts.size();
  if (narrowing >= limits::kServerScopesPerPrincipalMax) {
    return Status::InvalidArgument("more than " +
                                   std::to_string(limits::kServerScopesPerPrincipalMax) +
                                   " scopes on one line");
  }
  if (field == "*") {
    if (narrowing != 0 || star) return Status::InvalidArgument("'*' beside another scope");
    scope->everything = true;
    return Status::OK();
  }
  if (field.starts_with(kTypesPrefix)) {
    if (scope->types_mask != 0) return Status::InvalidArgument("types: given twice");
    return AddTypes(field.substr(kTypesPrefix.size()), scope);
  }
  const bool customer = field.starts_with(kCustomerPrefix);
  if (!customer && !field.starts_with(kContractPrefix)) {
    return Status::InvalidArgument("unknown scope " + events::QuoteForMessage(field) +
                                   " (scopes: *, customer:NAME, contract:ID, types:T[,T...])");
  }
  const std::string_view value =
      field.substr(customer ? kCustomerPrefix.size() : kContractPrefix.size());
  if (value.empty()) {
    return Status::InvalidArgument(std::string(customer ? "customer:" : "contract:") +
                                   " names nothing");
  }
  if (!customer && !events::IsValidContractId(value)) {
    return Status::InvalidArgument("contract:" + events::QuoteForMessage(value) +
                                   " is not a contract id ([A-Za-z0-9._-]{1,64})");
  }
  if (star) return Status::InvalidArgument("'*' beside another scope");
  (customer ? scope->customers : scope->contracts).emplace(value);
  return Status::OK();
}

}  // namespace

bool Scope::AllowsContract(std::string_view contract, std::string_view customer) const {
  if (everything) return true;
  if (contract.empty()) return false;  // ledger-wide: only `*`
  return contracts.count(contract) != 0 || (!customer.empty() && customers.count(customer) != 0);
}

Status SplitPolicyFields(std::string_view line, std::vector<std::string>* fields) {
  fields->clear();
  size_t at = 0;
  while (true) {
    while (at < line.size() && IsFieldSpace(line[at])) ++at;
    // A `#` beginning a field starts a comment to the end of the line.
    if (at >= line.size() || line[at] == '#') return Status::OK();
    std::string field;
    CCL_RETURN_IF_ERROR(ReadField(line, fields->size() + 1, &at, &field));
    fields->push_back(std::move(field));
  }
}

Status ReadPolicyFile(const std::string& path, size_t bytes_max, std::string* text,
                      std::optional<std::array<uint8_t, 32>>* sha256) {
  if (sha256 != nullptr) sha256->reset();
  CCL_RETURN_IF_ERROR(ledger::internal::ReadFileBounded(path, bytes_max, text));
  if (sha256 != nullptr) *sha256 = ledger::Sha256(*text);
  return Status::OK();
}

Status ForEachPolicyLine(
    std::string_view text,
    const std::function<Status(const std::vector<std::string>& fields)>& line_fields) {
  std::vector<std::string> fields;
  if (text.starts_with(kUtf8ByteOrderMark)) text.remove_prefix(kUtf8ByteOrderMark.size());
  for (size_t line_no = 1; !text.empty(); ++line_no) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    Status s = SplitPolicyFields(line, &fields);
    if (s.ok() && fields.empty()) continue;
    if (s.ok()) s = line_fields(fields);
    if (!s.ok()) return s.WithContext("line " + std::to_string(line_no));
  }
  return Status::OK();
}

std::string QuotePolicyField(std::string_view value) {
  if (!value.empty() && value.find_first_of(" \t\"\\#") == std::string_view::npos) {
    return std::string(value);
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

Status ParseScopes(std::span<const std::string> fields, size_t first_field_no, Scope* out) {
  Scope scope;
  scope.everything = false;
  bool star = false;
  for (size_t i = 0; i < fields.size(); ++i) {
    Status s = AddScopeField(fields[i], star, &scope);
    if (!s.ok()) return s.WithContext("field " + std::to_string(first_field_no + i));
    star = star || fields[i] == "*";
  }
  if (scope.customers.empty() && scope.contracts.empty()) scope.everything = true;
  *out = std::move(scope);
  return Status::OK();
}

Status ScopeCheck::StoredCustomerOf(std::string_view contract, std::string* customer) {
  customer->clear();
  std::unique_ptr<ledger::EventIterator> it = ledger_->NewStreamIterator(std::string(contract), 1);
  if (it->Valid() && it->event().type == events::EventType::kContractOpened) {
    *customer = it->event().customer;
  }
  return it->status();
}

Status ScopeCheck::ContractInScope(std::string_view contract, bool* in) {
  *in = true;
  if (scope_.everything) return Status::OK();
  if (contract.empty() || scope_.contracts.count(contract) != 0 || scope_.customers.empty()) {
    *in = scope_.AllowsContract(contract, "");
    return Status::OK();
  }
  const auto found = in_scope_.find(std::string(contract));
  if (found != in_scope_.end()) {
    *in = found->second;
    return Status::OK();
  }
  std::string customer;
  CCL_RETURN_IF_ERROR(StoredCustomerOf(contract, &customer));
  *in = scope_.AllowsContract(contract, customer);
  if (in_scope_.size() >= limits::kCurrencyCacheContractsMax) in_scope_.clear();
  in_scope_.emplace(contract, *in);
  return Status::OK();
}

Status ScopeCheck::EventInScope(const events::Event& e, bool* in) {
  if (e.type == events::EventType::kContractOpened) {
    *in = scope_.AllowsContract(e.contract, e.customer);
    return Status::OK();
  }
  return ContractInScope(e.contract, in);
}

bool ScopeCheck::ContractInScopeOrRecord(std::string_view contract) {
  bool in = false;
  Status s = ContractInScope(contract, &in);
  if (!s.ok()) {
    if (status_.ok()) status_ = s;
    return false;
  }
  return in;
}

Status ScopeCheck::ContractShownOrNotFound(std::string_view contract) {
  if (contract.empty()) return Status::OK();
  bool in = false;
  CCL_RETURN_IF_ERROR(ContractInScope(contract, &in));
  return in ? Status::OK() : ledger::ContractNotFound(contract);
}

Status ScopeCheck::EventShownOrNotFound(const events::Event& e, Status not_found) {
  bool in = false;
  CCL_RETURN_IF_ERROR(EventInScope(e, &in));
  return in ? Status::OK() : not_found;
}

Status ScopeCheck::SeqShownOrNotFound(uint64_t seq, Status not_found) {
  if (scope_.everything) return Status::OK();
  events::Event e;
  Status s = ledger_->Get(seq, &e);
  if (s.IsNotFound()) return Status::OK();
  CCL_RETURN_IF_ERROR(s);
  return EventShownOrNotFound(e, std::move(not_found));
}

void ScopeCheck::NarrowView(projections::View* view) {
  if (scope_.everything) return;
  view->contracts_in = [this](std::string_view contract) {
    return ContractInScopeOrRecord(contract);
  };
}

std::optional<ApiError> CheckWriteBatch(std::string_view principal, ScopeCheck* check,
                                        std::span<const events::Event> batch,
                                        std::span<const uint64_t> lines) {
  assert(batch.size() == lines.size());
  // Customers of the contracts this batch opens that the ledger does not
  // hold: its events of them are theirs. A stored contract keeps its own
  // customer (ContractInScope) whatever a ContractOpened of the batch says.
  std::unordered_map<std::string_view, std::string_view> opened;
  if (!check->everything()) {
    std::string stored;
    for (const events::Event& e : batch) {
      if (e.type != events::EventType::kContractOpened || opened.count(e.contract) != 0) continue;
      if (Status s = check->StoredCustomerOf(e.contract, &stored); !s.ok()) return ApiErrorOf(s);
      if (stored.empty()) opened.emplace(e.contract, e.customer);
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const events::Event& e = batch[i];
    const std::string at = "line " + std::to_string(lines[i]) + ": ";
    ApiError err;
    if (e.actor != principal) {
      err = HttpError(422, "rule_violation",
                      at + "actor must be the authenticated principal (" +
                          events::QuoteForMessage(principal) + "), got " +
                          events::QuoteForMessage(e.actor));
      err.field = "actor";
    } else if (!check->scope().AllowsType(e.type)) {
      err = HttpError(403, "forbidden",
                      at + "principal " + events::QuoteForMessage(principal) + " may not append " +
                          std::string(events::EventTypeName(e.type)) +
                          " events: the types: scope of its policy line does not list them");
      err.field = "type";
    } else {
      const auto o = opened.find(e.contract);
      bool in = false;
      if (o != opened.end()) {
        in = check->scope().AllowsContract(e.contract, o->second);
      } else if (Status s = check->ContractInScope(e.contract, &in); !s.ok()) {
        return ApiErrorOf(s);
      }
      if (in) continue;
      // A ledger-wide event (no contract) is reached only by a `*` scope.
      const std::string what =
          e.contract.empty()
              ? std::string(events::EventTypeName(e.type)) +
                    " is a ledger-wide event, which only a principal with "
                    "scope * may append; it is outside the scope"
              : "contract " + events::QuoteForMessage(e.contract) + " is outside the scope";
      err = HttpError(403, "forbidden",
                      at + what + " of principal " + events::QuoteForMessage(principal));
      err.field = "contract";
    }
    err.line = lines[i];
    return err;
  }
  return std::nullopt;
}

Status HideOutOfScopeEvents(ScopeCheck* check, std::span<const events::Event> batch,
                            const ledger::AppendResult& r, const Status& s) {
  if (s.ok() || check->everything() || r.failed_index >= batch.size()) return s;
  const events::Event& e = batch[r.failed_index];
  const bool targets = e.type == events::EventType::kEntryReversed || events::IsDecision(e.type);
  const bool about_target =
      targets && (s.rule() == rules::kReversalSameContract || s.rule() == rules::kApprovalTarget);
  const bool about_id = s.IsConflict() && s.rule() == rules::kEventIdConflict &&
                        r.first_use_index == SIZE_MAX;  // not an event of this batch
  if (!about_target && !about_id) return s;
  events::Event stored;
  Status found = check->ledger()->GetByEventId(about_id ? e.event_id : e.target_event_id, &stored);
  if (found.IsNotFound()) return s;
  bool in = false;
  if (found.ok()) found = check->EventInScope(stored, &in);
  // A lookup that failed shows nothing either: the refusal stands either way.
  if (found.ok() && in) return s;
  return about_id ? ledger::EventIdConflict(e, std::nullopt) : ledger::TargetNotFound(e);
}

}  // namespace ccl::ledgerd
