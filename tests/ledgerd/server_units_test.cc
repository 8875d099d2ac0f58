// Unit tests of ledgerd's parsers of untrusted input (query string, request
// body) and of its route table; access_units_test.cc tests the policy,
// scope and tokens parsers.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tools/ledgerd/events_body.h"
#include "tools/ledgerd/query.h"
#include "tools/ledgerd/routes.h"

namespace ccl::ledgerd {
namespace {

TEST(QueryTest, DecodesAndChecksEveryParameter) {
  const std::vector<std::string_view> allowed = {"after", "contract"};
  Query q;
  ASSERT_FALSE(Query::Parse("after=10&contract=SC%2D1+x", allowed, &q));
  EXPECT_EQ(q.Get("contract"), "SC-1 x");
  uint64_t v = 0;
  EXPECT_FALSE(q.Number("after", 0, 100, &v));
  EXPECT_EQ(v, 10u);
  EXPECT_EQ(q.Number("after", 0, 9, &v)->message,
            "query parameter 'after': must be a whole number 0..9, got '10'");
  EXPECT_EQ(Query::Parse("after=1&after=2", allowed, &q)->message,
            "query parameter 'after': given twice");
  EXPECT_EQ(Query::Parse("limit=1", allowed, &q)->field, "limit");
  EXPECT_EQ(Query::Parse("after=%4", allowed, &q)->http_status, 400u);
  EXPECT_TRUE(Query::Parse("contract=%0a", allowed, &q));
  EXPECT_EQ(Query::Parse("=5", allowed, &q)->field, "=5");
  for (const char* bad : {"-1", "1e3", "+1", " 1", "18446744073709551616", ""}) {
    ASSERT_FALSE(Query::Parse(std::string("after=") + bad, allowed, &q));
    EXPECT_TRUE(q.Number("after", 0, UINT64_MAX, &v)) << bad;
  }
}

TEST(EventsBodyTest, JsonLinesSkipBlankLinesAndKeepLineNumbers) {
  std::vector<BodyEvent> out;
  ASSERT_FALSE(SplitEventsBody("{\"a\":1}\r\n\n  \n{\"b\":2}", BodyFormat::kJsonLines, 10, &out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].text, "{\"a\":1}");
  EXPECT_EQ(out[1].line, 4u);
}

TEST(EventsBodyTest, ArraysAreCutAtTopLevelCommasOnly) {
  std::vector<BodyEvent> out;
  const std::string body = "[\n {\"a\":\"x,}]\\\"\",\"l\":[{\"b\":1}]},\n{\"c\":2}\n]\n";
  ASSERT_FALSE(SplitEventsBody(body, BodyFormat::kJsonArray, 10, &out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].text, "{\"a\":\"x,}]\\\"\",\"l\":[{\"b\":1}]}");
  EXPECT_EQ(out[0].line, 2u);
  EXPECT_EQ(out[1].line, 3u);
}

TEST(EventsBodyTest, MalformedAndOversizedBodiesAreRejected) {
  std::vector<BodyEvent> out;
  for (const char* bad : {"", "[]", "{}", "[{}", "[{},]", "[{} {}]", "[{}]x", "[1]", "[{\"a\":\"}]",
                          "[{\"a\":[1}]]", "[{\"a\":{1]}]"}) {
    auto e = SplitEventsBody(bad, BodyFormat::kJsonArray, 10, &out);
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->http_status, 400u) << bad;
  }
  auto e = SplitEventsBody("{}\n{}\n{}\n", BodyFormat::kJsonLines, 2, &out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->http_status, 413u);
  e = SplitEventsBody("[{},{},{}]", BodyFormat::kJsonArray, 2, &out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->http_status, 413u);
  EXPECT_TRUE(out.empty());
}

TEST(RoutesTest, EveryPathMatchesOneRouteAtMost) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const Route& r : Routes()) {
    EXPECT_TRUE(seen.emplace(r.method, r.pattern).second) << r.pattern;
    // A concrete path for the pattern: each {name} replaced by "1".
    std::string path(r.pattern);
    for (size_t at; (at = path.find('{')) != std::string::npos;) {
      path.replace(at, path.find('}', at) - at + 1, "1");
    }
    std::vector<std::string> params;
    unsigned status = 0;
    EXPECT_EQ(MatchRoute(r.method, path, &params, &status), &r) << path;
    EXPECT_EQ((r.kind == RouteKind::kFeed), (r.handler == nullptr)) << r.pattern;
  }
  std::vector<std::string> params;
  unsigned status = 0;
  EXPECT_EQ(MatchRoute("GET", "/v1/events/", &params, &status), nullptr);
  EXPECT_EQ(status, 404u);
  EXPECT_EQ(MatchRoute("DELETE", "/v1/events", &params, &status), nullptr);
  EXPECT_EQ(status, 405u);
  EXPECT_EQ(MatchRoute("GET", "/v1/events//x", &params, &status), nullptr);
}

}  // namespace
}  // namespace ccl::ledgerd
