// Verify: a clean ledger passes; damage done directly through RocksDB (a
// changed, deleted or swapped event, index entries removed or added, a
// tampered chain, head or write model) is caught and named by its seq.
#include <gtest/gtest.h>

#include "events/model/codec.h"
#include "events/model/rules.h"
#include "ledger/merkle/merkle.h"
#include "ledger/store/contract_state.h"
#include "ledger/store/verify_internal.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {
namespace {

class LedgerVerifyTest : public AppendFixture {
 protected:
  void SetUp() override {
    AppendFixture::SetUp();
    // 3 contracts, 30 events: bookings, a delivery, amendments with rate
    // changes, escalations, a reversal and a closed contract.
    Event b1 = f_.Book("C1", ServiceLine::kReactive, 120);
    std::vector<Event> batch = {f_.Open("C1"), f_.Open("C2"), b1,
                                f_.Book("C2", ServiceLine::kProactive, 60)};
    for (int i = 0; i < 8; ++i) {
      batch.push_back(f_.Book(i % 2 ? "C1" : "C2", ServiceLine::kReactive, 30 + i));
    }
    batch.push_back(f_.Amend("C1", {AmendLine(ServiceLine::kReactive, 600, 31000)}));
    batch.push_back(f_.Deliver("C1", ServiceLine::kProactive, 240));
    batch.push_back(f_.Escalation(EventType::kEscalationOpened, "C1", "E1"));
    batch.push_back(
        f_.Escalation(EventType::kEscalationSeverityChanged, "C1", "E1", events::Severity::kB));
    batch.push_back(f_.Reverse("C1", b1.event_id));
    MustAppend(batch);
    clock_.Advance(1'000'000);
    std::vector<Event> more = {f_.Open("C3")};
    for (int i = 0; i < 10; ++i) more.push_back(f_.Book("C3", ServiceLine::kProactive, 10 + i));
    more.push_back(f_.Escalation(EventType::kEscalationResolved, "C1", "E1"));
    more.push_back(f_.Close("C3"));
    MustAppend(more);
    head_ = ledger_->head();
    ASSERT_EQ(head_.seq, 30u);
  }

  // Closes the ledger, lets `edit` change RocksDB directly, reopens, and
  // expects Verify to fail naming `seq` with a message containing `what`.
  template <typename Edit>
  void ExpectCaught(Edit edit, uint64_t seq, const std::string& what) {
    ledger_.reset();
    {
      RawDb raw(path());
      edit(raw);
    }
    Reopen();
    VerifyReport report;
    Status s = ledger_->Verify(VerifyProgress(), &report);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(report.first_bad_seq, seq) << s.ToString();
    EXPECT_EQ(s.message().rfind("seq " + std::to_string(seq) + ": ", 0), 0u) << s.message();
    EXPECT_NE(s.message().find(what), std::string::npos) << s.message();
  }

  // Appends `ending` (valid events; none: the fixture as it is), closes the
  // ledger and rewrites its last event with `edit` applied, its chain hash
  // and the head made consistent with the new bytes: a ledger written by an
  // append that did not check a rule. Verify's replay must reject that seq
  // naming `rule`.
  template <typename Edit>
  Status ExpectReplayRejects(const std::vector<Event>& ending, Edit edit, const std::string& rule) {
    const uint64_t seq = RewriteLast(ending, edit);
    VerifyReport report;
    Status s = ledger_->Verify(VerifyProgress(), &report);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(report.first_bad_seq, seq) << s.ToString();
    EXPECT_NE(s.message().find("seq " + std::to_string(seq) + ": replay: event"), std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find(rule), std::string::npos) << s.message();
    return s;
  }

