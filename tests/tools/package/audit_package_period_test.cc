// `ledgerctl audit-package` and verify_package.py on when a period may be
// packaged and how packages chain: a period must have ended, and chained
// periods meet exactly.
#include "tests/tools/package/audit_package_fixture.h"

namespace ccl::tools::testing {
namespace {

// A package claims its period complete, so a period that may still receive
// events is refused, and nothing is written: one ending after the recorded_at
// of the ledger's last event (recorded_at never decreases, so only an event
// recorded at or after the period's end closes it), including one entirely
// in the future.
TEST_F(AuditPackageTest, APeriodThatHasNotEndedIsRefused) {
  ImportThreePeriods();
  for (const std::vector<std::string>& period :
       {std::vector<std::string>{"--from", After(RecordedAt(end_[1])), "--to", "2199-12-31"},
        {"--period", "2199-01"},
        {"--from", "2000-01-01", "--to", RecordedAt(last_)}}) {
    std::vector<std::string> args = {"audit-package", "--out", Path("x"), "--key", Path("key")};
    args.insert(args.end(), period.begin(), period.end());
    const RunResult r = Run(args);
    EXPECT_EQ(r.code, 1) << period[1] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("after the last event the ledger has recorded (seq " +
                         std::to_string(last_) + ", recorded_at "),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("give a --to before that recorded_at"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "x"));
  }
  // Ending 1 ns before the last event's recorded_at: it has ended.
  const RunResult r = Run({"audit-package", "--from", "2000-01-01", "--to",
                           After(RecordedAt(last_), -1), "--out", Path("x"), "--key", Path("key")});
  EXPECT_EQ(r.code, 0) << r.err;
}

// Chained packages' periods meet exactly: the builder refuses a --from that
// leaves a gap after the previous period's end, or overlaps it, even when no
// event was recorded there; the verifier refuses such a chain too.
TEST_F(AuditPackageTest, ChainedPeriodsMeetExactly) {
  ImportThreePeriods();
  // p1 ends 2 ns after the last event of the first import, before the
  // second import's first (another process, later).
  const std::string p1_to = After(RecordedAt(end_[0]));
  int64_t p1_end_ns = 0, next_ns = 0;
  ASSERT_TRUE(events::ParseInstant(After(p1_to), &p1_end_ns).ok());
  ASSERT_TRUE(events::ParseInstant(RecordedAt(end_[0] + 1), &next_ns).ok());
  ASSERT_LT(p1_end_ns + 1, next_ns);
  RunResult r = Run({"audit-package", "--from", "2000-01-01", "--to", p1_to, "--out", Path("p1"),
                     "--key", Path("key")});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string p1_end = After(p1_to);
  // The summary gives the period as --from and --to gave it, both
  // inclusive, and the next package's --from: the instant after --to.
  EXPECT_NE(r.out.find("(recorded from 2000-01-01 through " + p1_to + ")"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nthe next package starts where this one ends: --from " + p1_end +
                       " --previous " + Path("p1") + "\n"),
            std::string::npos)
      << r.out;
  for (const auto& [from, words] : std::vector<std::pair<std::string, std::string>>{
           {p1_to, "would be in both"}, {After(p1_end), "would be in no package"}}) {
    r = Run({"audit-package", "--from", from, "--to", RecordedAt(end_[1]), "--out", Path("p2"),
             "--key", Path("key"), "--previous", Path("p1")});
    EXPECT_EQ(r.code, 1) << from << ": " << r.err;
    EXPECT_NE(r.err.find("MANIFEST: the previous package's period ends at " + p1_end),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(words), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("(--from " + p1_end + ")"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "p2"));
  }
  r = Run({"audit-package", "--from", p1_end, "--to", RecordedAt(end_[1]), "--out", Path("p2"),
           "--key", Path("key"), "--previous", Path("p1")});
  ASSERT_EQ(r.code, 0) << r.err;
  auto verify = [&](const std::string& dir) {
    return Verify(Path("p2"), dir, {"--previous", Path("p1")});
  };
  r = verify(Path("p2"));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  // The verifier's period is the MANIFEST's: it says the end is excluded.
  EXPECT_NE(r.out.find("recorded from " + p1_end + " up to but not including " +
                       After(RecordedAt(end_[1])) + ")"),
            std::string::npos)
      << r.out;
  // Re-signed with an earlier or a later start (the events still inside it).
  for (const std::string& start : {p1_to, After(p1_end)}) {
    r = EditAndResign(
        dir_, Path("key"),
        [&](const fs::path&, std::string* m) { EditText(m, "period [^ ]+", "period " + start); },
        verify);
    EXPECT_EQ(r.code, 3) << start << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("MANIFEST: the period starts at " + start +
                         "; the previous package's ends at " + p1_end),
              std::string::npos)
        << r.err;
  }
}

}  // namespace
}  // namespace ccl::tools::testing
