// The fixture of ledgerctl's audit command tests: ledgerctl run as a user
// runs it (its exit code and output), the worked example's files, and a
// generated ledger imported in two parts.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/ledger/store/ledger_test_util.h"
#include "tests/testing/files.h"

namespace ccl::ledger {

struct CliRun {
  int code = -1;
  std::string out;  // stdout and stderr
};

// Runs ledgerctl with `args` (a shell-quoted string) and returns its exit code.
inline CliRun Ledgerctl(const std::string& args) {
  const std::string cmd = std::string(CCL_LEDGERCTL) + " " + args + " 2>&1";
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

using test_files::ReadFile;
using test_files::WriteFile;

// Writes the first `first` lines of `from` into `a`, the rest into `b`.
inline void SplitLines(const std::string& from, size_t first, const std::string& a,
                       const std::string& b) {
  std::istringstream all(ReadFile(from));
  std::ofstream out_a(a), out_b(b);
  std::string line;
  for (size_t i = 0; std::getline(all, line); ++i) (i < first ? out_a : out_b) << line << "\n";
}

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* data = std::getenv("CCL_TEST_DATA");
    data_ = std::string(data != nullptr ? data : "tests/data") + "/merkle/";
  }
  std::string Data(const std::string& name) { return data_ + name; }
  std::string Tmp(const std::string& name) { return dir_.Sub(name); }
  // A generated workload split in two (a.jsonl: its first 40 events,
  // b.jsonl: the rest), the first part imported into a new ledger (`db`:
  // "--db PATH ").
  void ImportFirstPart(const std::string& db) {
    ASSERT_EQ(Ledgerctl("generate --contracts 2 --days 40 --seed 3 --out " + Tmp("w.jsonl")).code,
              0);
    SplitLines(Tmp("w.jsonl"), 40, Tmp("a.jsonl"), Tmp("b.jsonl"));
    ASSERT_EQ(Ledgerctl(db + "init").code, 0);
    ASSERT_EQ(Ledgerctl(db + "import " + Tmp("a.jsonl")).code, 0);
  }

  std::string data_;
  testing::TempDir dir_;
};

}  // namespace ccl::ledger
