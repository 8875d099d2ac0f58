// The compliance sections of the HTML audit report (tools/report/report_compliance.h).
#include "tools/report/report_compliance.h"

#include "events/base/display.h"
#include "events/base/time_format.h"
#include "events/model/money.h"
#include "events/model/uuid.h"
#include "projections/periods/pending.h"
#include "projections/periods/periods.h"
#include "tools/report/html.h"

namespace ccl::report {

namespace {

void ClosedMonths(const ReportData& d, std::string* out) {
  const auto write = [](Table& t, const projections::ClosedPeriod& p) {
    std::string reopened;
    if (p.reopened_at_ns != 0) {
      reopened = events::FormatInstant(p.reopened_at_ns) + " by " + projections::ReopenedBy(p);
    }
    const auto head = [&] {
      t.Row();
      t.Text(events::FormatMonthIndex(p.month), "nowrap");
      if (p.seq == 0) {  // closed with a later month's first close, then reopened
        t.Text("with a later month", "sub");
        t.Text("");
        return;
      }
      t.Text(events::FormatInstant(p.effective_at_ns), "nowrap");
      t.Text(p.actor, "sub");
    };
    if (p.seal.totals.empty()) {
      head();
      for (int i = 0; i < 4; ++i) t.Text("");
      t.Text(reopened);
    }
    for (const events::SealedTotal& s : p.seal.totals) {
      head();
      t.Text(s.currency);
      t.Num(events::FormatMoney(s.revenue_minor, s.currency));
      t.Num(events::FormatMoney(s.cost_minor, s.currency));
      t.Num(events::FormatMoney(s.margin_minor, s.currency));
      t.Text(reopened);
    }
  };
  AppendTableSection(
      "<section id=\"periods\"><h2>Closed months</h2><p class=\"lead\">The totals the "
      "ledger sealed into each close; <code>ledgerctl verify</code> recomputes them from the "
      "events. A reopened month shows who reopened it; its next close seals new figures.</p>",
      d.periods, "No month is closed.",
      {{"Month", false},
       {"Closed", false},
       {"By", false},
       {"Currency", false},
       {"Revenue", true},
       {"Cost", true},
       {"Margin", true},
       {"Reopened", false}},
      write, out);
}

void PendingApprovals(const ReportData& d, std::string* out) {
  const auto write = [](Table& t, const events::Event& e) {
    t.Row();
    t.Num(events::FormatThousands(e.seq));
    t.Text(events::EventTypeName(e.type));
    t.Text(e.contract, "nowrap");
    t.Text(events::FormatInstant(e.effective_at_ns), "nowrap");
    t.Text(e.actor);
    t.Text(events::FormatInstant(e.recorded_at_ns), "nowrap");
    t.Text(projections::PendingRequest(e));
  };
  AppendTableSection(
      "<section id=\"pending\"><h2>Awaiting approval</h2><p class=\"lead\">Changes the "
      "approval policy holds back until another person approves them: in the log, without "
      "effect on any figure above.</p>",
      d.pending, "Nothing awaits approval.",
      {{"Seq", true},
       {"Type", false},
       {"Contract", false},
       {"Effective", false},
       {"Asked by", false},
       {"Asked at", false},
       {"Request", false}},
      write, out);
}

void LegalHolds(const ReportData& d, std::string* out) {
  const auto write = [](Table& t, const projections::RetentionRow& r) {
    std::string cases;
    for (const std::string& h : r.holds) cases += (cases.empty() ? "" : "; ") + h;
    t.Row();
    t.Text(r.contract, "nowrap");
    t.Text(r.customer);
    t.Text(cases);
  };
  AppendTableSection(
      "<section id=\"holds\"><h2>Legal holds</h2><p class=\"lead\">Contracts whose records "
      "are kept whatever their retention period, with the cases.</p>",
      d.holds, "No legal hold is in force.",
      {{"Contract", false}, {"Customer", false}, {"Cases", false}}, write, out);
}

}  // namespace

void AppendComplianceHtml(const ReportData& d, std::string* out) {
  ClosedMonths(d, out);
  PendingApprovals(d, out);
  LegalHolds(d, out);
}

}  // namespace ccl::report
