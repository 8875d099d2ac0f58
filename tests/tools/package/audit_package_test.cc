// `ledgerctl audit-package` end to end: packages of consecutive periods of a
// generated ledger, checked by the package's own verify_package.py (run with
// python3 as an auditor would); every file of a package changed by one byte,
// and previous packages of another ledger, must make it fail.
#include "tests/tools/package/audit_package_fixture.h"

namespace ccl::tools::testing {
namespace {

TEST_F(AuditPackageTest, ConsecutivePackagesVerifyAndChain) {
  BuildTwoPackages();
  RunResult r = Verify(Path("p1"), Path("p1"));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK: " + std::to_string(end_[0]) + " events"), std::string::npos) << r.out;
  // Pinned to the published key, and chained to the previous package.
  ASSERT_EQ(Run({"show", "1"}).code, 0);
  const std::string origin = Lines(ReadFile(dir_ / "p2" / "checkpoint"))[0];
  r = Run({"vkey", "--key", Path("key.pub"), "--name", origin});
  ASSERT_EQ(r.code, 0) << r.err;
  WriteFile(dir_ / "published.vkey", r.out);
  r = Verify(Path("p2"), Path("p2"), {"--vkey", Path("published.vkey"), "--previous", Path("p1")});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("consistency with the previous package"), std::string::npos) << r.out;
  // The second period reverses bookings of the first and approves a
  // reversal asked for in it: the pending reversal and the bookings travel
  // with it, and the figures still recompute.
  EXPECT_GT(fs::file_size(dir_ / "p2" / "targets.bin"), 0u);
  EXPECT_GT(fs::file_size(dir_ / "p2" / "pending.bin"), 0u);
  // The end state digests are the ledger's own replay digests at that seq.
  r = Run({"replay", "--projection", "balances", "--digest", "--known-at", RecordedAt(end_[1])});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string manifest = ReadFile(dir_ / "p2" / "MANIFEST");
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(manifest, m, std::regex("state balances v1 [0-9a-f]{64} ([0-9a-f]{64})")));
  EXPECT_NE(r.out.find(m[1].str()), std::string::npos) << r.out << manifest;
  // A package that would skip a period, or repeat part of one, is not the
  // previous package's successor: it is refused, naming the seqs that would
  // be in no package (or in two), and nothing is written. The verifier
  // refuses such a chain too (it said OK to its builder's "consistent").
  // (An import records its events at one instant, the third the ledger's
  // last: the period between the second and the third, empty, has ended.)
  r = Run({"audit-package", "--from", After(RecordedAt(end_[1])), "--to",
           After(RecordedAt(end_[1] + 1), -1), "--out", Path("p3"), "--key", Path("key"),
           "--previous", Path("p1")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("the previous package ends at seq " + std::to_string(end_[0])),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("seqs " + std::to_string(end_[0] + 1) + ".." + std::to_string(end_[1]) +
                       " would be in no package"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "p3"));
  r = Run({"audit-package", "--from", "2000-01-01", "--to", RecordedAt(end_[1]), "--out",
           Path("p4"), "--key", Path("key"), "--previous", Path("p1")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("seqs 1.." + std::to_string(end_[0]) + " would be in both"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "p4"));
  // A key that is not the published one is refused.
  ASSERT_EQ(Run({"keygen", "--out", Path("other")}).code, 0);
  r = Run({"vkey", "--key", Path("other.pub"), "--name", origin});
  WriteFile(dir_ / "other.vkey", r.out);
  r = Verify(Path("p2"), Path("p2"), {"--vkey", Path("other.vkey")});
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("log.vkey: is not the trusted key of --vkey " + Path("other.vkey")),
            std::string::npos)
      << r.err;
  // So is the published key under another name, in words naming both names.
  r = Run({"vkey", "--key", Path("key.pub"), "--name", "renamed.example/log"});
  WriteFile(dir_ / "renamed.vkey", r.out);
  r = Verify(Path("p2"), Path("p2"), {"--vkey", Path("renamed.vkey")});
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(
      r.err.find("log.vkey: the key names differ: it names its key \"" + origin + "\", --vkey " +
                 Path("renamed.vkey") + " names the same key \"renamed.example/log\""),
      std::string::npos)
      << r.err;
}

// One byte changed at the start, the middle and the end of each file in turn
// (a fresh copy each time): the package's own verifier fails, naming the file.
TEST_F(AuditPackageTest, EveryFileChangedByOneByteFailsNamingIt) {
  BuildTwoPackages();
  const std::vector<std::string> files = PackageFiles(dir_ / "p2");
  ASSERT_GE(files.size(), 24u);  // the verifier is six of them
  for (const std::string& name : files) {
    const uintmax_t size = fs::file_size(dir_ / "p2" / name);
    ASSERT_GT(size, 0u) << name;
    for (uintmax_t at : {uintmax_t{0}, size / 2, size - 1}) {
      const fs::path copy = dir_ / "copy";
      fs::remove_all(copy);
      fs::copy(dir_ / "p2", copy, fs::copy_options::recursive);
      std::string bytes = ReadFile(copy / name);
      bytes[at] = static_cast<char>(bytes[at] ^ 0x20);
      WriteFile(copy / name, bytes);
      const RunResult r = Verify(Path("p2"), copy.string());
      EXPECT_EQ(r.code, 3) << name << " byte " << at << "\n" << r.out << r.err;
      EXPECT_NE(r.err.find(name.substr(name.rfind('/') + 1)), std::string::npos)
          << name << " byte " << at << ": " << r.err;
      // The edited package's own verifier stops at its edited module too,
      // before running any of it (its main file, whoever edits the package
      // can replace: an auditor runs a trusted copy).
      if (name.rfind("verify_", 0) == 0 && name != "verify_package.py") {
        const RunResult own = Verify(copy.string(), copy.string());
        EXPECT_EQ(own.code, 3) << name << " byte " << at << "\n" << own.out << own.err;
        EXPECT_NE(own.err.find(name + ": SHA-256"), std::string::npos) << name << ": " << own.err;
      }
    }
  }
  // A file added or removed is named too.
  const fs::path copy = dir_ / "copy";
  WriteFile(copy / "extra.txt", "x");
  EXPECT_NE(Verify(Path("p2"), copy.string()).err.find("extra.txt"), std::string::npos);
  fs::remove_all(copy);
  fs::copy(dir_ / "p2", copy, fs::copy_options::recursive);
  fs::remove(copy / "margins.jsonl");
  const RunResult r = Verify(Path("p2"), copy.string());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("margins.jsonl"), std::string::npos) << r.err;
}

