// Unit tests of ledgerd's parser of untrusted query strings, of its route
// table and of its socket options. Request bodies are app::ImportBody's
// (tests/tools/app/import_test.cc); tests/tools/access/ tests the policy, scope and tokens parsers.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "tools/server/query.h"
#include "tools/server/routes.h"
#include "tools/server/socket_options.h"

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
  // Without a name, whatever the value holds: named by the whole pair.
  EXPECT_EQ(Query::Parse("after=0&=%0a", allowed, &q)->field, "=%0a");
  for (const char* bad : {"-1", "1e3", "+1", " 1", "18446744073709551616"}) {
    ASSERT_FALSE(Query::Parse(std::string("after=") + bad, allowed, &q));
    EXPECT_TRUE(q.Number("after", 0, UINT64_MAX, &v)) << bad;
  }
  // An empty value is refused, not read as "not given" (`contract=` would
  // otherwise widen a report to every contract).
  for (const char* empty : {"contract=", "contract", "after=1&contract=", "contract=&after=1"}) {
    const std::optional<ApiError> e = Query::Parse(empty, allowed, &q);
    ASSERT_TRUE(e) << empty;
    EXPECT_EQ(e->http_status, 400u) << empty;
    EXPECT_EQ(e->field, "contract") << empty;
    EXPECT_EQ(e->message,
              "query parameter 'contract': must not be empty (leave the parameter out instead)");
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
    EXPECT_EQ((r.kind == RouteKind::kReply), (r.handler != nullptr)) << r.pattern;
    EXPECT_EQ((r.kind == RouteKind::kAsyncReply), (r.async_handler != nullptr)) << r.pattern;
  }
  std::vector<std::string> params;
  unsigned status = 0;
  EXPECT_EQ(MatchRoute("GET", "/v1/events/", &params, &status), nullptr);
  EXPECT_EQ(status, 404u);
  std::string allow;
  EXPECT_EQ(MatchRoute("DELETE", "/v1/events", &params, &status, &allow), nullptr);
  EXPECT_EQ(status, 405u);
  EXPECT_EQ(allow, "POST, GET");
  EXPECT_EQ(MatchRoute("GET", "/v1/events//x", &params, &status), nullptr);
}

// A feed socket's unacknowledged-data limit is the kernel's, read back as set.
TEST(SocketOptionsTest, UnacknowledgedDataEndsTheConnectionAfterTheLimit) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(EndWhenDataUnacknowledged(fd, 2500).ok());
  unsigned int value = 0;
  socklen_t size = sizeof(value);
  ASSERT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &value, &size), 0);
  EXPECT_EQ(value, 2500u);
  ::close(fd);

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);  // not a socket: the system's error, named
  const Status s = EndWhenDataUnacknowledged(pipe_fds[0], 2500);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find("TCP_USER_TIMEOUT"), std::string::npos) << s.message();
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

}  // namespace
}  // namespace ccl::ledgerd
