// The access log: record bytes and their checks, the chain (append, read
// back, reopen, genesis), records carried by an append, verification of
// damage, ledgers written before the access log, and the filters.
#include <gtest/gtest.h>

#include <thread>

#include "events/base/hex.h"
#include "events/base/limits.h"
#include "tests/ledger/store/ledger_test_util.h"
#include "tests/testing/codec.h"

namespace ccl::ledger::testing {
namespace {

AccessRecord Request(std::string principal, uint16_t status, std::string contract = "") {
  AccessRecord r;
  r.kind = AccessKind::kRequest;
  r.time_ns = At("2026-05-01T10:00:00Z");
  r.principal = std::move(principal);
  r.auth = r.principal.empty() ? AuthMethod::kNone : AuthMethod::kCertificate;
  r.client = "127.0.0.1";
  r.method = "GET";
  r.route = "/v1/reports/balance";
  if (!contract.empty()) r.params.push_back({"contract", std::move(contract)});
  r.params.push_back({"as_of", "2026-04-30"});
  r.status = status;
  r.rows = 3;
  r.bytes = 420;
  return r;
}

std::vector<AccessEntry> ReadAll(Ledger* l, uint64_t from = 1) {
  std::vector<AccessEntry> out;
  Status s = l->ReadAccess(from, [&](const AccessEntry& e) {
    out.push_back(e);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(AccessRecordTest, EncodesAndDecodesEveryField) {
  AccessRecord r = Request("alice", 200, "C-1");
  r.kind = AccessKind::kPolicyReload;
  r.auth = AuthMethod::kToken;
  r.time_ns = -5;  // signed, as stored
  r.first_seq = 7;
  r.last_seq = 9;
  EXPECT_EQ(test_codec::RoundTrip(r, EncodeAccessRecord, DecodeAccessRecord), r);
}

TEST(AccessRecordTest, DecodeRefusesEveryMalformedForm) {
  std::string bytes;
  EncodeAccessRecord(Request("alice", 200, "C-1"), &bytes);
  test_codec::ExpectTruncationsAndTrailingBytesRefused<AccessRecord>(bytes, DecodeAccessRecord);
  AccessRecord out;
  std::string bad = bytes;
  bad[0] = 2;  // record format
  EXPECT_TRUE(DecodeAccessRecord(bad, &out).IsCorruption());
  bad = bytes;
  bad[1] = 9;  // kind
  EXPECT_NE(DecodeAccessRecord(bad, &out).message().find("unknown kind 9"), std::string::npos);
  bad = bytes;
  bad[10] = 3;  // authentication method
  EXPECT_TRUE(DecodeAccessRecord(bad, &out).IsCorruption());
}

TEST(AccessRecordTest, CheckRefusesWhatIsOverALimit) {
  AccessRecord r = Request("alice", 200);
  EXPECT_TRUE(CheckAccessRecord(r).ok());
  r.principal.assign(limits::kAccessFieldBytesMax, 'a');
  EXPECT_TRUE(CheckAccessRecord(r).ok());
  r.principal.push_back('a');
  EXPECT_NE(CheckAccessRecord(r).message().find("principal of 513 bytes"), std::string::npos);
  r = Request("alice", 200);
  r.params.assign(limits::kAccessParamsMax + 1, AccessParam{"a", "b"});
  EXPECT_TRUE(CheckAccessRecord(r).IsInvalidArgument());
  r = Request("alice", 200);
  r.first_seq = 3;  // without last_seq
  EXPECT_TRUE(CheckAccessRecord(r).IsInvalidArgument());
}

// The documented genesis of the worked example's ledger id (schemas/FORMAT.md).
TEST(AccessRecordTest, GenesisOfTheWorkedExample) {
  events::Uuid id;
  ASSERT_TRUE(events::ParseUuid("00112233-4455-4677-8899-aabbccddeeff", &id));
  EXPECT_EQ(events::HexEncode(AccessGenesisHash(id)),
            "571c684e8c26cb869b8d640b4ddadb6d4915c18d2470efa8b52367e163cf57b0");
  EXPECT_NE(AccessGenesisHash(id), GenesisHash(id));
}

class AccessLogTest : public AppendFixture {};

TEST_F(AccessLogTest, AnEmptyLogIsItsGenesis) {
  EXPECT_EQ(ledger_->access_head().n, 0u);
  EXPECT_EQ(ledger_->access_head().hash, AccessGenesisHash(ledger_->ledger_id()));
  EXPECT_TRUE(ReadAll(ledger_.get()).empty());
}

TEST_F(AccessLogTest, AppendsReadsBackChainedAndSurvivesReopen) {
  const std::vector<AccessRecord> first = {Request("alice", 200, "C-1"), Request("", 401)};
  ASSERT_TRUE(ledger_->AppendAccess(first).ok());
  const AccessRecord third = Request("bob", 403, "C-2");
  ASSERT_TRUE(ledger_->AppendAccess({&third, 1}).ok());
  std::vector<AccessEntry> all = ReadAll(ledger_.get());
  ASSERT_EQ(all.size(), 3u);
  Hash h = AccessGenesisHash(ledger_->ledger_id());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].n, i + 1);
    std::string bytes;
    EncodeAccessRecord(all[i].record, &bytes);
    h = ChainHash(h, i + 1, bytes);
    EXPECT_EQ(all[i].hash, h) << i;
  }
  EXPECT_EQ(all[0].record, first[0]);
  EXPECT_EQ(all[1].record, first[1]);
  EXPECT_EQ(all[2].record, third);
  EXPECT_EQ(ledger_->access_head().n, 3u);
  EXPECT_EQ(ledger_->access_head().hash, h);
  EXPECT_EQ(ledger_->head().seq, 0u);  // no event, no change of the event head

  Reopen();
  EXPECT_EQ(ledger_->access_head().n, 3u);
  EXPECT_EQ(ledger_->access_head().hash, h);
  std::vector<AccessEntry> later = ReadAll(ledger_.get(), 2);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].n, 2u);
  EXPECT_EQ(later[1].record, third);
  ASSERT_TRUE(ledger_->AppendAccess(first).ok());  // continues the chain
  EXPECT_EQ(ReadAll(ledger_.get()).size(), 5u);
  VerifyReport report;
  ASSERT_TRUE(ledger_->Verify({}, &report).ok());
  EXPECT_EQ(report.access_head.n, 5u);
  EXPECT_EQ(report.access_head.hash, ledger_->access_head().hash);
}

