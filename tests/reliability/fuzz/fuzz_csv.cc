// Fuzz target: CSV import (events/model/csv.h CsvEventReader). The first byte picks
// the caller's fixed type (0: from a `type` column; 1..9: that EventType), the
// rest is the file. Properties: never crashes; errors are InvalidArgument with
// a message; every accepted record is a valid event that survives
// encode/decode and its CSV form reads back to the same event.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/model/codec.h"
#include "events/model/csv.h"
#include "events/model/validate.h"
#include "tests/reliability/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ccl::events;
  if (size == 0) return 0;
  std::optional<EventType> fixed;
  const int t = data[0] % (kEventTypeCount + 1);
  if (t != 0) fixed = static_cast<EventType>(t);
  const std::string content(reinterpret_cast<const char*>(data + 1), size - 1);
  CsvEventReader reader;
  if (!FuzzAccepted(reader.Open(content, fixed), &ccl::Status::IsInvalidArgument)) return 0;
  // Accepted events are checked after the loop, their CSV form read back by
  // one reader (a reader costs a JSON parser's buffers: one per input, not
  // one per record, keeps the fuzzer fast).
  static constexpr size_t kRoundTripMax = 64;
  std::vector<Event> accepted;
  Event e;
  for (int records = 0; records < 100'000; ++records) {
    size_t line = 0;
    bool done = false;
    if (!FuzzAccepted(reader.Next(&e, &line, &done), &ccl::Status::IsInvalidArgument) || done) {
      break;
    }
    FUZZ_CHECK(line >= 1);
    e.stated_currency.clear();  // input only, for R-LIFE-05: never stored nor printed
    FuzzCheckValidAndRoundTrips(e);
    if (accepted.size() < kRoundTripMax) accepted.push_back(e);
  }
  if (accepted.empty()) return 0;
  CsvOutputOptions out_options;
  out_options.assigned_fields = false;
  std::string csv;
  AppendCsvHeader(out_options, &csv);
  for (const Event& a : accepted) AppendEventCsv(a, out_options, nullptr, &csv);
  CsvEventReader back;
  FUZZ_CHECK(back.Open(csv, std::nullopt).ok());
  for (const Event& a : accepted) {
    Event reread;
    size_t reread_line = 0;
    bool reread_done = false;
    FUZZ_CHECK(back.Next(&reread, &reread_line, &reread_done).ok());
    FUZZ_CHECK(!reread_done);
    FUZZ_CHECK(SameContent(reread, a));
  }
  return 0;
}
