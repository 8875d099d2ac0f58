// Idempotent event ids (schemas/EVENTS.md R-ID-01, R-ID-02): a re-sent event
// with the same content is a duplicate, stored or earlier in the batch, unless
// a rule that looks at input only refuses it (R-LIFE-05); the same id with
// other content is a conflict naming the first use.
#include <gtest/gtest.h>

#include "events/model/rules.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {
namespace {

class LedgerDuplicateTest : public AppendFixture {};

TEST_F(LedgerDuplicateTest, IdenticalReappendIsDuplicate) {
  std::vector<Event> batch = {f_.Open("C1"), f_.Book("C1", ServiceLine::kReactive, 30)};
  MustAppend(batch);
  const Head before = ledger_->head();
  AppendResult r;
  ASSERT_TRUE(Append(batch, &r).ok());
  EXPECT_EQ(r.appended, 0u);
  EXPECT_EQ(r.duplicates, 2u);
  EXPECT_TRUE(r.outcomes[0].duplicate);
  EXPECT_EQ(r.outcomes[0].seq, 1u);
  EXPECT_EQ(r.outcomes[1].seq, 2u);
  EXPECT_EQ(ledger_->head().hash, before.hash);

  // Assigned fields differ in the re-import (e.g. from `log --json`): still a duplicate.
  Event stored;
  ASSERT_TRUE(ledger_->Get(2, &stored).ok());
  Event fresh = f_.Book("C1", ServiceLine::kReactive, 30);
  ASSERT_TRUE(Append({stored, fresh}, &r).ok());
  EXPECT_EQ(r.appended, 1u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.outcomes[1].seq, 3u);
}

// The stated currency is input only, so a re-sent event with another one has
// the same stored content: R-LIFE-05 refuses it all the same, as it refuses a
// new event, stored or earlier in the batch.
TEST_F(LedgerDuplicateTest, DuplicateStatingAnotherCurrencyIsRefusedAsANewEvent) {
  Event booking = f_.Book("C1", ServiceLine::kReactive, 30);
  MustAppend({f_.Open("C1"), booking});
  const Head before = ledger_->head();
  Event resent = booking;
  resent.stated_currency = "JPY";  // the contract is in USD
  AppendResult r;
  Status s = Append({f_.Book("C1", ServiceLine::kReactive, 5), resent}, &r);
  EXPECT_TRUE(s.IsRuleViolation()) << s.ToString();
  EXPECT_EQ(s.rule(), rules::kStatedCurrency);
  EXPECT_NE(s.message().find("currency 'JPY' stated, contract 'C1' is in USD"), std::string::npos)
      << s.ToString();
  EXPECT_EQ(r.failed_index, 1u);
  EXPECT_EQ(ledger_->head().seq, before.seq);
  // Within one batch too.
  Event fresh = f_.Book("C1", ServiceLine::kReactive, 7);
  Event again = fresh;
  again.stated_currency = "EUR";
  s = Append({fresh, again}, &r);
  EXPECT_EQ(s.rule(), rules::kStatedCurrency) << s.ToString();
  EXPECT_EQ(ledger_->head().seq, before.seq);
  // The contract's own currency stated: a duplicate.
  resent.stated_currency = "USD";
  ASSERT_TRUE(Append({resent}, &r).ok());
  EXPECT_EQ(r.duplicates, 1u);
}

TEST_F(LedgerDuplicateTest, DuplicateWithinOneBatch) {
  Event open = f_.Open("C1");
  AppendResult r;
  ASSERT_TRUE(Append({open, open}, &r).ok());
  EXPECT_EQ(r.appended, 1u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_TRUE(r.outcomes[1].duplicate);
  EXPECT_EQ(r.outcomes[1].seq, 1u);
  EXPECT_EQ(ledger_->head().seq, 1u);
}

TEST_F(LedgerDuplicateTest, SameIdOtherContentIsConflict) {
  Event booking = f_.Book("C1", ServiceLine::kReactive, 30);
  MustAppend({f_.Open("C1"), booking});
  Event changed = booking;
  changed.minutes = 31;
  AppendResult r;
  Status s = Append({f_.Book("C1", ServiceLine::kReactive, 1), changed}, &r);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(r.failed_index, 1u);
  EXPECT_NE(s.message().find("event_id conflict: already used by seq 2"), std::string::npos)
      << s.message();
  // Within one batch as well.
  Event a = f_.Book("C1", ServiceLine::kReactive, 5);
  Event b = a;
  b.note = "edited";
  s = Append({a, b}, &r);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(r.failed_index, 1u);
  EXPECT_EQ(r.first_use_index, 0u);
  EXPECT_EQ(ledger_->head().seq, 2u);
}

TEST_F(LedgerDuplicateTest, SameIdTwiceInOneBatchNamesTheFirstUseNotASeq) {
  MustAppend({f_.Open("C1")});
  Event a = f_.Book("C1", ServiceLine::kReactive, 30);
  Event b = a;
  b.minutes = 31;
  AppendResult r;
  Status s = Append(
      {f_.Book("C1", ServiceLine::kReactive, 1), a, f_.Book("C1", ServiceLine::kReactive, 2), b},
      &r);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(r.failed_index, 3u);
  EXPECT_EQ(r.first_use_index, 1u);
  // `a` was given seq 3 while checking, but nothing of the batch is written,
  // so no seq may be named.
  EXPECT_NE(s.message().find("event_id conflict: already used by input event 2 of this batch"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("seq"), std::string::npos) << s.message();
  EXPECT_EQ(ledger_->head().seq, 1u);
  // Against a stored event the seq is named, and first_use_index is unset.
  MustAppend({a});
  s = Append({b}, &r);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(r.first_use_index, SIZE_MAX);
  EXPECT_NE(s.message().find("already used by seq 2"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace ccl::ledger::testing
