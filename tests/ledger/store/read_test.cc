// Reads (iterators, point reads, the known-at binary search), group commit
// from many threads, and read-only instances beside a writer.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <functional>
#include <set>
#include <thread>

#include "events/model/codec.h"
#include "ledger/store/range_iterator.h"
#include "tests/ledger/store/ledger_test_util.h"
#include "tests/testing/subprocess.h"

namespace ccl::ledger::testing {
namespace {

class LedgerReadTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(Open()); }
  void Open(bool sync = true) {
    ledger_.reset();
    Options o;
    o.create_if_missing = true;
    o.clock = &clock_;
    o.sync = sync;
    Status s = Ledger::Open(o, path(), &ledger_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::string path() const { return dir_.Sub("db"); }
  void MustAppend(const std::vector<Event>& batch) {
    AppendResult r;
    Status s = ledger_->Append(batch, AppendOptions(), &r);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // C1, C2 opened, then alternating bookings: seqs 1..n.
  void Fill(int bookings) {
    std::vector<Event> batch = {f_.Open("C1"), f_.Open("C2")};
    for (int i = 0; i < bookings; ++i) {
      batch.push_back(f_.Book(i % 2 ? "C2" : "C1", ServiceLine::kReactive, 1 + i % 100));
    }
    MustAppend(batch);
  }

  TempDir dir_;
  FakeClock clock_{At("2026-05-01T00:00:00Z")};
  EventFactory f_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerReadTest, IteratorFromSeqWithChainHashes) {
  Fill(20);
  std::unique_ptr<EventIterator> it = ledger_->NewIterator(5);
  uint64_t expected = 5;
  for (; it->Valid(); it->Next(), ++expected) {
    EXPECT_EQ(it->seq(), expected);
    EXPECT_EQ(it->event().seq, expected);
    Event e;
    std::string bytes;
    ASSERT_TRUE(ledger_->Get(expected, &e, &bytes).ok());
    EXPECT_EQ(it->bytes(), bytes);
    EXPECT_EQ(it->event(), e);
    Hash a, b;
    ASSERT_TRUE(it->chain_hash(&a).ok());
    ASSERT_TRUE(ledger_->GetChainHash(expected, &b).ok());
    EXPECT_EQ(a, b);
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(expected, 23u);
  EXPECT_FALSE(ledger_->NewIterator(23)->Valid());
  EXPECT_TRUE(ledger_->NewIterator(23)->status().ok());
  EXPECT_EQ(ledger_->NewIterator(0)->seq(), 1u);
}

TEST_F(LedgerReadTest, IteratorSeesTheHeadAsOfItsCreation) {
  Fill(4);
  std::unique_ptr<EventIterator> it = ledger_->NewIterator(1);
  std::unique_ptr<EventIterator> stream = ledger_->NewStreamIterator("C1");
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 5)});
  uint64_t n = 0;
  for (; it->Valid(); it->Next()) ++n;
  EXPECT_EQ(n, 6u);
  n = 0;
  for (; stream->Valid(); stream->Next()) ++n;
  EXPECT_EQ(n, 3u);
}

TEST_F(LedgerReadTest, StreamIteratorReadsOneContractInVersionOrder) {
  Fill(9);
  std::unique_ptr<EventIterator> it = ledger_->NewStreamIterator("C2", 2);
  uint64_t version = 2;
  for (; it->Valid(); it->Next(), ++version) {
    EXPECT_EQ(it->event().contract, "C2");
    EXPECT_EQ(it->event().stream_version, version);
    Hash a, b;
    ASSERT_TRUE(it->chain_hash(&a).ok());
    ASSERT_TRUE(ledger_->GetChainHash(it->seq(), &b).ok());
    EXPECT_EQ(a, b);
  }
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(version, 6u);  // versions 2..5 of C2 (open + 4 bookings)
  EXPECT_FALSE(ledger_->NewStreamIterator("C")->Valid());  // a prefix of C1/C2
  EXPECT_FALSE(ledger_->NewStreamIterator("C10")->Valid());
}

TEST_F(LedgerReadTest, StreamIteratorReadsTheCopiesAsTheLogReadsEvents) {
  Fill(9);
  for (const char* contract : {"C1", "C2"}) {
    uint64_t n = 0;
    for (auto it = ledger_->NewStreamIterator(contract); it->Valid(); it->Next(), ++n) {
      Event e;
      ASSERT_TRUE(ledger_->Get(it->seq(), &e).ok());
      EXPECT_EQ(e.event_id, it->event().event_id);
      EXPECT_EQ(e.minutes, it->event().minutes);
      EXPECT_EQ(e.contract, contract);
      auto by_seq = ledger_->NewIterator(it->seq());
      ASSERT_TRUE(by_seq->Valid());
      EXPECT_EQ(by_seq->bytes(), it->bytes()) << "seq " << it->seq();
    }
    EXPECT_GT(n, 2u);
  }
}

// A copy is decoded and checked like the log itself: one that fails its
// Verifier, or names another seq than its event carries, is Corruption.
TEST_F(LedgerReadTest, StreamIteratorRefusesABadCopy) {
  Fill(9);
  Event third;
  uint64_t third_seq = 0;
  {
    auto it = ledger_->NewStreamIterator("C1", 3);
    ASSERT_TRUE(it->Valid());
    third = it->event();
    third_seq = it->seq();
  }
  const std::string key = StreamKey("C1", 3);
  auto expect_refused = [&](const std::string& value, const std::string& what) {
    ledger_.reset();
    {
      RawDb raw(path());
      raw.Put(kCfStreams, key, value);
    }
    Options o;
    o.clock = &clock_;
    ASSERT_TRUE(Ledger::Open(o, path(), &ledger_).ok());
    auto it = ledger_->NewStreamIterator("C1");
    uint64_t n = 0;
    for (; it->Valid(); it->Next()) ++n;
    EXPECT_EQ(n, 2u);  // versions 1 and 2, then the bad copy
    EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
    EXPECT_NE(it->status().message().find(what), std::string::npos) << it->status().message();
  };
  std::string bytes, v;
  events::EncodeEvent(third, &bytes);
  StreamValueInto(third_seq, bytes.substr(0, bytes.size() / 2), &v);
  expect_refused(v, "seq " + std::to_string(third_seq) + ": ");
  StreamValueInto(third_seq + 1, bytes, &v);
  expect_refused(v, "does not match the stored event");
  expect_refused("short", "streams index: malformed entry in contract 'C1'");
}

// Everything the read-ahead iterator gives, next to the plain iterator over
// the same range: seq, bytes, decoded event and chain hash per event, then
// the status; returns the events read.
uint64_t ExpectSameAsPlainIterator(Ledger* ledger, uint64_t from_seq, uint64_t last_seq) {
  std::unique_ptr<EventIterator> ahead = ledger->NewReadAheadIterator(from_seq, last_seq);
  std::unique_ptr<EventIterator> plain = ledger->NewIterator(from_seq);
  uint64_t n = 0;
  for (; plain->Valid() && plain->seq() <= last_seq; plain->Next(), ahead->Next(), ++n) {
    EXPECT_TRUE(ahead->Valid()) << "seq " << plain->seq();
    if (!ahead->Valid()) return n;
    EXPECT_EQ(ahead->seq(), plain->seq());
    EXPECT_EQ(ahead->bytes(), plain->bytes());
    EXPECT_EQ(ahead->event(), plain->event()) << "seq " << plain->seq();
    if (n % 997 == 0) {
      Hash a, b;
      EXPECT_TRUE(ahead->chain_hash(&a).ok());
      EXPECT_TRUE(plain->chain_hash(&b).ok());
      EXPECT_EQ(a, b) << "seq " << plain->seq();
    }
  }
  EXPECT_FALSE(ahead->Valid()) << "seq " << ahead->seq() << " after " << last_seq;
  EXPECT_EQ(ahead->status().ToString(), plain->status().ToString());
  return n;
}

// More events than the read-ahead holds (8 batches of 1024), so its reader
// waits for the caller, and ranges that start or end inside a batch.
TEST_F(LedgerReadTest, ReadAheadIteratorReadsWhatTheIteratorReads) {
  Fill(12'000);
  const uint64_t head = ledger_->head().seq;
  EXPECT_EQ(ExpectSameAsPlainIterator(ledger_.get(), 1, UINT64_MAX), head);
  EXPECT_EQ(ExpectSameAsPlainIterator(ledger_.get(), 0, head), head);
  EXPECT_EQ(ExpectSameAsPlainIterator(ledger_.get(), 1000, 3000), 2001u);
  EXPECT_EQ(ExpectSameAsPlainIterator(ledger_.get(), 1024, 2048), 1025u);
  EXPECT_EQ(ExpectSameAsPlainIterator(ledger_.get(), head, UINT64_MAX), 1u);
  EXPECT_EQ(ExpectSameAsPlainIterator(ledger_.get(), head + 1, UINT64_MAX), 0u);
  EXPECT_EQ(ExpectSameAsPlainIterator(ledger_.get(), 50, 49), 0u);
}

TEST_F(LedgerReadTest, ReadAheadIteratorSeesTheHeadAsOfItsCreation) {
  Fill(3000);
  std::unique_ptr<EventIterator> it = ledger_->NewReadAheadIterator(1, UINT64_MAX);
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 5)});
  uint64_t n = 0;
  for (; it->Valid(); it->Next()) ++n;
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(n, 3002u);
}

