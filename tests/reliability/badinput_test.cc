// The bad-input corpus (tests/reliability/bad_inputs/): every malformed
// import is fed to the real `ledgerctl import`, as a separate process, into a
// ledger holding a valid base (bad_inputs/base.jsonl). Each must exit with
// code 1, print the expected error on stderr, and write NOTHING: the head seq
// and hash and the number of events are unchanged and Verify passes.
//
// cases.tsv, one case per line: NAME <TAB> KIND <TAB> INPUT <TAB> EXPECTED
//   KIND jsonl:       INPUT is one JSON line (the file is INPUT + "\n");
//   KIND csv[:TYPE]:  INPUT is CSV text (imported with --type TYPE if given);
//   KIND file[:TYPE]: INPUT names a file in bad_inputs/files/.
//   In INPUT: <xNN> is the byte 0xNN, <tab> a tab, <nl> a newline, <cr> a
//   carriage return, <rep:N:c> N copies of the character c.
//   EXPECTED is a substring the error message must contain.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/store/ledger.h"
#include "tests/reliability/reliability_util.h"
#include "tests/testing/files.h"
#include "tests/testing/subprocess.h"

namespace ccl::reliability {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  std::string kind;  // jsonl, csv, file
  std::string type;  // --type for csv and file kinds, or ""
  std::string input;
  std::string expected;
};

void WriteText(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// Expands the <...> escapes of an INPUT cell. False on a malformed escape.
bool Unescape(const std::string& in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size();) {
    if (in[i] != '<') {
      *out += in[i++];
      continue;
    }
    const size_t end = in.find('>', i);
    const std::string tag = end == std::string::npos ? "" : in.substr(i + 1, end - i - 1);
    if (tag.size() == 3 && tag[0] == 'x' && std::isxdigit(tag[1]) && std::isxdigit(tag[2])) {
      *out += static_cast<char>(std::stoi(tag.substr(1), nullptr, 16));
    } else if (tag == "tab") {
      *out += '\t';
    } else if (tag == "nl") {
      *out += '\n';
    } else if (tag == "cr") {
      *out += '\r';
    } else if (tag.rfind("rep:", 0) == 0 && tag.size() >= 7 && tag[tag.size() - 2] == ':') {
      out->append(std::stoul(tag.substr(4, tag.size() - 6)), tag.back());
    } else {
      *out += in[i++];  // a literal '<' (JSON text may hold one)
      continue;
    }
    i = end + 1;
  }
  return true;
}

std::vector<Case> LoadCases(const fs::path& tsv) {
  std::vector<Case> cases;
  std::istringstream in(test_files::ReadFile(tsv));
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      cells.push_back(line.substr(start, tab - start));
    }
    cells.push_back(line.substr(start));
    if (cells.size() != 4 || cells[3].empty()) {
      ADD_FAILURE() << tsv << ":" << line_no << ": want NAME, KIND, INPUT, EXPECTED";
      continue;
    }
    Case c;
    c.name = cells[0];
    c.kind = cells[1];
    if (const size_t colon = c.kind.find(':'); colon != std::string::npos) {
      c.type = c.kind.substr(colon + 1);
      c.kind.resize(colon);
    }
    Unescape(cells[2], &c.input);
    c.expected = cells[3];
    cases.push_back(std::move(c));
  }
  return cases;
}

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

RunResult RunLedgerctl(std::vector<std::string> args, const fs::path& scratch) {
  args.insert(args.begin(), LEDGERCTL_PATH);
  const fs::path out = scratch / "stdout", err = scratch / "stderr";
  subprocess::SpawnOptions o;
  o.stdout_path = out.string();
  o.stderr_path = err.string();
  RunResult r;
  r.code = subprocess::Wait(subprocess::Spawn(std::move(args), o).pid);
  r.out = test_files::ReadFile(out);
  r.err = test_files::ReadFile(err);
  return r;
}

// What must not change: the head, the number of events, and Verify.
struct LedgerState {
  uint64_t seq = 0;
  ledger::Hash hash{};
  uint64_t events = 0;
};

