// The published checks and the code stay one set: every id of events/model/rules.h
// has its anchor in schemas/EVENTS.md and the reverse; no id is spelled
// outside the header; and every check id is reported, exactly, by a case
// that breaks it through Ledger::Append (or, where field validation stops
// the event first, through ApplyEvent), so no rule exists only on paper.
// Effect ids (what an accepted event does) get a case showing the effect.
//
// To add a rule: its constant in events/model/rules.h and in rules::kAll, its
// anchor `<a id="r-x-01"></a>**R-X-01**` in EVENTS.md, `.WithRule(id)` (or
// the id argument of Rule() in ledger/store/write_model.cc) where it is checked,
// and a row in Cases() below.
#include "events/model/rules.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "events/base/limits.h"
#include "ledger/store/write_model.h"
#include "tests/ledger/store/ledger_test_util.h"
#include "tests/ledger/store/rule_cases.h"

namespace ccl::ledger::testing {
namespace {

namespace fs = std::filesystem;
using events::Severity;

std::string ReadSourceFile(const fs::path& relative) {
  std::ifstream in(fs::path(CCL_SOURCE_DIR) / relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::set<std::string> CodeIds() {
  std::set<std::string> ids;
  for (const rules::Entry& r : rules::kAll) ids.emplace(r.id);
  return ids;
}

// The ids of EVENTS.md: `<a id="r-cons-01"></a>**R-CONS-01**`, the anchor
// being the id in lower case.
std::set<std::string> DocIds() {
  // What an HTML comment holds is not published, so it defines nothing.
  const std::string doc =
      std::regex_replace(ReadSourceFile("schemas/EVENTS.md"), std::regex("<!--[^]*?-->"), "");
  const std::regex anchor(R"re(<a id="([a-z0-9-]+)"></a>\*\*([RF]-[A-Z0-9-]+)\*\*)re");
  std::set<std::string> ids;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), anchor); it != std::sregex_iterator();
       ++it) {
    std::string lower = (*it)[2];
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ((*it)[1].str(), lower) << "anchor of " << (*it)[2];
    EXPECT_TRUE(ids.insert((*it)[2]).second) << (*it)[2] << " defined twice in EVENTS.md";
  }
  return ids;
}

TEST(RuleIdsTest, HeaderListsEveryIdItDefinesOnce) {
  const std::string header = ReadSourceFile("events/model/rules.h");
  const std::regex literal(R"re("([RF]-[A-Z0-9-]+)")re");
  std::set<std::string> defined;
  for (auto it = std::sregex_iterator(header.begin(), header.end(), literal);
       it != std::sregex_iterator(); ++it) {
    EXPECT_TRUE(defined.insert((*it)[1]).second) << (*it)[1] << " defined twice";
  }
  EXPECT_EQ(defined, CodeIds());
  EXPECT_EQ(CodeIds().size(), rules::kAll.size()) << "an id is listed twice in rules::kAll";
}

TEST(RuleIdsTest, CodeAndCatalogNameTheSameIds) {
  const std::set<std::string> code = CodeIds();
  const std::set<std::string> doc = DocIds();
  for (const std::string& id : code) EXPECT_TRUE(doc.count(id)) << id << ": no anchor in EVENTS.md";
  for (const std::string& id : doc)
    EXPECT_TRUE(code.count(id)) << id << ": not in events/model/rules.h";
}

TEST(RuleIdsTest, NoIdIsSpelledOutsideTheHeader) {
  for (const char* folder : {"events", "ledger", "projections", "tools"}) {
    for (const auto& f : fs::recursive_directory_iterator(fs::path(CCL_SOURCE_DIR) / folder)) {
      const std::string ext = f.path().extension().string();
      if (f.path().filename() == "rules.h" || (ext != ".cc" && ext != ".h")) continue;
      const std::string text = ReadSourceFile(fs::relative(f.path(), CCL_SOURCE_DIR));
      for (const rules::Entry& r : rules::kAll) {
        EXPECT_EQ(text.find("\"" + std::string(r.id) + "\""), std::string::npos)
            << f.path() << " spells " << r.id << ": use the constant of events/model/rules.h";
      }
    }
  }
}

// A batch of more than kEventsPerBatchMax events, never read: the size is
// checked before any event is, and the pages are inaccessible (a read of one
// would crash the test rather than pass it).
Status OversizedBatch(RuleCasesTest& t) {
  const size_t n = limits::kEventsPerBatchMax + 1;
  void* p = mmap(nullptr, n * sizeof(Event), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  EXPECT_NE(p, MAP_FAILED);
  Status s = t.AppendSpan(std::span<const Event>(static_cast<const Event*>(p), n));
  munmap(p, n * sizeof(Event));
  return s;
}

// Cases of the batch, identity and life cycle rules.
CaseMap IdentityAndLifeCycleCases() {
  return {
      {rules::kBatchEventsMax, OversizedBatch},
      {rules::kExpectedVersion,
       [](T& t) {
         AppendOptions o;
         o.expected_versions = {{"C1", 1}};
         return t.Append({t.f.Open("C1")}, o);
       }},
      {rules::kDuplicate,
       [](T& t) {
         const Event open = t.f.Open("C1");
         CCL_RETURN_IF_ERROR(t.Given({open}));
         CCL_RETURN_IF_ERROR(t.Append({open}));
         EXPECT_TRUE(t.result_.outcomes.at(0).duplicate);
         return Status::OK();
       }},
      {rules::kEventIdConflict,
       [](T& t) {
         Event open = t.f.Open("C1");
         CCL_RETURN_IF_ERROR(t.Given({open}));
         open.customer = "someone else";
         return t.Append({open});
       }},
      {rules::kFirstEventOpens, [](T& t) { return t.Append({t.f.Book("C1", kRe, 60)}); }},
      {rules::kOpenedOnce,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Open("C1")});
       }},
      {rules::kNothingAfterClose,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Close("C1"), t.f.Book("C1", kRe, 60)});
       }},
      {rules::kCloseNeedsOpen,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Close("C1")});
       }},
      {rules::kStatedCurrency,
       [](T& t) {
         Event booking = t.f.Book("C1", kRe, 60);
         booking.stated_currency = "JPY";  // the contract is in USD
         return t.Append({t.f.Open("C1"), booking});
       }},
  };
}

