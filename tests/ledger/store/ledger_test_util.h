// Test helpers for the ledger: a temporary folder, a settable clock, the
// event factory (tests/events/model/event_factory.h), and direct RocksDB access for
// corrupting a closed ledger.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "events/base/time_format.h"
#include "events/model/event.h"
#include "events/model/uuid.h"
#include "ledger/store/keys.h"
#include "ledger/store/ledger.h"
#include "tests/events/model/event_factory.h"
#include "tests/testing/files.h"

namespace ccl::ledger::testing {

using events::Event;
using events::EventType;
using events::Overage;
using events::ServiceLine;

using test_files::TempDir;

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_ns) : now_ns_(now_ns) {}
  int64_t NowNs() override { return now_ns_.load(); }
  void Set(int64_t ns) { now_ns_.store(ns); }
  void Advance(int64_t ns) { now_ns_.fetch_add(ns); }

 private:
  std::atomic<int64_t> now_ns_;
};

using events::testing::AmendLine;
using events::testing::At;
using events::testing::Day;
using events::testing::EventFactory;

// Direct access to a CLOSED ledger's RocksDB, to damage it the way a bug or
// a tamperer would. Opens every column family with default options.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    rocksdb::DBOptions o;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (int i = 0; i < kCfCount; ++i)
      cfs.emplace_back(kColumnFamilyNames[i], rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, path, cfs, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~RawDb() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }

  std::string Get(ColumnFamilyId cf, std::string_view key) {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[cf], key, &v);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return v;
  }
  void Put(ColumnFamilyId cf, std::string_view key, std::string_view value) {
    rocksdb::Status s = db_->Put(rocksdb::WriteOptions(), handles_[cf], key, value);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void Delete(ColumnFamilyId cf, std::string_view key) {
    rocksdb::Status s = db_->Delete(rocksdb::WriteOptions(), handles_[cf], key);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  // Every key and value of every column family, for byte-for-byte comparisons.
  std::map<std::string, std::string> Dump() {
    std::map<std::string, std::string> all;
    for (int i = 0; i < kCfCount; ++i) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[i]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        all[std::string(kColumnFamilyNames[i]) + "/" + it->key().ToString()] =
            it->value().ToString();
      }
    }
    return all;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// A fresh ledger on a fake clock, with helpers to append and to expect a
// rule's rejection.
class AppendFixture : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    ledger_.reset();
    Options o;
    o.create_if_missing = true;
    o.clock = &clock_;
    Status s = Ledger::Open(o, path(), &ledger_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::string path() const { return dir_.Sub("db"); }

  Status Append(const std::vector<Event>& batch, AppendResult* r = nullptr,
                const AppendOptions& options = AppendOptions()) {
    AppendResult local;
    return ledger_->Append(batch, options, r != nullptr ? r : &local);
  }
  void MustAppend(const std::vector<Event>& batch) {
    Status s = Append(batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Expects a RuleViolation at batch index 0 whose message is
  // "event <id>: <rule>..." and contains `rule`, and nothing written.
  void ExpectRule(const Event& e, const std::string& rule) {
    AppendResult r;
    const Head before = ledger_->head();
    Status s = Append({e}, &r);
    EXPECT_EQ(ledger_->head().seq, before.seq);
    EXPECT_EQ(ledger_->head().hash, before.hash);
    EXPECT_TRUE(s.IsRuleViolation()) << s.ToString();
    EXPECT_EQ(r.failed_index, 0u);
    EXPECT_EQ(s.message().rfind("event " + events::FormatUuid(e.event_id) + ": ", 0), 0u)
        << s.message();
    EXPECT_NE(s.message().find(rule), std::string::npos) << s.message();
  }
  uint64_t Version(const std::string& contract) {
    uint64_t v = 0;
    EXPECT_TRUE(ledger_->StreamVersion(contract, &v).ok());
    return v;
  }

  TempDir dir_;
  FakeClock clock_{At("2026-05-01T00:00:00Z")};
  EventFactory f_;
  std::unique_ptr<Ledger> ledger_;
};

inline std::string SeqKeyBytes(uint64_t seq) { return std::string(SeqKey(seq).view()); }

// The ledger at `path`: a writer that creates it when missing, or a
// read-only instance beside a writer (with read_only); nullptr, and a test
// failure, when it does not open. A small block cache, as tests read little.
inline std::unique_ptr<Ledger> OpenLedgerAt(const std::string& path, bool read_only,
                                            Clock* clock = nullptr) {
  Options o;
  o.create_if_missing = !read_only;
  o.read_only = read_only;
  o.clock = clock;
  o.block_cache_bytes = 8 << 20;
  std::unique_ptr<Ledger> l;
  Status s = Ledger::Open(o, path, &l);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return l;
}

}  // namespace ccl::ledger::testing
