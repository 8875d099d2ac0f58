// Fuzz target: the body of POST /v1/events (tools/ledgerd/events_body.h)
// and the event parser behind it. The first byte chooses the format (even:
// JSON array, odd: JSON Lines). Properties: never crashes; a rejection is 400
// or 413 with a message and yields no event; an accepted body yields at most
// the limit of events, each a non-empty slice of the body on a line within
// it, in order, array elements being whole objects; each event text is then
// parsed or refused with InvalidArgument.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "events/json.h"
#include "tests/reliability/fuzz/fuzz_check.h"
#include "tools/ledgerd/events_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ccl::ledgerd;
  if (size == 0) return 0;
  static ccl::events::JsonEventParser* parser = new ccl::events::JsonEventParser();
  const BodyFormat format = data[0] % 2 == 0 ? BodyFormat::kJsonArray : BodyFormat::kJsonLines;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  constexpr size_t kEventsMax = 64;
  std::vector<BodyEvent> events;
  auto e = SplitEventsBody(body, format, kEventsMax, &events);
  if (e) {
    FUZZ_CHECK(e->http_status == 400 || e->http_status == 413);
    FUZZ_CHECK(!e->message.empty());
    FUZZ_CHECK(events.empty());
    return 0;
  }
  FUZZ_CHECK(!events.empty() && events.size() <= kEventsMax);
  uint64_t lines = 1;
  for (char c : body) lines += c == '\n';
  const char* previous_end = body.data();
  for (const BodyEvent& ev : events) {
    FUZZ_CHECK(!ev.text.empty());
    FUZZ_CHECK(ev.text.data() >= previous_end);
    FUZZ_CHECK(ev.text.data() + ev.text.size() <= body.data() + body.size());
    FUZZ_CHECK(ev.line >= 1 && ev.line <= lines);
    if (format == BodyFormat::kJsonArray) {
      FUZZ_CHECK(ev.text.front() == '{' && ev.text.back() == '}');
    }
    previous_end = ev.text.data() + ev.text.size();
    ccl::events::Event event;
    ccl::Status s = parser->Parse(ev.text, &event);
    FUZZ_CHECK(s.ok() || (s.IsInvalidArgument() && !s.message().empty()));
  }
  return 0;
}