  // Appends `ending`, rewrites the last event with `edit` applied (chain hash
  // and head consistent with the new bytes), reopens; returns its seq.
  template <typename Edit>
  uint64_t RewriteLast(const std::vector<Event>& ending, Edit edit) {
    if (!ending.empty()) MustAppend(ending);
    const Head head = ledger_->head();
    const uint64_t seq = head.seq;
    ledger_.reset();
    {
      RawDb raw(path());
      Event e = Decoded(raw, seq);
      edit(&e);
      std::string bytes;
      events::EncodeEvent(e, &bytes);
      raw.Put(kCfEvents, SeqKeyBytes(seq), bytes);
      Hash prev;
      const std::string p = raw.Get(kCfChain, SeqKeyBytes(seq - 1));
      std::memcpy(prev.data(), p.data(), 32);
      Hash h = ChainHash(prev, seq, bytes);
      raw.Put(kCfChain, SeqKeyBytes(seq),
              std::string_view(reinterpret_cast<const char*>(h.data()), 32));
      Head rewritten = head;
      rewritten.hash = h;
      raw.Put(kCfMeta, kMetaHead, EncodeHead(rewritten));
    }
    Reopen();
    return seq;
  }

  static Event Decoded(RawDb& raw, uint64_t seq) {
    Event e;
    EXPECT_TRUE(events::DecodeEvent(raw.Get(kCfEvents, SeqKeyBytes(seq)), &e).ok());
    return e;
  }
  // The key of the `ids` entry of the event stored at `seq`: its id.
  static std::string IdKeyOf(RawDb& raw, uint64_t seq) {
    const Event e = Decoded(raw, seq);
    return std::string(reinterpret_cast<const char*>(e.event_id.data()), e.event_id.size());
  }
  // The key of the `streams` entry of the event stored at `seq`.
  static std::string StreamKeyOf(RawDb& raw, uint64_t seq) {
    const Event e = Decoded(raw, seq);
    return StreamKey(e.contract, e.stream_version);
  }

  Head head_;
};

TEST_F(LedgerVerifyTest, CleanLedgerVerifies) {
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  VerifyProgress progress;
  progress.on_progress = [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); };
  VerifyReport report;
  Status s = ledger_->Verify(progress, &report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.events, 30u);
  EXPECT_EQ(report.head.seq, head_.seq);
  EXPECT_EQ(report.head.hash, head_.hash);
  EXPECT_EQ(report.first_bad_seq, 0u);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), std::make_pair(uint64_t{30}, uint64_t{30}));
}

TEST_F(LedgerVerifyTest, EmptyLedgerVerifies) {
  ledger_.reset();
  Options o;
  o.create_if_missing = true;
  ASSERT_TRUE(Ledger::Open(o, dir_.Sub("empty"), &ledger_).ok());
  VerifyReport report;
  ASSERT_TRUE(ledger_->Verify(VerifyProgress(), &report).ok());
  EXPECT_EQ(report.events, 0u);
  EXPECT_EQ(report.head.hash, GenesisHash(ledger_->ledger_id()));
}

TEST_F(LedgerVerifyTest, EventValueChangedAndReencoded) {
  ExpectCaught(
      [](RawDb& raw) {
        Event e = Decoded(raw, 7);
        e.minutes += 1;  // still a valid event: only the chain can tell
        std::string bytes;
        events::EncodeEvent(e, &bytes);
        raw.Put(kCfEvents, SeqKeyBytes(7), bytes);
      },
      7, "chain hash mismatch");
}

TEST_F(LedgerVerifyTest, EventBytesFlipped) {
  ExpectCaught(
      [](RawDb& raw) {
        std::string bytes = raw.Get(kCfEvents, SeqKeyBytes(12));
        bytes[bytes.size() / 2] ^= 0x20;
        raw.Put(kCfEvents, SeqKeyBytes(12), bytes);
      },
      12, "");
}

TEST_F(LedgerVerifyTest, EventDeleted) {
  ExpectCaught([](RawDb& raw) { raw.Delete(kCfEvents, SeqKeyBytes(5)); }, 5,
               "missing (next stored event is seq 6)");
}

