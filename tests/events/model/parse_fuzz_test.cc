// Seeded random mutation of valid JSON lines and CSV files: the readers must
// never crash, must refuse with one printable line naming the problem, and
// whatever they accept must be a valid event that survives encode/decode and
// JSON output. (A libFuzzer target can reuse the same properties.)
#include <gtest/gtest.h>

#include <random>

#include "events/model/codec.h"
#include "events/model/csv.h"
#include "events/model/json.h"
#include "events/model/validate.h"
#include "tests/events/model/sample_events.h"
#include "tests/testing/mutate.h"

namespace ccl::events {
namespace {

using test_mutate::Mutate;
using testing::AllEventTypes;
using testing::SampleEvent;

bool IsOnePrintableLine(const std::string& s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// What every accepted event must satisfy.
void CheckAccepted(const Event& e, JsonEventParser& parser, const std::string& input) {
  ASSERT_TRUE(ValidateEvent(e).ok()) << input;
  std::string bytes;
  EncodeEvent(e, &bytes);
  Event decoded;
  ASSERT_TRUE(DecodeEvent(bytes, &decoded).ok()) << input;
  ASSERT_EQ(decoded, e) << input;
  std::string json;
  JsonOutputOptions without_assigned;
  without_assigned.assigned_fields = false;
  AppendEventJson(e, without_assigned, &json);
  Event reparsed;
  const Status s = parser.Parse(json, &reparsed);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << json;
  ASSERT_EQ(reparsed, e) << json;
}

class ParseFuzzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = std::random_device{}();
    std::printf("seed %u\n", seed_);
  }
  unsigned seed_ = 0;
};

TEST_F(ParseFuzzTest, MutatedJsonLines) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  std::mt19937_64 rng(seed_);
  std::vector<std::string> seeds;
  for (EventType t : AllEventTypes()) {
    std::string s;
    AppendEventJson(SampleEvent(t), JsonOutputOptions{}, &s);
    seeds.push_back(s);
  }
  JsonEventParser parser;
  JsonEventParser checker;
  int accepted = 0;
  for (int i = 0; i < 20'000; ++i) {
    const std::string input = Mutate(seeds[rng() % seeds.size()], rng);
    Event e;
    const Status s = parser.Parse(input, &e);
    if (s.ok()) {
      ++accepted;
      CheckAccepted(e, checker, input);
    } else {
      ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
      ASSERT_TRUE(IsOnePrintableLine(s.message())) << s.message();
    }
    if (HasFatalFailure()) return;
  }
  std::printf("accepted %d of 20000 mutated lines\n", accepted);
}

TEST_F(ParseFuzzTest, MutatedCsvFiles) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  std::mt19937_64 rng(seed_);
  CsvOutputOptions options;
  std::string base;
  AppendCsvHeader(options, &base);
  for (EventType t : AllEventTypes()) AppendEventCsv(SampleEvent(t), options, nullptr, &base);
  JsonEventParser checker;
  for (int i = 0; i < 5'000; ++i) {
    const std::string input = Mutate(base, rng);
    CsvEventReader reader;
    Status s = reader.Open(input, std::nullopt);
    for (int records = 0; s.ok() && records <= kEventTypeCount + 8; ++records) {
      Event e;
      size_t line = 0;
      bool done = false;
      s = reader.Next(&e, &line, &done);
      if (!s.ok() || done) break;
      CheckAccepted(e, checker, input);
      if (HasFatalFailure()) return;
    }
    if (!s.ok()) {
      ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
      ASSERT_TRUE(IsOnePrintableLine(s.message())) << s.message();
      ASSERT_EQ(s.message().rfind("line ", 0), 0u) << s.message();
    }
  }
}

}  // namespace
}  // namespace ccl::events
