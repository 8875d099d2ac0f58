#include "tools/ledgerd/events_body.h"

#include <string>

namespace ccl::ledgerd {
namespace {

ApiError Malformed(uint64_t line, const std::string& what) {
  ApiError e = HttpError(400, "invalid_argument", "line " + std::to_string(line) + ": " + what);
  e.line = line;
  return e;
}

ApiError TooMany(size_t events_max) {
  return HttpError(413, "limit_exceeded",
                   "more than " + std::to_string(events_max) +
                       " events in one request (limit events per request); send several "
                       "requests, each is one atomic append");
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// A cursor over the body that counts lines.
struct Cursor {
  std::string_view s;
  size_t at = 0;
  uint64_t line = 1;

  bool done() const { return at >= s.size(); }
  char peek() const { return s[at]; }
  void advance() {
    if (s[at] == '\n') ++line;
    ++at;
  }
  void SkipBlanks() {
    while (!done() && IsBlank(peek())) advance();
  }
};

// Moves past one object starting at '{' (strings and nesting respected,
// every bracket closed by its own kind). False when the body ends first or a
// bracket is closed by the other kind.
bool SkipObject(Cursor* c) {
  std::string open;  // the brackets not yet closed, innermost last
  bool in_string = false;
  while (!c->done()) {
    const char ch = c->peek();
    c->advance();
    if (in_string) {
      if (ch == '\\' && !c->done()) {
        c->advance();
      } else if (ch == '"') {
        in_string = false;
      }
      continue;
    }
    if (ch == '"') {
      in_string = true;
    } else if (ch == '{' || ch == '[') {
      open += ch;
    } else if (ch == '}' || ch == ']') {
      if (open.empty() || open.back() != (ch == '}' ? '{' : '[')) return false;
      open.pop_back();
      if (open.empty()) return true;
    }
  }
  return false;
}

std::optional<ApiError> SplitArray(std::string_view body, size_t events_max,
                                   std::vector<BodyEvent>* out) {
  Cursor c{body};
  c.SkipBlanks();
  if (c.done() || c.peek() != '[') return Malformed(c.line, "expected a JSON array of events");
  c.advance();
  c.SkipBlanks();
  if (!c.done() && c.peek() == ']') {
    c.advance();
  } else {
    for (;;) {
      c.SkipBlanks();
      if (c.done() || c.peek() != '{') return Malformed(c.line, "expected an event object");
      if (out->size() == events_max) return TooMany(events_max);
      const size_t start = c.at;
      const uint64_t line = c.line;
      if (!SkipObject(&c)) {
        return Malformed(line,
                         "the event object does not end, or closes a bracket it did not open");
      }
      out->push_back({body.substr(start, c.at - start), line});
      c.SkipBlanks();
      if (c.done()) return Malformed(c.line, "the array does not end");
      const char next = c.peek();
      c.advance();
      if (next == ']') break;
      if (next != ',') return Malformed(c.line, "expected ',' or ']' after an event");
    }
  }
  c.SkipBlanks();
  if (!c.done()) return Malformed(c.line, "text after the array");
  return std::nullopt;
}

std::optional<ApiError> SplitLines(std::string_view body, size_t events_max,
                                   std::vector<BodyEvent>* out) {
  uint64_t line = 0;
  while (!body.empty()) {
    ++line;
    const size_t nl = body.find('\n');
    std::string_view text = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    size_t first = 0;
    while (first < text.size() && IsBlank(text[first])) ++first;
    if (first == text.size()) continue;
    if (out->size() == events_max) return TooMany(events_max);
    out->push_back({text, line});
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> SplitEventsBody(std::string_view body, BodyFormat format, size_t events_max,
                                        std::vector<BodyEvent>* out) {
  std::vector<BodyEvent> events;
  std::optional<ApiError> e = format == BodyFormat::kJsonArray
                                  ? SplitArray(body, events_max, &events)
                                  : SplitLines(body, events_max, &events);
  if (e) return e;
  if (events.empty()) {
    return HttpError(400, "invalid_argument", "no events in the request body; nothing appended");
  }
  *out = std::move(events);
  return std::nullopt;
}

}  // namespace ccl::ledgerd
