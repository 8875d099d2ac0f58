// Append: assignment, every rule's rejection, atomicity, optimistic
// concurrency, reopen and applied bill rates (idempotency: duplicate_test.cc).
#include <gtest/gtest.h>

#include "events/model/codec.h"
#include "events/model/rules.h"
#include "events/model/uuid.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {
namespace {

class LedgerAppendTest : public AppendFixture {};

TEST_F(LedgerAppendTest, AssignsSeqStreamVersionRecordedAtAndChain) {
  std::vector<Event> batch = {f_.Open("C1"), f_.Open("C2"),
                              f_.Book("C1", ServiceLine::kReactive, 60)};
  AppendResult r;
  ASSERT_TRUE(Append(batch, &r).ok());
  EXPECT_EQ(r.appended, 3u);
  ASSERT_EQ(r.outcomes.size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) EXPECT_EQ(r.outcomes[i].seq, i + 1);

  Hash h = GenesisHash(ledger_->ledger_id());
  const uint64_t versions[] = {1, 1, 2};
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    Event e;
    std::string bytes;
    ASSERT_TRUE(ledger_->Get(seq, &e, &bytes).ok());
    EXPECT_EQ(e.seq, seq);
    EXPECT_EQ(e.stream_version, versions[seq - 1]);
    EXPECT_EQ(e.recorded_at_ns, clock_.NowNs());
    EXPECT_TRUE(events::SameContent(e, batch[seq - 1]));
    h = ChainHash(h, seq, bytes);
    Hash stored;
    ASSERT_TRUE(ledger_->GetChainHash(seq, &stored).ok());
    EXPECT_EQ(stored, h);
  }
  EXPECT_EQ(ledger_->head().seq, 3u);
  EXPECT_EQ(ledger_->head().hash, h);
  EXPECT_EQ(Version("C1"), 2u);
  EXPECT_EQ(Version("C2"), 1u);
  EXPECT_EQ(Version("nope"), 0u);
}

TEST_F(LedgerAppendTest, InputAssignedFieldsAreIgnored) {
  Event e = f_.Open("C1");
  e.seq = 99;
  e.stream_version = 7;
  e.recorded_at_ns = 5;
  MustAppend({e});
  Event stored;
  ASSERT_TRUE(ledger_->Get(1, &stored).ok());
  EXPECT_EQ(stored.seq, 1u);
  EXPECT_EQ(stored.stream_version, 1u);
  EXPECT_EQ(stored.recorded_at_ns, clock_.NowNs());
}

TEST_F(LedgerAppendTest, RecordedAtNeverDecreases) {
  MustAppend({f_.Open("C1")});
  const int64_t first = ledger_->head().recorded_at_ns;
  clock_.Set(first - 1'000'000'000);  // the clock steps back
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 10)});
  EXPECT_EQ(ledger_->head().recorded_at_ns, first);
}

TEST_F(LedgerAppendTest, InvalidFieldRejectedNamingIt) {
  MustAppend({f_.Open("C1")});
  Event bad = f_.Book("C1", ServiceLine::kReactive, 1441);
  AppendResult r;
  Status s = Append({f_.Book("C1", ServiceLine::kReactive, 10), bad}, &r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(r.failed_index, 1u);
  EXPECT_NE(s.message().find("field 'minutes'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(events::FormatUuid(bad.event_id)), std::string::npos);
  EXPECT_EQ(ledger_->head().seq, 1u);
}

TEST_F(LedgerAppendTest, FirstEventMustBeContractOpened) {
  ExpectRule(f_.Book("C1", ServiceLine::kReactive, 10),
             "first event of a contract must be ContractOpened: contract 'C1' has no events");
}

TEST_F(LedgerAppendTest, SecondContractOpenedRejected) {
  MustAppend({f_.Open("C1")});
  ExpectRule(f_.Open("C1"), "contract already opened");
}

TEST_F(LedgerAppendTest, NothingAfterContractClosed) {
  MustAppend({f_.Open("C1"), f_.Close("C1")});
  ExpectRule(f_.Book("C1", ServiceLine::kReactive, 10), "contract closed");
  ExpectRule(f_.Close("C1"), "contract closed");
}

// A legal hold after the close moves the stream past the close's version,
// which the state does not keep: the message names no version.
TEST_F(LedgerAppendTest, NothingAfterContractClosedNamesNoWrongVersion) {
  MustAppend({f_.Open("C1"), f_.Close("C1"),
              f_.Hold(EventType::kLegalHoldPlaced, "C1", "case-1", "2027-01-05")});
  ExpectRule(f_.Book("C1", ServiceLine::kReactive, 10),
             "contract closed: contract 'C1' was closed; nothing may follow");
}

TEST_F(LedgerAppendTest, ConsumptionNeedsAFundedLine) {
  MustAppend({f_.Open("C1")});
  ExpectRule(f_.Book("C1", ServiceLine::kDesignatedEngineering, 10),
             "service line not funded: contract 'C1' has no line 'designated_engineering'");
  ExpectRule(f_.Deliver("C1", ServiceLine::kServiceDelivery, 10), "service line not funded");
}

TEST_F(LedgerAppendTest, ConsumptionWithinTermWholeDaysInclusive) {
  // Opened before its term starts, so that the term is the rule that refuses.
  MustAppend({f_.Open("C1", "2025-12-01")});
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 10, "2026-01-01T00:00:00Z"),
              f_.Book("C1", ServiceLine::kReactive, 10, "2026-12-31T23:59:59.999999999Z")});
  ExpectRule(
      f_.Book("C1", ServiceLine::kReactive, 10, "2027-01-01T00:00:00Z"),
      "outside the contract term: effective_at 2027-01-01 is outside 2026-01-01..2026-12-31");
  ExpectRule(f_.Book("C1", ServiceLine::kReactive, 10, "2025-12-31T23:59:59Z"),
             "outside the contract term");
}

