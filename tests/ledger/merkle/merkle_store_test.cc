// The tile store on a real RocksDB (a plain DB with a `merkle` column family,
// independent of the ledger): appends in random batches, reopen, roots and
// proofs of every size against an in-memory tree, and the integrity checks on
// open.
#include "ledger/merkle/merkle_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <bit>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/testing/files.h"

namespace ccl::ledger {
namespace {

class MerkleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenDb(); }
  void TearDown() override { CloseDb(); }

  void OpenDb() {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {kMerkleColumnFamily, rocksdb::ColumnFamilyOptions()}};
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_.string(), cfs, &handles_, &db).ok());
    db_.reset(db);
  }
  void CloseDb() {
    store_.reset();
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    db_.reset();
  }
  rocksdb::ColumnFamilyHandle* cf() { return handles_[1]; }

  std::string EventBytes(uint64_t seq) {
    std::string s = "event-" + std::to_string(seq) + "-";
    s.append(static_cast<size_t>(rng_() % 300), static_cast<char>('a' + seq % 26));
    return s;
  }

  // Appends `count` events through the store in one WriteBatch, mirrors them
  // in the in-memory tree.
  void Append(uint64_t count) {
    std::vector<std::string> bytes;
    const uint64_t first = memory_.size() + 1;
    for (uint64_t i = 0; i < count; ++i) {
      bytes.push_back(EventBytes(first + i));
      memory_.AddLeafHash(EventLeafHash(first + i, bytes.back()));
    }
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(
        store_->AppendLeaves(first, std::span<const std::string>(bytes), &batch, cf()).ok());
    ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
    store_->CommitAppend();
  }

  void CheckAgainstMemory(std::mt19937_64& rng) {
    const uint64_t n = memory_.size();
    ASSERT_EQ(store_->size(), n);
    Hash want;
    ASSERT_TRUE(TreeRoot(&memory_, n, &want).ok());
    ASSERT_EQ(store_->root(), want);
    for (int probe = 0; probe < 8 && n > 0; ++probe) {
      const uint64_t size = 1 + rng() % n;
      Hash got;
      ASSERT_TRUE(store_->RootAt(size, &got).ok());
      ASSERT_TRUE(TreeRoot(&memory_, size, &want).ok());
      ASSERT_EQ(got, want) << size;
      const uint64_t index = rng() % size;
      std::vector<Hash> path, want_path;
      ASSERT_TRUE(store_->InclusionPath(index, size, &path).ok());
      ASSERT_TRUE(MakeInclusionPath(&memory_, index, size, &want_path).ok());
      ASSERT_EQ(path, want_path) << index << "/" << size;
      Hash leaf;
      ASSERT_TRUE(store_->LeafHashAt(index + 1, &leaf).ok());
      ASSERT_TRUE(VerifyInclusion(index, size, leaf, path, want).ok());
      const uint64_t old_size = rng() % (size + 1);
      ASSERT_TRUE(store_->ConsistencyPath(old_size, size, &path).ok());
      ASSERT_TRUE(MakeConsistencyPath(&memory_, old_size, size, &want_path).ok());
      ASSERT_EQ(path, want_path) << old_size << "->" << size;
    }
  }

  test_files::TempDir tmp_{"merkle_store_test"};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<MerkleStore> store_;
  MemoryNodeReader memory_;
  std::mt19937_64 rng_{42};
};

TEST_F(MerkleStoreTest, RandomBatchesReopenAndProofsMatchMemoryTree) {
  const uint64_t seed = std::random_device{}();
  std::printf("RandomBatchesReopenAndProofsMatchMemoryTree seed=%llu\n",
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  CheckAgainstMemory(rng);
  while (memory_.size() < 3000) {
    // Mostly small batches (single appends), now and then a bulk import.
    const uint64_t count = (rng() % 10 == 0) ? 1 + rng() % 700 : 1 + rng() % 5;
    Append(count);
    CheckAgainstMemory(rng);
    if (rng() % 25 == 0) {
      const uint64_t size = store_->size();
      CloseDb();
      OpenDb();
      ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), size, &store_).ok()) << size;
      CheckAgainstMemory(rng);
    }
  }
}