TEST_F(LedgerVerifyTest, TwoEventsSwapped) {
  ExpectCaught(
      [](RawDb& raw) {
        const std::string a = raw.Get(kCfEvents, SeqKeyBytes(9));
        const std::string b = raw.Get(kCfEvents, SeqKeyBytes(10));
        raw.Put(kCfEvents, SeqKeyBytes(9), b);
        raw.Put(kCfEvents, SeqKeyBytes(10), a);
      },
      9, "stored event carries seq 10");
}

TEST_F(LedgerVerifyTest, IdsEntryRemoved) {
  ExpectCaught([](RawDb& raw) { raw.Delete(kCfIds, IdKeyOf(raw, 6)); }, 6,
               "ids index entry missing");
}

TEST_F(LedgerVerifyTest, IdsEntryPointsElsewhere) {
  ExpectCaught([](RawDb& raw) { raw.Put(kCfIds, IdKeyOf(raw, 8), SeqKeyBytes(3)); }, 8,
               "ids index entry points to seq 3 instead");
}

TEST_F(LedgerVerifyTest, IdsEntryAdded) {
  ExpectCaught([](RawDb& raw) { raw.Put(kCfIds, std::string(16, '\x01'), SeqKeyBytes(4)); }, 4,
               "ids index has an entry pointing to seq 4");
}

// `ids` has a hash memtable keyed by a prefix of the id: an entry of another
// length, replayed from the WAL into it when the ledger opens, must be
// reported like any other extra entry (not stop the process).
TEST_F(LedgerVerifyTest, IdsEntryShorterThanAnIdAdded) {
  ExpectCaught([](RawDb& raw) { raw.Put(kCfIds, std::string(5, '\x01'), SeqKeyBytes(4)); }, 4,
               "ids index has an entry pointing to seq 4");
}

TEST_F(LedgerVerifyTest, IdsEntryLongerThanAnIdAdded) {
  ExpectCaught([](RawDb& raw) { raw.Put(kCfIds, std::string(20, '\x02'), SeqKeyBytes(4)); }, 4,
               "ids index has an entry pointing to seq 4");
}

TEST_F(LedgerVerifyTest, StreamsEntryRemoved) {
  ExpectCaught([](RawDb& raw) { raw.Delete(kCfStreams, StreamKeyOf(raw, 11)); }, 11,
               "streams index entry missing");
}

// The `streams` values are copies of the events (format 2): a copy that is
// not byte for byte the log's event is named by its seq and contract.
TEST_F(LedgerVerifyTest, StreamsCopyByteFlipped) {
  ExpectCaught(
      [](RawDb& raw) {
        const std::string key = StreamKeyOf(raw, 11);
        std::string v = raw.Get(kCfStreams, key);
        v[v.size() / 2] ^= 0x01;
        raw.Put(kCfStreams, key, v);
      },
      11, "streams copy differs from the stored event (contract 'C2' version 6)");
}

TEST_F(LedgerVerifyTest, StreamsCopyReencodedWithOtherMinutes) {
  // A forger's copy: well formed, passes the Verifier and validation, same
  // seq, contract and version, only the minutes changed. A single-contract
  // report would read it; verify must not let it pass.
  ExpectCaught(
      [](RawDb& raw) {
        Event e = Decoded(raw, 7);
        ASSERT_EQ(e.type, EventType::kHoursBooked);
        e.minutes += 60;
        std::string bytes, v;
        events::EncodeEvent(e, &bytes);
        Event check;
        ASSERT_TRUE(events::DecodeEvent(bytes, &check).ok());
        StreamValueInto(7, bytes, &v);
        raw.Put(kCfStreams, StreamKey(e.contract, e.stream_version), v);
      },
      7, "streams copy differs from the stored event (contract 'C2' version 4)");
}

TEST_F(LedgerVerifyTest, StreamsCopyOfAnotherEvent) {
  ExpectCaught(
      [](RawDb& raw) {
        std::string v;
        StreamValueInto(3, raw.Get(kCfEvents, SeqKeyBytes(3)), &v);
        raw.Put(kCfStreams, StreamKeyOf(raw, 9), v);
      },
      9, "streams index entry points to seq 3 instead (contract 'C2' version 5)");
}