Status ReadState(const std::string& db, LedgerState* out) {
  std::unique_ptr<ledger::Ledger> l;
  CCL_RETURN_IF_ERROR(ledger::Ledger::Open(ledger::Options(), db, &l));
  LedgerCheck check;
  CCL_RETURN_IF_ERROR(CheckLedgerIntegrity(l.get(), &check));  // includes Verify
  out->seq = l->head().seq;
  out->hash = l->head().hash;
  out->events = check.events;
  return Status::OK();
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>("ccl-badinput-test");
    db_ = dir_->Sub("db");
    RunResult r = RunLedgerctl({"--db", db_, "init"}, dir_->path());
    ASSERT_EQ(r.code, 0) << r.err;
    r = RunLedgerctl({"--db", db_, "import", (kDataDir / "base.jsonl").string()}, dir_->path());
    ASSERT_EQ(r.code, 0) << r.err;
    Status s = ReadState(db_, &base_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(base_.events, 12u);
  }

  // Writes the case's input where ledgerctl can read it; returns the path.
  fs::path InputFile(const Case& c) {
    if (c.kind == "file") return kDataDir / "files" / c.input;
    const fs::path p = dir_->Sub(c.name + (c.kind == "csv" ? ".csv" : ".jsonl"));
    WriteText(p, c.kind == "jsonl" ? c.input + "\n" : c.input);
    return p;
  }

  RunResult Import(const Case& c) {
    std::vector<std::string> args = {"--db", db_, "import", InputFile(c).string()};
    if (!c.type.empty()) {
      args.push_back("--type");
      args.push_back(c.type);
    }
    return RunLedgerctl(args, dir_->path());
  }

  const fs::path kDataDir = CCL_BAD_INPUTS_DIR;
  std::unique_ptr<TempDir> dir_;
  std::string db_;
  LedgerState base_;
};

TEST_F(BadInputTest, EveryCaseIsRejectedAndWritesNothing) {
  const std::vector<Case> cases = LoadCases(kDataDir / "cases.tsv");
  ASSERT_GE(cases.size(), 100u);
  size_t passed = 0;
  for (const Case& c : cases) {
    const RunResult r = Import(c);
    bool ok = true;
    if (r.code != 1) {
      ADD_FAILURE() << c.name << ": exit code " << r.code << ", want 1\nstdout: " << r.out
                    << "stderr: " << r.err;
      ok = false;
    }
    if (r.err.find(c.expected) == std::string::npos) {
      ADD_FAILURE() << c.name << ": error does not contain \"" << c.expected
                    << "\"\nstderr: " << r.err;
      ok = false;
    }
    LedgerState now;
    Status s = ReadState(db_, &now);
    if (!s.ok() || now.seq != base_.seq || now.hash != base_.hash || now.events != base_.events) {
      // Stop: the base is no longer the base, later cases would mislead.
      FAIL() << c.name << ": the ledger changed (head seq " << now.seq << ", " << now.events
             << " events, was " << base_.seq << "): " << s.ToString();
    }
    passed += ok ? 1 : 0;
  }
  std::printf(
      "badinput: %zu of %zu malformed imports rejected with the expected error, "
      "nothing written\n",
      passed, cases.size());
}

// The cases differ from valid input by their defect only: the template line
// and well-formed files of the same shapes import into the same base.
TEST_F(BadInputTest, WellFormedNeighboursImport) {
  const std::vector<Case> good = {
      {"good-booking", "jsonl", "",
       R"({"event_id":"11111111-1111-4111-8111-111111111111","type":"HoursBooked","contract":"C-OPEN","effective_at":"2026-03-31T14:05:00Z","actor":"alice","source":"test","engineer":"bob","service_line":"reactive","minutes":90,"cost_rate_minor":12000})",
       ""},
      {"good-csv", "csv", "",
       "event_id,type,contract,effective_at,actor,source,engineer,service_line,minutes,"
       "cost_rate_minor\n"
       "44444444-4444-4444-8444-000000000099,HoursBooked,C-OPEN,2026-04-01T10:00:00Z,alice,csv,"
       "bob,reactive,60,12000\n",
       ""},
      {"good-proactive-remaining", "jsonl", "",
       R"({"event_id":"33333333-3333-4333-8333-333333333333","type":"HoursBooked","contract":"C-OPEN","effective_at":"2026-04-01T09:00:00Z","actor":"tester","source":"test","engineer":"bob","service_line":"proactive","minutes":100,"cost_rate_minor":12000})",
       ""},
  };
  uint64_t expected = base_.events;
  for (const Case& c : good) {
    const RunResult r = Import(c);
    EXPECT_EQ(r.code, 0) << c.name << ": " << r.err;
    LedgerState now;
    ASSERT_TRUE(ReadState(db_, &now).ok());
    EXPECT_EQ(now.events, ++expected) << c.name;
  }
}

}  // namespace
}  // namespace ccl::reliability
