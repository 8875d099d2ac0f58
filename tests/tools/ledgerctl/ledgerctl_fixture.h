// The fixture of the ledgerctl end-to-end tests: the binary is run as a
// separate process (posix_spawn) against a temporary ledger, and its exit
// codes, stdout and stderr are checked the way a user or a script would see
// them.
#pragma once

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/ledger/store/ledger_test_util.h"
#include "tests/testing/files.h"
#include "tests/testing/subprocess.h"
#include "tools/generator/generator.h"

namespace ccl::tools::testing {

namespace fs = std::filesystem;

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

using test_files::Lines;
using test_files::ReadFile;
using test_files::WriteFile;

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

// How `ledgerctl import` of `file` begins its summary line: "<file>: <events>
// events, <appended> appended, <duplicates> duplicates (" (timing follows).
inline std::string ImportSummaryStart(const std::string& file, size_t events, size_t appended,
                                      size_t duplicates) {
  return file + ": " + std::to_string(events) + " events, " + std::to_string(appended) +
         " appended, " + std::to_string(duplicates) + " duplicates (";
}

// Unmounts (lazily) when it goes out of scope.
struct Unmount {
  std::string path;
  ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
};

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
    return StartProgram(std::move(args), input, stdin_kind, tag);
  }

  // Starts the program args[0] (a path) with the arguments after it, as
  // Start starts ledgerctl.
  Started StartProgram(std::vector<std::string> args, const std::string& input = "",
                       Stdin stdin_kind = Stdin::kFile, const std::string& tag = "") {
    const fs::path in = dir_ / ("stdin" + tag), out = dir_ / ("stdout" + tag),
                   err = dir_ / ("stderr" + tag);
    WriteFile(in, input);
    subprocess::SpawnOptions o;
    o.stdin_path = in.string();
    o.stdin_pipe = stdin_kind == Stdin::kPipe;
    o.stdout_path = out.string();
    o.stderr_path = err.string();
    o.cwd = dir_.string();
    const subprocess::Child child = subprocess::Spawn(std::move(args), o);
    Started started;
    started.pid = child.pid;
    started.stdin_pipe = child.stdin_pipe;
    started.out = out;
    started.err = err;
    return started;
  }

  // Feeds a kPipe stdin with `input`, waits for the process and collects
  // its exit code (128 + the signal that ended it), stdout and stderr.
  RunResult Finish(Started started, const std::string& input = "") {
    // Bigger inputs than a pipe's buffer block here until the child reads.
    subprocess::FeedAndClose(started.stdin_pipe, started.pid > 0 ? input : "");
    RunResult r;
    r.code = subprocess::Wait(started.pid);
    r.out = ReadFile(started.out);
    r.err = ReadFile(started.err);
    return r;
  }

  // Start then Finish: ledgerctl run to its end.
  RunResult Run(std::vector<std::string> args, const std::string& input = "", bool with_db = true,
                Stdin stdin_kind = Stdin::kFile) {
    return Finish(Start(std::move(args), input, with_db, stdin_kind), input);
  }

  // StartProgram then Finish: any program (args[0], a path) run to its end.
  RunResult RunProgram(std::vector<std::string> args, const std::string& input = "") {
    return Finish(StartProgram(std::move(args), input), input);
  }

  // A small generated workload as a JSONL file.
  std::string Workload(const std::string& name, uint32_t contracts, uint32_t days,
                       uint64_t seed = 1) {
    const std::string path = (dir_ / name).string();
    GeneratorOptions o;
    o.contracts = contracts;
    o.days = days;
    o.seed = seed;
    const Status s = WriteGeneratedJsonl(o, path, events::FileWriteOptions(), nullptr);
    EXPECT_TRUE(s.ok()) << s.ToString();
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