TEST_F(LedgerVerifyTest, StreamsCopyShorterThanASeq) {
  ExpectCaught([](RawDb& raw) { raw.Put(kCfStreams, StreamKeyOf(raw, 12), "1234"); }, 12,
               "streams index entry points to seq 0 instead");
}

// A stored entry whose value holds no seq is digested apart from real ones:
// here its key is the real key followed by the first 25 bytes of the real
// leaf hash and its value the last 7, the same bytes to hash after the salt
// as the real entry it replaces.
TEST_F(LedgerVerifyTest, MalformedStreamsEntrySpellingARealEntrysTermIsCaught) {
  ExpectCaught(
      [](RawDb& raw) {
        const std::string key = StreamKeyOf(raw, 11);
        const Hash leaf = EventLeafHash(11, raw.Get(kCfEvents, SeqKeyBytes(11)));
        const std::string l(reinterpret_cast<const char*>(leaf.data()), leaf.size());
        raw.Delete(kCfStreams, key);
        raw.Put(kCfStreams, key + l.substr(0, 25), l.substr(25));
      },
      11, "streams index entry missing (contract 'C2' version 6)");
}

TEST_F(LedgerVerifyTest, StreamsCopyAdded) {
  ExpectCaught(
      [](RawDb& raw) {
        std::string v;
        StreamValueInto(5, raw.Get(kCfEvents, SeqKeyBytes(5)), &v);
        raw.Put(kCfStreams, StreamKey("C2", 99), v);
      },
      5,
      "streams index has an entry pointing to seq 5 that the event there does not match "
      "(key: contract 'C2' version 99)");
}

TEST_F(LedgerVerifyTest, OlderFormatVersionsAreRefused) {
  // Format 1 `streams` values were bare seqs; format 2 write-model states
  // lack the effective_at values the time-order rules need. Reading either
  // would misread or misjudge, so such a ledger is not opened (it is
  // re-imported).
  ledger_.reset();
  for (uint32_t version : {1u, 2u}) {
    {
      RawDb raw(path());
      std::string v;
      AppendBE32(version, &v);
      raw.Put(kCfMeta, kMetaFormatVersion, v);
    }
    Options o;
    o.clock = &clock_;
    Status s = Ledger::Open(o, path(), &ledger_);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find("format version " + std::to_string(version)), std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find("re-import it"), std::string::npos) << s.message();
    EXPECT_EQ(ledger_, nullptr);
  }
}

TEST_F(LedgerVerifyTest, ChainEntryChanged) {
  ExpectCaught([](RawDb& raw) { raw.Put(kCfChain, SeqKeyBytes(20), std::string(32, 'x')); }, 20,
               "chain hash mismatch: stored 7878");
}

TEST_F(LedgerVerifyTest, HeadHashChanged) {
  ExpectCaught(
      [&](RawDb& raw) {
        Head h = head_;
        h.hash[0] ^= 1;
        raw.Put(kCfMeta, kMetaHead, EncodeHead(h));
      },
      30, "head hash mismatch");
}

TEST_F(LedgerVerifyTest, WriteModelTampered) {
  ExpectCaught(
      [](RawDb& raw) {
        ContractState c;
        ASSERT_TRUE(DecodeContractState(raw.Get(kCfContracts, "C2"), &c).ok());
        c.lines[0].funded_minutes += 600;
        std::string v;
        EncodeContractState(c, &v);
        raw.Put(kCfContracts, "C2", v);
      },
      11, "write model: stored state of contract 'C2' differs");
}

TEST_F(LedgerVerifyTest, WriteModelEntryMissing) {
  ExpectCaught([](RawDb& raw) { raw.Delete(kCfReversals, SeqKeyBytes(3)); }, 17,
               "write model: reversal missing");
}

TEST_F(LedgerVerifyTest, EscalationStateTampered) {
  ExpectCaught(
      [](RawDb& raw) {
        raw.Put(kCfEscalations, EscalationKey("C1", "E1"),
                EncodeEscalationState({true, events::Severity::kB}));
      },
      29, "stored escalation state differs");
}