TEST_F(AccessLogTest, AWritesRecordTravelsWithItsEventsOnlyWhenAccepted) {
  AppendOptions o;
  AccessRecord w = Request("writer", 200);
  w.method = "POST";
  w.route = "/v1/events";
  o.access_records = {w};
  AppendResult r;
  std::vector<Event> batch = {f_.Open("C1"), f_.Book("C1", ServiceLine::kReactive, 60)};
  ASSERT_TRUE(Append(batch, &r, o).ok());
  std::vector<AccessEntry> all = ReadAll(ledger_.get());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].record.first_seq, 1u);
  EXPECT_EQ(all[0].record.last_seq, 2u);
  EXPECT_EQ(all[0].record.rows, 2u);

  // Rejected (a booking on an unknown contract): neither events nor record.
  ASSERT_FALSE(Append({f_.Book("C9", ServiceLine::kReactive, 60)}, &r, o).ok());
  EXPECT_EQ(ReadAll(ledger_.get()).size(), 1u);
  EXPECT_EQ(ledger_->head().seq, 2u);

  // A retry: all duplicates, nothing new stored, but the request is recorded.
  ASSERT_TRUE(Append(batch, &r, o).ok());
  EXPECT_EQ(r.duplicates, 2u);
  all = ReadAll(ledger_.get());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].record.rows, 0u);
  EXPECT_EQ(all[1].record.first_seq, 1u);
  EXPECT_EQ(all[1].record.last_seq, 2u);

  // A record over a limit refuses the append whole.
  o.access_records[0].route.assign(limits::kAccessFieldBytesMax + 1, '/');
  EXPECT_TRUE(Append({f_.Book("C1", ServiceLine::kReactive, 5)}, &r, o).IsInvalidArgument());
  EXPECT_EQ(ledger_->head().seq, 2u);
  EXPECT_EQ(ReadAll(ledger_.get()).size(), 2u);
}

