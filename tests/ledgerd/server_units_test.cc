// Unit tests of ledgerd's parsers of untrusted input (policy file, query
// string) and of its route table. Request bodies are app::ImportBody's
// (tests/app/import_test.cc).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tools/ledgerd/policy.h"
#include "tools/ledgerd/query.h"
#include "tools/ledgerd/routes.h"

namespace ccl::ledgerd {
namespace {

TEST(PolicyTest, GrantsTheRolesOfEachLineAndNothingToOthers) {
  Policy p;
  ASSERT_TRUE(Policy::Parse("# team\nalice writer,reader  # both\n\n bob\tauditor\n", &p).ok());
  EXPECT_EQ(p.RolesOf("alice"), kRoleWriter | kRoleReader);
  EXPECT_EQ(p.RolesOf("bob"), kRoleAuditor);
  EXPECT_EQ(p.RolesOf("carol"), 0);
  EXPECT_EQ(p.size(), 2u);
}

TEST(PolicyTest, BadLinesAreRejectedNamingTheLine) {
  Policy p;
  Status s = Policy::Parse("alice writer\nbob superuser\n", &p);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "line 2: unknown role 'superuser' (roles: writer, reader, auditor, admin)");
  EXPECT_EQ(Policy::Parse("alice\n", &p).message(),
            "line 1: principal 'alice' has no roles (expected '<principal> <role>[,<role>...]')");
  EXPECT_EQ(Policy::Parse("a reader\na writer\n", &p).message(),
            "line 2: principal 'a' is named twice");
  EXPECT_FALSE(Policy::Parse("a reader writer\n", &p).ok());
  EXPECT_FALSE(Policy::Parse(std::string(300, 'x') + " reader\n", &p).ok());
}

TEST(PolicyStoreTest, AFailedReloadKeepsThePolicyInForce) {
  const std::string path = ::testing::TempDir() + "/policy_store_test";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("alice reader\n", f);
  std::fclose(f);
  Policy p;
  ASSERT_TRUE(Policy::Load(path, &p).ok());
  PolicyStore store(std::move(p));
  f = std::fopen(path.c_str(), "w");
  std::fputs("alice nonsense\n", f);
  std::fclose(f);
  Status s = store.Reload(path);
  EXPECT_EQ(s.message(),
            path + ": line 1: unknown role 'nonsense' (roles: writer, reader, auditor, admin)");
  EXPECT_EQ(store.Get()->RolesOf("alice"), kRoleReader);
  f = std::fopen(path.c_str(), "w");
  std::fputs("alice writer\n", f);
  std::fclose(f);
  ASSERT_TRUE(store.Reload(path).ok());
  EXPECT_EQ(store.Get()->RolesOf("alice"), kRoleWriter);
}

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
  // Without a name, whatever the value holds: named by the whole pair.
  EXPECT_EQ(Query::Parse("after=0&=%0a", allowed, &q)->field, "=%0a");
  for (const char* bad : {"-1", "1e3", "+1", " 1", "18446744073709551616", ""}) {
    ASSERT_FALSE(Query::Parse(std::string("after=") + bad, allowed, &q));
    EXPECT_TRUE(q.Number("after", 0, UINT64_MAX, &v)) << bad;
  }
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
