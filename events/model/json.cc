// The JSON form of events (events/model/json.h): strict reading with simdjson
// On-Demand (error codes, no exceptions) and canonical writing.
//
// Reading walks the object once and hands each key's value, as text, to the
// EventAssembler shared with the CSV reader. Numbers are taken from their raw
// token and parsed by the assembler, so "1.0", "1e3" and out-of-range
// integers are refused with the field's name rather than rounded.
#include "events/model/json.h"

#include <simdjson.h>

#include <charconv>
#include <cstring>
#include <memory>

#include "events/base/limits.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "events/model/assembler.h"
#include "events/model/fields.h"
#include "events/model/uuid.h"
#include "events/model/validate.h"

namespace ccl::events {

namespace sj = simdjson;
namespace od = simdjson::ondemand;

namespace {

// An event is an object holding an array of objects: depth 3. A little room
// so that a too-deep value is reported as such, not as a parse failure.
constexpr size_t kJsonDepthMax = 16;

Status FieldError(std::string_view field, std::string_view rule) {
  return Status::InvalidField(field, rule);
}

Status JsonError(sj::error_code err) {
  return Status::InvalidArgument(std::string("invalid JSON: ") + sj::error_message(err));
}

// simdjson reports "{...} x" as an object that ended early (it checks the
// last structural character before walking the object). Told apart on that
// error path only: true when the first value closes before the end of `text`
// and something other than whitespace follows it.
bool ContentAfterFirstValue(std::string_view text) {
  const size_t end = JsonValueEnd(text);
  return end != std::string_view::npos &&
         text.find_first_not_of(" \t\r\n", end) != std::string_view::npos;
}

Status FieldJsonError(std::string_view field, sj::error_code err) {
  return FieldError(field, std::string("invalid JSON: ") + sj::error_message(err));
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

const char* JsonTypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "something else";
}

// simdjson checks UTF-8 over the whole line before any field is seen. To
// name the field anyway, walk the JSON strings up to the bad byte and
// report the top-level key whose value holds it.
Status Utf8Error(std::string_view line) {
  const size_t bad = Utf8ErrorOffset(line);
  int depth = 0;
  std::string_view key;
  size_t i = 0;
  while (i < line.size() && i <= bad) {
    const char c = line[i];
    if (c == '"') {
      const size_t start = i + 1;
      size_t j = start;
      while (j < line.size() && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
      size_t k = j + 1;
      while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
      const bool is_key = k < line.size() && line[k] == ':';
      if (bad >= start && bad < j) {
        if (is_key) return Status::InvalidArgument("invalid JSON: a key is not valid UTF-8");
        if (key.empty()) break;
        return FieldError(EscapeForMessage(key), "must be valid UTF-8");
      }
      if (is_key && depth == 1) key = line.substr(start, j - start);
      i = j + 1;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    ++i;
  }
  return Status::InvalidArgument("invalid JSON: the input is not valid UTF-8");
}

// Reads a value that must be a JSON string into *text.
Status GetText(od::value& v, std::string_view field, std::string_view* text) {
  const sj::error_code err = v.get_string().get(*text);
  if (err == sj::SUCCESS) return Status::OK();
  if (err == sj::INCORRECT_TYPE) {
    od::json_type t;
    if (v.type().get(t) == sj::SUCCESS) {
      return FieldError(field, std::string("must be a string, got ") + JsonTypeName(t));
    }
    return FieldError(field, "must be a string");
  }
  return FieldJsonError(field, err);
}

// Reads a value that must be a JSON integer into its raw token text.
Status GetIntegerToken(od::value& v, std::string_view field, std::string_view* token) {
  od::json_type t;
  const sj::error_code err = v.type().get(t);
  if (err != sj::SUCCESS) return FieldJsonError(field, err);
  if (t != od::json_type::number) {
    return FieldError(field, std::string("must be an integer, got ") + JsonTypeName(t));
  }
  *token = TrimRight(v.raw_json_token());
  return Status::OK();
}

}  // namespace

size_t JsonValueEnd(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
      if (depth < 0) return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

struct JsonEventParser::Impl {
  od::parser parser;
  // The line is copied here: simdjson reads SIMDJSON_PADDING bytes past the
  // end, which a caller's buffer need not have. Allocated once.
  std::unique_ptr<char[]> buffer{new char[limits::kJsonLineBytesMax + sj::SIMDJSON_PADDING]};
  EventAssembler assembler;
  sj::error_code allocate_error = sj::SUCCESS;
  // The simdjson error that ended the walk of the event object itself (not
  // of a field's value), SUCCESS when none: Parse tells "content after the
  // object" from it.
  sj::error_code object_error = sj::SUCCESS;

  Status ObjectError(sj::error_code err) {
    object_error = err;
    return JsonError(err);
  }

  // Helpers set fields through `a`: the parser's own assembler for a JSON
  // event, the CSV reader's for a `lines` cell.
  Status ParseLines(od::value& v, EventAssembler& a);
  Status ParseLine(od::object& obj, size_t index, EventAssembler& a);
  Status ParseObject(od::document& doc);
  Status Iterate(std::string_view text, od::document* doc);
};

Status JsonEventParser::Impl::ParseLine(od::object& obj, size_t index, EventAssembler& a) {
  for (auto field_result : obj) {
    od::field field;
    sj::error_code err = std::move(field_result).get(field);
    if (err != sj::SUCCESS) return FieldJsonError("lines[" + std::to_string(index) + "]", err);
    std::string_view key;
    err = field.unescaped_key().get(key);
    if (err != sj::SUCCESS) return FieldJsonError("lines[" + std::to_string(index) + "]", err);
    LineFieldId f;
    if (!LookupLineField(key, &f)) {
      return FieldError("lines[" + std::to_string(index) + "]." + EscapeForMessage(key),
                        "unknown field");
    }
    od::value v = field.value();
    std::string_view text;
    if (LineFieldKindOf(f) == FieldKind::kText) {
      CCL_RETURN_IF_ERROR(GetText(v, EventAssembler::LineFieldLabel(index, f), &text));
      CCL_RETURN_IF_ERROR(a.SetLineText(index, f, text));
    } else {
      CCL_RETURN_IF_ERROR(GetIntegerToken(v, EventAssembler::LineFieldLabel(index, f), &text));
      CCL_RETURN_IF_ERROR(a.SetLineIntegerText(index, f, text));
    }
  }
  return Status::OK();
}

Status JsonEventParser::Impl::ParseLines(od::value& v, EventAssembler& a) {
  CCL_RETURN_IF_ERROR(a.BeginLines());
  od::array arr;
  sj::error_code err = v.get_array().get(arr);
  if (err == sj::INCORRECT_TYPE) return FieldError("lines", "must be an array");
  if (err != sj::SUCCESS) return FieldJsonError("lines", err);
  for (auto item_result : arr) {
    od::value item;
    err = std::move(item_result).get(item);
    if (err != sj::SUCCESS) return FieldJsonError("lines", err);
    size_t index = 0;
    CCL_RETURN_IF_ERROR(a.AddLine(&index));
    od::object obj;
    err = item.get_object().get(obj);
    if (err == sj::INCORRECT_TYPE) {
      return FieldError("lines[" + std::to_string(index) + "]", "must be an object");
    }
    if (err != sj::SUCCESS) return FieldJsonError("lines[" + std::to_string(index) + "]", err);
    CCL_RETURN_IF_ERROR(ParseLine(obj, index, a));
  }
  return Status::OK();
}

Status JsonEventParser::Impl::ParseObject(od::document& doc) {
  od::object obj;
  sj::error_code err = doc.get_object().get(obj);
  if (err == sj::INCORRECT_TYPE) return Status::InvalidArgument("must be a JSON object");
  if (err != sj::SUCCESS) return ObjectError(err);
  for (auto field_result : obj) {
    od::field field;
    err = std::move(field_result).get(field);
    if (err != sj::SUCCESS) return ObjectError(err);
    std::string_view key;
    err = field.unescaped_key().get(key);
    if (err != sj::SUCCESS) return ObjectError(err);
    FieldId f;
    if (!LookupField(key, &f)) return FieldError(EscapeForMessage(key), "unknown field");
    od::value v = field.value();
    std::string_view text;
    switch (FieldKindOf(f)) {
      case FieldKind::kText:
        CCL_RETURN_IF_ERROR(GetText(v, FieldName(f), &text));
        CCL_RETURN_IF_ERROR(assembler.SetText(f, text));
        break;
      case FieldKind::kInteger:
        CCL_RETURN_IF_ERROR(GetIntegerToken(v, FieldName(f), &text));
        CCL_RETURN_IF_ERROR(assembler.SetIntegerText(f, text));
        break;
      case FieldKind::kLines:
        CCL_RETURN_IF_ERROR(ParseLines(v, assembler));
        break;
      case FieldKind::kSealedTotals: {
        // Assigned: its form (an array) is checked, its content ignored.
        od::array arr;
        err = v.get_array().get(arr);
        if (err == sj::INCORRECT_TYPE) return FieldError(FieldName(f), "must be an array");
        if (err != sj::SUCCESS) return FieldJsonError(FieldName(f), err);
        CCL_RETURN_IF_ERROR(assembler.MarkAssigned(f));
        break;
      }
      case FieldKind::kBoolean: {
        // Assigned: its form (true or false) is checked, its value ignored.
        bool value = false;
        err = v.get_bool().get(value);
        if (err == sj::INCORRECT_TYPE) return FieldError(FieldName(f), "must be true or false");
        if (err != sj::SUCCESS) return FieldJsonError(FieldName(f), err);
        CCL_RETURN_IF_ERROR(assembler.MarkAssigned(f));
        break;
      }
    }
  }
  // Anything after the object ("{...} {...}", "{...} x") is an error.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == sj::SUCCESS) {
    return Status::InvalidArgument("invalid JSON: content after the object");
  }
  return Status::OK();
}

Status JsonEventParser::Impl::Iterate(std::string_view text, od::document* doc) {
  if (allocate_error != sj::SUCCESS) return JsonError(allocate_error);
  std::memcpy(buffer.get(), text.data(), text.size());
  std::memset(buffer.get() + text.size(), 0, sj::SIMDJSON_PADDING);
  const sj::error_code err = parser
                                 .iterate(sj::padded_string_view(
                                     buffer.get(), text.size(), text.size() + sj::SIMDJSON_PADDING))
                                 .get(*doc);
  if (err == sj::UTF8_ERROR) return Utf8Error(text);
  if (err == sj::EMPTY) return Status::InvalidArgument("invalid JSON: empty input");
  if (err != sj::SUCCESS) return JsonError(err);
  return Status::OK();
}

JsonEventParser::JsonEventParser() : impl_(new Impl) {
  // Sized once for the longest accepted line so parsing never reallocates.
  // A failure here (out of memory) resurfaces as an error from Parse.
  impl_->allocate_error = impl_->parser.allocate(limits::kJsonLineBytesMax, kJsonDepthMax);
}

JsonEventParser::~JsonEventParser() { delete impl_; }

Status JsonEventParser::Parse(std::string_view line, Event* out) { return Parse(line, out, {}); }

Status JsonEventParser::Parse(std::string_view line, Event* out, std::string_view default_actor) {
  if (line.size() > limits::kJsonLineBytesMax) {
    return Status::InvalidArgument("line is " + std::to_string(line.size()) + " bytes, at most " +
                                   std::to_string(limits::kJsonLineBytesMax));
  }
  impl_->assembler.Begin(out);
  od::document doc;
  CCL_RETURN_IF_ERROR(impl_->Iterate(line, &doc));
  impl_->object_error = sj::SUCCESS;
  Status s = impl_->ParseObject(doc);
  if (!s.ok()) {
    if (impl_->object_error == sj::INCOMPLETE_ARRAY_OR_OBJECT && ContentAfterFirstValue(line)) {
      return Status::InvalidArgument("invalid JSON: content after the object");
    }
    return s;
  }
  // An empty `actor` was refused by SetText: empty here means absent.
  if (!default_actor.empty() && out->actor.empty()) {
    CCL_RETURN_IF_ERROR(impl_->assembler.SetText(events::FieldId::kActor, default_actor));
  }
  return impl_->assembler.Finish();
}

Status JsonEventParser::ParseLinesInto(std::string_view json, EventAssembler* assembler) {
  if (json.size() > limits::kJsonLineBytesMax) {
    return FieldError(
        "lines", "must be at most " + std::to_string(limits::kJsonLineBytesMax) + " bytes of JSON");
  }
  od::document doc;
  Status s = impl_->Iterate(json, &doc);
  if (!s.ok()) return FieldError("lines", s.message());
  od::value v;
  const sj::error_code err = doc.get_value().get(v);
  if (err == sj::SCALAR_DOCUMENT_AS_VALUE) return FieldError("lines", "must be an array");
  if (err != sj::SUCCESS) return FieldJsonError("lines", err);
  CCL_RETURN_IF_ERROR(impl_->ParseLines(v, *assembler));
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == sj::SUCCESS) {
    return FieldError("lines", "invalid JSON: content after the array");
  }
  return Status::OK();
}

}  // namespace ccl::events