TEST_F(AccessLogTest, ConcurrentAppendsFormOneChain) {
  MustAppend({f_.Open("C1")});
  std::vector<Event> bookings;
  for (int i = 0; i < 40; ++i) bookings.push_back(f_.Book("C1", ServiceLine::kReactive, 1 + i));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const AccessRecord r = Request("reader" + std::to_string(t), 200);
        EXPECT_TRUE(ledger_->AppendAccess({&r, 1}).ok());
        AppendOptions o;
        o.access_records = {Request("writer" + std::to_string(t), 200)};
        AppendResult res;
        EXPECT_TRUE(ledger_->Append({&bookings[t * 10 + i], 1}, o, &res).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ledger_->access_head().n, 80u);
  VerifyReport report;
  Status s = ledger_->Verify({}, &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.access_head.n, 80u);
  size_t writes = 0;
  for (const AccessEntry& e : ReadAll(ledger_.get())) {
    if (e.record.first_seq == 0) continue;
    ++writes;
    Event ev;
    ASSERT_TRUE(ledger_->Get(e.record.first_seq, &ev).ok());  // the write's event is there
  }
  EXPECT_EQ(writes, 40u);
}

TEST_F(AccessLogTest, AReaderSeesRecordsAfterRefresh) {
  std::unique_ptr<Ledger> reader = OpenLedgerAt(path(), /*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->access_head().n, 0u);
  const AccessRecord r = Request("alice", 200);
  ASSERT_TRUE(ledger_->AppendAccess({&r, 1}).ok());
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(reader->access_head().n, 1u);
  EXPECT_EQ(ReadAll(reader.get()).size(), 1u);
  EXPECT_TRUE(reader->AppendAccess({&r, 1}).IsInvalidArgument());
}

class AccessLogDamageTest : public AccessLogTest {
 protected:
  void SetUp() override {
    AccessLogTest::SetUp();
    for (int i = 0; i < 4; ++i) {
      const AccessRecord r = Request("p" + std::to_string(i), 200);
      ASSERT_TRUE(ledger_->AppendAccess({&r, 1}).ok());
    }
    ledger_.reset();
  }
  // Verify of the damaged ledger: Corruption naming record `n`.
  void ExpectBadRecord(uint64_t n) {
    std::unique_ptr<Ledger> l = OpenLedgerAt(path(), /*read_only=*/true);
    ASSERT_NE(l, nullptr);
    VerifyReport report;
    Status s = l->Verify({}, &report);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(s.message().rfind("access record " + std::to_string(n) + ": ", 0), 0u) << s.message();
    EXPECT_EQ(report.first_bad_access_record, n);
  }
};

TEST_F(AccessLogDamageTest, OneChangedByteOfARecordIsNamed) {
  {
    RawDb raw(path());
    std::string v = raw.Get(kCfAccess, SeqKeyBytes(3));
    v[40] ^= 1;  // inside the record bytes, after the 32-byte chain hash
    raw.Put(kCfAccess, SeqKeyBytes(3), v);
  }
  ExpectBadRecord(3);
}

TEST_F(AccessLogDamageTest, AChangedChainHashIsNamed) {
  {
    RawDb raw(path());
    std::string v = raw.Get(kCfAccess, SeqKeyBytes(2));
    v[0] ^= 1;
    raw.Put(kCfAccess, SeqKeyBytes(2), v);
  }
  ExpectBadRecord(2);
}

TEST_F(AccessLogDamageTest, ADeletedRecordIsNamed) {
  {
    RawDb raw(path());
    raw.Delete(kCfAccess, SeqKeyBytes(2));
  }
  ExpectBadRecord(2);
}

TEST_F(AccessLogDamageTest, ATruncatedTailIsRefusedOnOpenAndNamed) {
  {
    RawDb raw(path());
    raw.Delete(kCfAccess, SeqKeyBytes(4));
  }
  Options o;
  std::unique_ptr<Ledger> l;
  Status s = Ledger::Open(o, path(), &l);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("access record 4"), std::string::npos) << s.message();
}