TEST_F(LedgerAppendTest, OverageRejectStopsAtFunded) {
  MustAppend({f_.Open("C1")});
  // 4 * 1440 + 230 = 5990 of 6000 funded proactive minutes.
  MustAppend(
      {f_.Book("C1", ServiceLine::kProactive, 1440), f_.Book("C1", ServiceLine::kProactive, 1440),
       f_.Book("C1", ServiceLine::kProactive, 1440), f_.Book("C1", ServiceLine::kProactive, 1440),
       f_.Book("C1", ServiceLine::kProactive, 230)});
  Event over = f_.Book("C1", ServiceLine::kProactive, 20);
  AppendResult r;
  Status s = Append({over}, &r);
  ASSERT_TRUE(s.IsRuleViolation());
  EXPECT_EQ(s.message(), "event " + events::FormatUuid(over.event_id) +
                             ": consumption exceeds funded minutes on line 'proactive' with "
                             "overage 'reject': consumed 5990 + 20 > funded 6000 (rule R-CONS-03)");
  MustAppend({f_.Book("C1", ServiceLine::kProactive, 10)});  // exactly the funded 6000
  ExpectRule(f_.Deliver("C1", ServiceLine::kProactive, 1), "consumed 6000 + 1 > funded 6000");
  // Overage 'allow' lines may go past funded.
  std::vector<Event> many;
  for (int i = 0; i < 10; ++i) many.push_back(f_.Book("C1", ServiceLine::kReactive, 1440));
  MustAppend(many);
}

TEST_F(LedgerAppendTest, AmendmentNeverTakesFundedBelowConsumed) {
  MustAppend({f_.Open("C1"), f_.Book("C1", ServiceLine::kProactive, 100)});
  ExpectRule(f_.Amend("C1", {AmendLine(ServiceLine::kProactive, -5901)}),
             "amendment takes funded minutes below consumed: line 'proactive': funded 6000 + "
             "-5901 < consumed 100");
  MustAppend({f_.Amend("C1", {AmendLine(ServiceLine::kProactive, -5900)})});
  ExpectRule(f_.Book("C1", ServiceLine::kProactive, 1), "consumed 100 + 1 > funded 100");
}

TEST_F(LedgerAppendTest, AmendmentOfAnOverdrawnAllowLineNeedsNoTopUp) {
  // Reactive is funded 12000 with overage 'allow'; draw it 960 minutes past funded.
  MustAppend({f_.Open("C1")});
  std::vector<Event> many;
  for (int i = 0; i < 9; ++i) many.push_back(f_.Book("C1", ServiceLine::kReactive, 1440));
  MustAppend(many);
  // A rate-only change and a top-up smaller than the overdraft are not reductions.
  MustAppend({f_.Amend("C1", {AmendLine(ServiceLine::kReactive, 0, 35000)})});
  MustAppend({f_.Amend("C1", {AmendLine(ServiceLine::kReactive, 100)})});
  // A reduction still may not go below what was consumed.
  ExpectRule(f_.Amend("C1", {AmendLine(ServiceLine::kReactive, -1)}),
             "amendment takes funded minutes below consumed");
}