TEST_F(MerkleStoreTest, EveryPrefixSizeAfterSingleAppends) {
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  for (int i = 0; i < 300; ++i) {
    Append(1);
    // Reopening at every size exercises every shape of the right edge.
    Status s = MerkleStore::Open(db_.get(), cf(), memory_.size(), &store_);
    ASSERT_TRUE(s.ok()) << memory_.size() << ": " << s.ToString();
    Hash want;
    ASSERT_TRUE(TreeRoot(&memory_, memory_.size(), &want).ok());
    ASSERT_EQ(store_->root(), want);
    for (uint64_t size = 1; size <= memory_.size(); size += 7) {
      Hash got;
      ASSERT_TRUE(store_->RootAt(size, &got).ok());
      ASSERT_TRUE(TreeRoot(&memory_, size, &want).ok());
      ASSERT_EQ(got, want);
    }
  }
}

// The frontier of every prefix, read from the tiles, is the one an in-memory
// frontier reaches by appending the same leaves, and gives the prefix's root.
TEST_F(MerkleStoreTest, FrontierAtEverySizeMatchesAppendingTheLeaves) {
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  Append(300);
  MerkleFrontier appended;
  for (uint64_t size = 0; size <= 300; ++size) {
    MerkleFrontier read;
    ASSERT_TRUE(store_->FrontierAt(size, &read).ok()) << size;
    EXPECT_EQ(read.size(), size);
    EXPECT_EQ(read.nodes(), appended.nodes()) << size;
    EXPECT_EQ(static_cast<size_t>(std::popcount(size)), read.nodes().size());
    Hash want;
    ASSERT_TRUE(TreeRoot(&memory_, size, &want).ok());
    EXPECT_EQ(read.Root(), want) << size;
    if (size < 300) {
      Hash leaf;
      ASSERT_TRUE(store_->LeafHashAt(size + 1, &leaf).ok());
      appended.Append(leaf);
    }
  }
  MerkleFrontier beyond;
  EXPECT_TRUE(store_->FrontierAt(301, &beyond).IsInvalidArgument());
}

TEST_F(MerkleStoreTest, OpenRejectsTreeAheadOrBehindTheEvents) {
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  Append(37);
  for (uint64_t wrong : {0ull, 1ull, 16ull, 32ull, 36ull, 38ull, 48ull, 1000ull}) {
    Status s = MerkleStore::Open(db_.get(), cf(), wrong, &store_);
    EXPECT_TRUE(s.IsCorruption()) << wrong << ": " << s.ToString();
  }
  EXPECT_TRUE(MerkleStore::Open(db_.get(), cf(), 37, &store_).ok());
  // A reader that read its size before a writer appended more sees that prefix.
  for (uint64_t size : {0ull, 1ull, 16ull, 17ull, 36ull, 37ull}) {
    std::unique_ptr<MerkleStore> reader;
    ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), size, &reader, /*may_have_grown=*/true).ok())
        << size;
    Hash want;
    ASSERT_TRUE(TreeRoot(&memory_, size, &want).ok());
    EXPECT_EQ(reader->root(), want) << size;
    EXPECT_EQ(reader->size(), size);
  }
  std::unique_ptr<MerkleStore> reader;
  EXPECT_TRUE(MerkleStore::Open(db_.get(), cf(), 38, &reader, true).IsCorruption());
}

TEST_F(MerkleStoreTest, AbortedAppendLeavesNoTrace) {
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  Append(20);
  const Hash before = store_->root();
  {
    rocksdb::WriteBatch batch;  // staged, never written
    std::vector<std::string> bytes = {"x", "y", "z"};
    ASSERT_TRUE(store_->AppendLeaves(21, std::span<const std::string>(bytes), &batch, cf()).ok());
    EXPECT_EQ(store_->size(), 20u);  // not visible before commit
    store_->AbortAppend();
  }
  EXPECT_EQ(store_->root(), before);
  Append(5);  // seq 21 again
  std::mt19937_64 rng(1);
  CheckAgainstMemory(rng);
}

