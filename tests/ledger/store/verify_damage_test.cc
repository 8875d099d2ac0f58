// Verify over a ledger whose table files have a damaged block (RocksDB's
// checksums fail while a scan reads it): the seq named is the first one the
// damage kept from being checked, never one picked for want of a better;
// for a table whose keys are not seqs, none is named but the file is.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/ledger/store/ledger_test_util.h"
#include "tests/ledger/store/table_damage_util.h"

namespace ccl::ledger::testing {
namespace {

namespace fs = std::filesystem;

class VerifyDamageTest : public ::testing::Test {
 protected:
  // A ledger of 4 contracts and 4,000 bookings, every event in table files
  // of many blocks each; closed again.
  void SetUp() override {
    Options o;
    o.create_if_missing = true;
    o.clock = &clock_;
    o.bulk_ingest_bytes_min = 1;  // events in table files, as after a large import
    std::unique_ptr<Ledger> l;
    ASSERT_TRUE(Ledger::Open(o, path(), &l).ok());
    std::vector<Event> batch;
    for (const char* c : {"C1", "C2", "C3", "C4"}) batch.push_back(f_.Open(c));
    for (int i = 0; i < 4000; ++i) {
      batch.push_back(f_.Book("C" + std::to_string(1 + i % 4), ServiceLine::kReactive, 1));
    }
    AppendResult r;
    const Status s = l->Append(batch, AppendOptions(), &r);
    ASSERT_TRUE(s.ok()) << s.ToString();
    head_ = l->head();
  }

  std::string path() const { return dir_.Sub("db"); }

  // Damages the middle of the table file of `cf` (a copy of it kept) and
  // returns its path; Repair puts the copy back.
  std::string DamageTableOf(ColumnFamilyId cf) {
    const std::string file = TableFileOf(path(), cf);
    if (file.empty()) return file;
    fs::copy_file(file, kept(), fs::copy_options::overwrite_existing);
    DamageMiddleOf(file);
    return file;
  }
  void Repair(const std::string& file) {
    fs::copy_file(kept(), file, fs::copy_options::overwrite_existing);
  }
  std::string kept() const { return dir_.Sub("kept.sst"); }

  // Verify through a reader, as `ledgerctl verify` runs it.
  Status VerifyAsReader(VerifyReport* report) {
    std::unique_ptr<Ledger> l = OpenLedgerAt(path(), true);
    if (l == nullptr) return Status::IOError("not opened");
    return l->Verify(VerifyProgress(), report);
  }

  TempDir dir_;
  FakeClock clock_{At("2026-05-01T00:00:00Z")};
  EventFactory f_;
  Head head_;
};

// The events and the chain hashes are read in seq order: the seq named is
// the first key of the damaged block, the first the scan could not check.
TEST_F(VerifyDamageTest, ADamagedBlockOfATableInSeqOrderNamesItsFirstSeq) {
  for (const ColumnFamilyId cf : {kCfEvents, kCfChain}) {
    SCOPED_TRACE(kColumnFamilyNames[cf]);
    const std::string file = DamageTableOf(cf);
    ASSERT_FALSE(file.empty());
    const uint64_t hidden = FirstSeqHiddenIn(file);
    ASSERT_GT(hidden, 1u) << "the middle of the file is not in a data block";
    ASSERT_LT(hidden, head_.seq) << "the middle of the file is not in a data block";

    VerifyReport report;
    const Status s = VerifyAsReader(&report);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(report.first_bad_seq, hidden) << s.ToString();
    EXPECT_EQ(report.damaged_table, fs::path(file).filename().string()) << s.ToString();
    Repair(file);
  }
}

// The `ids` and `streams` indexes are read in the order of their keys (ids,
// contracts): a damaged block names no seq, only the file.
TEST_F(VerifyDamageTest, ADamagedBlockOfAnIndexNamesTheFileAndNoSeq) {
  for (const ColumnFamilyId cf : {kCfIds, kCfStreams}) {
    SCOPED_TRACE(kColumnFamilyNames[cf]);
    const std::string file = DamageTableOf(cf);
    ASSERT_FALSE(file.empty());
    std::string last;
    ASSERT_TRUE(ReadUpToDamage(file, &last)) << "the middle of the file is not in a data block";

    VerifyReport report;
    const Status s = VerifyAsReader(&report);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(report.first_bad_seq, 0u) << s.ToString();
    EXPECT_EQ(report.damaged_table, fs::path(file).filename().string()) << s.ToString();
    EXPECT_NE(s.message().find(fs::path(file).filename().string()), std::string::npos)
        << s.ToString();
    Repair(file);
  }
  VerifyReport report;
  const Status s = VerifyAsReader(&report);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace ccl::ledger::testing