TEST_F(LedgerAppendTest, AmendmentAddsALineWithRateAndOverage) {
  MustAppend({f_.Open("C1")});
  ExpectRule(f_.Amend("C1", {AmendLine(ServiceLine::kServiceDelivery, 600)}),
             "new service line needs bill_rate_minor and overage");
  MustAppend(
      {f_.Amend("C1", {AmendLine(ServiceLine::kServiceDelivery, 600, 40000, Overage::kReject)})});
  MustAppend({f_.Deliver("C1", ServiceLine::kServiceDelivery, 600)});
  ExpectRule(f_.Deliver("C1", ServiceLine::kServiceDelivery, 1), "consumed 600 + 1 > funded 600");
}

TEST_F(LedgerAppendTest, AmendmentMovesTermEnd) {
  MustAppend({f_.Open("C1")});
  ExpectRule(f_.Book("C1", ServiceLine::kReactive, 10, "2027-03-01"), "outside the contract term");
  Event amend = f_.Amend("C1", {});
  amend.term_end_day = Day("2027-06-30");
  MustAppend({amend});
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 10, "2027-03-01")});
  Event before_start = f_.Amend("C1", {});
  before_start.term_end_day = Day("2025-12-31");
  ExpectRule(before_start, "bad contract term");
}

TEST_F(LedgerAppendTest, ReversalRules) {
  Event booking = f_.Book("C1", ServiceLine::kProactive, 1440);
  Event other = f_.Book("C2", ServiceLine::kProactive, 10);
  Event open1 = f_.Open("C1");
  MustAppend({open1, f_.Open("C2"), booking, other});
  ExpectRule(f_.Reverse("C1", f_.NextId()), "reversal target not found");
  ExpectRule(f_.Reverse("C1", other.event_id), "reversal target in another contract");
  ExpectRule(f_.Reverse("C1", open1.event_id),
             "reversal target is not HoursBooked or DeliveryCompleted");
  MustAppend({f_.Reverse("C1", booking.event_id)});
  ExpectRule(f_.Reverse("C1", booking.event_id), "reversal target already reversed");
  // The reversal gave the minutes back: the whole 6000 can be booked again.
  std::vector<Event> fill;
  for (int i = 0; i < 4; ++i) fill.push_back(f_.Book("C1", ServiceLine::kProactive, 1440));
  fill.push_back(f_.Book("C1", ServiceLine::kProactive, 240));
  MustAppend(fill);
  ExpectRule(f_.Book("C1", ServiceLine::kProactive, 1), "consumed 6000 + 1 > funded 6000");
}

TEST_F(LedgerAppendTest, EscalationRules) {
  MustAppend({f_.Open("C1"), f_.Open("C2")});
  MustAppend({f_.Escalation(EventType::kEscalationOpened, "C1", "E1")});
  ExpectRule(f_.Escalation(EventType::kEscalationOpened, "C1", "E1"), "escalation id already used");
  // Ids are per contract.
  MustAppend({f_.Escalation(EventType::kEscalationOpened, "C2", "E1")});
  ExpectRule(f_.Escalation(EventType::kEscalationSeverityChanged, "C1", "E2", events::Severity::kB),
             "escalation not open: no escalation 'E2'");
  ExpectRule(f_.Escalation(EventType::kEscalationResolved, "C1", "E2"), "escalation not open");
  MustAppend(
      {f_.Escalation(EventType::kEscalationSeverityChanged, "C1", "E1", events::Severity::kC),
       f_.Escalation(EventType::kEscalationResolved, "C1", "E1")});
  ExpectRule(f_.Escalation(EventType::kEscalationResolved, "C1", "E1"),
             "escalation not open: escalation 'E1' is resolved");
  ExpectRule(f_.Escalation(EventType::kEscalationOpened, "C1", "E1"), "escalation id already used");
}

TEST_F(LedgerAppendTest, EventsInOneBatchMayDependOnEachOther) {
  Event booking = f_.Book("C1", ServiceLine::kProactive, 100);
  AppendResult r;
  ASSERT_TRUE(Append({f_.Open("C1"), booking, f_.Reverse("C1", booking.event_id),
                      f_.Escalation(EventType::kEscalationOpened, "C1", "E1"),
                      f_.Escalation(EventType::kEscalationResolved, "C1", "E1"), f_.Close("C1")},
                     &r)
                  .ok());
  EXPECT_EQ(r.appended, 6u);
  EXPECT_EQ(Version("C1"), 6u);
}