TEST_F(MerkleStoreTest, SeveralCallsInOneBatchAndGapsRejected) {
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  rocksdb::WriteBatch batch;
  std::vector<std::string> a = {"a1", "a2", "a3"}, b = {"b1", "b2"};
  ASSERT_TRUE(store_->AppendLeaves(1, std::span<const std::string>(a), &batch, cf()).ok());
  EXPECT_TRUE(
      store_->AppendLeaves(5, std::span<const std::string>(b), &batch, cf()).IsInvalidArgument());
  ASSERT_TRUE(store_->AppendLeaves(4, std::span<const std::string>(b), &batch, cf()).ok());
  ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
  store_->CommitAppend();
  for (uint64_t i = 0; i < 3; ++i) memory_.AddLeafHash(EventLeafHash(i + 1, a[i]));
  for (uint64_t i = 0; i < 2; ++i) memory_.AddLeafHash(EventLeafHash(i + 4, b[i]));
  std::mt19937_64 rng(2);
  CheckAgainstMemory(rng);
  std::vector<std::string_view> c = {"c"};
  rocksdb::WriteBatch batch2;
  EXPECT_TRUE(store_->AppendLeaves(5, c, &batch2, cf()).IsInvalidArgument());
  EXPECT_TRUE(store_->AppendLeaves(7, c, &batch2, cf()).IsInvalidArgument());
  Hash h;
  std::vector<Hash> path;
  EXPECT_TRUE(store_->RootAt(6, &h).IsInvalidArgument());
  EXPECT_TRUE(store_->InclusionPath(5, 5, &path).IsInvalidArgument());
  EXPECT_TRUE(store_->ConsistencyPath(1, 6, &path).IsInvalidArgument());
  EXPECT_TRUE(store_->LeafHashAt(0, &h).IsInvalidArgument());
  EXPECT_TRUE(store_->LeafHashAt(6, &h).IsInvalidArgument());
}

// Pipelined appends: batch B is staged over batch A before A is written.
// Each commit shows exactly its own batch's tree; aborting what was staged
// after a mark goes back to that mark, not to the committed tree.
TEST_F(MerkleStoreTest, MarkedBatchesCommitInOrderAndAbortKeepsTheMarks) {
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  Append(10);
  const auto stage = [&](uint64_t first, uint64_t n, rocksdb::WriteBatch* batch) {
    std::vector<std::string> bytes;
    for (uint64_t seq = first; seq < first + n; ++seq) bytes.push_back(EventBytes(seq));
    EXPECT_TRUE(store_->AppendLeaves(first, std::span<const std::string>(bytes), batch, cf()).ok());
    return bytes;
  };
  rocksdb::WriteBatch a, b, dropped;
  const std::vector<std::string> a_bytes = stage(11, 7, &a);
  store_->MarkStaged();
  const std::vector<std::string> b_bytes = stage(18, 20, &b);
  store_->MarkStaged();
  stage(38, 3, &dropped);  // a third batch fails before its write
  store_->AbortAppend();
  EXPECT_EQ(store_->size(), 10u);  // nothing committed yet

  ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &a).ok());
  store_->CommitMarked();
  for (uint64_t i = 0; i < a_bytes.size(); ++i) {
    memory_.AddLeafHash(EventLeafHash(11 + i, a_bytes[i]));
  }
  std::mt19937_64 rng(4);
  CheckAgainstMemory(rng);  // size 17: A's tree, none of B's leaves

  ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &b).ok());
  store_->CommitMarked();
  for (uint64_t i = 0; i < b_bytes.size(); ++i) {
    memory_.AddLeafHash(EventLeafHash(18 + i, b_bytes[i]));
  }
  CheckAgainstMemory(rng);
  Append(4);  // seq 38 again: the aborted leaves left no trace
  CheckAgainstMemory(rng);
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 41, &store_).ok());
  CheckAgainstMemory(rng);
}

TEST_F(MerkleStoreTest, StagedWritersPutEachPartialTileOnce) {
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  Append(20);  // tile (0, 1) partial with 4 entries
  // A group commit of 30 single-event writers (seq 21..50): they fill tiles
  // (0, 1) and (0, 2) and start (0, 3); tile (1, 0) grows to 3 entries.
  rocksdb::WriteBatch batch;
  for (uint64_t seq = 21; seq <= 50; ++seq) {
    const std::string bytes = EventBytes(seq);
    const Hash leaf = EventLeafHash(seq, bytes);
    memory_.AddLeafHash(leaf);
    ASSERT_TRUE(store_->StageLeafHashes(seq, std::span<const Hash>(&leaf, 1), &batch, cf()).ok());
  }
  ASSERT_TRUE(store_->PutPartialTiles(&batch, cf()).ok());
  // Puts: full tiles (0, 1) and (0, 2) once each, partial (0, 3) and (1, 0)
  // once each, however many writers touched them.
  EXPECT_EQ(batch.Count(), 4u);
  ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
  store_->CommitAppend();
  std::mt19937_64 rng(3);
  CheckAgainstMemory(rng);
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 50, &store_).ok());
  CheckAgainstMemory(rng);
}

