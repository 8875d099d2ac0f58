// Helpers of the sink tests: a throwaway PostgreSQL server (tools/pg_server.sh)
// shared by every test of the binary, ledgerctl run as a process, and the
// sink's tables read back as CSV text.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/model/event.h"
#include "events/model/json.h"
#include "tests/testing/subprocess.h"
#include "tests/tools/feed/feed_test_util.h"
#include "tools/sink/pg_connection.h"

namespace ccl::sink::testing {

using feed::testing::ReadFile;

// Starts `argv` (args[0] a path, or a name found in PATH) with stdin from
// /dev/null and stdout and stderr to the given files; returns its pid (-1,
// a test failure, when it could not be started).
inline pid_t Spawn(std::vector<std::string> argv, const std::string& out, const std::string& err) {
  subprocess::SpawnOptions o;
  o.stdout_path = out;
  o.stderr_path = err;
  o.search_path = true;
  const std::string name = argv[0];
  const pid_t pid = subprocess::Spawn(std::move(argv), o).pid;
  EXPECT_GT(pid, 0) << name;
  return pid;
}
using subprocess::ExitCode;
using subprocess::Wait;

// One PostgreSQL server for the whole test binary, in a temporary folder.
class PostgresServer {
 public:
  // Starts it; sets skip_reason() instead when no server binaries are
  // installed (pg_server.sh exit code 3).
  PostgresServer() {
    ::chmod(dir_.path().c_str(), 0755);  // the server may run as `postgres`
    pg_dir_ = dir_.Sub("pg");
    const int code = Script("start");
    if (code == 3) {
      skip_reason_ = "no PostgreSQL server binaries installed (tools/setup.sh installs them)";
    } else if (code != 0) {
      failure_ = "pg_server.sh start failed: " + ReadFile(dir_.Sub("pg.err"));
    } else {
      conninfo_ = ReadFile(dir_.Sub("pg.out"));
      while (!conninfo_.empty() && conninfo_.back() == '\n') conninfo_.pop_back();
    }
  }
  ~PostgresServer() {
    if (!conninfo_.empty()) Script("stop", "immediate");  // a no-op when already stopped
  }
  // pg_server.sh's exit code.
  int Script(const std::string& action, const std::string& mode = "") {
    std::vector<std::string> argv = {"bash", PG_SERVER_SCRIPT, action, pg_dir_};
    if (!mode.empty()) argv.push_back(mode);
    return Wait(Spawn(argv, dir_.Sub("pg.out"), dir_.Sub("pg.err")));
  }
  // "immediate" stops it as a crash would; "fast" as an administrator would.
  int Stop(const std::string& mode) { return Script("stop", mode); }
  int Start() { return Script("start"); }

  const std::string& conninfo() const { return conninfo_; }
  const std::string& skip_reason() const { return skip_reason_; }
  const std::string& failure() const { return failure_; }
  std::string socket_dir() const { return pg_dir_; }

 private:
  feed::testing::TempDir dir_;
  std::string pg_dir_;
  std::string conninfo_, skip_reason_, failure_;
};

// A fixture whose test suite shares one PostgresServer (server_); each test
// is skipped when no server binaries are installed and fails when the
// server did not start, and names a schema of its own (schema_).
class PostgresServerTest : public ::testing::Test {
 protected:
  // schema_: `schema_prefix` and the running test's name, lower case.
  explicit PostgresServerTest(std::string schema_prefix = "t_")
      : schema_prefix_(std::move(schema_prefix)) {}

  // A schema of the running test's own: `prefix` and its name, lower case.
  static std::string TestSchema(const std::string& prefix) {
    std::string s = prefix + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  static void SetUpTestSuite() { server_ = new PostgresServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (!server_->skip_reason().empty()) GTEST_SKIP() << server_->skip_reason();
    ASSERT_TRUE(server_->failure().empty()) << server_->failure();
    schema_ = TestSchema(schema_prefix_);
  }

  inline static PostgresServer* server_ = nullptr;
  const std::string schema_prefix_;
  std::string schema_;
};

// The rows of `sql`, a query that must succeed (a test failure otherwise).
// The sink's `payload` of `e`, the `log --json` line after its envelope
// (amounts in `currency`), as a SQL literal of type jsonb.
inline std::string PayloadLiteral(const events::Event& e, std::string_view currency) {
  events::JsonOutputOptions o;
  o.envelope = false;
  o.contract_currency = currency;
  std::string json;
  events::AppendEventJson(e, o, &json);
  std::string literal = "'";
  for (char ch : json) literal += ch == '\'' ? std::string("''") : std::string(1, ch);
  return literal + "'::jsonb";
}

inline std::vector<PgConnection::Row> QueryRows(PgConnection* db, const std::string& sql) {
  std::vector<PgConnection::Row> rows;
  const Status s = db->Query(sql, &rows);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << sql;
  return rows;
}

// A query's rows as CSV text (RFC 4180 quoting where needed, NULL empty),
// header first: the form `ledgerctl export` writes.
inline std::string QueryCsv(PgConnection* db, const std::string& sql, const std::string& header) {
  const std::vector<PgConnection::Row> rows = QueryRows(db, sql);
  std::string out = header + "\n";
  for (const PgConnection::Row& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (i > 0) out += ',';
      const std::string v = r[i].value_or("");
      if (v.find_first_of(",\"\n\r") == std::string::npos) {
        out += v;
        continue;
      }
      out += '"';
      for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
      out += '"';
    }
    out += '\n';
  }
  return out;
}

}  // namespace ccl::sink::testing
