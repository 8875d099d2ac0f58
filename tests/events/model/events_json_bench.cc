// Micro-benchmark of the events layer (not a test; run by hand):
//   events_json_bench [N]
// Prints ns/event for JSON parse+validate, JSON output, encode, and decode of
// typical HoursBooked events (the bulk of any ledger).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "events/model/codec.h"
#include "events/model/csv.h"
#include "events/model/json.h"
#include "events/model/uuid.h"
#include "tests/events/model/sample_events.h"

namespace {

using Clock = std::chrono::steady_clock;

double NsPer(Clock::time_point start, size_t n) {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count()) /
         static_cast<double>(n);
}

using namespace ccl::events;

// Distinct, realistic lines: different ids, engineers, minutes, times.
std::vector<std::string> HoursBookedLines(size_t n) {
  std::vector<std::string> lines;
  lines.reserve(n);
  JsonOutputOptions options;
  options.assigned_fields = false;
  Event e = testing::SampleEvent(EventType::kHoursBooked);
  e.note.clear();
  for (size_t i = 0; i < n; ++i) {
    e.event_id[12] = static_cast<uint8_t>(i >> 24);
    e.event_id[13] = static_cast<uint8_t>(i >> 16);
    e.event_id[14] = static_cast<uint8_t>(i >> 8);
    e.event_id[15] = static_cast<uint8_t>(i);
    e.engineer = "engineer-" + std::to_string(i % 97);
    e.minutes = static_cast<int32_t>(15 + i % 480);
    e.effective_at_ns += 60'000'000'000;
    std::string line;
    AppendEventJson(e, options, &line);
    lines.push_back(std::move(line));
  }
  return lines;
}

// JSON parse, output, and parse + encode of every line into *encoded; false
// when a line does not parse.
bool BenchJson(const std::vector<std::string>& lines, std::vector<std::string>* encoded) {
  const size_t n = lines.size();
  JsonEventParser parser;
  Event parsed;
  auto start = Clock::now();
  for (const auto& l : lines) {
    if (!parser.Parse(l, &parsed).ok()) return false;
  }
  std::printf("JSON parse+validate: %7.1f ns/event\n", NsPer(start, n));

  std::string out;
  start = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    out.clear();
    AppendEventJson(parsed, JsonOutputOptions{}, &out);
  }
  std::printf("JSON output:         %7.1f ns/event\n", NsPer(start, n));

  encoded->assign(n, std::string());
  start = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    if (!parser.Parse(lines[i], &parsed).ok()) return false;
    EncodeEvent(parsed, &(*encoded)[i]);
  }
  std::printf("JSON parse + encode: %7.1f ns/event (%zu bytes stored)\n", NsPer(start, n),
              (*encoded)[0].size());
  return true;
}

// Decode of every stored event, then CSV read of them all; false when one
// does not decode or read.
bool BenchDecodeAndCsv(const std::vector<std::string>& encoded) {
  Event decoded;
  auto start = Clock::now();
  for (const auto& b : encoded) {
    if (!DecodeEvent(b, &decoded).ok()) return false;
  }
  std::printf("decode+validate:     %7.1f ns/event\n", NsPer(start, encoded.size()));

  std::string csv;
  CsvOutputOptions csv_options;
  csv_options.assigned_fields = false;
  AppendCsvHeader(csv_options, &csv);
  for (const auto& b : encoded) {
    if (!DecodeEvent(b, &decoded).ok()) return false;
    AppendEventCsv(decoded, csv_options, nullptr, &csv);
  }
  CsvEventReader reader;
  if (!reader.Open(csv, std::nullopt).ok()) return false;
  start = Clock::now();
  size_t rows = 0;
  while (true) {
    size_t line = 0;
    bool done = false;
    if (!reader.Next(&decoded, &line, &done).ok()) return false;
    if (done) break;
    ++rows;
  }
  std::printf("CSV read+validate:   %7.1f ns/event (%zu rows)\n", NsPer(start, rows), rows);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1'000'000;
  const std::vector<std::string> lines = HoursBookedLines(n);
  size_t bytes = 0;
  for (const auto& l : lines) bytes += l.size();
  std::printf("%zu HoursBooked lines, %.0f bytes each on average\n", n,
              static_cast<double>(bytes) / static_cast<double>(n));
  std::vector<std::string> encoded;
  if (!BenchJson(lines, &encoded)) return 1;
  return BenchDecodeAndCsv(encoded) ? 0 : 1;
}
