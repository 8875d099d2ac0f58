#include "tools/access/api_error.h"

#include <cassert>
#include <iterator>

#include "events/base/csv_cell.h"

namespace ccl::ledgerd {
namespace {

void AppendOptional(const std::optional<uint64_t>& v, std::string* out) {
  *out += v ? std::to_string(*v) : "null";
}

// The HTTP status and error code of each Status::Code, indexed by the code
// (api_error.h). kOk is never asked (ApiErrorOf's REQUIRES). kBusy is the
// enum's last code today; a code added after it without a row here is
// answered as a server fault, 500 "internal".
struct HttpCode {
  Status::Code status;
  unsigned http_status;
  std::string_view code;
};
constexpr HttpCode kHttpCodes[] = {
    {Status::Code::kOk, 400, "invalid_argument"},
    {Status::Code::kInvalidArgument, 400, "invalid_argument"},
    {Status::Code::kRuleViolation, 422, "rule_violation"},
    {Status::Code::kConflict, 409, "conflict"},
    {Status::Code::kNotFound, 404, "not_found"},
    {Status::Code::kCorruption, 500, "corruption"},
    {Status::Code::kIOError, 503, "io_error"},
    {Status::Code::kBusy, 503, "busy"},
};

constexpr bool IndexedByCode() {
  for (size_t i = 0; i < std::size(kHttpCodes); ++i) {
    if (static_cast<size_t>(kHttpCodes[i].status) != i) return false;
  }
  return std::size(kHttpCodes) == static_cast<size_t>(Status::Code::kBusy) + 1;
}
static_assert(IndexedByCode(), "kHttpCodes: one row per Status::Code, in order");

}  // namespace

std::string JsonQuoted(std::string_view s) {
  std::string out;
  events::AppendJsonString(s, &out);
  return out;
}

std::string ApiError::ToJson() const {
  std::string out = "{\"error\":{\"code\":";
  events::AppendJsonString(code, &out);
  out += ",\"message\":";
  events::AppendJsonString(message, &out);
  out += ",\"field\":";
  if (field.empty()) {
    out += "null";
  } else {
    events::AppendJsonString(field, &out);
  }
  out += ",\"line\":";
  AppendOptional(line, &out);
  out += ",\"seq\":";
  AppendOptional(seq, &out);
  out += "}}";
  return out;
}

ApiError ApiErrorOf(const Status& s) {
  assert(!s.ok());
  const size_t i = static_cast<size_t>(s.code());
  const HttpCode h =
      i < std::size(kHttpCodes) ? kHttpCodes[i] : HttpCode{s.code(), 500, "internal"};
  ApiError e = HttpError(h.http_status, h.code, s.message());
  e.field = s.field();
  return e;
}

ApiError HttpError(unsigned http_status, std::string_view code, std::string message) {
  ApiError e;
  e.http_status = http_status;
  e.code = code;
  e.message = std::move(message);
  return e;
}

ApiError BadParameter(std::string_view name, std::string detail) {
  ApiError e =
      HttpError(400, "invalid_argument", "query parameter '" + std::string(name) + "': " + detail);
  e.field = name;
  return e;
}

}  // namespace ccl::ledgerd
