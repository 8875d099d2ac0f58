// JSON in and out: canonical form, round trips, and a table of bad input.
#include "events/model/json.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "events/base/limits.h"
#include "events/base/time_format.h"
#include "events/model/codec.h"
#include "events/model/fields.h"
#include "events/model/validate.h"
#include "tests/events/model/sample_events.h"

namespace ccl::events {
namespace {

using testing::AllEventTypes;
using testing::SampleEvent;
using testing::SampleStoredEvent;

std::string DataPath(const std::string& name) {
  const char* dir = std::getenv("CCL_TEST_DATA");
  return std::string(dir != nullptr ? dir : "tests/data") + "/events/" + name;
}

// "<xFF>" in test data stands for the raw byte 0xFF.
std::string DecodeByteMarkers(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 4 < s.size() && s[i + 1] == 'x' && s[i + 4] == '>') {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16)));
      i += 4;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string ToJson(const Event& e, bool assigned) {
  JsonOutputOptions options;
  options.assigned_fields = assigned;
  std::string s;
  AppendEventJson(e, options, &s);
  return s;
}

class JsonTest : public ::testing::Test {
 protected:
  JsonEventParser parser_;
};

TEST_F(JsonTest, CanonicalFormOfABooking) {
  const Event e = SampleStoredEvent(EventType::kHoursBooked);
  uint8_t hash[32];
  for (int i = 0; i < 32; ++i) hash[i] = static_cast<uint8_t>(i);
  JsonOutputOptions options;
  options.hash = hash;
  std::string s;
  AppendEventJson(e, options, &s);
  EXPECT_EQ(s,
            "{\"seq\":42,\"event_id\":\"33343536-3738-493a-bb3c-3d3e3f404142\","
            "\"type\":\"HoursBooked\",\"contract\":\"C-2026.001_x\",\"stream_version\":7,"
            "\"effective_at\":\"2026-03-31T23:33:20.123456789Z\","
            "\"recorded_at\":\"2026-03-31T23:35:00.000000001Z\",\"actor\":\"alice@example.com\","
            "\"source\":\"timesheets/2026-03.jsonl\","
            "\"note\":\"note with \\\"quotes\\\", a tab\\u0009 and caf\xc3\xa9\","
            "\"engineer\":\"bob\",\"service_line\":\"reactive\",\"minutes\":90,"
            "\"cost_rate_minor\":12000,\"reference\":\"INC-42\",\"applied_bill_rate_minor\":30000,"
            "\"hash\":\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"}");
}

TEST_F(JsonTest, CanonicalFormOfAContract) {
  Event e = SampleEvent(EventType::kContractOpened);
  e.note.clear();
  e.lines.resize(1);
  EXPECT_EQ(ToJson(e, false),
            "{\"event_id\":\"11121314-1516-4718-991a-1b1c1d1e1f20\",\"type\":\"ContractOpened\","
            "\"contract\":\"C-2026.001_x\",\"effective_at\":\"2026-03-31T23:33:20.123456789Z\","
            "\"actor\":\"alice@example.com\",\"source\":\"timesheets/2026-03.jsonl\","
            "\"customer\":\"Department of Examples\",\"term_start\":\"2026-01-01\","
            "\"term_end\":\"2026-12-31\",\"currency\":\"USD\",\"lines\":[{\"service_line\":"
            "\"proactive\",\"funded_minutes\":6000,\"bill_rate_minor\":25000,\"overage\":"
            "\"reject\"}]}");
}

// Without the envelope: what the line holds after it, for a store that
// keeps the envelope in columns (the PostgreSQL sink's `payload`).
TEST_F(JsonTest, PayloadAloneIsTheLineAfterTheEnvelope) {
  const Event e = SampleStoredEvent(EventType::kHoursBooked);
  JsonOutputOptions options;
  options.envelope = false;
  options.contract_currency = "EUR";
  std::string s;
  AppendEventJson(e, options, &s);
  EXPECT_EQ(s,
            "{\"engineer\":\"bob\",\"service_line\":\"reactive\",\"minutes\":90,"
            "\"cost_rate_minor\":12000,\"reference\":\"INC-42\",\"currency\":\"EUR\","
            "\"applied_bill_rate_minor\":30000}");
  // Every type: the whole line is the envelope's keys, then exactly these.
  for (EventType t : AllEventTypes()) {
    const Event x = SampleStoredEvent(t);
    options.contract_currency = "";
    std::string payload;
    AppendEventJson(x, options, &payload);
    const std::string line = ToJson(x, true);
    ASSERT_GE(payload.size(), 2u);
    const std::string rest = payload.substr(1);  // after '{'
    ASSERT_GT(line.size(), rest.size()) << line;
    EXPECT_EQ(line.substr(line.size() - rest.size()), rest) << line;
    EXPECT_EQ(payload.find("\"event_id\""), std::string::npos) << payload;
    EXPECT_EQ(payload.find("\"effective_at\""), std::string::npos) << payload;
  }
}