TEST_F(LedgerAppendTest, RejectedBatchWritesNothing) {
  MustAppend({f_.Open("C1"), f_.Book("C1", ServiceLine::kReactive, 30)});
  const Head before = ledger_->head();
  ledger_.reset();
  std::map<std::string, std::string> dump_before = RawDb(path()).Dump();
  Reopen();

  // The third event breaks a rule; the first two are fine on their own.
  std::vector<Event> batch = {f_.Open("C2"), f_.Book("C2", ServiceLine::kReactive, 30),
                              f_.Book("C2", ServiceLine::kDesignatedEngineering, 30),
                              f_.Book("C1", ServiceLine::kReactive, 30)};
  AppendResult r;
  Status s = Append(batch, &r);
  EXPECT_TRUE(s.IsRuleViolation()) << s.ToString();
  EXPECT_EQ(r.failed_index, 2u);
  EXPECT_EQ(r.appended, 0u);
  EXPECT_TRUE(r.outcomes.empty());
  EXPECT_EQ(ledger_->head().seq, before.seq);
  EXPECT_EQ(ledger_->head().hash, before.hash);
  EXPECT_EQ(Version("C2"), 0u);

  // The in-memory write model is unchanged too: C2 still has no events.
  ExpectRule(f_.Book("C2", ServiceLine::kReactive, 1), "first event of a contract");
  ledger_.reset();
  EXPECT_EQ(RawDb(path()).Dump(), dump_before);
  Reopen();
  // And the same batch without the bad event goes through with the next seqs.
  batch.erase(batch.begin() + 2);
  ASSERT_TRUE(Append(batch, &r).ok());
  EXPECT_EQ(r.outcomes.front().seq, before.seq + 1);
}

TEST_F(LedgerAppendTest, TargetReversedTwiceInOneBatchNamesTheFirstReversalNotASeq) {
  MustAppend({f_.Open("C1")});
  const Event booking = f_.Book("C1", ServiceLine::kReactive, 30);
  MustAppend({booking});
  AppendResult r;
  Status s = Append({f_.Book("C1", ServiceLine::kReactive, 1), f_.Reverse("C1", booking.event_id),
                     f_.Reverse("C1", booking.event_id)},
                    &r);
  EXPECT_TRUE(s.IsRuleViolation()) << s.ToString();
  EXPECT_EQ(s.rule(), ccl::rules::kReversalOnce);
  EXPECT_EQ(r.failed_index, 2u);
  EXPECT_EQ(r.first_use_index, 1u);
  // The first reversal was given seq 4 while checking, but nothing of the
  // batch is written: it is named by its place in the input.
  EXPECT_NE(s.message().find("was reversed by input event 2 of this batch"), std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("seq 4"), std::string::npos) << s.message();
  EXPECT_EQ(ledger_->head().seq, 2u);
  // Against a stored reversal its seq is named, and first_use_index is unset.
  MustAppend({f_.Reverse("C1", booking.event_id)});
  s = Append({f_.Reverse("C1", booking.event_id)}, &r);
  EXPECT_EQ(s.rule(), ccl::rules::kReversalOnce) << s.ToString();
  EXPECT_EQ(r.first_use_index, SIZE_MAX);
  EXPECT_NE(s.message().find("was reversed by seq 3"), std::string::npos) << s.message();
}

TEST_F(LedgerAppendTest, ExpectedVersionConflict) {
  AppendOptions expect_new;
  expect_new.expected_versions = {{"C1", 0}};
  AppendResult r;
  ASSERT_TRUE(Append({f_.Open("C1")}, &r, expect_new).ok());
  Status s = Append({f_.Book("C1", ServiceLine::kReactive, 5)}, &r, expect_new);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_NE(s.message().find("expected stream version 0, found 1"), std::string::npos);
  EXPECT_EQ(r.failed_index, 0u);
  AppendOptions expect_one;
  expect_one.expected_versions = {{"C1", 1}};
  ASSERT_TRUE(Append({f_.Book("C1", ServiceLine::kReactive, 5)}, &r, expect_one).ok());
  EXPECT_EQ(Version("C1"), 2u);
}