// Destroyed before its end, wherever its reader is (filling, decoding,
// waiting for a free batch): it stops and joins, and the ledger is usable.
TEST_F(LedgerReadTest, ReadAheadIteratorAbandonedEarly) {
  Fill(20'000);
  for (int read : {0, 1, 1023, 1024, 5000}) {
    std::unique_ptr<EventIterator> it = ledger_->NewReadAheadIterator(1, UINT64_MAX);
    for (int i = 0; i < read && it->Valid(); ++i) it->Next();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->seq(), static_cast<uint64_t>(read) + 1);
  }
  MustAppend({f_.Book("C2", ServiceLine::kReactive, 5)});
}

// A damaged or missing event ends both iterators at the same seq with the
// same Corruption, however far ahead the reader had read.
TEST_F(LedgerReadTest, ReadAheadIteratorStopsAtTheFirstBadEventLikeTheIterator) {
  Fill(10'000);
  const uint64_t bad = 4321;
  auto reopen_after = [&](const std::function<void(RawDb*)>& damage) {
    ledger_.reset();
    {
      RawDb raw(path());
      damage(&raw);
    }
    Options o;
    o.clock = &clock_;
    ASSERT_TRUE(Ledger::Open(o, path(), &ledger_).ok());
  };
  ASSERT_NO_FATAL_FAILURE(reopen_after([&](RawDb* raw) {
    const std::string stored = raw->Get(kCfEvents, SeqKeyBytes(bad));
    raw->Put(kCfEvents, SeqKeyBytes(bad), stored.substr(0, stored.size() - 9));
  }));
  EXPECT_EQ(ExpectSameAsPlainIterator(ledger_.get(), 1, UINT64_MAX), bad - 1);
  std::unique_ptr<EventIterator> it = ledger_->NewReadAheadIterator(bad - 5, UINT64_MAX);
  while (it->Valid()) it->Next();
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  EXPECT_EQ(it->status().message().rfind("seq 4321: ", 0), 0u) << it->status().message();
  // A range that ends before it is whole, and OK.
  uint64_t n = 0;
  for (it = ledger_->NewReadAheadIterator(1, bad - 1); it->Valid(); it->Next()) ++n;
  EXPECT_EQ(n, bad - 1);
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();

  it.reset();
  ASSERT_NO_FATAL_FAILURE(
      reopen_after([&](RawDb* raw) { raw->Delete(kCfEvents, SeqKeyBytes(bad)); }));
  EXPECT_EQ(ExpectSameAsPlainIterator(ledger_.get(), 1, UINT64_MAX), bad - 1);
  it = ledger_->NewReadAheadIterator(1, UINT64_MAX);
  while (it->Valid()) it->Next();
  EXPECT_NE(it->status().message().find("seq 4321: missing"), std::string::npos)
      << it->status().message();
}

// NewRangeIterator reads ahead over a long range, and then ends after it;
// over a short one it is the plain iterator, which goes on to the head.
TEST_F(LedgerReadTest, RangeIteratorReadsAheadOnlyOverALongRange) {
  Fill(static_cast<int>(kReadAheadEventsMin));
  const uint64_t head = ledger_->head().seq;
  auto last_read = [&](uint64_t from, uint64_t last) {
    std::unique_ptr<EventIterator> it = NewRangeIterator(ledger_.get(), from, last);
    uint64_t seq = 0;
    for (; it->Valid(); it->Next()) seq = it->seq();
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return seq;
  };
  EXPECT_EQ(last_read(1, head - 1), head - 1);  // kReadAheadEventsMin + 1 events
  EXPECT_EQ(last_read(0, UINT64_MAX), head);
  EXPECT_EQ(last_read(1, 100), head);
  EXPECT_EQ(last_read(head - 5, UINT64_MAX), head);
}

TEST_F(LedgerReadTest, PointReads) {
  Fill(2);
  Event e;
  EXPECT_TRUE(ledger_->Get(0, &e).IsNotFound());
  EXPECT_TRUE(ledger_->Get(5, &e).IsNotFound());
  Event by_seq;
  ASSERT_TRUE(ledger_->Get(3, &by_seq).ok());
  ASSERT_TRUE(ledger_->GetByEventId(by_seq.event_id, &e).ok());
  EXPECT_EQ(e, by_seq);
  EXPECT_TRUE(ledger_->GetByEventId(f_.NextId(), &e).IsNotFound());
  Hash h;
  ASSERT_TRUE(ledger_->GetChainHash(0, &h).ok());
  EXPECT_EQ(h, GenesisHash(ledger_->ledger_id()));
  EXPECT_TRUE(ledger_->GetChainHash(5, &h).IsNotFound());
  EXPECT_GT(ledger_->DiskBytes(), 0u);
}

TEST_F(LedgerReadTest, ProjectionStateRoundTrip) {
  std::string v;
  EXPECT_TRUE(ledger_->GetProjectionState("balances", &v).IsNotFound());
  ASSERT_TRUE(ledger_->PutProjectionState("balances", std::string("\0\1state", 7)).ok());
  ASSERT_TRUE(ledger_->GetProjectionState("balances", &v).ok());
  EXPECT_EQ(v, std::string("\0\1state", 7));
}

TEST_F(LedgerReadTest, LastSeqRecordedAtOrBefore) {
  const int64_t t1 = At("2026-05-01T00:00:00Z");
  const int64_t t2 = At("2026-05-02T00:00:00Z");
  const int64_t t3 = At("2026-05-03T00:00:00Z");
  uint64_t seq = 99;
  ASSERT_TRUE(ledger_->LastSeqRecordedAtOrBefore(t3, &seq).ok());
  EXPECT_EQ(seq, 0u);  // empty ledger
  clock_.Set(t1);
  Fill(3);  // seqs 1..5 at t1
  clock_.Set(t2);
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 1)});  // 6 at t2
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 1)});  // 7 at t2
  clock_.Set(t3);
  for (int i = 0; i < 20; ++i) MustAppend({f_.Book("C2", ServiceLine::kReactive, 1)});  // 8..27

  const std::pair<int64_t, uint64_t> cases[] = {
      {t1 - 1, 0}, {t1, 5},  {t2 - 1, 5},     {t2, 7},
      {t2 + 1, 7}, {t3, 27}, {INT64_MAX, 27}, {INT64_MIN, 0},
  };
  for (const auto& [t, want] : cases) {
    ASSERT_TRUE(ledger_->LastSeqRecordedAtOrBefore(t, &seq).ok());
    EXPECT_EQ(seq, want) << "t=" << t;
  }
}