TEST_F(AuditPackageTest, AResignedPackageWithWrongContentFailsItsRecomputation) {
  BuildTwoPackages();
  auto verify = [&](const std::string& dir) { return Verify(Path("p2"), dir); };
  // Unchanged but re-signed: still OK (the edits below are what fails).
  RunResult r = EditAndResign(
      dir_, Path("key"), [](const fs::path&, std::string*) {}, verify);
  ASSERT_EQ(r.code, 0) << r.err;
  struct Case {
    std::string what, expect;
    std::function<void(const fs::path&, std::string*)> edit;
  };
  const std::vector<Case> cases = {
      {"a balance", "balances.jsonl",
       [](const fs::path& d, std::string*) {
         EditFile(d / "balances.jsonl", "\"consumed_minutes\":([0-9]+)",
                  "\"consumed_minutes\":1$1");
       }},
      {"a margin", "margins.jsonl",
       [](const fs::path& d, std::string*) {
         EditFile(d / "margins.jsonl", "\"cost_minor\":([0-9]+)", "\"cost_minor\":1$1");
       }},
      {"an event's JSON form", "events.jsonl: line 5 is not",
       [](const fs::path& d, std::string*) {
         std::vector<std::string> lines = Lines(ReadFile(d / "events.jsonl"));
         lines[4] = std::regex_replace(lines[4], std::regex("\"actor\":\""), "\"actor\":\"x");
         std::string all;
         for (const std::string& l : lines) all += l + "\n";
         WriteFile(d / "events.jsonl", all);
       }},
      {"the earlier reversal targets", "targets.bin",
       [](const fs::path& d, std::string*) { WriteFile(d / "targets.bin", ""); }},
      {"the frontier", "Merkle root",
       [](const fs::path&, std::string* m) {
         EditText(m, "frontier (\\d+) [0-9a-f]{64}", "frontier $1 " + std::string(64, 'a'));
       }},
      {"the period", "outside the period",
       [](const fs::path&, std::string* m) {
         EditText(m, "period [^\n]*", "period 2000-01-01T00:00:00Z 2000-01-02T00:00:00Z");
       }},
      {"the chain before", "chain hash",
       [](const fs::path&, std::string* m) {
         EditText(m, "chain-before [0-9a-f]{64}", "chain-before " + std::string(64, 'a'));
       }},
      {"a start state", "margins state digest",
       [](const fs::path& d, std::string* m) {
         std::string state = ReadFile(d / "margins.start.state");
         state[state.size() - 1] = static_cast<char>(state[state.size() - 1] ^ 1);
         WriteFile(d / "margins.start.state", state);
         EditText(m, "state margins v1 [0-9a-f]{64}",
                  "state margins v1 " + ledger::HexEncode(ledger::Sha256(state)));
       }},
  };
  for (const Case& c : cases) {
    r = EditAndResign(dir_, Path("key"), c.edit, verify);
    EXPECT_EQ(r.code, 3) << c.what << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.what << ": " << r.err;
  }
}

