// HTML rendering of the audit report (tools/report/report_html.h).
#include "tools/report/report_html.h"

#include <algorithm>

#include "events/base/display.h"
#include "events/base/hex.h"
#include "events/base/time_format.h"
#include "events/model/money.h"
#include "events/model/uuid.h"
#include "tools/report/html.h"
#include "tools/report/report_compliance.h"
#include "tools/report/svg_chart.h"

namespace ccl::report {

namespace {

using events::FormatHoursMinutes;
using events::FormatMoney;

constexpr const char* kStyle = R"css(
:root{--ink:#0f172a;--muted:#64748b;--faint:#94a3b8;--line:#e2e8f0;--soft:#f1f5f9;
--ok:#166534;--ok-bg:#dcfce7;--bad:#991b1b;--bad-bg:#fee2e2;--warn:#92400e;--warn-bg:#fef3c7}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f8fafc;color:var(--ink);
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans","Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:36px 28px 64px}
header.report{border-bottom:3px solid var(--ink);padding-bottom:18px;margin-bottom:8px}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:11px;font-weight:600;color:var(--muted);margin:0 0 6px}
h1{font-size:28px;line-height:1.2;margin:0 0 6px;letter-spacing:-.01em}
h2{font-size:18px;margin:40px 0 6px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:24px 0 8px}
p.lead{margin:0 0 14px;color:var(--muted);max-width:78ch}
dl.scope{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:10px 24px;margin:16px 0 0}
dl.scope dt{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600}
dl.scope dd{margin:2px 0 0;font-weight:500}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:14px;margin-top:14px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 18px}
.card h3{margin:0 0 8px;font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.card .big{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
.card p{margin:6px 0 0;color:var(--muted);font-size:13px}
.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px;word-break:break-all;color:var(--ink)}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-weight:650;font-size:12px;line-height:18px;white-space:nowrap}
.badge.ok{background:var(--ok-bg);color:var(--ok)}
.badge.bad{background:var(--bad-bg);color:var(--bad)}
.badge.warn{background:var(--warn-bg);color:var(--warn)}
.badge.none{background:var(--soft);color:var(--muted)}
.alert{border:1px solid #fecaca;background:#fef2f2;color:var(--bad);border-radius:10px;padding:12px 16px;margin:14px 0}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:10px;background:#fff}
table{width:100%;border-collapse:collapse;font-size:13px}
th{text-align:left;font-weight:600;font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);
background:var(--soft);padding:9px 12px;border-bottom:1px solid var(--line);white-space:nowrap}
td{padding:8px 12px;border-bottom:1px solid var(--soft);vertical-align:top}
tbody tr:last-child td{border-bottom:none}
tbody tr:hover td{background:#fafcff}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:650;border-top:2px solid var(--line);background:#fcfcfd}
td.sub{color:var(--muted)}
td.nowrap{white-space:nowrap}
.meter{display:inline-block;vertical-align:middle;width:90px;height:8px;border-radius:4px;background:var(--soft);overflow:hidden;margin-right:8px}
.meter i{display:block;height:100%;background:#60a5fa;border-radius:4px}
.meter i.over{background:#dc2626}
.empty{color:var(--muted);font-style:italic;margin:8px 0}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(500px,1fr));gap:16px;margin-top:14px}
figure.chart-card{margin:0;background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px 12px}
figure.chart-card header{display:flex;justify-content:space-between;align-items:baseline;gap:12px}
figure.chart-card h3{margin:0;font-size:15px}
figure.chart-card .who{color:var(--muted);font-size:12px}
svg.chart{display:block;width:100%;height:auto;margin-top:6px}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:var(--muted);margin:6px 0 8px}
.legend span{display:inline-flex;align-items:center;gap:6px}
.legend i{display:inline-block;width:18px;height:0;border-top:3px solid}
.legend i.dash{border-top-style:dashed}
dl.figures{display:grid;grid-template-columns:repeat(4,1fr);gap:4px 12px;margin:0;font-size:12px}
dl.figures dt{color:var(--muted)}
dl.figures dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
footer{margin-top:48px;padding-top:16px;border-top:1px solid var(--line);color:var(--muted);font-size:12px}
footer code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;background:var(--soft);padding:1px 5px;border-radius:4px;color:var(--ink)}
@media print{body{background:#fff}main{padding:0}.card,.table-wrap,figure.chart-card{break-inside:avoid}
tbody tr:hover td{background:none}}
)css";