// Cases of the ContractOpened and ContractAmended rules.
CaseMap ContractCases() {
  return {
      {rules::kOpenTerm,
       [](T& t) {
         Event e = t.f.Open("C1");
         e.term_end_day = *e.term_end_day - 400;
         return t.ApplyToEmptyModel(e);
       }},
      {rules::kOpenLineOnce,
       [](T& t) {
         Event e = t.f.Open("C1");
         e.lines[1].service_line = kPro;
         return t.ApplyToEmptyModel(e);
       }},
      {rules::kOpenLineComplete,
       [](T& t) {
         Event e = t.f.Open("C1");
         e.lines[0].bill_rate_minor.reset();
         return t.ApplyToEmptyModel(e);
       }},
      {rules::kAmendTerm,
       [](T& t) {
         Event a = t.f.Amend("C1", {});
         a.term_end_day = Day("2025-12-31");
         return t.Append({t.f.Open("C1"), a});
       }},
      {rules::kAmendNewLineComplete,
       [](T& t) {
         return t.Append(
             {t.f.Open("C1"), t.f.Amend("C1", {AmendLine(ServiceLine::kServiceDelivery, 60)})});
       }},
      {rules::kAmendNewLineFunded,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Amend("C1", {AmendLine(ServiceLine::kServiceDelivery,
                                                                     -60, 100, Overage::kAllow)})});
       }},
      {rules::kAmendNotBelowConsumed,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Book("C1", kPro, 600),
                          t.f.Amend("C1", {AmendLine(kPro, -5500)})});
       }},
      {rules::kAmendFundedMax,
       [](T& t) {
         return t.Append(
             {t.f.Open("C1"), t.f.Amend("C1", {AmendLine(kPro, limits::kFundedMinutesMax)})});
       }},
      {rules::kAmendOverage,
       [](T& t) {
         // 7000 minutes on the 6000-minute `reject` line pass once it is `allow`.
         return t.Append({t.f.Open("C1"),
                          t.f.Amend("C1", {AmendLine(kPro, 0, {}, Overage::kAllow)}),
                          t.f.Deliver("C1", kPro, 7000)});
       }},
      {rules::kAmendRateChanges,
       [](T& t) {
         std::vector<Event> batch = {t.f.Open("C1")};
         for (size_t i = 0; i <= limits::kRateChangesPerLineMax; ++i) {
           batch.push_back(t.f.Amend("C1", {AmendLine(kRe, 0, 30000 + i)}));
         }
         return t.Append(batch);
       }},
  };
}