// (seq, stored bytes) of each BE64 seq || BE32 length || bytes record of a
// package's .bin file.
std::vector<std::pair<uint64_t, std::string>> Records(const std::string& data) {
  std::vector<std::pair<uint64_t, std::string>> out;
  for (size_t at = 0; at + 12 <= data.size();) {
    uint64_t seq = 0;
    uint32_t n = 0;
    for (int i = 0; i < 8; ++i) seq = seq << 8 | static_cast<uint8_t>(data[at + i]);
    for (int i = 8; i < 12; ++i) n = n << 8 | static_cast<uint8_t>(data[at + i]);
    out.emplace_back(seq, data.substr(at + 12, n));
    at += 12 + n;
  }
  return out;
}

std::string Record(uint64_t seq, const std::string& bytes) {
  std::string out;
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(seq >> (8 * i)));
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(bytes.size() >> (8 * i)));
  return out + bytes;
}

std::vector<uint64_t> RecordSeqs(const fs::path& file) {
  std::vector<uint64_t> seqs;
  for (const auto& [seq, bytes] : Records(ReadFile(file))) seqs.push_back(seq);
  return seqs;
}

// Changes asked for in one period and decided in the next, as every month
// does: alice's reversals and funding cut of the first import (seq 1..9) wait
// for approval; in the second (seq 10..13) bob approves the reversal of seq 3
// and the cut, rejects the reversal of seq 4 and leaves the one of seq 5
// pending. p1 packages the first, p2 the second.
class AuditPackageApprovalTest : public AuditPackageTest {
 protected:
  static std::string Event(const std::string& id, const std::string& type, const std::string& actor,
                           const std::string& rest) {
    return R"({"event_id":"00000000-0000-4000-8000-0000000000)" + id + R"(","type":")" + type +
           R"(",)" + (type == "ApprovalPolicySet" ? "" : R"("contract":"C-1",)") +
           R"("effective_at":"2025-01-03T09:00:00Z","actor":")" + actor + R"(","source":"test",)" +
           rest + "}\n";
  }
  static std::string Id(const std::string& id) {
    return "\"00000000-0000-4000-8000-0000000000" + id + "\"";
  }

  void BuildApprovalPackages() {
    Init();
    const std::string asked =
        Event("a0", "ApprovalPolicySet", "controller",
              R"("types":"EntryReversed,ContractAmended","threshold_minutes":60)") +
        kOpened + "\n" + Booking("00000000-0000-4000-8000-000000000001", 30) + "\n" +
        Booking("00000000-0000-4000-8000-000000000002", 45) + "\n" +
        Booking("00000000-0000-4000-8000-000000000004", 20) + "\n" +
        Event("b1", "EntryReversed", "alice",
              R"("target_event_id":)" + Id("01") + R"(,"reason":"wrong contract")") +
        Event("b2", "EntryReversed", "alice",
              R"("target_event_id":)" + Id("02") + R"(,"reason":"duplicate")") +
        Event("b3", "EntryReversed", "alice",
              R"("target_event_id":)" + Id("04") + R"(,"reason":"to be checked")") +
        Event("b4", "ContractAmended", "alice",
              R"("reason":"scope cut","lines":[{"service_line":"reactive",)"
              R"("funded_minutes_delta":-120}])");
    const std::string decided =
        Booking("00000000-0000-4000-8000-000000000003", 15) + "\n" +
        Event("c1", "Approved", "bob", R"("target_event_id":)" + Id("b1")) +
        Event("c2", "Approved", "bob", R"("target_event_id":)" + Id("b4")) +
        Event("c3", "Rejected", "bob", R"("target_event_id":)" + Id("b2") + R"(,"reason":"no")");
    WriteFile(dir_ / "asked.jsonl", asked);
    WriteFile(dir_ / "decided.jsonl", decided);
    RunResult r = Run({"import", Path("asked.jsonl")});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(Lines(Run({"pending", "--format", "csv"}).out).size(), 5u);  // a header, 4 asked
    r = Run({"import", Path("decided.jsonl")});
    ASSERT_EQ(r.code, 0) << r.err;
    // A later booking (seq 14): a package ends before the ledger's last
    // recorded_at, so the period of seq 10..13 has ended.
    WriteFile(dir_ / "later.jsonl", Booking("00000000-0000-4000-8000-000000000005", 10) + "\n");
    ASSERT_EQ(Run({"import", Path("later.jsonl")}).code, 0);
    ASSERT_EQ(Run({"keygen", "--out", Path("key")}).code, 0);
    r = Run({"audit-package", "--from", "2000-01-01", "--to", RecordedAt(9), "--out", Path("p1"),
             "--key", Path("key")});
    ASSERT_EQ(r.code, 0) << r.err;
    r = Run({"audit-package", "--from", After(RecordedAt(9)), "--to", RecordedAt(13), "--out",
             Path("p2"), "--key", Path("key"), "--previous", Path("p1")});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_NE(r.out.find("events 10..13"), std::string::npos) << r.out;
    // Seqs 6 and 9 approved in the period, and seq 3, the target of 6.
    EXPECT_NE(r.out.find(", 2 approved pending events and 1 reversal target from before,"),
              std::string::npos)
        << r.out;
  }
};