TEST_F(LedgerVerifyTest, ReplayCatchesAnAppendThatBrokeARule) {
  // A tamperer who recomputes the chain still has to satisfy the rules:
  // rewrite seq 30 (ContractClosed of C3) as a booking on a line C3 lacks,
  // with chain, indexes and head made consistent.
  const Status s = ExpectReplayRejects(
      {},
      [](Event* e) {
        e->type = EventType::kHoursBooked;
        e->reason.clear();
        e->engineer = "mallory";
        e->service_line = ServiceLine::kDesignatedEngineering;
        e->minutes = 10;
        e->applied_bill_rate_minor = 1;
      },
      "service line not funded");
  // The report names the broken rule, as data and in the text.
  EXPECT_EQ(s.rule(), rules::kConsumptionLineFunded);
  EXPECT_NE(s.message().find("(rule R-CONS-01)"), std::string::npos) << s.message();
}

// The time-order rules, each on a ledger written without it: the last event
// is made to break it after a legitimate append.
TEST_F(LedgerVerifyTest, ReplayChecksNothingBeforeTheContractWasOpened) {
  ExpectReplayRejects(
      {}, [](Event* e) { e->effective_at_ns = At("2025-12-31"); },
      "effective before the contract was opened")
      .IgnoreError();
}

TEST_F(LedgerVerifyTest, ReplayChecksTermEndNotBeforeAConsumption) {
  Event amend = f_.Amend("C1", {}, "2026-07-01");
  amend.term_end_day = Day("2026-06-30");
  ExpectReplayRejects(
      {amend}, [](Event* e) { e->term_end_day = Day("2026-03-15"); },
      "amendment moves term_end before a consumption")
      .IgnoreError();
}

TEST_F(LedgerVerifyTest, ReplayChecksClosedNotBeforeTheLatestEvent) {
  // Seq 30 closes C3, whose bookings are effective 2026-03-15T10:00.
  ExpectReplayRejects(
      {}, [](Event* e) { e->effective_at_ns = At("2026-03-15T09:00:00Z"); },
      "contract closed before its latest event")
      .IgnoreError();
}

TEST_F(LedgerVerifyTest, ReplayChecksClosedNotBeforeTheTermStarts) {
  Event close = f_.Close("C4");
  close.effective_at_ns = At("2026-01-01");
  ExpectReplayRejects(
      {f_.Open("C4", "2025-11-01"), close}, [](Event* e) { e->effective_at_ns = At("2025-12-01"); },
      "contract closed before its term starts")
      .IgnoreError();
}

TEST_F(LedgerVerifyTest, ReplayChecksEscalationNotChangedBeforeItWasOpened) {
  Event rerate =
      f_.Escalation(EventType::kEscalationSeverityChanged, "C1", "E2", events::Severity::kC);
  ExpectReplayRejects(
      {f_.Escalation(EventType::kEscalationOpened, "C1", "E2"), rerate},
      [](Event* e) { e->effective_at_ns = At("2026-03-31"); },
      "escalation severity changed before it was opened")
      .IgnoreError();
}

TEST_F(LedgerVerifyTest, ReplayChecksEscalationNotResolvedBeforeItWasOpened) {
  ExpectReplayRejects(
      {f_.Escalation(EventType::kEscalationOpened, "C1", "E2"),
       f_.Escalation(EventType::kEscalationResolved, "C1", "E2")},
      [](Event* e) { e->effective_at_ns = At("2026-03-31"); },
      "escalation resolved before it was opened")
      .IgnoreError();
}

TEST_F(LedgerVerifyTest, ReplayChecksReversalNotBeforeItsTarget) {
  Event booking = f_.Book("C2", ServiceLine::kReactive, 45, "2026-05-02T10:00:00Z");
  Event reversal = f_.Reverse("C2", booking.event_id);
  reversal.effective_at_ns = At("2026-05-03");
  ExpectReplayRejects(
      {booking, reversal}, [](Event* e) { e->effective_at_ns = At("2026-05-01"); },
      "reversal effective before its target")
      .IgnoreError();
}