TEST_F(LedgerAppendTest, ExpectedVersionRetryOfAnAppendedBatchIsDuplicate) {
  MustAppend({f_.Open("C1")});
  const Event b1 = f_.Book("C1", ServiceLine::kReactive, 5);
  const Event b2 = f_.Book("C1", ServiceLine::kReactive, 6);
  AppendOptions at_one;
  at_one.expected_versions = {{"C1", 1}};
  AppendResult r;
  ASSERT_TRUE(Append({b1, b2}, &r, at_one).ok());
  const Head before = ledger_->head();

  // The acknowledgement was lost; the client sends the same batch again.
  Status s = Append({b1, b2}, &r, at_one);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.appended, 0u);
  EXPECT_EQ(r.duplicates, 2u);
  ASSERT_EQ(r.outcomes.size(), 2u);
  EXPECT_TRUE(r.outcomes[0].duplicate && r.outcomes[1].duplicate);
  EXPECT_EQ(r.outcomes[0].seq, 2u);
  EXPECT_EQ(r.outcomes[1].seq, 3u);
  EXPECT_EQ(ledger_->head().hash, before.hash);

  // The same id with other content is still a conflict, an event_id one.
  Event changed = b2;
  changed.minutes += 1;
  s = Append({b1, changed}, &r, at_one);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(r.failed_index, 1u);
  EXPECT_NE(s.message().find("event_id conflict: already used by seq 3"), std::string::npos)
      << s.message();

  // A new event with the retried ones: the version applies, and names it.
  s = Append({b1, f_.Book("C1", ServiceLine::kReactive, 7)}, &r, at_one);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(r.failed_index, 1u);
  EXPECT_NE(s.message().find("expected stream version 1, found 3"), std::string::npos)
      << s.message();
  EXPECT_EQ(ledger_->head().hash, before.hash);
  EXPECT_EQ(Version("C1"), 3u);
}

TEST_F(LedgerAppendTest, ReopenKeepsHeadVersionsAndWriteModel) {
  Event booking = f_.Book("C1", ServiceLine::kProactive, 1440);
  MustAppend(
      {f_.Open("C1"), booking, f_.Book("C1", ServiceLine::kProactive, 1440),
       f_.Book("C1", ServiceLine::kProactive, 1440), f_.Book("C1", ServiceLine::kProactive, 1440),
       f_.Escalation(EventType::kEscalationOpened, "C1", "E1"), f_.Open("C2"), f_.Close("C2")});
  const Head before = ledger_->head();
  const events::Uuid id = ledger_->ledger_id();
  Reopen();
  EXPECT_EQ(ledger_->head().seq, before.seq);
  EXPECT_EQ(ledger_->head().hash, before.hash);
  EXPECT_EQ(ledger_->head().recorded_at_ns, before.recorded_at_ns);
  EXPECT_EQ(ledger_->ledger_id(), id);
  EXPECT_EQ(Version("C1"), 6u);
  EXPECT_EQ(Version("C2"), 2u);
  ExpectRule(f_.Book("C1", ServiceLine::kProactive, 241), "consumed 5760 + 241 > funded 6000");
  ExpectRule(f_.Escalation(EventType::kEscalationOpened, "C1", "E1"), "escalation id already used");
  ExpectRule(f_.Book("C2", ServiceLine::kReactive, 1), "contract closed");
  MustAppend({f_.Reverse("C1", booking.event_id)});
  Reopen();
  ExpectRule(f_.Reverse("C1", booking.event_id), "reversal target already reversed");
  AppendResult r;
  ASSERT_TRUE(Append({booking}, &r).ok());
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.outcomes[0].seq, 2u);
}

TEST_F(LedgerAppendTest, ReopenWithTinyContractCacheReadsStateFromDisk) {
  ledger_.reset();
  Options o;
  o.create_if_missing = true;
  o.clock = &clock_;
  o.contract_cache_entries_max = 1;
  ASSERT_TRUE(Ledger::Open(o, path(), &ledger_).ok());
  // Three contracts through a one-entry cache: every switch reloads state.
  for (const char* c : {"A", "B", "C"}) MustAppend({f_.Open(c)});
  for (int round = 0; round < 4; ++round) {
    for (const char* c : {"A", "B", "C"}) MustAppend({f_.Book(c, ServiceLine::kProactive, 1440)});
  }
  for (const char* c : {"A", "B", "C"}) {
    ExpectRule(f_.Book(c, ServiceLine::kProactive, 241), "consumed 5760 + 241 > funded 6000");
    EXPECT_EQ(Version(c), 5u);
  }
}

