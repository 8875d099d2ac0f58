// Test helpers for the audit layer on a real ledger: a small ledger of valid
// events, and a tamperer with direct RocksDB access to a CLOSED ledger that
// rewrites events and can recompute everything derived from them (chain,
// head, Merkle tree), as someone with write access to the files would.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "events/model/codec.h"
#include "ledger/merkle/merkle.h"
#include "ledger/merkle/merkle_store.h"
#include "ledger/store/keys.h"
#include "ledger/store/ledger.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {

// Every column family of a closed ledger, with default options.
class Tamperer {
 public:
  explicit Tamperer(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (int i = 0; i < kCfCount; ++i) {
      cfs.emplace_back(kColumnFamilyNames[i], rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path, cfs, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~Tamperer() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(ColumnFamilyId id) { return handles_[id]; }

  // The stored events, in seq order.
  std::vector<std::string> Events() {
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kCfEvents)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->value().ToString());
    return out;
  }

  // Leaves stored at tile level 0 (the tree's size).
  uint64_t TreeSize() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kCfMerkle)));
    it->SeekForPrev(MerkleTileKey(0, UINT64_MAX));
    if (!it->Valid() || it->key()[0] != 0) return 0;
    uint64_t index = 0;
    for (size_t i = 1; i < 9; ++i) index = index << 8 | static_cast<uint8_t>(it->key()[i]);
    return index * kTileWidth + it->value().size() / 32;
  }

  // Appends the leaves of the events the tree does not have yet. A no-op when
  // the ledger's append maintains the tree; the audit tests call it so they
  // run the same either way.
  void ExtendTree() {
    const std::vector<std::string> events = Events();
    const uint64_t have = TreeSize();
    if (have >= events.size()) return;
    std::unique_ptr<MerkleStore> store;
    ASSERT_TRUE(MerkleStore::Open(db(), cf(kCfMerkle), have, &store).ok());
    rocksdb::WriteBatch batch;
    std::vector<std::string> rest(events.begin() + static_cast<std::ptrdiff_t>(have), events.end());
    ASSERT_TRUE(
        store->AppendLeaves(have + 1, std::span<const std::string>(rest), &batch, cf(kCfMerkle))
            .ok());
    ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
  }

  // Replaces the events by `events` (seq 1..n, their stored seq fields set to
  // match); with `rechain` also the chain hashes and the head; with `retree`
  // also the whole Merkle tree. What a tamperer with the files can do.
  void Rewrite(std::vector<events::Event> events, bool rechain, bool retree) {
    rocksdb::WriteBatch b;
    ASSERT_TRUE(b.DeleteRange(cf(kCfEvents), SeqKeyBytes(0), SeqKeyBytes(UINT64_MAX)).ok());
    std::vector<std::string> bytes;
    for (size_t i = 0; i < events.size(); ++i) {
      events[i].seq = i + 1;
      bytes.emplace_back();
      events::EncodeEvent(events[i], &bytes.back());
      ASSERT_TRUE(b.Put(cf(kCfEvents), SeqKeyBytes(i + 1), bytes.back()).ok());
    }
    if (rechain) {
      ASSERT_TRUE(b.DeleteRange(cf(kCfChain), SeqKeyBytes(0), SeqKeyBytes(UINT64_MAX)).ok());
      std::string id;
      ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), cf(kCfMeta), kMetaLedgerId, &id).ok());
      events::Uuid uuid;
      std::copy(id.begin(), id.end(), uuid.begin());
      Head head;
      head.hash = GenesisHash(uuid);
      for (size_t i = 0; i < bytes.size(); ++i) {
        head.hash = ChainHash(head.hash, i + 1, bytes[i]);
        head.seq = i + 1;
        head.recorded_at_ns = events[i].recorded_at_ns;
        ASSERT_TRUE(b.Put(cf(kCfChain), SeqKeyBytes(i + 1),
                          std::string(reinterpret_cast<const char*>(head.hash.data()), 32))
                        .ok());
      }
      ASSERT_TRUE(b.Put(cf(kCfMeta), kMetaHead, EncodeHead(head)).ok());
    }
    if (retree) {
      ASSERT_TRUE(b.DeleteRange(cf(kCfMerkle), std::string(1, '\0'), std::string(1, '\x7f')).ok());
    }
    ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &b).ok());
    if (retree) ExtendTree();
  }

  // The stored events, decoded.
  std::vector<events::Event> Decoded() {
    std::vector<events::Event> out;
    for (const std::string& bytes : Events()) {
      out.emplace_back();
      EXPECT_TRUE(events::DecodeEvent(bytes, &out.back()).ok());
    }
    return out;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// A ledger in a temporary folder, filled with one contract's bookings.
class AuditLedger {
 public:
  AuditLedger() : clock_(At("2026-03-01T09:00:00Z")) {}

  const std::string& path() const { return dir_.path(); }
  Ledger* get() { return ledger_.get(); }
  TempDir& dir() { return dir_; }

  Status Open() {
    Options o;
    o.create_if_missing = true;
    o.clock = &clock_;
    o.sync = false;
    return Ledger::Open(o, dir_.path(), &ledger_);
  }
  void Close() { ledger_.reset(); }

  // Appends `n` events (the contract first), then makes sure the tree covers
  // them (see Tamperer::ExtendTree) and reopens.
  void Append(int n) {
    std::vector<events::Event> batch;
    for (int i = 0; i < n; ++i) {
      clock_.Advance(1'000'000'000);
      if (!opened_) {
        batch.push_back(factory_.Open("C-1"));
        opened_ = true;
      } else {
        batch.push_back(factory_.Book("C-1", ServiceLine::kReactive, 10 + i % 50));
      }
    }
    AppendResult r;
    Status s = ledger_->Append(batch, AppendOptions(), &r);
    ASSERT_TRUE(s.ok()) << s.ToString();
    Close();
    Tamperer(path()).ExtendTree();
    ASSERT_TRUE(Open().ok());
  }

  EventFactory& factory() { return factory_; }

 private:
  TempDir dir_;
  FakeClock clock_;
  EventFactory factory_;
  bool opened_ = false;
  std::unique_ptr<Ledger> ledger_;
};

// When the audit tests' digests say they were made: 2026-03-31T23:59:59Z.
inline constexpr int64_t kDigestTimeNs = 1'775'001'599'000'000'000;

// A test of the audit layer on an AuditLedger of its own, open once SetUp
// has run (a fixture that adds to SetUp calls this one first, under
// ASSERT_NO_FATAL_FAILURE).
class AuditLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(ledger_.Open().ok()); }

  AuditLedger ledger_;
};

}  // namespace ccl::ledger::testing