TEST_F(MerkleStoreTest, MalformedTileIsCorruptionNotCrash) {
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  Append(40);
  for (size_t bad_size : {0ul, 1ul, 31ul, 33ul, 17ul * 32}) {
    ASSERT_TRUE(
        db_->Put(rocksdb::WriteOptions(), cf(), MerkleTileKey(0, 1), std::string(bad_size, '\x5a'))
            .ok());
    Hash h;
    Status s = store_->LeafHashAt(20, &h);
    EXPECT_TRUE(s.IsCorruption()) << bad_size << ": " << s.ToString();
    std::vector<Hash> path;
    EXPECT_TRUE(store_->InclusionPath(21, 40, &path).IsCorruption());
    EXPECT_TRUE(MerkleStore::Open(db_.get(), cf(), 40, &store_).IsCorruption());
  }
}

TEST_F(MerkleStoreTest, BulkAppendWritesAboutOneKeyPerFifteenEvents) {
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  Append(10000);
  uint64_t keys = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++keys;
  // Level 0: 625 full tiles. Level 1: 625 entries = 39 full tiles + 1 partial.
  // Level 2: 39 entries = 2 full + 1 partial. Level 3: 2 entries, 1 partial.
  EXPECT_EQ(keys, 625u + 40u + 3u + 1u);
}

TEST_F(MerkleStoreTest, CheckerFindsTreesThatDoNotMatchTheirEvents) {
  ASSERT_TRUE(MerkleStore::Open(db_.get(), cf(), 0, &store_).ok());
  Append(300);
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < 300; ++i) {
    Hash h;
    ASSERT_TRUE(memory_.ReadNode(0, i, &h).ok());
    leaves.push_back(h);
  }
  // Feeds `n` leaves (with leaf `edited_seq` changed) and returns the first error.
  uint64_t bad_seq = 0;
  auto check = [&](uint64_t n, uint64_t edited_seq) {
    MerkleTreeChecker checker(db_.get(), cf());
    bad_seq = 0;
    for (uint64_t seq = 1; seq <= n; ++seq) {
      Hash h = leaves[seq - 1];
      if (seq == edited_seq) h[0] ^= 1;
      Status s = checker.Add(seq, h);
      if (!s.ok()) {
        bad_seq = checker.bad_seq();
        return s;
      }
    }
    Status s = checker.Finish();
    bad_seq = checker.bad_seq();
    if (s.ok()) {
      EXPECT_EQ(checker.root(), store_->root());
    }
    return s;
  };
  EXPECT_TRUE(check(300, 0).ok());
  Status s = check(300, 123);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(bad_seq, 123u) << s.ToString();
  s = check(300, 300);  // in the partial rightmost tile
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(bad_seq, 300u) << s.ToString();
  s = check(299, 0);  // the tree is longer than the events
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  s = check(250, 0);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  // An upper tile rewritten: named by tile and the range of events under it.
  std::string tile;
  ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), cf(), MerkleTileKey(1, 0), &tile).ok());
  std::string bad = tile;
  bad[32 * 5] ^= 1;
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf(), MerkleTileKey(1, 0), bad).ok());
  s = check(300, 0);
  EXPECT_NE(s.message().find("seq 81..96"), std::string::npos) << s.ToString();
  EXPECT_EQ(bad_seq, 81u);
  // A tile that cannot be decoded is damage at its first seq too (it was
  // reported at seq 0, while verify's summary named another seq).
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf(), MerkleTileKey(1, 0), tile.substr(1)).ok());
  s = check(300, 0);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(bad_seq, 1u) << s.ToString();
  std::string leaf_tile;
  ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), cf(), MerkleTileKey(0, 2), &leaf_tile).ok());
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf(), MerkleTileKey(0, 2), "x").ok());
  s = check(300, 0);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(bad_seq, 33u) << s.ToString();
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf(), MerkleTileKey(0, 2), leaf_tile).ok());
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf(), MerkleTileKey(1, 0), tile).ok());
  // A stray tile beyond the right edge, or a key that is no tile.
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf(), MerkleTileKey(0, 40), tile).ok());
  EXPECT_TRUE(check(300, 0).IsCorruption());
  ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), cf(), MerkleTileKey(0, 40)).ok());
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf(), "junk", "x").ok());
  EXPECT_TRUE(check(300, 0).IsCorruption());
  ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), cf(), "junk").ok());
  EXPECT_TRUE(check(300, 0).ok());
}

TEST_F(MerkleStoreTest, TileKeysAreLevelThenBigEndianIndex) {
  EXPECT_EQ(MerkleTileKey(2, 0x0102030405060708ull),
            std::string("\x02\x01\x02\x03\x04\x05\x06\x07\x08", 9));
}

}  // namespace
}  // namespace ccl::ledger