// A ledger written before the access log existed has no `access` family: a
// reader sees an empty log, a writer adds the family and appends.
TEST_F(AccessLogTest, ALedgerWithoutTheAccessFamilyOpens) {
  MustAppend({f_.Open("C1")});
  ledger_.reset();
  {
    rocksdb::DBOptions o;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (int i = 0; i < kCfCount; ++i)
      cfs.emplace_back(kColumnFamilyNames[i], rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, path(), cfs, &handles, &db).ok());
    ASSERT_TRUE(db->DropColumnFamily(handles[kCfAccess]).ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  std::unique_ptr<Ledger> reader = OpenLedgerAt(path(), /*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->access_head().n, 0u);
  EXPECT_TRUE(ReadAll(reader.get()).empty());
  VerifyReport report;
  Status s = reader->Verify({}, &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  reader.reset();

  Reopen();
  const AccessRecord r = Request("alice", 200);
  ASSERT_TRUE(ledger_->AppendAccess({&r, 1}).ok());
  EXPECT_EQ(ReadAll(ledger_.get()).size(), 1u);
  s = ledger_->Verify({}, &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.access_head.n, 1u);
}

TEST(AccessFilterTest, EveryFilterSelectsWhatItNames) {
  const AccessRecord alice = Request("alice", 200, "C-1");
  const AccessRecord bob = [] {
    AccessRecord r = Request("bob", 403, "C-2");
    r.time_ns = At("2026-05-02T00:00:00Z");
    return r;
  }();
  const AccessRecord nobody = Request("", 401);
  const AccessRecord limited = Request("carol", 429);
  AccessFilter f;
  for (const AccessRecord* r : {&alice, &bob, &nobody, &limited}) {
    EXPECT_TRUE(MatchesAccessFilter(f, *r));
  }
  f.principal = "alice";
  EXPECT_TRUE(MatchesAccessFilter(f, alice));
  EXPECT_FALSE(MatchesAccessFilter(f, bob));
  f = AccessFilter{};
  f.contract = "C-2";
  EXPECT_FALSE(MatchesAccessFilter(f, alice));
  EXPECT_TRUE(MatchesAccessFilter(f, bob));
  EXPECT_FALSE(MatchesAccessFilter(f, nobody));
  f = AccessFilter{};
  f.since_ns = At("2026-05-01T12:00:00Z");
  EXPECT_FALSE(MatchesAccessFilter(f, alice));
  EXPECT_TRUE(MatchesAccessFilter(f, bob));
  f.since_ns = bob.time_ns;  // inclusive
  EXPECT_TRUE(MatchesAccessFilter(f, bob));
  f = AccessFilter{};
  f.denied = true;
  EXPECT_FALSE(MatchesAccessFilter(f, alice));
  EXPECT_TRUE(MatchesAccessFilter(f, bob));
  EXPECT_TRUE(MatchesAccessFilter(f, nobody));
  EXPECT_TRUE(MatchesAccessFilter(f, limited));
  f.principal = "bob";  // filters combine
  f.contract = "C-1";
  EXPECT_FALSE(MatchesAccessFilter(f, bob));
}

TEST(AccessFilterTest, JsonNamesEveryField) {
  AccessEntry e;
  e.n = 7;
  e.record = Request("al\"ice", 200, "C-1");
  e.record.first_seq = 4;
  e.record.last_seq = 5;
  std::string json;
  AppendAccessEntryJson(e, &json);
  EXPECT_EQ(json,
            "{\"n\":7,\"time\":\"2026-05-01T10:00:00.000000000Z\",\"kind\":\"request\","
            "\"principal\":\"al\\\"ice\",\"auth\":\"certificate\",\"client\":\"127.0.0.1\","
            "\"method\":\"GET\",\"route\":\"/v1/reports/balance\",\"params\":{\"contract\":"
            "\"C-1\",\"as_of\":\"2026-04-30\"},\"status\":200,\"rows\":3,\"bytes\":420,"
            "\"first_seq\":4,\"last_seq\":5,\"hash\":\"" +
                std::string(64, '0') + "\"}");
}

}  // namespace
}  // namespace ccl::ledger::testing