TEST_F(AuditPackageApprovalTest, AnApprovalOfAnEarlierPendingEventIsFoldedAtItsApproval) {
  BuildApprovalPackages();
  RunResult r = Verify(Path("p1"), Path("p1"));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  r = Verify(Path("p2"), Path("p2"), {"--previous", Path("p1")});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK: 4 events"), std::string::npos) << r.out;
  // The approved reversal and funding cut travel with the period that
  // approves them, the reversal's own target too; the rejected reversal and
  // the one still pending change no figure and do not.
  EXPECT_EQ(RecordSeqs(dir_ / "p2" / "pending.bin"), (std::vector<uint64_t>{6, 9}));
  EXPECT_EQ(RecordSeqs(dir_ / "p2" / "targets.bin"), std::vector<uint64_t>{3});
  EXPECT_EQ(fs::file_size(dir_ / "p1" / "pending.bin"), 0u);
  // Funded 600 - 120, consumed 30 + 45 + 20 + 15 - 30.
  EXPECT_NE(ReadFile(dir_ / "p2" / "balances.jsonl")
                .find(R"("funded_minutes":480,"consumed_minutes":80,)"),
            std::string::npos)
      << ReadFile(dir_ / "p2" / "balances.jsonl");
  // The end states the verifier recomputed (it checks them against the
  // MANIFEST's end digests) are the ledger's own.
  const std::string manifest = ReadFile(dir_ / "p2" / "MANIFEST");
  for (const std::string name : {"balances", "margins"}) {
    r = Run({"replay", "--projection", name, "--digest", "--known-at", RecordedAt(13)});
    ASSERT_EQ(r.code, 0) << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(manifest, m,
                                  std::regex("state " + name + " v1 [0-9a-f]{64} ([0-9a-f]{64})")));
    EXPECT_NE(r.out.find(m[1].str()), std::string::npos) << name << ": " << r.out << manifest;
  }
}

