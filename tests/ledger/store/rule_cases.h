// The fixture of the rule cases (tests/ledger/store/rules_test.cc): one case per
// rule id, each breaking the rule through Ledger::Append. The cases of the
// ledger stream's rules (periods, holds, approvals) are in
// tests/ledger/store/rule_cases_ledger.cc.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "ledger/store/write_model.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {

// A committed state with nothing in it, for cases that call ApplyEvent
// directly (the checks field validation makes unreachable through Append).
class EmptyCommitted final : public CommittedReader {
 public:
  Status ReadContract(std::string_view, bool* found, ContractState*) override {
    *found = false;
    return Status::OK();
  }
  Status ReadEscalation(const std::string&, bool* found, EscalationState*) override {
    *found = false;
    return Status::OK();
  }
  Status ReadReversal(uint64_t, bool* found, uint64_t*) override {
    *found = false;
    return Status::OK();
  }
  Status ReadEventById(const events::Uuid&, bool* found, uint64_t*, events::Event*) override {
    *found = false;
    return Status::OK();
  }
  Status ReadDecision(const events::Event&, DecisionLookup* out) override {
    *out = DecisionLookup{};
    return Status::OK();
  }
};

class RuleCasesTest : public ::testing::Test {
 protected:
  void Reopen() {
    ledger_.reset();
    dir_ = std::make_unique<TempDir>();
    Options o;
    o.create_if_missing = true;
    o.clock = &clock_;
    Status s = Ledger::Open(o, dir_->Sub("db"), &ledger_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

 public:
  Status Append(const std::vector<Event>& batch, const AppendOptions& options = AppendOptions()) {
    return ledger_->Append(batch, options, &result_);
  }
  Status Get(uint64_t seq, Event* out) { return ledger_->Get(seq, out); }
  Status AppendSpan(std::span<const Event> batch) {
    return ledger_->Append(batch, AppendOptions(), &result_);
  }
  // Setup that must be accepted; a failure shows up as a wrong status of the case.
  Status Given(const std::vector<Event>& batch) {
    Status s = Append(batch);
    EXPECT_TRUE(s.ok()) << "setup: " << s.ToString();
    return s;
  }
  // ApplyEvent on an empty write model; also checks that Append refuses `e`
  // by field validation first (which EVENTS.md says).
  Status ApplyToEmptyModel(const Event& e) {
    Status by_append = Append({e});
    EXPECT_TRUE(by_append.IsInvalidArgument()) << by_append.ToString();
    EXPECT_EQ(by_append.rule().substr(0, 2), "F-") << by_append.ToString();
    EmptyCommitted committed;
    AppendView view(&committed);
    view.BeginWriter(1);
    AppliedFields applied;
    return ApplyEvent(&view, e, 1, &applied);
  }

  EventFactory f;
  AppendResult result_;

 private:
  FakeClock clock_{At("2026-05-01T00:00:00Z")};
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Ledger> ledger_;
};

using Case = std::function<Status(RuleCasesTest&)>;

using CaseMap = std::map<std::string_view, Case>;
using T = RuleCasesTest;
constexpr ServiceLine kPro = ServiceLine::kProactive;  // 6000 min, reject
constexpr ServiceLine kRe = ServiceLine::kReactive;    // 12000 min, allow

// Cases of the period, legal hold, reopening and approval rules
// (rule_cases_ledger.cc).
CaseMap PeriodCases();
CaseMap HoldCases();
CaseMap ReopenCases();
CaseMap ApprovalCases();

}  // namespace ccl::ledger::testing