// Verify finds a reversal's target among the events it scanned last
// (RecentEvents) or, further back, reads it from `events` again: both must
// give the target, or the replay rejects the reversal.
TEST_F(LedgerVerifyTest, ReversalOfATargetBeyondTheKeptEventsReplays) {
  const Event near = f_.Book("C1", ServiceLine::kReactive, 5);
  const Event far = f_.Book("C1", ServiceLine::kReactive, 7);
  MustAppend({far});
  std::vector<Event> batch;
  for (uint64_t i = 0; i < RecentEvents::kEventsKept; ++i) {
    batch.push_back(f_.Book("C2", ServiceLine::kReactive, 1));
    if (batch.size() == 4096) {
      MustAppend(batch);
      batch.clear();
    }
  }
  batch.push_back(near);
  batch.push_back(f_.Reverse("C1", far.event_id));
  batch.push_back(f_.Reverse("C1", near.event_id));
  MustAppend(batch);
  VerifyReport report;
  Status s = ledger_->Verify(VerifyProgress(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.events, head_.seq + 1 + RecentEvents::kEventsKept + 3);
}

// Verify finds a target among the last RecentEvents::kIdsKept events by id
// without `ids`: the event found there must be the one with that id, so a
// reversal rewritten to name an escalation two events back is rejected as
// one of an escalation (not as one of a target not found).
TEST_F(LedgerVerifyTest, ReversalOfARecentEventFindsThatEvent) {
  const Event escalation =
      f_.Escalation(EventType::kEscalationOpened, "C1", "E7", events::Severity::kB);
  const Event booking = f_.Book("C1", ServiceLine::kReactive, 15);
  const Event reversal = f_.Reverse("C1", booking.event_id);
  ExpectReplayRejects(
      {escalation, booking, reversal}, [&](Event* e) { e->target_event_id = escalation.event_id; },
      "reversal target is not HoursBooked or DeliveryCompleted")
      .IgnoreError();
}

// A close whose sealed figures are not those of the events before it: the
// chain, streams and ids are consistent, so only the recomputed seal tells.
TEST_F(LedgerVerifyTest, SealedFiguresAreRecomputed) {
  const auto expect_named = [&](auto edit, const std::string& what) {
    const uint64_t seq = RewriteLast({}, edit);
    VerifyReport report;
    Status s = ledger_->Verify(VerifyProgress(), &report);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(report.first_bad_seq, seq) << s.ToString();
    EXPECT_NE(s.message().find("seq " + std::to_string(seq) + ": PeriodClosed 2026-03 (event "),
              std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find(what), std::string::npos) << s.message();
  };
  MustAppend({f_.ClosePeriod("2026-03", "2026-04-01")});
  expect_named(
      [](Event* e) {
        e->seal->totals.at(0).revenue_minor += 1;
        e->seal->totals.at(0).margin_minor += 1;
      },
      "sealed figures differ from the events before it: sealed_totals");
  // Put right again (the edit undone), then the margins digest changed.
  RewriteLast({}, [](Event* e) {
    e->seal->totals.at(0).revenue_minor -= 1;
    e->seal->totals.at(0).margin_minor -= 1;
  });
  VerifyReport report;
  EXPECT_TRUE(ledger_->Verify(VerifyProgress(), &report).ok());
  expect_named([](Event* e) { e->seal->margins_digest[0] ^= 1; }, "sealed_margins_digest");
}

TEST_F(LedgerVerifyTest, ReadOnlyInstanceVerifies) {
  std::unique_ptr<Ledger> ro = OpenLedgerAt(path(), /*read_only=*/true);
  ASSERT_NE(ro, nullptr);
  VerifyReport report;
  Status s = ro->Verify(VerifyProgress(), &report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.head.hash, head_.hash);
}

}  // namespace
}  // namespace ccl::ledger::testing
