// The fixture of the `ledgerctl audit-package` tests: a ledger imported in
// three files (so three periods), the packages of the first two, the
// package's own verifier run under python3, and edits of a package re-signed
// with the log's key.
#pragma once

#include <functional>
#include <map>
#include <regex>

#include "events/base/time_format.h"
#include "ledger/merkle/merkle.h"
#include "ledger/merkle/note.h"
#include "ledger/merkle/signing.h"
#include "tests/tools/ledgerctl/ledgerctl_fixture.h"

namespace ccl::tools::testing {

class AuditPackageTest : public LedgerctlTest {
 protected:
  void SetUp() override {
    LedgerctlTest::SetUp();
    if (std::string(CCL_PYTHON3).empty()) GTEST_SKIP() << "no python3 found at configure time";
  }

  // A ledger imported in three files: seq 1..end_[0], ..end_[1], the rest;
  // each later file starts with an approval of a reversal asked for in the
  // month before (so in the file before), as month-end requests are. The
  // recorded_at of the files' first and last events bound the periods.
  void ImportThreePeriods() {
    Init();
    const std::string all = ReadFile(Workload("w.jsonl", 6, 200, 5));
    std::vector<std::string> lines = Lines(all);
    end_[0] = ApprovalOfAnEarlierMonth(lines, 600);
    end_[1] = ApprovalOfAnEarlierMonth(lines, end_[0] + 600);
    ASSERT_LT(end_[1], lines.size()) << "the workload has no such approvals to split at";
    last_ = lines.size();
    std::string part[3];
    for (size_t i = 0; i < lines.size(); ++i)
      part[i < end_[0] ? 0 : i < end_[1] ? 1 : 2] += lines[i] + "\n";
    for (int i = 0; i < 3; ++i) {
      WriteFile(dir_ / ("part" + std::to_string(i) + ".jsonl"), part[i]);
      ASSERT_EQ(Run({"import", (dir_ / ("part" + std::to_string(i) + ".jsonl")).string()}).code, 0);
    }
    ASSERT_EQ(Run({"keygen", "--out", Path("key")}).code, 0);
  }

  // The index of the first line at or after `from` that approves an event of
  // an earlier month (effective_at), or lines.size().
  static size_t ApprovalOfAnEarlierMonth(const std::vector<std::string>& lines, size_t from) {
    const std::regex id("\"event_id\":\"([^\"]+)\""), at("\"effective_at\":\"(\\d{4}-\\d\\d)");
    const std::regex approves("\"type\":\"Approved\".*\"target_event_id\":\"([^\"]+)\"");
    std::map<std::string, std::string> month_of;  // event_id -> YYYY-MM
    for (size_t i = 0; i < lines.size(); ++i) {
      std::smatch m, a, target;
      if (!std::regex_search(lines[i], m, id) || !std::regex_search(lines[i], a, at)) continue;
      if (i >= from && std::regex_search(lines[i], target, approves) &&
          month_of.count(target[1].str()) && month_of[target[1].str()] < a[1].str()) {
        return i;
      }
      month_of[m[1].str()] = a[1].str();
    }
    return lines.size();
  }

  std::string Path(const std::string& name) { return (dir_ / name).string(); }

  // The instant `ns` nanoseconds after `instant` (RFC 3339): where a period
  // whose --to is `instant` ends, and its successor's --from.
  static std::string After(const std::string& instant, int64_t ns = 1) {
    int64_t at = 0;
    EXPECT_TRUE(events::ParseInstant(instant, &at).ok()) << instant;
    return events::FormatInstant(at + ns);
  }

  std::string RecordedAt(uint64_t seq) {
    const RunResult r = Run({"show", std::to_string(seq)});
    std::smatch m;
    EXPECT_TRUE(std::regex_search(r.out, m, std::regex("\"recorded_at\": *\"([^\"]+)\""))) << r.out;
    return m.size() > 1 ? m[1].str() : std::string();
  }

  // Runs DIR/verify_package.py (of `verifier_dir`) over `dir`.
  RunResult Verify(const std::string& verifier_dir, const std::string& dir,
                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {CCL_PYTHON3, verifier_dir + "/verify_package.py", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProgram(args);
  }

  // Packages p1 (seq 1..end_[0]) and p2 (..end_[1], --previous p1).
  void BuildTwoPackages() {
    ImportThreePeriods();
    RunResult r = Run({"audit-package", "--from", "2000-01-01", "--to", RecordedAt(end_[0]),
                       "--out", Path("p1"), "--key", Path("key")});
    ASSERT_EQ(r.code, 0) << r.err;
    r = Run({"audit-package", "--from", After(RecordedAt(end_[0])), "--to", RecordedAt(end_[1]),
             "--out", Path("p2"), "--key", Path("key"), "--previous", Path("p1")});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("events " + std::to_string(end_[0] + 1) + ".." + std::to_string(end_[1])),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.err.find("has not ended"), std::string::npos) << "a past period: " << r.err;
  }

  size_t end_[2] = {0, 0};  // the last seq of the first and second imports
  size_t last_ = 0;         // the last seq of the third
};

inline std::vector<std::string> PackageFiles(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Replaces the first match of `re` in *text by `with`.
inline void EditText(std::string* text, const std::string& re, const std::string& with) {
  const std::string after =
      std::regex_replace(*text, std::regex(re), with, std::regex_constants::format_first_only);
  ASSERT_NE(*text, after) << re;
  *text = after;
}

// A copy of p2 edited by `edit` (on the copy's folder and its MANIFEST text),
// then re-signed with the log's key, as its holder could: the hashes and the
// signatures all hold, so only the verifier's recomputation can find the edit.
inline RunResult EditAndResign(const fs::path& dir, const std::string& key,
                               const std::function<void(const fs::path&, std::string*)>& edit,
                               const std::function<RunResult(const std::string&)>& verify) {
  const fs::path copy = dir / "resigned";
  fs::remove_all(copy);
  fs::copy(dir / "p2", copy, fs::copy_options::recursive);
  const std::string manifest = ReadFile(copy / "MANIFEST");
  std::string text = manifest.substr(0, manifest.find("\n\n") + 1);
  edit(copy, &text);
  std::string resigned;
  for (const std::string& line : Lines(text)) {
    if (line.rfind("file ", 0) == 0) {
      const std::string name = line.substr(5 + 65);
      resigned +=
          "file " + ledger::HexEncode(ledger::Sha256(ReadFile(copy / name))) + " " + name + "\n";
    } else {
      resigned += line + "\n";
    }
  }
  ledger::SigningKey k;
  EXPECT_TRUE(ledger::ReadSigningKey(key, &k).ok());
  ledger::SignedNote note;
  note.text = resigned;
  note.signatures.emplace_back();
  const std::string origin = Lines(ReadFile(copy / "checkpoint"))[0];
  EXPECT_TRUE(ledger::SignNote(k, origin, resigned, &note.signatures.back()).ok());
  WriteFile(copy / "MANIFEST", ledger::FormatSignedNote(note));
  return verify(copy.string());
}

// Replaces the first match of `re` in the file by `with`.
inline void EditFile(const fs::path& file, const std::string& re, const std::string& with) {
  const std::string before = ReadFile(file);
  const std::string after =
      std::regex_replace(before, std::regex(re), with, std::regex_constants::format_first_only);
  ASSERT_NE(before, after) << file << " " << re;
  WriteFile(file, after);
}

}  // namespace ccl::tools::testing