// 8 threads appending single events at once: every append succeeds, seqs are
// gap-free, every thread's events keep their order, and the ledger verifies.
TEST_F(LedgerReadTest, GroupCommitFromEightThreads) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  std::vector<std::vector<Event>> work(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    const std::string c = "T" + std::to_string(t);
    work[t].push_back(f_.Open(c));
    for (int i = 0; i < kPerThread; ++i) {
      // Shared contract C0 too, so threads contend on one stream.
      work[t].push_back(i % 3 == 0 ? f_.Book(c, ServiceLine::kProactive, 1)
                                   : f_.Book(c, ServiceLine::kReactive, 1));
    }
  }
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const Event& e : work[t]) {
        AppendResult r;
        Status s = ledger_->Append({&e, 1}, AppendOptions(), &r);
        if (!s.ok() || r.appended != 1) {
          failures++;
          continue;
        }
        seqs[t].push_back(r.outcomes[0].seq);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<uint64_t> all;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(std::is_sorted(seqs[t].begin(), seqs[t].end()));
    all.insert(seqs[t].begin(), seqs[t].end());
    uint64_t v = 0;
    ASSERT_TRUE(ledger_->StreamVersion("T" + std::to_string(t), &v).ok());
    EXPECT_EQ(v, uint64_t{kPerThread} + 1);
  }
  const uint64_t n = uint64_t{kThreads} * (kPerThread + 1);
  EXPECT_EQ(all.size(), n);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), n);
  EXPECT_EQ(ledger_->head().seq, n);
  VerifyReport report;
  Status s = ledger_->Verify(VerifyProgress(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// A rejected batch in a group does not affect the others in it.
TEST_F(LedgerReadTest, GroupCommitRejectsOnlyTheBadBatch) {
  MustAppend({f_.Open("C1")});
  constexpr int kThreads = 8;
  std::vector<std::vector<Event>> work(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < 50; ++i) {
      // Odd threads book on a line C1 lacks: always rejected.
      work[t].push_back(
          f_.Book("C1", t % 2 ? ServiceLine::kDesignatedEngineering : ServiceLine::kReactive, 1));
    }
  }
  std::atomic<int> ok{0}, rejected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const Event& e : work[t]) {
        AppendResult r;
        Status s = ledger_->Append({&e, 1}, AppendOptions(), &r);
        (s.ok() ? ok : rejected)++;
        if (!s.ok()) {
          EXPECT_TRUE(s.IsRuleViolation()) << s.ToString();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(rejected.load(), 200);
  EXPECT_EQ(ledger_->head().seq, 201u);
  VerifyReport report;
  EXPECT_TRUE(ledger_->Verify(VerifyProgress(), &report).ok());
}

TEST_F(LedgerReadTest, ReadOnlyInstanceBesideAWriter) {
  Fill(4);
  std::unique_ptr<Ledger> ro = OpenLedgerAt(path(), /*read_only=*/true);
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->head().seq, 6u);
  EXPECT_EQ(ro->head().hash, ledger_->head().hash);
  EXPECT_EQ(ro->ledger_id(), ledger_->ledger_id());
  Event e;
  ASSERT_TRUE(ro->Get(6, &e).ok());

  MustAppend({f_.Book("C1", ServiceLine::kReactive, 7), f_.Book("C2", ServiceLine::kReactive, 8)});
  EXPECT_EQ(ro->head().seq, 6u);  // until Refresh
  ASSERT_TRUE(ro->Refresh().ok());
  EXPECT_EQ(ro->head().seq, 8u);
  EXPECT_EQ(ro->head().hash, ledger_->head().hash);
  ASSERT_TRUE(ro->Get(8, &e).ok());
  EXPECT_EQ(e.minutes, 8);
  uint64_t n = 0;
  for (auto it = ro->NewStreamIterator("C1"); it->Valid(); it->Next()) ++n;
  EXPECT_EQ(n, 4u);

  AppendResult r;
  Event more = f_.Book("C1", ServiceLine::kReactive, 1);
  EXPECT_TRUE(ro->Append({&more, 1}, AppendOptions(), &r).IsInvalidArgument());
  EXPECT_TRUE(ro->PutProjectionState("x", "y").IsInvalidArgument());
}

// A bulk append goes to RocksDB as ingested SST files, not through the WAL: a
// read-only instance must still see it after Refresh, and a reopen keep it.
TEST_F(LedgerReadTest, IngestedBulkAppendIsSeenByReadersAndReopen) {
  ledger_.reset();
  Options o;
  o.create_if_missing = true;
  o.clock = &clock_;
  o.bulk_ingest_bytes_min = 1;  // every append takes the bulk path
  ASSERT_TRUE(Ledger::Open(o, path(), &ledger_).ok());
  Fill(50);
  std::unique_ptr<Ledger> ro = OpenLedgerAt(path(), /*read_only=*/true);
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->head().seq, 52u);
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 3)});
  ASSERT_TRUE(ro->Refresh().ok());
  EXPECT_EQ(ro->head().seq, 53u);
  Event e;
  ASSERT_TRUE(ro->Get(53, &e).ok());
  EXPECT_EQ(e.minutes, 3);
  VerifyReport report;
  Status s = ro->Verify(VerifyProgress(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  const Head head = ledger_->head();
  ledger_.reset();
  ASSERT_TRUE(Ledger::Open(o, path(), &ledger_).ok());
  EXPECT_EQ(ledger_->head().hash, head.hash);
  EXPECT_FALSE(std::filesystem::exists(path() + "/ccl-ingest"));
  s = ledger_->Verify(VerifyProgress(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// A follower sees a bulk append after one Refresh, with no later append
// through the WAL to carry it there (`tail --follow` while a large import
// goes in). A secondary instance that has already caught up with the
// writer's current MANIFEST learns the sequence numbers of ingested files
// from nothing but the WAL, so an ingestion alone stayed invisible to it.
TEST_F(LedgerReadTest, BulkAppendIsSeenByAReaderThatCaughtUpBefore) {
  Fill(2);
  ledger_.reset();
  std::unique_ptr<Ledger> ro = OpenLedgerAt(path(), /*read_only=*/true);
  ASSERT_NE(ro, nullptr);
  Options o;
  o.clock = &clock_;
  o.bulk_ingest_bytes_min = 1;  // every append takes the bulk path
  ASSERT_TRUE(Ledger::Open(o, path(), &ledger_).ok());
  ASSERT_TRUE(ro->Refresh().ok());  // reads the MANIFEST the writer's open wrote
  EXPECT_EQ(ro->head().seq, 4u);
  for (uint64_t want : {5u, 6u}) {
    MustAppend({f_.Book("C1", ServiceLine::kReactive, 3)});
    ASSERT_TRUE(ro->Refresh().ok());
    EXPECT_EQ(ro->head().seq, want);
    EXPECT_EQ(ro->head().hash, ledger_->head().hash);
    uint64_t last = 0;
    for (auto it = ro->NewIterator(1); it->Valid(); it->Next()) last = it->seq();
    EXPECT_EQ(last, want);
  }
}

// The child half of ReadOnlyInAnotherProcess: runs only when spawned by it.
TEST(LedgerReadOnlyChild, OpensAndChecks) {
  const char* path = getenv("CCL_LEDGER_RO_PATH");
  const char* want = getenv("CCL_LEDGER_RO_HEAD");
  if (path == nullptr || want == nullptr) GTEST_SKIP() << "spawned by ReadOnlyInAnotherProcess";
  std::unique_ptr<Ledger> ro = OpenLedgerAt(path, /*read_only=*/true);
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->head().seq, std::stoull(want));
  VerifyReport report;
  const Status s = ro->Verify(VerifyProgress(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(LedgerReadTest, ReadOnlyInAnotherProcess) {
  Fill(10);
  subprocess::SpawnOptions o;
  o.env_extra = {"CCL_LEDGER_RO_PATH=" + path(),
                 "CCL_LEDGER_RO_HEAD=" + std::to_string(ledger_->head().seq)};
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const pid_t pid =
      subprocess::Spawn({self, "--gtest_filter=LedgerReadOnlyChild.OpensAndChecks"}, o).pid;
  ASSERT_GT(pid, 0);
  const int status = subprocess::ReapStatus(pid);
  ASSERT_NE(status, -1);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the read-only child process failed (see its output)";
  // The writer is unaffected and still appends.
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 1)});
}

}  // namespace
}  // namespace ccl::ledger::testing
