// `ledgerctl sink postgres`'s options against a real PostgreSQL server
// (postgres_sink_fixture.h): the connection string, usage errors.
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/tools/sink/postgres_sink_fixture.h"

namespace ccl::sink {
namespace {

// `--conninfo ""` is libpq's empty connection string: every setting from
// the PG* environment (README, exit codes), not a usage error.
TEST_F(PostgresSinkTest, AnEmptyConninfoTakesEverySettingFromTheEnvironment) {
  const uint64_t head = Import(2, 5, 1);
  // pg_server.sh's connection string: `key=value` words, no quoting.
  const std::map<std::string, std::string> variable_of = {
      {"host", "PGHOST"}, {"port", "PGPORT"}, {"dbname", "PGDATABASE"}, {"user", "PGUSER"}};
  std::vector<std::string> set;
  std::istringstream words(server_->conninfo());
  for (std::string word; words >> word;) {
    const size_t eq = word.find('=');
    ASSERT_NE(eq, std::string::npos) << server_->conninfo();
    const auto v = variable_of.find(word.substr(0, eq));
    ASSERT_NE(v, variable_of.end()) << word;
    ASSERT_EQ(setenv(v->second.c_str(), word.substr(eq + 1).c_str(), 1), 0);
    set.push_back(v->second);
  }
  EXPECT_FALSE(set.empty());
  const int code = Ledgerctl({"sink", "postgres", "--conninfo", "", "--schema", schema_});
  for (const std::string& v : set) unsetenv(v.c_str());
  ASSERT_EQ(code, 0) << Err();
  uint64_t checkpoint = 0;
  ExpectConsistent(&checkpoint);
  EXPECT_EQ(checkpoint, head);
}

TEST_F(PostgresSinkTest, UsageErrors) {
  Import(2, 5, 1);
  EXPECT_EQ(Ledgerctl(SinkArgs({"--server", "https://localhost:8443"})), 2);
  EXPECT_NE(Err().find("option '--server' needs '--cert'"), std::string::npos) << Err();
  EXPECT_EQ(Ledgerctl(SinkArgs({"--cacert", "ca.pem"})), 2);
  EXPECT_NE(Err().find("option '--cacert' goes with '--server'"), std::string::npos) << Err();
  EXPECT_EQ(Ledgerctl({"sink", "mysql", "--conninfo", "x"}), 2);
  EXPECT_EQ(Ledgerctl(SinkArgs({"--batch", "0"})), 2);
  EXPECT_NE(Err().find("option '--batch': must be 1..1000000"), std::string::npos) << Err();
  EXPECT_EQ(Ledgerctl(SinkArgs({"--poll-ms", "0"})), 2);
  EXPECT_EQ(
      Ledgerctl({"sink", "postgres", "--conninfo", server_->conninfo(), "--schema", "Bad-Name"}),
      2);
  EXPECT_EQ(Ledgerctl({"sink", "postgres", "--conninfo", "host=/nonexistent dbname=x"}), 4);
  EXPECT_NE(Err().find("cannot connect to PostgreSQL server at /nonexistent"), std::string::npos)
      << Err();
}

}  // namespace
}  // namespace ccl::sink
