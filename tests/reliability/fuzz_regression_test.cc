// Regression tests for what the fuzz targets (tests/reliability/fuzz/) found.
// Each failing input also sits in tests/reliability/corpus/<target>/ as
// regression-<name>, so the corpus replay tests run it too.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "events/codec.h"
#include "events/json.h"
#include "events/uuid.h"

namespace ccl::events {
namespace {

Event Reversal() {
  Event e;
  e.type = EventType::kEntryReversed;
  EXPECT_TRUE(ParseUuid("39140481-17fa-4aa2-93ea-890e3ffb1d91", &e.event_id));
  EXPECT_TRUE(ParseUuid("43cbf16d-17bf-4866-8227-85f60fcd3bf5", &e.target_event_id));
  e.contract = "SC-2025-000003";
  e.effective_at_ns = 1'741'155'828'000'000'000;
  e.recorded_at_ns = 1'795'000'000'000'000'000;
  e.actor = "tam";
  e.source = "psa";
  e.reason = "booked to the wrong service line";
  e.seq = 302;
  e.stream_version = 16;
  return e;
}

// Found by fuzz_event_decode (corpus/event_decode/regression-huge-stream-version).
// BUG (events/assembler.cc, the integer handler of the assigned fields seq and
// stream_version): DecodeEvent accepts any uint64 seq / stream_version, and
// AppendEventJson prints it, but the JSON reader checks those ignored keys as
// int64 and rejects values above INT64_MAX ("field 'stream_version': must be
// an integer in -9223372036854775808..9223372036854775807"), so such an event's
// `log --json` line does not import back (json.h promises it does). No ledger
// assigns such a value, so either fix closes it: DecodeEvent's semantic checks
// reject seq / stream_version above INT64_MAX (stored bytes no ledger could
// write are Corruption), or the reader checks ignored assigned integers as
// uint64. Enable when fixed (and drop the skip in fuzz_event_decode.cc).
TEST(FuzzRegressionTest, DISABLED_LogJsonWithHugeStreamVersionImportsBack) {
  Event e = Reversal();
  e.stream_version = 16'429'131'440'647'569'484ull;  // > INT64_MAX
  std::string bytes;
  EncodeEvent(e, &bytes);
  Event decoded;
  const Status d = DecodeEvent(bytes, &decoded);
  if (!d.ok()) return;  // fixed by rejecting it in the codec: fine too
  std::string json;
  AppendEventJson(decoded, JsonOutputOptions{}, &json);
  JsonEventParser parser;
  Event parsed;
  const Status s = parser.Parse(json, &parsed);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << json;
  EXPECT_TRUE(SameContent(parsed, decoded));
}

// The same round trip at the largest value both sides accept passes today.
TEST(FuzzRegressionTest, LogJsonWithLargestSignedStreamVersionImportsBack) {
  Event e = Reversal();
  e.stream_version = INT64_MAX;
  e.seq = INT64_MAX;
  std::string bytes;
  EncodeEvent(e, &bytes);
  Event decoded;
  ASSERT_TRUE(DecodeEvent(bytes, &decoded).ok());
  std::string json;
  AppendEventJson(decoded, JsonOutputOptions{}, &json);
  JsonEventParser parser;
  Event parsed;
  const Status s = parser.Parse(json, &parsed);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << json;
  EXPECT_TRUE(SameContent(parsed, decoded));
}

}  // namespace
}  // namespace ccl::events