// Cases of the consumption and escalation rules.
CaseMap ConsumptionAndEscalationCases() {
  return {
      {rules::kConsumptionLineFunded,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Book("C1", ServiceLine::kDesignatedEngineering, 60)});
       }},
      {rules::kConsumptionInTerm,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Book("C1", kRe, 60, "2027-01-01T00:00:00Z")});
       }},
      {rules::kConsumptionOverageReject,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Deliver("C1", kPro, 6001)});
       }},
      {rules::kConsumptionCounted,
       [](T& t) {
         // Counted: the line's 6000 minutes hold 6000 and refuse one more.
         CCL_RETURN_IF_ERROR(t.Given({t.f.Open("C1"), t.f.Deliver("C1", kPro, 6000)}));
         EXPECT_EQ(t.Append({t.f.Book("C1", kPro, 1)}).rule(), rules::kConsumptionOverageReject);
         return Status::OK();
       }},
      {rules::kEscalationIdUnused,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Escalation(EventType::kEscalationOpened, "C1", "E1"),
                          t.f.Escalation(EventType::kEscalationOpened, "C1", "E1")});
       }},
      {rules::kEscalationExists,
       [](T& t) {
         return t.Append(
             {t.f.Open("C1"), t.f.Escalation(EventType::kEscalationResolved, "C1", "E1")});
       }},
      {rules::kEscalationOpen,
       [](T& t) {
         return t.Append(
             {t.f.Open("C1"), t.f.Escalation(EventType::kEscalationOpened, "C1", "E1"),
              t.f.Escalation(EventType::kEscalationResolved, "C1", "E1"),
              t.f.Escalation(EventType::kEscalationSeverityChanged, "C1", "E1", Severity::kB)});
       }},
  };
}

// Cases of the reversal rules.
CaseMap ReversalCases() {
  return {
      {rules::kReversalTargetExists,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Reverse("C1", t.f.NextId())});
       }},
      {rules::kReversalSameContract,
       [](T& t) {
         const Event b = t.f.Book("C1", kRe, 60);
         return t.Append({t.f.Open("C1"), t.f.Open("C2"), b, t.f.Reverse("C2", b.event_id)});
       }},
      {rules::kReversalTargetConsumption,
       [](T& t) {
         const Event open = t.f.Open("C1");
         return t.Append({open, t.f.Reverse("C1", open.event_id)});
       }},
      {rules::kReversalOnce,
       [](T& t) {
         const Event b = t.f.Book("C1", kRe, 60);
         return t.Append(
             {t.f.Open("C1"), b, t.f.Reverse("C1", b.event_id), t.f.Reverse("C1", b.event_id)});
       }},
      {rules::kReversalCounted,
       [](T& t) {
         // The reversed 6000 minutes leave room for 6000 more on the `reject` line.
         const Event d = t.f.Deliver("C1", kPro, 6000);
         return t.Append(
             {t.f.Open("C1"), d, t.f.Reverse("C1", d.event_id), t.f.Deliver("C1", kPro, 6000)});
       }},
  };
}

// Cases of the time-order rules.
CaseMap TimeOrderCases() {
  return {
      {rules::kTimeNotBeforeOpened,
       [](T& t) {
         return t.Append(
             {t.f.Open("C1", "2026-02-01"), t.f.Book("C1", kRe, 60, "2026-01-15T00:00:00Z")});
       }},
      {rules::kTimeTermEndNotBeforeConsumption,
       [](T& t) {
         Event a = t.f.Amend("C1", {}, "2026-07-01");
         a.term_end_day = Day("2026-06-01");
         return t.Append({t.f.Open("C1"), t.f.Book("C1", kRe, 60, "2026-06-15T10:00:00Z"), a});
       }},
      {rules::kTimeCloseNotBeforeLatest,
       [](T& t) {
         Event c = t.f.Close("C1");
         c.effective_at_ns = At("2026-03-01T00:00:00Z");
         return t.Append({t.f.Open("C1"), t.f.Book("C1", kRe, 60), c});
       }},
      {rules::kTimeCloseNotBeforeTerm,
       [](T& t) {
         Event o = t.f.Open("C1", "2025-12-01");
         Event c = t.f.Close("C1");
         c.effective_at_ns = At("2025-12-15T00:00:00Z");
         return t.Append({o, c});
       }},
      {rules::kTimeRerateNotBeforeOpened,
       [](T& t) {
         Event r = t.f.Escalation(EventType::kEscalationSeverityChanged, "C1", "E1", Severity::kB);
         r.effective_at_ns = At("2026-03-01T00:00:00Z");
         return t.Append(
             {t.f.Open("C1"), t.f.Escalation(EventType::kEscalationOpened, "C1", "E1"), r});
       }},
      {rules::kTimeResolveNotBeforeOpened,
       [](T& t) {
         Event r = t.f.Escalation(EventType::kEscalationResolved, "C1", "E1");
         r.effective_at_ns = At("2026-03-01T00:00:00Z");
         return t.Append(
             {t.f.Open("C1"), t.f.Escalation(EventType::kEscalationOpened, "C1", "E1"), r});
       }},
      {rules::kTimeReversalNotBeforeTarget,
       [](T& t) {
         const Event b = t.f.Book("C1", kRe, 60, "2026-03-15T10:00:00Z");
         return t.Append({t.f.Open("C1"), b, t.f.Reverse("C1", b.event_id, "2026-03-01")});
       }},
  };
}

