// What a principal may see and write beyond its roles: the scopes of its
// policy line (policy.h), and the checks every route makes with them.
//   *                      everything (the default when a line names no scope)
//   customer:<name>        the contracts opened for that customer
//   contract:<id>          that contract
//   types:<T>[,<T>...]     a writer may append only these event types
// A value holding spaces is quoted: customer:"Ministry of Defence". Several
// customer:/contract: fields add up; `*` with any of them is an error.
//
// Enforcement (the same on every route): lists, reports and the feed carry
// only in-scope events and rows; a single event, proof or report of an
// out-of-scope contract is the 404 of one that does not exist, with the same
// body; a write outside the scope or types is 403 and writes nothing.
// Ledger-wide events (events::IsLedgerWide) belong to no contract: only a
// `*` scope sees or writes them.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/ledger.h"
#include "projections/folds/view.h"
#include "tools/access/api_error.h"

namespace ccl::ledgerd {

struct Scope {
  bool everything = true;  // `*`, or no customer:/contract: field
  std::set<std::string, std::less<>> customers;
  std::set<std::string, std::less<>> contracts;
  uint64_t types_mask = 0;  // bit t set: type t may be appended; 0: every type

  bool AllowsType(events::EventType t) const {
    return types_mask == 0 || (types_mask & (uint64_t{1} << static_cast<unsigned>(t))) != 0;
  }
  // A contract opened for `customer` (empty: unknown) is in scope.
  bool AllowsContract(std::string_view contract, std::string_view customer) const;
};

// Cuts a policy line into fields separated by spaces or tabs (a trailing
// carriage return is a space); a `#` beginning a field starts a comment to
// the end of the line, and a line of no field is blank. A `"` opens a
// quoted part, closed by the next `"`, that may hold spaces; `\"` and `\\`
// inside it are a quote and a backslash; the quotes are not part of the
// field. InvalidArgument naming the field (1-based) for an unterminated quote,
// an unknown escape or a control character.
[[nodiscard]] Status SplitPolicyFields(std::string_view line, std::vector<std::string>* fields);

// Calls `line_fields` with the fields of each non-blank line of `text` (a
// policy or tokens file), in order; the first error, of the split or of the
// call, is returned prefixed with "line N". A UTF-8 byte-order mark at the
// start of `text` (what some Windows editors write) is not part of line 1.
[[nodiscard]] Status ForEachPolicyLine(
    std::string_view text,
    const std::function<Status(const std::vector<std::string>& fields)>& line_fields);

// Reads a policy or tokens file of at most bytes_max bytes into *text.
// `sha256`, when given, is set to the SHA-256 of the bytes read, or reset
// when none were.
[[nodiscard]] Status ReadPolicyFile(const std::string& path, size_t bytes_max, std::string* text,
                                    std::optional<std::array<uint8_t, 32>>* sha256);

// `value` as one field SplitPolicyFields reads back: as it is, or quoted
// (with `\"` and `\\` escapes) when it is empty or holds a space, a tab, a
// quote, a backslash or a `#`.
std::string QuotePolicyField(std::string_view value);

// The scope of the fields `*`, customer:, contract:, types: (none: `*`, every
// type). `first_field_no` is the 1-based number of fields[0] on its line.
// InvalidArgument naming the field for an unknown kind, an empty value, a
// contract id that events would refuse, an unknown event type, `*` beside a
// narrower scope, or more than limits::kServerScopesPerPrincipalMax fields.
[[nodiscard]] Status ParseScopes(std::span<const std::string> fields, size_t first_field_no,
                                 Scope* out);

// The scope checks of one request: remembers the customer of each contract it
// looked up (at most limits::kCurrencyCacheContractsMax), so a pass over many
// events reads each contract's ContractOpened once. Not thread-safe.
class ScopeCheck {
 public:
  // `scope` and `ledger` are not owned and must outlive this object.
  ScopeCheck(const Scope& scope, ledger::Ledger* ledger) : scope_(scope), ledger_(ledger) {}

  bool everything() const { return scope_.everything; }
  const Scope& scope() const { return scope_; }
  ledger::Ledger* ledger() const { return ledger_; }

  // Whether `contract` (empty: ledger-wide) is in scope. A contract the
  // ledger does not hold is in scope only when named by contract:.
  [[nodiscard]] Status ContractInScope(std::string_view contract, bool* in);
  // The same for event `e` (a ContractOpened names its own customer).
  [[nodiscard]] Status EventInScope(const events::Event& e, bool* in);
  // For a fold's filter, which cannot fail: false on a failed lookup, whose
  // Status then stays in status().
  bool ContractInScopeOrRecord(std::string_view contract);
  const Status& status() const { return status_; }

  // What a route answers for something out of scope: the NotFound of one
  // that does not exist, so the two cannot be told apart.
  // OK when `contract` is empty or in scope, else ledger::ContractNotFound.
  [[nodiscard]] Status ContractShownOrNotFound(std::string_view contract);
  // OK when event `e` is in scope, else `not_found`.
  [[nodiscard]] Status EventShownOrNotFound(const events::Event& e, Status not_found);
  // OK when the event at `seq` is in scope or the ledger has none (the
  // caller's own read then reports it), else `not_found`.
  [[nodiscard]] Status SeqShownOrNotFound(uint64_t seq, Status not_found);
  // Narrows `view` to the scope's contracts (nothing when the scope is `*`).
  // A failed lookup during the fold is then in status(). This object must
  // outlive the fold.
  void NarrowView(projections::View* view);
  // The customer of the contract the ledger holds under `contract` (its
  // ContractOpened's), "" when the ledger holds none. Not cached.
  [[nodiscard]] Status StoredCustomerOf(std::string_view contract, std::string* customer);

 private:
  const Scope& scope_;
  ledger::Ledger* ledger_;
  std::unordered_map<std::string, bool> in_scope_;
  Status status_;
};

// The write checks of POST /v1/events, on the parsed batch before anything
// is appended: each event's actor is `principal` (422 "actor must be the
// authenticated principal" otherwise; the parser filled an omitted one), its
// type is allowed and its contract in scope (403 otherwise). The customer of
// a contract the ledger does not hold yet is read from the batch's
// ContractOpened; that of a stored contract always from the ledger, so that a
// ContractOpened naming the writer's customer for another's contract is the
// 403 of any write to it, not a rule error that would describe that contract
// (its number of events), and no other event of the batch is checked against
// it. `lines` are the body lines of the events, named by the error. Run again
// on a refused append (the ledger may have changed in between), so that a
// contract another writer opened meanwhile is refused the same way.
[[nodiscard]] std::optional<ApiError> CheckWriteBatch(std::string_view principal, ScopeCheck* check,
                                                      std::span<const events::Event> batch,
                                                      std::span<const uint64_t> lines);

// The refusal `s` of an append of `batch` (`r` its result), as a principal
// with a scope may see it: where the refused event's target or event_id is
// that of a stored event outside the scope, the rules' words would name that
// event's contract or seq; the principal is told instead what it would be told
// if that event did not exist (ledger::TargetNotFound), or of a conflict
// without the seq (ledger::EventIdConflict). `s` itself otherwise.
[[nodiscard]] Status HideOutOfScopeEvents(ScopeCheck* check, std::span<const events::Event> batch,
                                          const ledger::AppendResult& r, const Status& s);

}  // namespace ccl::ledgerd