// ---- small builders; every text argument is escaped

void Esc(std::string_view s, std::string* out) { AppendEscaped(s, out); }

std::string Date(int32_t day) { return events::FormatDate(day); }

std::string Instant(int64_t ns) { return events::FormatInstant(ns); }

std::string LineName(events::ServiceLine l) {
  std::string s(events::ServiceLineName(l));
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string Badge(const char* cls, std::string_view text) {
  std::string s = std::string("<span class=\"badge ") + cls + "\">";
  Esc(text, &s);
  return s + "</span>";
}

std::string FlagBadge(projections::BurnFlag f) {
  switch (f) {
    case projections::BurnFlag::kOverrun:
      return Badge("bad", "overrun");
    case projections::BurnFlag::kUnderuse:
      return Badge("warn", "underuse");
    case projections::BurnFlag::kOk:
      break;
  }
  return Badge("ok", "on track");
}

// ---- sections

void Header(const ReportData& d, std::string* out) {
  out->append("<header class=\"report\"><p class=\"eyebrow\">Contract consumption ledger</p>");
  out->append("<h1>Audit report</h1><dl class=\"scope\">");
  auto item = [out](const char* name, const std::string& value) {
    out->append("<div><dt>");
    Esc(name, out);
    out->append("</dt><dd>");
    Esc(value, out);
    out->append("</dd></div>");
  };
  if (d.view.contract.empty()) {
    item("Scope", "All contracts (" + events::FormatThousands(d.contracts.size()) + ")");
  } else {
    const ContractInfo* c = d.FindContract(d.view.contract);
    item("Contract", d.view.contract);
    if (c != nullptr && !c->customer.empty()) item("Customer", c->customer);
    if (c != nullptr && c->has_term) {
      item("Term", Date(c->term_start_day) + " to " + Date(c->term_end_day));
    }
  }
  item("As of",
       d.view.as_of_day ? Date(*d.view.as_of_day) + " (effective date)" : "All effective dates");
  item("Known at",
       d.view.known_at_ns ? Instant(*d.view.known_at_ns) + " (recorded)" : "Everything recorded");
  if (d.generated_at_ns != 0)
    item("Generated", Instant(d.generated_at_ns - d.generated_at_ns % events::kNsPerSecond));
  out->append("</dl></header>");
}

void Integrity(const ReportData& d, std::string* out) {
  out->append("<section id=\"integrity\"><h2>Integrity</h2>");
  out->append(
      "<p class=\"lead\">Every event is stored once, immutable, and linked to the one "
      "before it by a SHA-256 hash chain. Verification re-reads the whole ledger and "
      "checks every event, the chain and the indexes.</p><div class=\"cards\">");

  out->append("<div class=\"card\"><h3>Verification</h3>");
  if (!d.verify_ran) {
    out->append(Badge("none", "not run"));
    out->append("<p>Run without verification (<span class=\"mono\">--no-verify</span>).</p>");
  } else if (d.verify_status.ok()) {
    out->append(Badge("ok", "verified"));
    out->append("<p>" + events::FormatThousands(d.verified_events) +
                " events re-read: format, fields, sequence, time order, hash chain and "
                "indexes all check out.</p>");
  } else {
    out->append(Badge("bad", "FAILED"));
    out->append("<p>");
    Esc(d.verify_status.message(), out);
    out->append("</p>");
  }
  out->append("</div>");

  out->append("<div class=\"card\"><h3>Ledger head</h3><div class=\"big\">seq " +
              events::FormatThousands(d.head.seq) + "</div><p>Chain hash</p><div class=\"mono\">" +
              events::HexEncode(d.head.hash) + "</div><p>Ledger id <span class=\"mono\">" +
              events::FormatUuid(d.ledger_id) + "</span></p></div>");

  out->append("<div class=\"card\"><h3>Figures computed from</h3><div class=\"big\">events 1 to " +
              events::FormatThousands(d.view_seq) + "</div><p>Chain hash at seq " +
              events::FormatThousands(d.view_seq) + "</p><div class=\"mono\">" +
              events::HexEncode(d.view_hash) + "</div><p>" +
              events::FormatThousands(d.events_in_view) + " events in this view" +
              (d.view.as_of_day ? " (effective on or before " + Date(*d.view.as_of_day) + ")"
                                : std::string()) +
              ".</p></div>");
  out->append("</div></section>");
}

void Balances(const ReportData& d, std::string* out) {
  std::string previous;
  const auto write = [&](Table& t, const projections::BalanceRow& r) {
    t.Row();
    t.Text(r.contract == previous ? std::string_view() : std::string_view(r.contract));
    previous = r.contract;
    t.Text(LineName(r.service_line));
    t.Num(FormatHoursMinutes(r.funded_minutes));
    t.Num(FormatHoursMinutes(r.consumed_minutes));
    t.Num(FormatHoursMinutes(r.remaining_minutes));
    t.Num(r.overage_minutes > 0 ? FormatHoursMinutes(r.overage_minutes) : "");
    std::string meter;
    if (r.funded_minutes > 0) {
      // In basis points, shown as the CLI shows percentages (40.80%), cut
      // down, never rounded up to a full meter.
      const int64_t bp = r.consumed_minutes * 10000 / r.funded_minutes;
      const int64_t width = std::clamp<int64_t>(bp / 100, 0, 100);
      meter = "<span class=\"meter\"><i" + std::string(bp > 10000 ? " class=\"over\"" : "") +
              " style=\"width:" + std::to_string(width) + "%\"></i></span>" +
              events::FormatBasisPoints(bp);
    } else {
      meter = "<span class=\"sub\">not funded</span>";
    }
    t.Markup(meter, "num");
  };
  AppendTableSection(
      "<section id=\"balances\"><h2>Balances</h2><p class=\"lead\">Hours funded, "
      "consumed and remaining per contract and service line (h:mm).</p>",
      d.balances, "No funded or consumed hours in this view.",
      {{"Contract", false},
       {"Service line", false},
       {"Funded", true},
       {"Consumed", true},
       {"Remaining", true},
       {"Overage", true},
       {"Used", true}},
      write, out);
}

void MarginTable(const ReportData& d, const projections::MarginReport& report, bool by_month,
                 std::string* out) {
  Table t(out, {{by_month ? "Month" : "Contract", false},
                {by_month ? "" : "Customer", false},
                {"Revenue", true},
                {"Cost", true},
                {"Margin", true},
                {"Margin %", true}});
  auto figures = [&t](const projections::MarginRow& r) {
    t.Num(FormatMoney(r.revenue_minor, r.currency));
    t.Num(FormatMoney(r.cost_minor, r.currency));
    t.Num(FormatMoney(r.margin_minor, r.currency));
    t.Num(r.margin_bp ? events::FormatBasisPoints(*r.margin_bp) : "n/a");
  };
  for (const projections::MarginRow& r : report.rows) {
    t.Row();
    const std::string& key = r.keys.empty() ? std::string() : r.keys[0];
    t.Text(key);
    const ContractInfo* c = by_month ? nullptr : d.FindContract(key);
    t.Text(c != nullptr ? c->customer : "", "sub");
    figures(r);
  }
  for (const projections::MarginRow& r : report.totals) {
    t.Row("total");
    t.Text("Total " + r.currency);
    t.Text("");
    figures(r);
  }
}

void Margins(const ReportData& d, std::string* out) {
  out->append(
      "<section id=\"margins\"><h2>Margins</h2><p class=\"lead\">Revenue recognized as "
      "hours are consumed, at the bill rate fixed when each entry was recorded; cost at "
      "the engineer's cost rate or the delivery's cost. Amounts never mix currencies."
      "</p>");
  if (d.margins_overflowed) {
    out->append(
        "<div class=\"alert\">A margin sum left the 64-bit range; no figures are shown."
        "</div></section>");
    return;
  }
  if (d.margins.rows.empty()) {
    out->append("<p class=\"empty\">No revenue or cost in this view.</p></section>");
    return;
  }
  MarginTable(d, d.margins, false, out);
  if (!d.margins_by_month.rows.empty()) {
    out->append("<h3>By month</h3>");
    MarginTable(d, d.margins_by_month, true, out);
  }
  out->append("</section>");
}

void Chart(const ReportData& d, const BurnChartData& c, std::string* out) {
  const projections::BurnRow& b = c.burn;
  out->append("<figure class=\"chart-card\"><header><h3>");
  Esc(c.contract, out);
  out->append(" &middot; ");
  Esc(LineName(c.service_line), out);
  out->append("</h3><span>" + FlagBadge(b.flag) + "</span></header>");
  if (const ContractInfo* info = d.FindContract(c.contract); info != nullptr) {
    out->append("<div class=\"who\">");
    Esc(info->customer, out);
    if (c.has_term)
      Esc(" \xc2\xb7 term " + Date(c.term_start_day) + " to " + Date(c.term_end_day), out);
    if (info->closed) Esc(" \xc2\xb7 closed", out);
    out->append("</div>");
  }
  AppendBurnChartSvg(c, out);
  const bool overrun = b.flag == projections::BurnFlag::kOverrun;
  out->append(std::string("<div class=\"legend\"><span><i style=\"border-color:") + kFundedColor +
              "\"></i>Funded</span><span><i style=\"border-color:" + kConsumedColor +
              "\"></i>Consumed</span><span><i class=\"dash\" style=\"border-color:" +
              (overrun ? kOverrunColor : kProjectionColor) +
              "\"></i>Projection to term end</span></div>");
  out->append("<dl class=\"figures\">");
  auto figure = [out](const char* name, const std::string& value) {
    out->append("<div><dt>");
    Esc(name, out);
    out->append("</dt><dd>");
    Esc(value, out);
    out->append("</dd></div>");
  };
  figure("Funded", FormatHoursMinutes(b.funded_minutes));
  figure("Consumed", FormatHoursMinutes(b.consumed_minutes));
  figure("Burn, 90 days", FormatHoursMinutes(b.burn_minutes_per_day) + " / day");
  figure("Projected at end", FormatHoursMinutes(b.projected_minutes));
  out->append("</dl></figure>");
}

void Burn(const ReportData& d, std::string* out) {
  const auto write = [](Table& t, const projections::BurnRow& r) {
    t.Row();
    t.Text(r.contract);
    t.Text(LineName(r.service_line));
    t.Num(FormatHoursMinutes(r.funded_minutes));
    t.Num(FormatHoursMinutes(r.consumed_minutes));
    t.Num(FormatHoursMinutes(r.burn_minutes_per_day));
    t.Num(r.term_end_day ? Date(*r.term_end_day) : "");
    t.Num(FormatHoursMinutes(r.projected_minutes));
    t.Num(r.exhaustion_day ? Date(*r.exhaustion_day) : "");
    t.Markup(FlagBadge(r.flag));
  };
  AppendTableSection(
      "<section id=\"burn\"><h2>Burn-down</h2><p class=\"lead\">Funded hours against "
      "hours consumed over each contract's term. The dashed line projects the "
      "trailing 90-day burn rate to the end of the term, evaluated on " +
          Date(d.burn_day) +
          ": <b>overrun</b> when it ends above the funding, <b>underuse</b> when below 80% "
          "of it.</p>",
      d.burn, "No contract lines in this view.",
      {{"Contract", false},
       {"Service line", false},
       {"Funded", true},
       {"Consumed", true},
       {"Burn / day", true},
       {"Term end", true},
       {"Projected", true},
       {"Runs out", true},
       {"Forecast", false}},
      write, out, [&] {
        out->append("<div class=\"charts\">");
        for (const BurnChartData& c : d.charts) Chart(d, c, out);
        out->append("</div>");
        if (d.charts_omitted > 0) {
          out->append("<p class=\"empty\">" + events::FormatThousands(d.charts_omitted) +
                      " more contract lines are not charted; run the report with --contract to see "
                      "them.</p>");
        }
      });
}

void Escalations(const ReportData& d, std::string* out) {
  const auto write = [](Table& t, const projections::EscalationRow& r) {
    t.Row();
    t.Text(r.contract);
    const std::string sev = "Severity " + std::string(events::SeverityName(r.severity));
    t.Markup(Badge(r.severity == events::Severity::kA   ? "bad"
                   : r.severity == events::Severity::kB ? "warn"
                                                        : "none",
                   sev));
    t.Num(events::FormatThousands(static_cast<uint64_t>(r.opened)));
    t.Num(events::FormatThousands(static_cast<uint64_t>(r.resolved)));
    t.Num(events::FormatThousands(static_cast<uint64_t>(r.open)));
    t.Num(r.resolve_seconds_mean ? events::FormatDuration(*r.resolve_seconds_mean) : "");
    t.Num(r.resolve_seconds_max ? events::FormatDuration(*r.resolve_seconds_max) : "");
    t.Num(FormatHoursMinutes(r.minutes_booked));
  };
  AppendTableSection(
      "<section id=\"escalations\"><h2>Escalations by severity</h2><p class=\"lead\">"
      "Escalations count under their current severity; time to resolve runs from "
      "opening to resolution (effective time).</p>",
      d.escalations, "No escalations in this view.",
      {{"Contract", false},
       {"Severity", false},
       {"Opened", true},
       {"Resolved", true},
       {"Open", true},
       {"Mean to resolve", true},
       {"Longest", true},
       {"Hours booked", true}},
      write, out);
}

void Reversals(const ReportData& d, std::string* out) {
  const auto write = [](Table& t, const ReversalEntry& r) {
    t.Row();
    t.Num(events::FormatThousands(r.seq));
    t.Text(Date(events::DayOf(r.effective_at_ns)), "nowrap");
    t.Text(r.contract, "nowrap");
    t.Text("seq " + events::FormatThousands(r.target_seq) + " \xc2\xb7 " +
           (r.target_type == events::EventType::kHoursBooked ? "booking" : "delivery") + " of " +
           Date(events::DayOf(r.target_effective_at_ns)) + " \xc2\xb7 " + LineName(r.service_line) +
           " \xc2\xb7 " + r.booked_by);
    t.Num(FormatHoursMinutes(r.minutes));
    t.Text(r.reason);
    t.Text(r.actor, "sub");
  };
  AppendTableSection(
      "<section id=\"reversals\"><h2>Reversals</h2><p class=\"lead\">Nothing in the "
      "ledger is edited or deleted: a correction is a reversal, recorded with its "
      "reason, that takes back exactly what the reversed entry counted.</p>",
      d.reversals, "No reversals in this view.",
      {{"Seq", true},
       {"Effective", false},
       {"Contract", false},
       {"Reversed entry", false},
       {"Hours", true},
       {"Reason", false},
       {"Recorded by", false}},
      write, out, [&] {
        if (d.reversals_total > d.reversals.size()) {
          out->append("<p class=\"empty\">Showing the first " +
                      events::FormatThousands(d.reversals.size()) + " of " +
                      events::FormatThousands(d.reversals_total) + " reversals.</p>");
        }
      });
}

void Footer(const ReportData& d, std::string* out) {
  std::string command = "ledgerctl report";
  if (!d.view.contract.empty()) command += " --contract " + d.view.contract;
  if (d.view.as_of_day) command += " --as-of " + Date(*d.view.as_of_day);
  if (d.view.known_at_ns) command += " --known-at " + Instant(*d.view.known_at_ns);
  command += " --out FILE.html";
  out->append(
      "<footer><p>The figures are pure, deterministic folds over the events listed "
      "under Integrity: replaying them gives the same figures, to the minor unit, "
      "every time. To reproduce this report: <code>");
  Esc(command, out);
  out->append("</code>");
  if (!d.view.as_of_day) {
    out->append(" (the burn forecast is evaluated on the day the report is made, " +
                Date(d.burn_day) + "; add <code>--as-of</code> to fix the day)");
  }
  out->append(". To check the ledger itself: <code>ledgerctl verify</code>.</p></footer>");
}

}  // namespace

void RenderReportHtml(const ReportData& d, std::string* out) {
  std::string title = d.view.contract.empty() ? "Audit report" : "Audit report: " + d.view.contract;
  if (d.view.as_of_day) title += " as of " + Date(*d.view.as_of_day);
  out->append(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"generator\" content=\"ledgerctl report\"><title>");
  Esc(title, out);
  out->append("</title><style>");
  out->append(kStyle);
  out->append("</style></head><body><main>");
  Header(d, out);
  Integrity(d, out);
  if (!d.figures_status.ok()) {
    out->append("<div class=\"alert\"><b>The figures could not be computed:</b> ");
    Esc(d.figures_status.message(), out);
    out->append("</div>");
  } else {
    Balances(d, out);
    Margins(d, out);
    Burn(d, out);
    Escalations(d, out);
    Reversals(d, out);
  }
  AppendComplianceHtml(d, out);
  Footer(d, out);
  out->append("</main></body></html>\n");
}

}  // namespace ccl::report