// Cases of the field tables of the envelope and the contract events.
CaseMap ContractFieldCases() {
  return {
      {rules::kFieldType,
       [](T& t) {
         Event e = t.f.Close("C1");
         e.type = static_cast<EventType>(42);
         return t.Append({e});
       }},
      {rules::kFieldEnvelope,
       [](T& t) {
         Event e = t.f.Open("C1");
         e.actor.clear();
         return t.Append({e});
       }},
      {rules::kFieldOtherType,
       [](T& t) {
         Event e = t.f.Close("C1");
         e.minutes = 60;
         return t.Append({e});
       }},
      {rules::kFieldContractOpened,
       [](T& t) {
         Event e = t.f.Open("C1");
         e.currency = "XAU";
         return t.Append({e});
       }},
      {rules::kFieldOpenedLine,
       [](T& t) {
         Event e = t.f.Open("C1");
         e.lines[0].funded_minutes = limits::kFundedMinutesMax + 1;
         return t.Append({e});
       }},
      {rules::kFieldContractAmended,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Amend("C1", {})});
       }},
      {rules::kFieldAmendedLine,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Amend("C1", {AmendLine(kRe, 0)})});
       }},
  };
}

// The case of an escalation field table: C1 opened, then an escalation event
// of `type` without its `field`.
Case EscalationWithout(EventType type, std::string Event::*field) {
  return [type, field](T& t) {
    Event e = t.f.Escalation(type, "C1", "E1");
    (e.*field).clear();
    return t.Append({t.f.Open("C1"), e});
  };
}

// Cases of the field tables of the other events.
CaseMap EventFieldCases() {
  return {
      {rules::kFieldHoursBooked,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Book("C1", kRe, 1441)});
       }},
      {rules::kFieldDeliveryCompleted,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Deliver("C1", kRe, 100001)});
       }},
      {rules::kFieldEscalationOpened,
       EscalationWithout(EventType::kEscalationOpened, &Event::summary)},
      {rules::kFieldEscalationSeverityChanged,
       [](T& t) {
         return t.Append({t.f.Open("C1"), t.f.Escalation(EventType::kEscalationSeverityChanged,
                                                         "C1", "E1", Severity::kUnset)});
       }},
      {rules::kFieldEscalationResolved,
       EscalationWithout(EventType::kEscalationResolved, &Event::resolution)},
      {rules::kFieldEntryReversed,
       [](T& t) {
         Event e = t.f.Reverse("C1", {});
         return t.Append({t.f.Open("C1"), e});
       }},
      {rules::kFieldContractClosed,
       [](T& t) {
         Event e = t.f.Close("C1");
         e.reason = std::string(limits::kReasonBytesMax + 1, 'r');
         return t.Append({t.f.Open("C1"), e});
       }},
      {rules::kFieldLegalHold,
       [](T& t) {
         Event e = t.f.Hold(EventType::kLegalHoldPlaced, "C1", "X");
         e.legal_case = std::string(limits::kCaseBytesMax + 1, 'c');
         return t.Append({t.f.Open("C1"), e});
       }},
      {rules::kFieldPeriodClosed,
       [](T& t) {
         Event e = t.f.ClosePeriod("2026-01", "2026-02-01");
         e.period_month = 0;
         return t.Append({e});
       }},
  };
}

// One case per id: checks return the Status of the append that breaks the
// rule; effects return OK after showing the effect.
std::map<std::string_view, Case> Cases() {
  CaseMap all;
  for (CaseMap part :
       {IdentityAndLifeCycleCases(), ContractCases(), ConsumptionAndEscalationCases(),
        ReversalCases(), TimeOrderCases(), PeriodCases(), HoldCases(), ReopenCases(),
        ApprovalCases(), ContractFieldCases(), EventFieldCases()}) {
    all.merge(part);
    EXPECT_TRUE(part.empty()) << part.begin()->first << " has two cases";
  }
  return all;
}

TEST_F(RuleCasesTest, EveryIdHasACaseThatGetsExactlyThatId) {
  const std::map<std::string_view, Case> cases = Cases();
  for (const rules::Entry& r : rules::kAll) {
    SCOPED_TRACE(std::string(r.id));
    auto it = cases.find(r.id);
    if (it == cases.end()) {
      ADD_FAILURE() << r.id << ": no case in tests/ledger/store/rules_test.cc";
      continue;
    }
    Reopen();
    const Status s = it->second(*this);
    if (r.kind == rules::Kind::kEffect) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      continue;
    }
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.rule(), r.id) << s.ToString();
    const std::string suffix = " (rule " + std::string(r.id) + ")";
    EXPECT_TRUE(s.message().ends_with(suffix)) << s.message();
  }
  EXPECT_EQ(cases.size(), rules::kAll.size()) << "a case for an id that rules::kAll lacks";
}

}  // namespace
}  // namespace ccl::ledger::testing
