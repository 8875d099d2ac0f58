// Status and Result: how every fallible call in the library reports failure.
// No exceptions cross a module boundary; RocksDB, FlatBuffers, OpenSSL and parser
// errors are translated into a Status where they are first seen.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "events/base/enum_names.h"

namespace ccl {

// An OK Status is one null pointer: making, moving, copying and destroying
// it costs nothing, which matters because the checks of every event read or
// written return one per field (LevelDB's Status has the same shape). An
// error owns one heap record with its code and its parts.
class [[nodiscard]] Status {
 public:
  // The code decides the CLI exit code (see README "Exit codes").
  enum class Code : unsigned char {
    kOk = 0,
    kInvalidArgument,  // malformed input: syntax, type, range, length (exit 1)
    kRuleViolation,    // a domain rule of the write model is broken (exit 1)
    kConflict,         // event id reused with other content, expected version (exit 1)
    kNotFound,         // the thing asked for does not exist (exit 1)
    kCorruption,       // stored or supplied bytes fail verification (exit 3)
    kIOError,          // the file system or RocksDB failed (exit 4)
    kBusy,             // the ledger is locked by another writer (exit 4)
  };

  Status() noexcept = default;  // OK
  ~Status() { delete rep_; }
  Status(const Status& other) : rep_(other.rep_ == nullptr ? nullptr : new Rep(*other.rep_)) {}
  Status(Status&& other) noexcept : rep_(std::exchange(other.rep_, nullptr)) {}
  Status& operator=(const Status& other) {
    if (this != &other) {
      Rep* copy = other.rep_ == nullptr ? nullptr : new Rep(*other.rep_);
      delete rep_;
      rep_ = copy;
    }
    return *this;
  }
  Status& operator=(Status&& other) noexcept {
    if (this != &other) {
      delete rep_;
      rep_ = std::exchange(other.rep_, nullptr);
    }
    return *this;
  }

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status RuleViolation(std::string msg) {
    return Status(Code::kRuleViolation, std::move(msg));
  }
  static Status Conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Busy(std::string msg) { return Status(Code::kBusy, std::move(msg)); }
  // A bad input field: InvalidArgument "field '<field>': <detail>", with
  // field() and field_detail() carrying the two parts as data.
  static Status InvalidField(std::string_view field, std::string_view detail) {
    Status s(Code::kInvalidArgument, "field '" + std::string(field) + "': " + std::string(detail));
    s.rep_->field = field;
    s.rep_->detail_at = s.rep_->message.size() - detail.size();
    return s;
  }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ == nullptr ? Code::kOk : rep_->code; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsRuleViolation() const { return code() == Code::kRuleViolation; }
  bool IsConflict() const { return code() == Code::kConflict; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsIOError() const { return code() == Code::kIOError; }
  bool IsBusy() const { return code() == Code::kBusy; }

  // The message, ending in " (rule ID)" when rule() is set.
  const std::string& message() const { return rep_ == nullptr ? Empty() : rep_->message; }

  // The input field this error is about ("minutes", "lines[0].overage"), or
  // "" when it names none (InvalidField).
  const std::string& field() const { return rep_ == nullptr ? Empty() : rep_->field; }
  // The message after its "field '<field>': ", rule tag included, when
  // field() is set; else the whole message.
  std::string_view field_detail() const {
    return rep_ == nullptr ? std::string_view()
                           : std::string_view(rep_->message).substr(rep_->detail_at);
  }

  // The same code, rule and field restated by the caller (e.g. a CSV record
  // naming the column of field()): `msg` must still name the rule when
  // rule() is set.
  Status WithMessage(std::string msg) const {
    if (ok()) return *this;
    Status s = *this;
    s.rep_->message = std::move(msg);
    s.rep_->detail_at = 0;
    return s;
  }

  // Where in the input this error is: the file or request name ("" when it
  // names none) and the 1-based line in it (0 when it names none). Set by
  // WithLocation; kept by WithContext, WithDetail, WithRule and WithMessage.
  const std::string& source() const { return rep_ == nullptr ? Empty() : rep_->source; }
  uint64_t line() const { return rep_ == nullptr ? 0 : rep_->line; }

  // Same code, rule and field, message prefixed with where the input was
  // wrong: WithLocation("events.jsonl", 3) -> "events.jsonl:3: <msg>" (line 0:
  // "events.jsonl: <msg>"), with source() and line() set as data. An input
  // without a name (a request body) is located by its line alone:
  // WithLocation("", 3) -> "line 3: <msg>"; ("", 0) leaves the message as is.
  Status WithLocation(std::string_view source, uint64_t line) const {
    if (ok()) return *this;
    std::string context(source);
    if (line != 0) context += (source.empty() ? "line " : ":") + std::to_string(line);
    Status s = context.empty() ? *this : WithContext(context);
    s.rep_->source = source;
    s.rep_->line = line;
    return s;
  }

  // The stable id of the published check this error reports (events/model/rules.h,
  // schemas/EVENTS.md), or "" when it reports none. Points at a static id.
  std::string_view rule() const { return rep_ == nullptr ? std::string_view() : rep_->rule; }

  // This error tagged with `rule` (a constant of events/model/rules.h), which is
  // appended to the message as " (rule ID)". The first tag wins: a caller
  // tagging a whole step keeps the more precise id a callee gave. OK stays OK.
  Status WithRule(std::string_view rule) const {
    if (ok() || !rep_->rule.empty()) return *this;
    Status s = *this;
    s.rep_->rule = rule;
    s.rep_->message += " (rule ";
    s.rep_->message += rule;
    s.rep_->message += ")";
    return s;
  }

  // The same message and rule under another code: a rule violation found in
  // stored events is corruption of the ledger, not a rejected input.
  Status WithCode(Code code) const {
    Status s = *this;
    if (!ok() && code != Code::kOk) s.rep_->code = code;
    return s;
  }

  // "Corruption: seq 42: chain hash mismatch"; "OK" when ok().
  std::string ToString() const;

  // Same code and rule, message prefixed: WithContext("events.jsonl:3") ->
  // "events.jsonl:3: <msg>".
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    std::string m(context);
    m += ": ";
    m += rep_->message;
    Status s = *this;
    s.rep_->message = std::move(m);
    s.rep_->detail_at = rep_->detail_at + context.size() + 2;
    return s;
  }