TEST_F(JsonTest, RoundTripEveryType) {
  // JSON -> Event -> bytes -> Event -> JSON gives back the canonical text.
  for (EventType t : AllEventTypes()) {
    SCOPED_TRACE(std::string(EventTypeName(t)));
    const std::string canonical = ToJson(SampleEvent(t), false);
    Event parsed;
    Status s = parser_.Parse(canonical, &parsed);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << canonical;
    EXPECT_EQ(parsed, SampleEvent(t));
    std::string bytes;
    EncodeEvent(parsed, &bytes);
    Event decoded;
    s = DecodeEvent(bytes, &decoded);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(ToJson(decoded, false), canonical);
  }
}

TEST_F(JsonTest, AssignedFieldsAreIgnoredOnInput) {
  // What `log --json` prints imports back as the writer's event.
  for (EventType t : AllEventTypes()) {
    uint8_t hash[32] = {1, 2, 3};
    JsonOutputOptions options;
    options.hash = hash;
    std::string text;
    AppendEventJson(SampleStoredEvent(t), options, &text);
    Event parsed;
    const Status s = parser_.Parse(text, &parsed);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << text;
    EXPECT_EQ(parsed, SampleEvent(t)) << text;
  }
}

TEST_F(JsonTest, AnOmittedActorIsTheDefaultActorOnlyWhenOneIsGiven) {
  const Event booking = SampleEvent(EventType::kHoursBooked);
  ASSERT_FALSE(booking.actor.empty());
  std::string text = ToJson(booking, false);
  const std::string actor_key = "\"actor\":\"" + booking.actor + "\",";
  const size_t at = text.find(actor_key);
  ASSERT_NE(at, std::string::npos) << text;
  const std::string without = text.substr(0, at) + text.substr(at + actor_key.size());
  Event parsed;
  EXPECT_EQ(parser_.Parse(without, &parsed).field(), "actor") << "required without a default";
  ASSERT_TRUE(parser_.Parse(without, &parsed, "svc.timesheets").ok());
  EXPECT_EQ(parsed.actor, "svc.timesheets");
  ASSERT_TRUE(parser_.Parse(text, &parsed, "svc.timesheets").ok());
  EXPECT_EQ(parsed.actor, booking.actor) << "a given actor is kept, for the caller to judge";
  const std::string empty =
      text.substr(0, at) + "\"actor\":\"\"," + text.substr(at + actor_key.size());
  EXPECT_EQ(parser_.Parse(empty, &parsed, "svc.timesheets").field(), "actor")
      << "an empty actor is refused, not defaulted";
}

TEST_F(JsonTest, AcceptsOtherSpellingsOfTheSameEvent) {
  const std::string canonical = ToJson(SampleEvent(EventType::kHoursBooked), false);
  // Whitespace, a different key order, escapes, upper-case UUID, +00:00.
  const std::string text =
      " { \"minutes\" : 90 , \"cost_rate_minor\":12000,\"type\":\"HoursBooked\","
      "\"event_id\":\"33343536-3738-493A-BB3C-3D3E3F404142\",\"contract\":\"C-2026.001_x\","
      "\"effective_at\":\"2026-03-31T23:33:20.123456789+00:00\",\"actor\":\"alice@example.com\","
      "\"source\":\"timesheets/2026-03.jsonl\",\"note\":\"note with \\\"quotes\\\", a tab\\t and "
      "caf\\u00e9\",\"engineer\":\"\\u0062ob\",\"service_line\":\"reactive\","
      "\"reference\":\"INC-42\" }\r\n";
  Event parsed;
  const Status s = parser_.Parse(text, &parsed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ToJson(parsed, false), canonical);
}

TEST_F(JsonTest, DateMeansMidnight) {
  std::string text = ToJson(SampleEvent(EventType::kContractClosed), false);
  const size_t at = text.find("2026-03-31T23:33:20.123456789Z");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 30, "2026-03-31");
  Event parsed;
  ASSERT_TRUE(parser_.Parse(text, &parsed).ok());
  EXPECT_EQ(FormatInstant(parsed.effective_at_ns), "2026-03-31T00:00:00Z");
}