// The rate in effect at effective_at among the amendments already appended:
// latest effective_at <= the event's (ties: the later appended), else the
// opening rate; an amendment never revalues what is stored.
TEST_F(LedgerAppendTest, AppliedBillRateFromAmendments) {
  MustAppend({f_.Open("C1")});  // reactive 30000/h from the start
  MustAppend({f_.Amend("C1", {AmendLine(ServiceLine::kReactive, 0, 36000)}, "2026-06-01")});
  Event july = f_.Book("C1", ServiceLine::kReactive, 60, "2026-07-01");
  Event may = f_.Book("C1", ServiceLine::kReactive, 60, "2026-05-15");
  Event june1 = f_.Book("C1", ServiceLine::kReactive, 60, "2026-06-01T00:00:00Z");
  MustAppend({july, may, june1});
  // Back-dated: from 2026-05-01 the rate was 33000. Appended after `july`
  // and `may`: they keep their rates.
  MustAppend({f_.Amend("C1", {AmendLine(ServiceLine::kReactive, 0, 33000)}, "2026-05-01")});
  Event may_after = f_.Book("C1", ServiceLine::kReactive, 60, "2026-05-15");
  Event july_after = f_.Book("C1", ServiceLine::kReactive, 60, "2026-07-01");
  Event april = f_.Book("C1", ServiceLine::kReactive, 60, "2026-04-30T23:59:59Z");
  MustAppend({may_after, july_after, april});
  // Two changes at the same instant: the later appended wins.
  MustAppend({f_.Amend("C1", {AmendLine(ServiceLine::kReactive, 0, 40000)}, "2026-08-01"),
              f_.Amend("C1", {AmendLine(ServiceLine::kReactive, 0, 41000)}, "2026-08-01")});
  Event august = f_.Book("C1", ServiceLine::kReactive, 60, "2026-08-02");
  MustAppend({august});

  auto rate_of = [&](const Event& e) {
    Event stored;
    EXPECT_TRUE(ledger_->GetByEventId(e.event_id, &stored).ok());
    return stored.applied_bill_rate_minor.value_or(-1);
  };
  EXPECT_EQ(rate_of(july), 36000);
  EXPECT_EQ(rate_of(may), 30000);
  EXPECT_EQ(rate_of(june1), 36000);
  EXPECT_EQ(rate_of(may_after), 33000);
  EXPECT_EQ(rate_of(july_after), 36000);
  EXPECT_EQ(rate_of(april), 30000);
  EXPECT_EQ(rate_of(august), 41000);
  Event open;
  ASSERT_TRUE(ledger_->Get(1, &open).ok());
  EXPECT_FALSE(open.applied_bill_rate_minor.has_value());
}

TEST_F(LedgerAppendTest, EmptyBatchIsANoOp) {
  AppendResult r;
  ASSERT_TRUE(Append({}, &r).ok());
  EXPECT_EQ(ledger_->head().seq, 0u);
}

TEST_F(LedgerAppendTest, OpenWithoutCreateIsNotFound) {
  std::unique_ptr<Ledger> l;
  Options o;
  Status s = Ledger::Open(o, dir_.Sub("none"), &l);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

TEST_F(LedgerAppendTest, SecondWriterIsBusy) {
  std::unique_ptr<Ledger> l;
  Options o;
  Status s = Ledger::Open(o, path(), &l);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  // Told from the lock itself, not from RocksDB's words: who holds it.
  EXPECT_NE(s.message().find("in use by another process (pid " + std::to_string(::getpid())),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("LOCK"), std::string::npos) << s.message();
}

// A crash between RocksDB creating the database and our meta batch leaves a
// folder with no data: create_if_missing finishes the creation; without it,
// or with any data present, it is not taken for a ledger.
TEST_F(LedgerAppendTest, OpenFinishesAnInterruptedCreation) {
  const std::string half = dir_.Sub("half");
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    std::unique_ptr<rocksdb::DB> db;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, half, &raw).ok());
    db.reset(raw);
    rocksdb::ColumnFamilyHandle* h = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "events", &h).ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  }
  std::unique_ptr<Ledger> l;
  Options o;
  EXPECT_TRUE(Ledger::Open(o, half, &l).IsCorruption());
  o.create_if_missing = true;
  Status s = Ledger::Open(o, half, &l);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(l->head().hash, GenesisHash(l->ledger_id()));
  AppendResult r;
  Event open = f_.Open("C1");
  ASSERT_TRUE(l->Append({&open, 1}, AppendOptions(), &r).ok());

  const std::string data = dir_.Sub("data");
  {
    rocksdb::Options ro;
    ro.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(ro, data, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "someone", "else's").ok());
  }
  EXPECT_TRUE(Ledger::Open(o, data, &l).IsCorruption());
}

}  // namespace
}  // namespace ccl::ledger::testing