  // Same code and rule, `detail` added to the message before the rule id,
  // which stays last: WithDetail("(first used on line 3)") ->
  // "<msg> (first used on line 3) (rule R-ID-02)".
  Status WithDetail(std::string_view detail) const {
    if (ok()) return *this;
    std::string tail;
    std::string m = rep_->message;
    if (!rep_->rule.empty()) {
      tail = " (rule " + std::string(rep_->rule) + ")";
      // WithRule appended it, and every later step only prefixes.
      assert(m.size() >= tail.size() && m.compare(m.size() - tail.size(), tail.size(), tail) == 0);
      m.resize(m.size() - tail.size());
    }
    m += " ";
    m += detail;
    m += tail;
    Status s = *this;
    s.rep_->message = std::move(m);
    return s;
  }

  // Explicit, searchable way to drop a Status on purpose.
  void IgnoreError() const {}

 private:
  struct Rep {
    Code code;  // never kOk
    std::string message;
    std::string_view rule;  // a static id of events/model/rules.h, or empty
    std::string field;      // the input field named, or empty
    std::string source;     // the input (file, request) named, or empty
    uint64_t line = 0;      // the 1-based line in source, or 0
    size_t detail_at = 0;   // where field_detail() starts in message
  };

  Status(Code code, std::string msg) : rep_(new Rep{code, std::move(msg), {}, {}, {}, 0, 0}) {
    assert(code != Code::kOk);
  }
  static const std::string& Empty() {
    static const std::string empty;
    return empty;
  }

  Rep* rep_ = nullptr;  // nullptr: OK
};

inline std::string Status::ToString() const {
  // Indexed by Code.
  static constexpr std::string_view kCodeNames[] = {
      "OK",        "Invalid argument", "Rule violation", "Conflict",
      "Not found", "Corruption",       "IO error",       "Busy"};
  static_assert(std::size(kCodeNames) == static_cast<size_t>(Code::kBusy) + 1);
  if (ok()) return "OK";
  return std::string(events::EnumName(kCodeNames, rep_->code, "OK")) + ": " + rep_->message;
}

// Result<T>: a value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  // REQUIRES: !status.ok() when constructing from a Status.

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace ccl

// Return early from the enclosing function when a Status is not OK.
#define CCL_RETURN_IF_ERROR(expr)    \
  do {                               \
    ::ccl::Status _ccl_s = (expr);   \
    if (!_ccl_s.ok()) return _ccl_s; \
  } while (0)