// pending.bin is committed by the MANIFEST like every file; re-signed, a
// record missing, added, repeated or not approved in the period still fails,
// naming it.
TEST_F(AuditPackageApprovalTest, AnEarlierPendingEventMissingOrSuperfluousFailsNamingIt) {
  BuildApprovalPackages();
  std::string pending = ReadFile(dir_ / "p2" / "pending.bin");
  for (size_t at : {size_t{0}, pending.size() / 2, pending.size() - 1}) {
    const fs::path copy = dir_ / "copy";
    fs::remove_all(copy);
    fs::copy(dir_ / "p2", copy, fs::copy_options::recursive);
    std::string bytes = pending;
    bytes[at] = static_cast<char>(bytes[at] ^ 0x20);
    WriteFile(copy / "pending.bin", bytes);
    const RunResult r = Verify(Path("p2"), copy.string());
    EXPECT_EQ(r.code, 3) << at << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("pending.bin"), std::string::npos) << at << ": " << r.err;
  }
  std::map<uint64_t, std::string> p1;
  for (auto& [seq, bytes] : Records(ReadFile(dir_ / "p1" / "events.bin"))) p1[seq] = bytes;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"missing", Record(9, p1[9])},
      {"not pending", pending + Record(3, p1[3])},
      {"carried twice", pending + Record(9, p1[9])},
      {"rejected in the period", pending + Record(7, p1[7])},
      {"still pending", pending + Record(8, p1[8])},
      {"under another seq", Record(6, p1[6]) + Record(8, p1[9])},
  };
  for (const auto& [what, content] : cases) {
    const RunResult r = EditAndResign(
        dir_, Path("key"),
        [&, &content = content](const fs::path& d, std::string*) {
          WriteFile(d / "pending.bin", content);
        },
        [&](const std::string& d) { return Verify(Path("p2"), d); });
    EXPECT_EQ(r.code, 3) << what << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("pending.bin"), std::string::npos) << what << ": " << r.err;
  }
}

TEST_F(AuditPackageTest, APreviousPackageOfAnotherHistoryIsRefused) {
  BuildTwoPackages();
  // Another ledger with the same first file: same events, another ledger id.
  const std::string other_db = Path("other-db");
  ASSERT_EQ(Run({"--db", other_db, "init"}, "", false).code, 0);
  ASSERT_EQ(Run({"--db", other_db, "import", Path("part0.jsonl")}, "", false).code, 0);
  ASSERT_EQ(Run({"--db", other_db, "import", Path("part1.jsonl")}, "", false).code, 0);
  RunResult r = Run({"--db", other_db, "show", std::to_string(end_[0])}, "", false);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("\"recorded_at\": *\"([^\"]+)\""))) << r.out;
  r = Run({"--db", other_db, "audit-package", "--from", "2000-01-01", "--to", m[1].str(), "--out",
           Path("q1"), "--key", Path("key")},
          "", false);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Verify(Path("q1"), Path("q1")).code, 0);
  // The builder refuses to chain to it (exit 3) and writes nothing.
  r = Run({"audit-package", "--from", RecordedAt(end_[0] + 1), "--to", RecordedAt(end_[1]), "--out",
           Path("p2b"), "--key", Path("key"), "--previous", Path("q1")});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("not of"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "p2b"));
  // The verifier refuses p2 as the successor of q1.
  r = Verify(Path("p2"), Path("p2"), {"--previous", Path("q1")});
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.err.find("previous.checkpoint"), std::string::npos) << r.err;
}

// An ECDSA P-256 key (for validated modules without EdDSA) signs a package
// the verifier checks with its own P-256 code; a changed signature fails.
TEST_F(AuditPackageTest, AnEcdsaSignedPackageVerifies) {
  ImportThreePeriods();
  ASSERT_EQ(Run({"keygen", "--out", Path("ekey"), "--algorithm", "ecdsa-p256"}).code, 0);
  RunResult r = Run({"audit-package", "--from", RecordedAt(end_[0] + 1), "--to",
                     RecordedAt(end_[1]), "--out", Path("pe"), "--key", Path("ekey")});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Verify(Path("pe"), Path("pe"));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  std::string manifest = ReadFile(dir_ / "pe" / "MANIFEST");
  manifest[manifest.size() - 10] = manifest[manifest.size() - 10] == 'A' ? 'B' : 'A';
  WriteFile(dir_ / "pe" / "MANIFEST", manifest);
  r = Verify(Path("pe"), Path("pe"));
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.err.find("MANIFEST"), std::string::npos) << r.err;
}