TEST_F(JsonTest, AmendmentWithOnlyATermEnd) {
  Event e = SampleEvent(EventType::kContractAmended);
  e.lines.clear();
  const std::string text = ToJson(e, false);
  EXPECT_EQ(text.find("lines"), std::string::npos);
  Event parsed;
  const Status s = parser_.Parse(text, &parsed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(parsed, e);
}

TEST_F(JsonTest, EscapesControlCharacters) {
  Event e = SampleEvent(EventType::kContractClosed);
  e.reason = std::string("a\x01\n\x1f\"\\\x7f", 7);
  const std::string text = ToJson(e, false);
  EXPECT_NE(text.find("\"reason\":\"a\\u0001\\u000a\\u001f\\\"\\\\\x7f\""), std::string::npos)
      << text;
  Event parsed;
  ASSERT_TRUE(parser_.Parse(text, &parsed).ok());
  EXPECT_EQ(parsed.reason, e.reason);
}

TEST_F(JsonTest, ParserIsReusableAfterErrors) {
  Event e;
  EXPECT_FALSE(parser_.Parse("{\"minutes\":", &e).ok());
  EXPECT_FALSE(parser_.Parse("[]", &e).ok());
  const std::string good = ToJson(SampleEvent(EventType::kHoursBooked), false);
  ASSERT_TRUE(parser_.Parse(good, &e).ok());
  EXPECT_EQ(e, SampleEvent(EventType::kHoursBooked));
}

TEST_F(JsonTest, ExactLimitsAreAccepted) {
  Event e = SampleEvent(EventType::kHoursBooked);
  e.note = std::string(limits::kNoteBytesMax, 'n');
  e.actor = std::string(limits::kActorBytesMax, 'a');
  e.minutes = limits::kBookingMinutesMax;
  Event parsed;
  const Status s = parser_.Parse(ToJson(e, false), &parsed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(parsed, e);
}

TEST_F(JsonTest, BadInputTable) {
  std::ifstream in(DataPath("bad_json.tsv"), std::ios::binary);
  ASSERT_TRUE(in.is_open()) << DataPath("bad_json.tsv");
  std::string row;
  int cases = 0;
  int line_no = 0;
  while (std::getline(in, row)) {
    ++line_no;
    if (row.empty() || row[0] == '#') continue;
    const size_t tab = row.rfind('\t');
    ASSERT_NE(tab, std::string::npos) << "line " << line_no;
    const std::string input = DecodeByteMarkers(row.substr(0, tab));
    const std::string expected = row.substr(tab + 1);
    Event e;
    const Status s = parser_.Parse(input, &e);
    ++cases;
    EXPECT_TRUE(s.IsInvalidArgument()) << "bad_json.tsv:" << line_no << " accepted: " << input;
    EXPECT_NE(s.message().find(expected), std::string::npos)
        << "bad_json.tsv:" << line_no << "\n  expected: " << expected
        << "\n  got:      " << s.message();
  }
  EXPECT_GE(cases, 60);
}

// Brackets inside strings, escaped quotes included, do not count; an
// unclosed value or a closing bracket first has no end.
TEST(JsonValueEndTest, EndsAtTheBracketClosingTheFirstValue) {
  EXPECT_EQ(JsonValueEnd(R"({"a":"}"} x)"), 9u);
  EXPECT_EQ(JsonValueEnd(R"([{"a":[1,2]},"\"]"] tail)"), 19u);
  EXPECT_EQ(JsonValueEnd("  {} "), 4u);
  EXPECT_EQ(JsonValueEnd(R"({"a":1)"), std::string_view::npos);
  EXPECT_EQ(JsonValueEnd(R"({"a":"}})"), std::string_view::npos);
  EXPECT_EQ(JsonValueEnd("}{}"), std::string_view::npos);
  EXPECT_EQ(JsonValueEnd(""), std::string_view::npos);
}

// Every free-text field has its own member: writing each field's name into
// its member leaves every name in place (no two fields share a member).
TEST(TextMemberOfTest, EachTextFieldHasItsOwnMember) {
  Event e;
  int text_fields = 0;
  for (int i = 0; i < kFieldCount; ++i) {
    const auto f = static_cast<FieldId>(i);
    if (std::string Event::*member = TextMemberOf(f)) {
      EXPECT_EQ(FieldKindOf(f), FieldKind::kText) << FieldName(f);
      e.*member = FieldName(f);
      ++text_fields;
    }
  }
  EXPECT_EQ(text_fields, 15);
  for (int i = 0; i < kFieldCount; ++i) {
    const auto f = static_cast<FieldId>(i);
    if (std::string Event::*member = TextMemberOf(f)) {
      EXPECT_EQ(e.*member, FieldName(f));
    }
  }
  EXPECT_EQ(e.legal_case, "case");
  EXPECT_EQ(TextMemberOf(FieldId::kType), nullptr);
  EXPECT_EQ(TextMemberOf(FieldId::kEventId), nullptr);
}

}  // namespace
}  // namespace ccl::events
