// Smoke test of ledger-bench --quick: it runs, exits 0, prints the table and
// writes a JSON object in which every published metric is either a number or
// listed under "missing" with a reason. Only PostgreSQL (no server is started
// here) and peers built without their library may be missing; our figures
// must be there.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

// The metric names: the published interface of the JSON output (README.md
// "Performance"), spelled here apart from the code so that renaming one
// fails this test.
std::vector<std::string> Metrics() {
  std::istringstream names(
      "append_b1_eps append_b100_eps append_b1000_eps append_b1_p50_us append_b1_p99_us "
      "append_concurrent8_eps rocksdb_raw_b1000_eps rocksdb_raw_b1_eps sqlite_b1000_eps "
      "sqlite_b1_eps postgres_b1000_eps postgres_b1_eps replay_eps rocksdb_raw_scan_eps "
      "sqlite_scan_eps postgres_scan_eps rebuild_eps verify_eps contract_balance_p50_us "
      "disk_bytes_per_event peak_rss_mb");
  std::vector<std::string> out;
  for (std::string name; names >> name;) out.push_back(name);
  return out;
}
const std::vector<std::string> kMetrics = Metrics();

class LedgerBenchTest : public ::testing::Test {
 protected:
  // Runs ledger-bench with `args`; returns its exit status, stdout in *out.
  int Run(const std::string& args, std::string* out) {
    const std::string cmd = std::string("'") + CCL_LEDGER_BENCH_PATH + "' " + args;
    std::FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return -1;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
    const int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

TEST_F(LedgerBenchTest, QuickRunWritesEveryMetric) {
  const std::string dir = ::testing::TempDir() + "ccl-bench-smoke";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string json_path = dir + "/bench.json";
  std::string out;
  // No --pg: whatever CCL_BENCH_PG says, PostgreSQL is only optional here.
  ASSERT_EQ(Run("--quick --dir '" + dir + "' --json '" + json_path + "'", &out), 0) << out;
  EXPECT_NE(out.find("| workload | ours | RocksDB raw | SQLite | PostgreSQL |"), std::string::npos)
      << out;
  EXPECT_NE(out.find("append_b1000_eps / rocksdb_raw_b1000_eps"), std::string::npos) << out;

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(json_path).get(doc), simdjson::SUCCESS) << "not valid JSON";
  simdjson::dom::object top;
  ASSERT_EQ(doc.get_object().get(top), simdjson::SUCCESS) << "not a JSON object";
  simdjson::dom::object missing;
  ASSERT_EQ(top["missing"].get_object().get(missing), simdjson::SUCCESS) << "no 'missing' object";

  for (const std::string& name : kMetrics) {
    SCOPED_TRACE(name);
    simdjson::dom::element value;
    const bool measured = top[name].get(value) == simdjson::SUCCESS;
    std::string_view reason;
    const bool excused = missing[name].get_string().get(reason) == simdjson::SUCCESS;
    EXPECT_NE(measured, excused) << "must be a number or missing, exactly one";
    if (measured) {
      double v = 0;
      EXPECT_EQ(value.get_double().get(v), simdjson::SUCCESS) << "not a number";
      EXPECT_GT(v, 0) << "a measured metric is never zero";
    } else {
      EXPECT_FALSE(reason.empty()) << "missing without a reason";
      // PostgreSQL needs a server; a peer whose library was not installed at
      // build time says so. Anything else missing is a failure.
      const bool allowed = name.rfind("postgres_", 0) == 0 ||
                           reason.find("ledger-bench was built without") != std::string_view::npos;
      EXPECT_TRUE(allowed) << "missing: " << reason;
    }
  }
  // Nothing else at the top level but the metrics and the three sections.
  for (auto field : top) {
    const std::string key(field.key);
    const bool known = key == "missing" || key == "context" || key == "notes" ||
                       std::find(kMetrics.begin(), kMetrics.end(), key) != kMetrics.end();
    EXPECT_TRUE(known) << "unexpected top-level key " << key;
  }
  std::filesystem::remove_all(dir);
}

TEST_F(LedgerBenchTest, RejectsBadFlags) {
  std::string out;
  EXPECT_EQ(Run("--events 5 2>/dev/null", &out), 1);
  EXPECT_EQ(Run("--pg-mode fast 2>/dev/null", &out), 1);
  EXPECT_EQ(Run("--systems ours,mysql 2>/dev/null", &out), 1);
}

}  // namespace