TEST_F(AuditPackageTest, OutMustBeNewOrEmptyAndOptionsAreChecked) {
  ImportThreePeriods();
  fs::create_directories(dir_ / "full");
  WriteFile(dir_ / "full" / "keep.txt", "mine");
  RunResult r = Run({"audit-package", "--from", "2000-01-01", "--to", RecordedAt(end_[1]), "--out",
                     Path("full"), "--key", Path("key")});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(PackageFiles(dir_ / "full"), std::vector<std::string>{"keep.txt"});
  // Never into the ledger's own folder.
  r = Run({"audit-package", "--from", "2000-01-01", "--to", RecordedAt(end_[1]), "--out",
           db_ + "/pkg", "--key", Path("key")});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_FALSE(fs::exists(db_ + "/pkg"));
  fs::create_directories(dir_ / "empty");
  r = Run({"audit-package", "--from", "2000-01-01", "--to", RecordedAt(end_[1]), "--out",
           Path("empty"), "--key", Path("key")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Verify(Path("empty"), Path("empty")).code, 0);
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--period", "2026-13"},
        {"--from", "2026-01-01"},
        {"--period", "2026-01", "--from", "2026-01-01", "--to", "2026-01-02"}}) {
    std::vector<std::string> args = {"audit-package", "--out", Path("x"), "--key", Path("key")};
    args.insert(args.end(), bad.begin(), bad.end());
    EXPECT_EQ(Run(args).code, 2) << bad[0];
  }
  r = Run({"audit-package", "--from", "2026-02-01", "--to", "2026-01-01", "--out", Path("x"),
           "--key", Path("key")});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

// A period in which nothing was recorded (an imported history's events are
// all recorded on the import's day) still makes a package, one that proves
// the period empty, and says how periods select events.
TEST_F(AuditPackageTest, AnEmptyPeriodIsAPackageAndTheNoteSaysWhy) {
  ImportThreePeriods();
  const RunResult r = Run({"audit-package", "--from", "2000-01-01", "--to", "2000-01-31", "--out",
                           Path("none"), "--key", Path("key")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("no events"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("recorded_at"), std::string::npos) << r.err;
  EXPECT_EQ(Verify(Path("none"), Path("none")).code, 0);
}

// A month closed before any contract opened seals no totals: its
// events.jsonl line carries "sealed_totals":[] as log --json prints it, and
// the verifier's JSON form of the stored close must be the same.
TEST_F(AuditPackageTest, ACloseWithNoSealedTotalsVerifies) {
  Init();
  WriteFile(
      dir_ / "in.jsonl",
      std::string(R"({"event_id":"00000000-0000-4000-8000-0000000000c1","type":"PeriodClosed",)"
                  R"("effective_at":"2024-12-01","actor":"controller","source":"test",)"
                  R"("period":"2024-11"})") +
          "\n" + kOpened + "\n" + Booking("00000000-0000-4000-8000-000000000001", 30) + "\n");
  ASSERT_EQ(Run({"import", Path("in.jsonl")}).code, 0);
  WriteFile(dir_ / "later.jsonl", Booking("00000000-0000-4000-8000-000000000002", 15) + "\n");
  ASSERT_EQ(Run({"import", Path("later.jsonl")}).code, 0);
  ASSERT_EQ(Run({"keygen", "--out", Path("key")}).code, 0);
  RunResult r = Run({"audit-package", "--from", "2000-01-01", "--to", RecordedAt(3), "--out",
                     Path("p"), "--key", Path("key")});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string events = ReadFile(dir_ / "p" / "events.jsonl");
  ASSERT_NE(events.find(R"("sealed_totals":[])"), std::string::npos) << events;
  r = Verify(Path("p"), Path("p"));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK: 3 events"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ccl::tools::testing
