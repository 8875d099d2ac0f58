// The fixture of the ledgerctl end-to-end tests: the binary is run as a
// separate process (posix_spawn) against a temporary ledger, and its exit
// codes, stdout and stderr are checked the way a user or a script would see
// them.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/ledger/ledger_test_util.h"
#include "tools/generator.h"

extern char** environ;

namespace ccl::tools::testing {

namespace fs = std::filesystem;

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFile(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline constexpr const char* kOpened =
    R"({"event_id":"6f1c2a1e-8d4b-4f6a-9c3e-0b1d2e3f4a5b","type":"ContractOpened",)"
    R"("contract":"C-1","effective_at":"2025-01-01","actor":"tam.test","source":"test",)"
    R"("customer":"Test Agency","term_start":"2025-01-01","term_end":"2025-12-31",)"
    R"("currency":"USD","lines":[{"service_line":"reactive","funded_minutes":600,)"
    R"("bill_rate_minor":25000,"overage":"reject"}]})";

inline std::string Booking(const std::string& id, int minutes,
                           const std::string& contract = "C-1") {
  return R"({"event_id":")" + id + R"(","type":"HoursBooked","contract":")" + contract +
         R"(","effective_at":"2025-01-02T10:00:00Z","actor":"a.b","source":"test",)"
         R"("engineer":"A B","service_line":"reactive","minutes":)" +
         std::to_string(minutes) + R"(,"cost_rate_minor":9000})";
}

class LedgerctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ccl-ledgerctl-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  enum class Stdin { kFile, kPipe };

  // A ledgerctl process started by Start, not yet waited for.
  struct Started {
    pid_t pid = -1;
    int stdin_pipe = -1;  // kPipe: the write end, fed by Finish
    fs::path out, err;    // where its stdout and stderr go
  };

  // Starts ledgerctl with `args` (after --db <db_> unless with_db is false);
  // stdin holds `input`, as a regular file or (kPipe) a pipe written by
  // Finish; its working directory is dir_, so a relative path it creates
  // lands there. Its output goes to dir_/stdout<tag> and dir_/stderr<tag>
  // (a tag tells a process that runs beside others).
  Started Start(std::vector<std::string> args, const std::string& input = "", bool with_db = true,
                Stdin stdin_kind = Stdin::kFile, const std::string& tag = "") {
    if (with_db) args.insert(args.begin(), {"--db", db_});
    args.insert(args.begin(), LEDGERCTL_PATH);
    const fs::path in = dir_ / ("stdin" + tag), out = dir_ / ("stdout" + tag),
                   err = dir_ / ("stderr" + tag);
    WriteFile(in, input);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    int pipe_fds[2] = {-1, -1};
    if (stdin_kind == Stdin::kPipe) {
      EXPECT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
      posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], 0);
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
    }
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, dir_.c_str());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    Started started;
    started.out = out;
    started.err = err;
    if (posix_spawn(&started.pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      started.pid = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    if (pipe_fds[0] >= 0) ::close(pipe_fds[0]);
    started.stdin_pipe = pipe_fds[1];
    return started;
  }

  // Feeds a kPipe stdin with `input`, waits for the process and collects
  // its exit code (128 + the signal that ended it), stdout and stderr.
  RunResult Finish(Started started, const std::string& input = "") {
    if (started.stdin_pipe >= 0) {
      // Bigger inputs than a pipe's buffer block here until the child reads.
      for (size_t done = 0; started.pid > 0 && done < input.size();) {
        const ssize_t n = ::write(started.stdin_pipe, input.data() + done, input.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      ::close(started.stdin_pipe);
    }
    RunResult r;
    if (started.pid > 0) {
      int status = 0;
      ::waitpid(started.pid, &status, 0);
      r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    r.out = ReadFile(started.out);
    r.err = ReadFile(started.err);
    return r;
  }

  // Start then Finish: ledgerctl run to its end.
  RunResult Run(std::vector<std::string> args, const std::string& input = "", bool with_db = true,
                Stdin stdin_kind = Stdin::kFile) {
    return Finish(Start(std::move(args), input, with_db, stdin_kind), input);
  }

  // A small generated workload as a JSONL file.
  std::string Workload(const std::string& name, uint32_t contracts, uint32_t days,
                       uint64_t seed = 1) {
    const std::string path = (dir_ / name).string();
    GeneratorOptions o;
    o.contracts = contracts;
    o.days = days;
    o.seed = seed;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_TRUE(GenerateJsonl(o, f, nullptr).ok());
    std::fclose(f);
    return path;
  }

  // Every key and value of every column family: "byte for byte the ledger
  // it was". Reads a closed ledger directly through RocksDB.
  std::map<std::string, std::string> Dump() {
    ledger::testing::RawDb raw(db_);
    return raw.Dump();
  }

  // What the ledger holds, as `log --json` shows it (with chain hashes).
  std::string Snapshot() {
    RunResult r = Run({"log", "--json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
  }

  void Init() {
    RunResult r = Run({"init"});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  // A new ledger holding contract C-1 (kOpened) and one booking on it,
  // imported from dir_/in.jsonl.
  void InitWithOneBooking() {
    Init();
    WriteFile(dir_ / "in.jsonl", std::string(kOpened) + "\n" +
                                     Booking("00000000-0000-4000-8000-000000000001", 30) + "\n");
    RunResult r = Run({"import", (dir_ / "in.jsonl").string()});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  fs::path dir_;
  std::string db_;
};

}  // namespace ccl::tools::testing
