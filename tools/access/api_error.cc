#include "tools/access/api_error.h"

#include <cassert>

#include "events/base/csv_cell.h"

namespace ccl::ledgerd {
namespace {

void AppendString(std::string_view s, std::string* out) {
  *out += '"';
  events::AppendJsonStringBody(s, /*escape_del_c1=*/true, out);
  *out += '"';
}

void AppendOptional(const std::optional<uint64_t>& v, std::string* out) {
  *out += v ? std::to_string(*v) : "null";
}

}  // namespace

std::string JsonQuoted(std::string_view s) {
  std::string out;
  AppendString(s, &out);
  return out;
}

std::string ApiError::ToJson() const {
  std::string out = "{\"error\":{\"code\":";
  AppendString(code, &out);
  out += ",\"message\":";
  AppendString(message, &out);
  out += ",\"field\":";
  if (field.empty()) {
    out += "null";
  } else {
    AppendString(field, &out);
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
  ApiError e;
  e.message = s.message();
  e.field = s.field();
  switch (s.code()) {
    case Status::Code::kOk:
    case Status::Code::kInvalidArgument:
      e.http_status = 400;
      e.code = "invalid_argument";
      break;
    case Status::Code::kRuleViolation:
      e.http_status = 422;
      e.code = "rule_violation";
      break;
    case Status::Code::kConflict:
      e.http_status = 409;
      e.code = "conflict";
      break;
    case Status::Code::kNotFound:
      e.http_status = 404;
      e.code = "not_found";
      break;
    case Status::Code::kCorruption:
      e.http_status = 500;
      e.code = "corruption";
      break;
    case Status::Code::kIOError:
      e.http_status = 503;
      e.code = "io_error";
      break;
    case Status::Code::kBusy:
      e.http_status = 503;
      e.code = "busy";
      break;
  }
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
