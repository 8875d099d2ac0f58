// The one error shape of every ledgerd response:
//   {"error": {"code": "...", "message": "...", "field": ..., "line": ..., "seq": ...}}
// built from the library's typed Status (its code, its field) and from what
// the route knows (the line of the body, the seq asked for), never from
// reading a message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/base/status.h"

namespace ccl::ledgerd {

struct ApiError {
  unsigned http_status = 500;
  std::string code;              // "invalid_argument", "rule_violation", "forbidden", ...
  std::string message;           // the message the CLI prints for the same failure
  std::string field;             // the input field or query parameter; empty: null
  std::optional<uint64_t> line;  // the 1-based line (JSON Lines) or element (JSON array)
  std::optional<uint64_t> seq;   // the seq the error is about

  // The JSON body above (no trailing newline).
  std::string ToJson() const;
};

// The status and code of a library Status: InvalidArgument 400, RuleViolation
// 422, Conflict 409, NotFound 404, Corruption 500, IOError 503 (the ledger
// refuses writes until it is reopened), Busy 503. Field from s.field().
// REQUIRES: !s.ok()
ApiError ApiErrorOf(const Status& s);

// Errors of the HTTP layer itself.
ApiError HttpError(unsigned http_status, std::string_view code, std::string message);

// `s` as a JSON string literal, quotes included, control characters escaped
// (log lines and error bodies).
std::string JsonQuoted(std::string_view s);

// A bad query parameter: 400 invalid_argument naming it.
ApiError BadParameter(std::string_view name, std::string detail);

}  // namespace ccl::ledgerd
