// The HTML audit report: its figures are the projections' figures, it is
// well-formed, hostile event text cannot inject markup, and it renders in a
// real browser (headless Chromium) with the burn-down chart drawn.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "events/base/display.h"
#include "events/base/hex.h"
#include "events/model/money.h"
#include "tests/tools/feed/feed_test_util.h"
#include "tests/tools/report/html_checker.h"
#include "tests/tools/report/png_reader.h"
#include "tools/generator/generator.h"
#include "tools/report/html.h"
#include "tools/report/report_data.h"
#include "tools/report/report_html.h"
#include "tools/report/svg_chart.h"

namespace ccl::report {
namespace {

using events::ServiceLine;
using feed::testing::AppendOrDie;
using feed::testing::CheckHtml;
using feed::testing::OpenLedgerAt;
using feed::testing::ReadFile;
using ledger::testing::At;

constexpr const char* kScriptCustomer = "<script>alert('customer')</script> & Co";
constexpr const char* kImgReason = "\"><img src=x onerror=alert(1)> booked twice";
constexpr const char* kTableActor = "</td></tr></table><b>mallory</b>";
constexpr const char* kSvgOffering = "<svg onload=alert(2)>Assessment</svg>";

class ReportHtmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = OpenLedgerAt(dir_.Sub("db"), /*read_only=*/false, &clock_);
    ASSERT_NE(ledger_, nullptr);
    // Recorded on 2026-03-01: both contracts.
    clock_.Set(At("2026-03-01T12:00:00Z"));
    events::Event hostile = f_.Open("C-2");
    hostile.customer = kScriptCustomer;
    AppendOrDie(ledger_.get(), {f_.Open("C-1"), hostile});
    // Recorded on 2026-04-10: March and April consumption, an escalation.
    clock_.Set(At("2026-04-10T12:00:00Z"));
    b60_ = f_.Book("C-1", ServiceLine::kReactive, 60, "2026-03-02T09:00:00Z");
    b90_ = f_.Book("C-1", ServiceLine::kReactive, 90, "2026-03-10T09:00:00Z");
    events::Event b30 = f_.Book("C-1", ServiceLine::kReactive, 30, "2026-04-05T09:00:00Z");
    d120_ = f_.Deliver("C-1", ServiceLine::kProactive, 120, "2026-03-16");
    events::Event d_hostile = f_.Deliver("C-2", ServiceLine::kProactive, 240, "2026-03-20");
    d_hostile.offering = kSvgOffering;
    d_hostile_ = d_hostile;
    AppendOrDie(ledger_.get(), {b60_, b90_, b30, d120_, d_hostile,
                                f_.Escalation(events::EventType::kEscalationOpened, "C-1", "ESC-1"),
                                ResolvedAt("ESC-1", "2026-04-02T09:00:00Z")});
    // Recorded on 2026-05-01: the corrections.
    clock_.Set(At("2026-05-01T12:00:00Z"));
    events::Event r1 = f_.Reverse("C-1", b90_.event_id);
    r1.reason = kImgReason;
    r1.actor = kTableActor;
    AppendOrDie(ledger_.get(), {r1, f_.Reverse("C-2", d_hostile.event_id)});
  }

  // Resolved 25 hours after the fixture's opening (2026-04-01T08:00:00Z).
  events::Event ResolvedAt(const std::string& id, const char* at) {
    events::Event e = f_.Escalation(events::EventType::kEscalationResolved, "C-1", id);
    e.effective_at_ns = At(at);
    return e;
  }

  ReportData Build(const projections::View& view, bool verify = true,
                   const char* today = "2026-06-01") {
    ReportOptions o;
    o.today_day = ledger::testing::Day(today);
    o.view = view;
    o.verify = verify;
    o.generated_at_ns = At("2026-06-01T08:00:00Z");
    ReportData data;
    Status s = BuildReportData(ledger_.get(), o, &data);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(data.figures_status.ok()) << data.figures_status.ToString();
    return data;
  }

  std::string Html(const ReportData& data) {
    std::string html;
    RenderReportHtml(data, &html);
    return html;
  }

  const projections::BalanceRow* Balance(const ReportData& d, const std::string& contract,
                                         ServiceLine line) {
    for (const auto& r : d.balances) {
      if (r.contract == contract && r.service_line == line) return &r;
    }
    return nullptr;
  }

  feed::testing::TempDir dir_;
  feed::testing::FakeClock clock_{0};
  std::unique_ptr<ledger::Ledger> ledger_;
  feed::testing::EventFactory f_;
  events::Event b60_, b90_, d120_, d_hostile_;
};

TEST_F(ReportHtmlTest, ContainsTheProjectionsFigures) {
  const ReportData d = Build(projections::View());
  EXPECT_TRUE(d.verify_ran);
  EXPECT_TRUE(d.verify_status.ok()) << d.verify_status.ToString();
  EXPECT_EQ(d.verified_events, ledger_->head().seq);
  EXPECT_EQ(d.view_seq, ledger_->head().seq);
  EXPECT_EQ(d.view_hash, ledger_->head().hash);

  // Independent arithmetic: reactive 60 + 90 + 30 - 90 (reversed) = 90 min.
  const auto* reactive = Balance(d, "C-1", ServiceLine::kReactive);
  ASSERT_NE(reactive, nullptr);
  EXPECT_EQ(reactive->consumed_minutes, 90);
  const std::string html = Html(d);
  EXPECT_NE(html.find(">1:30<"), std::string::npos);         // consumed, h:mm
  EXPECT_NE(html.find(">200:00<"), std::string::npos);       // reactive funded 12000 min
  EXPECT_NE(html.find(">198:30<"), std::string::npos);       // remaining
  EXPECT_NE(html.find("</span>0.75%<"), std::string::npos);  // used: 90 of 12000 min
  // Revenue of C-1: 90 min at 300.00/h + 120 min at 250.00/h = 950.00 USD.
  EXPECT_NE(html.find(">950.00 USD<"), std::string::npos);

  // Every row the projections produced is in the page, formatted.
  for (const auto& r : d.balances) {
    EXPECT_NE(html.find(">" + events::FormatHoursMinutes(r.funded_minutes) + "<"),
              std::string::npos);
    EXPECT_NE(html.find(">" + events::FormatHoursMinutes(r.consumed_minutes) + "<"),
              std::string::npos);
  }
  for (const auto& r : d.margins.rows) {
    EXPECT_NE(html.find(">" + events::FormatMoney(r.revenue_minor, r.currency) + "<"),
              std::string::npos);
    EXPECT_NE(html.find(">" + events::FormatMoney(r.margin_minor, r.currency) + "<"),
              std::string::npos);
  }
  for (const auto& r : d.burn) {
    EXPECT_NE(html.find(">" + events::FormatHoursMinutes(r.projected_minutes) + "<"),
              std::string::npos);
  }
  ASSERT_EQ(d.escalations.size(), 1u);
  EXPECT_EQ(d.escalations[0].opened, 1);
  // Time to resolve, 25 hours: h:mm:ss, as the CLI prints it.
  EXPECT_EQ(d.escalations[0].resolve_seconds_max, 25 * 3600);
  EXPECT_NE(html.find(">25:00:00<"), std::string::npos);
  // The integrity figures: verification, head seq and hash.
  EXPECT_NE(html.find(">verified<"), std::string::npos);
  const std::string hex = events::HexEncode(ledger_->head().hash);
  EXPECT_NE(html.find(hex), std::string::npos);
  // The reversals with what they reversed.
  ASSERT_EQ(d.reversals.size(), 2u);
  EXPECT_EQ(d.reversals[0].target_seq, 4u);
  EXPECT_EQ(d.reversals[0].minutes, 90);
}

TEST_F(ReportHtmlTest, ChartSeriesEndAtTheBalances) {
  const ReportData d = Build(projections::View(), /*verify=*/false);
  ASSERT_EQ(d.charts.size(), d.burn.size());
  ASSERT_FALSE(d.charts.empty());
  for (const BurnChartData& c : d.charts) {
    const auto* b = Balance(d, c.contract, c.service_line);
    ASSERT_NE(b, nullptr);
    const int64_t consumed = c.consumed.empty() ? 0 : c.consumed.back().minutes;
    EXPECT_EQ(consumed, b->consumed_minutes) << c.contract;
    ASSERT_FALSE(c.funded.empty());
    EXPECT_EQ(c.funded.back().minutes, b->funded_minutes);
    EXPECT_TRUE(c.has_term);
  }
  // C-1 reactive: 60 on Mar 2, +90 on Mar 10 then reversed (same day: gone),
  // +30 on Apr 5.
  const auto it = std::find_if(d.charts.begin(), d.charts.end(), [](const BurnChartData& c) {
    return c.contract == "C-1" && c.service_line == ServiceLine::kReactive;
  });
  ASSERT_NE(it, d.charts.end());
  EXPECT_EQ(it->consumed, (std::vector<SeriesPoint>{{ledger::testing::Day("2026-03-02"), 60},
                                                    {ledger::testing::Day("2026-04-05"), 90}}));
}

// The compliance sections: the closed month with its sealed totals, the
// reversal awaiting approval (counted nowhere yet: the chart and the balance
// still have the booking), and the legal hold with its case.
TEST_F(ReportHtmlTest, ShowsClosedMonthsPendingApprovalsAndHolds) {
  clock_.Set(At("2026-05-02T12:00:00Z"));
  events::Event policy = f_.Policy(events::EventTypeBit(events::EventType::kEntryReversed),
                                   std::nullopt, "2026-05-02");
  events::Event hold = f_.Hold(events::EventType::kLegalHoldPlaced, "C-1", "LIT-7", "2026-05-02");
  AppendOrDie(ledger_.get(), {f_.ClosePeriod("2026-03", "2026-05-02"), policy,
                              f_.Reverse("C-1", b60_.event_id, "2026-05-02"), hold});
  const ReportData d = Build(projections::View(), /*verify=*/false);
  ASSERT_EQ(d.periods.size(), 1u);
  ASSERT_EQ(d.pending.size(), 1u);
  EXPECT_EQ(d.pending[0].target_event_id, b60_.event_id);
  ASSERT_EQ(d.holds.size(), 1u);
  EXPECT_EQ(d.holds[0].holds, std::vector<std::string>{"LIT-7"});
  const auto* reactive = Balance(d, "C-1", ServiceLine::kReactive);
  ASSERT_NE(reactive, nullptr);
  EXPECT_EQ(reactive->consumed_minutes, 90);  // 60 + 30: the pending reversal took nothing
  const std::string html = Html(d);
  for (const char* text : {"<h2>Closed months</h2>", "2026-03", "<h2>Awaiting approval</h2>",
                           "EntryReversed", "<h2>Legal holds</h2>", "LIT-7"}) {
    EXPECT_NE(html.find(text), std::string::npos) << text;
  }
}

// A reopened month says when (the approval's recorded_at), by whom and who
// approved it, as `ledgerctl periods` does.
TEST_F(ReportHtmlTest, AReopenedMonthSaysWhenByWhomAndWhoApproved) {
  clock_.Set(At("2026-05-02T12:00:00Z"));
  events::Event reopen = f_.ReopenPeriod("2026-03", "2026-05-02");
  reopen.actor = "alice";
  AppendOrDie(ledger_.get(), {f_.ClosePeriod("2026-03", "2026-05-02"),
                              f_.Policy(events::EventTypeBit(events::EventType::kPeriodReopened),
                                        std::nullopt, "2026-05-02"),
                              reopen});
  clock_.Set(At("2026-05-03T12:00:00Z"));
  AppendOrDie(ledger_.get(), {f_.Decide(reopen, "controller", "", "2026-05-03")});
  const std::string html = Html(Build(projections::View(), /*verify=*/false));
  EXPECT_NE(html.find("2026-05-03T12:00:00Z by alice, approved by controller"), std::string::npos)
      << html;
}

TEST_F(ReportHtmlTest, AsOfAndKnownAtViews) {
  projections::View known;
  known.known_at_ns = At("2026-04-30T00:00:00Z");  // before the reversals were recorded
  ReportData d = Build(known, false);
  EXPECT_EQ(d.view_seq, 9u);
  ledger::Hash h9;
  ASSERT_TRUE(ledger_->GetChainHash(9, &h9).ok());
  EXPECT_EQ(d.view_hash, h9);
  EXPECT_EQ(Balance(d, "C-1", ServiceLine::kReactive)->consumed_minutes, 180);
  EXPECT_TRUE(d.reversals.empty());
  EXPECT_NE(Html(d).find("2026-04-30T00:00:00Z (recorded)"), std::string::npos);

  projections::View as_of;
  as_of.as_of_day = ledger::testing::Day("2026-03-31");
  as_of.contract = "C-1";
  d = Build(as_of, false);
  EXPECT_EQ(Balance(d, "C-1", ServiceLine::kReactive)->consumed_minutes, 60);
  EXPECT_EQ(d.balances.size(), 2u);  // C-1 only
  EXPECT_EQ(d.reversals.size(), 1u);
  EXPECT_FALSE(d.margins_by_month.rows.empty());
  EXPECT_EQ(d.burn_day, ledger::testing::Day("2026-03-31"));
  const std::string html = Html(d);
  EXPECT_NE(html.find("2026-03-31 (effective date)"), std::string::npos);
  EXPECT_NE(html.find("--contract C-1 --as-of 2026-03-31"), std::string::npos);
}

// "Today" before some events' effective dates (here 2026-03-31, with
// bookings of April in the ledger): the forecast is the one as of today,
// the later events left out, exactly as with --as-of.
TEST_F(ReportHtmlTest, BurnOnADayBeforeLaterEventsEqualsAsOfThatDay) {
  projections::View as_of;
  as_of.as_of_day = ledger::testing::Day("2026-03-31");
  const ReportData today = Build(projections::View(), false, "2026-03-31");
  const ReportData fixed = Build(as_of, false, "2026-06-01");
  EXPECT_EQ(today.burn_day, *as_of.as_of_day);
  ASSERT_FALSE(today.burn.empty());
  EXPECT_EQ(today.burn, fixed.burn);
  EXPECT_NE(today.burn, Build(projections::View(), false).burn);
}

TEST_F(ReportHtmlTest, UnknownContractIsNotFound) {
  ReportOptions o;
  o.today_day = ledger::testing::Day("2026-06-01");
  o.view.contract = "C-404";
  ReportData d;
  Status s = BuildReportData(ledger_.get(), o, &d);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("C-404"), std::string::npos);
}

TEST_F(ReportHtmlTest, EscapesHostileEventText) {
  const std::string html = Html(Build(projections::View(), false));
  const std::string lower = feed::testing::Lower(html);
  EXPECT_EQ(lower.find("<script"), std::string::npos);
  EXPECT_EQ(lower.find("<img"), std::string::npos);
  EXPECT_EQ(lower.find("<b>mallory"), std::string::npos);
  EXPECT_EQ(lower.find("<svg onload"), std::string::npos);
  // The text is there, escaped, for the reader to see.
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;customer&#39;)&lt;/script&gt; &amp; Co"),
            std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; booked twice"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;b&gt;mallory&lt;/b&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;svg onload=alert(2)&gt;Assessment&lt;/svg&gt;"), std::string::npos);
  // And the structure is exactly what we wrote.
  const auto check = CheckHtml(html);
  EXPECT_TRUE(check.errors.empty()) << check.errors.front();
  EXPECT_EQ(check.elements.count("script"), 0u);
}

TEST_F(ReportHtmlTest, WellFormedWithOneChartPerContractLine) {
  const ReportData d = Build(projections::View());
  const std::string html = Html(d);
  EXPECT_TRUE(
      html.starts_with("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"));
  EXPECT_TRUE(html.ends_with("</html>\n"));
  const auto check = CheckHtml(html);
  ASSERT_TRUE(check.errors.empty()) << check.errors.size() << " errors, first: " << check.errors[0];
  EXPECT_EQ(check.elements.at("svg"), static_cast<int>(d.charts.size()));
  int consumed = 0, funded = 0, projection = 0;
  for (const auto& [name, cls] : check.opened) {
    consumed += name == "path" && cls == "consumed";
    funded += name == "path" && cls == "funded";
    projection += name == "line" && cls == "projection";
  }
  EXPECT_EQ(consumed, static_cast<int>(d.charts.size()));
  EXPECT_EQ(funded, static_cast<int>(d.charts.size()));
  EXPECT_EQ(projection, static_cast<int>(d.charts.size()));  // every term runs past the day
  // Self-contained: nothing to fetch, nothing to run.
  EXPECT_EQ(check.attributes.count("src"), 0u);
  EXPECT_EQ(check.attributes.count("href"), 0u);
  EXPECT_EQ(check.attributes.count("xlink:href"), 0u);
  for (const char* banned : {"http://", "https://", "@import", "url("}) {
    size_t at = html.find(banned);
    // The SVG namespace is an identifier, not a fetch.
    while (at != std::string::npos && html.compare(at, 26, "http://www.w3.org/2000/svg") == 0) {
      at = html.find(banned, at + 1);
    }
    EXPECT_EQ(at, std::string::npos) << banned;
  }
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  // Same data, same bytes.
  EXPECT_EQ(Html(d), html);
}

TEST_F(ReportHtmlTest, VerificationFailureIsShownInRed) {
  // Tamper with a stored event's chain hash in the closed ledger.
  ledger_.reset();
  {
    ledger::testing::RawDb raw(dir_.Sub("db"));
    raw.Put(ledger::kCfChain, ledger::testing::SeqKeyBytes(3), std::string(32, '\x5a'));
  }
  ledger_ = OpenLedgerAt(dir_.Sub("db"), /*read_only=*/true);
  ASSERT_NE(ledger_, nullptr);
  ReportOptions o;
  o.today_day = ledger::testing::Day("2026-06-01");
  ReportData d;
  ASSERT_TRUE(BuildReportData(ledger_.get(), o, &d).ok());
  EXPECT_TRUE(d.verify_ran);
  EXPECT_TRUE(d.verify_status.IsCorruption()) << d.verify_status.ToString();
  const std::string html = Html(d);
  EXPECT_NE(html.find("<span class=\"badge bad\">FAILED</span>"), std::string::npos);
  EXPECT_EQ(html.find(">verified<"), std::string::npos);
  EXPECT_TRUE(CheckHtml(html).errors.empty());
}

TEST(ReportEscapeTest, EscapesMarkupControlsAndBadUtf8) {
  EXPECT_EQ(Escaped("a<b>&\"'c"), "a&lt;b&gt;&amp;&quot;&#39;c");
  EXPECT_EQ(Escaped("tab\tnl\n"), "tab\tnl\n");
  EXPECT_EQ(Escaped(std::string("nul\0x", 5)), "nul\xef\xbf\xbdx");
  EXPECT_EQ(Escaped("esc\x1b[31m"), "esc\xef\xbf\xbd[31m");
  EXPECT_EQ(Escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(Escaped("bad\xc3"), "bad\xef\xbf\xbd");
  EXPECT_EQ(Escaped("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");                  // overlong '/'
  EXPECT_EQ(Escaped("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  // Bidi overrides and isolates (RLO U+202E, LRE U+202A, RLI U+2067, PDI
  // U+2069) reorder what follows them; marks (RLM U+200F) and RTL letters stay.
  EXPECT_EQ(Escaped("x\xe2\x80\xae y \xe2\x80\xaa \xe2\x81\xa7 \xe2\x81\xa9"),
            "x\xef\xbf\xbd y \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd");
  EXPECT_EQ(Escaped("\xe2\x80\x8f \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe2\x80\xa9"),
            "\xe2\x80\x8f \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe2\x80\xa9");
}

TEST(ReportChartTest, HourScaleHasFewRoundGridlines) {
  int64_t top = 0, step = 0;
  ChooseHourScale(0, &top, &step);
  EXPECT_EQ(top, 1);
  EXPECT_EQ(step, 1);
  ChooseHourScale(6000, &top, &step);  // 100 h (+5%)
  EXPECT_EQ(step, 50);
  EXPECT_EQ(top, 150);
  ChooseHourScale(88'800, &top, &step);  // 1480 h
  EXPECT_EQ(step, 500);
  EXPECT_EQ(top, 2000);
  for (int64_t m : {1, 59, 61, 599, 1234, 99'999, 12'345'678}) {
    ChooseHourScale(m, &top, &step);
    EXPECT_GE(top * 60, m) << m;
    EXPECT_LE(top / step, 5) << m;
  }
}

// ---- a real browser

bool HaveChromium() { return ::access("/usr/bin/chromium", X_OK) == 0; }

// Runs headless Chromium on `html_path` with `mode` (--screenshot=... or
// --dump-dom) and the given window; returns its exit status.
int RunChromium(const std::string& tmp, const std::string& mode, const std::string& html_path,
                const std::string& stdout_path) {
  const std::string profile = tmp + "/chromium-profile";
  std::filesystem::create_directories(profile);
  const std::string cmd =
      "timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic "
      "--no-first-run --disable-background-networking --disable-component-update --disable-sync "
      "--hide-scrollbars --user-data-dir=" +
      profile + " --window-size=1200,3000 " + mode + " file://" + html_path + " >" + stdout_path +
      " 2>" + tmp + "/chromium.log";
  return std::system(cmd.c_str());
}

// The report data of a generated one-contract, 200-day workload (seed 7)
// as of 2026-06-01, its ledger verified.
void GeneratedReportData(ReportData* d) {
  feed::testing::TempDir gen_dir;
  auto gen = OpenLedgerAt(gen_dir.Sub("db"), /*read_only=*/false);
  std::vector<events::Event> workload;
  tools::GeneratorOptions g;
  g.contracts = 1;
  g.days = 200;
  g.seed = 7;
  ASSERT_TRUE(tools::GenerateEvents(
                  g,
                  [&workload](const events::Event& e) {
                    workload.push_back(e);
                    return Status::OK();
                  },
                  nullptr)
                  .ok());
  AppendOrDie(gen.get(), workload);
  ReportOptions o;
  o.today_day = ledger::testing::Day("2026-06-01");
  ASSERT_TRUE(BuildReportData(gen.get(), o, d).ok());
  ASSERT_TRUE(d->verify_status.ok());
}

// Where a screenshot shows the consumed line: the pixels of its color and
// their bounding box, and how many pixels are near white.
struct ConsumedLinePixels {
  uint32_t count = 0, x_min = 0, x_max = 0, y_min = 0, y_max = 0, white = 0;
};

ConsumedLinePixels ScanConsumedLine(const feed::testing::Image& img) {
  ConsumedLinePixels r;
  r.x_min = img.width;
  r.y_min = img.height;
  for (uint32_t y = 0; y < img.height; ++y) {
    for (uint32_t x = 0; x < img.width; ++x) {
      const uint8_t* p = img.At(x, y);
      if (p[0] > 245 && p[1] > 245 && p[2] > 245) ++r.white;
      // kConsumedColor #2563eb = (37, 99, 235).
      if (std::abs(p[0] - 37) <= 6 && std::abs(p[1] - 99) <= 6 && std::abs(p[2] - 235) <= 6) {
        ++r.count;
        r.x_min = std::min(r.x_min, x);
        r.x_max = std::max(r.x_max, x);
        r.y_min = std::min(r.y_min, y);
        r.y_max = std::max(r.y_max, y);
      }
    }
  }
  return r;
}

TEST_F(ReportHtmlTest, RendersInChromiumWithTheChartDrawn) {
  if (!HaveChromium()) {
    GTEST_SKIP() << "/usr/bin/chromium is not installed (Debian package 'chromium'; "
                    "tools/setup.sh installs it): the browser rendering check is skipped";
  }
  // A realistic workload, so the consumed line climbs visibly.
  ReportData d;
  ASSERT_NO_FATAL_FAILURE(GeneratedReportData(&d));
  ASSERT_FALSE(d.charts.empty());
  const std::string html_path = dir_.Sub("report.html");
  feed::testing::WriteFile(html_path, Html(d));

  // The browser's DOM has every chart with its series: nothing was dropped
  // or moved by the parser.
  ASSERT_EQ(RunChromium(dir_.path(), "--dump-dom", html_path, dir_.Sub("dom.html")), 0)
      << ReadFile(dir_.Sub("chromium.log"));
  const std::string dom = ReadFile(dir_.Sub("dom.html"));
  size_t charts = 0;
  for (size_t at = dom.find("<path class=\"consumed\""); at != std::string::npos;
       at = dom.find("<path class=\"consumed\"", at + 1)) {
    ++charts;
  }
  EXPECT_EQ(charts, d.charts.size());
  EXPECT_NE(dom.find("<table>"), std::string::npos);

  // The screenshot shows the consumed line: pixels of its exact color that
  // rise across a wide stretch of the page.
  const std::string png_path = dir_.Sub("report.png");
  ASSERT_EQ(RunChromium(dir_.path(), "--screenshot=" + png_path, html_path, dir_.Sub("out.txt")), 0)
      << ReadFile(dir_.Sub("chromium.log"));
  feed::testing::Image img;
  std::string error;
  ASSERT_TRUE(feed::testing::DecodePng(ReadFile(png_path), &img, &error)) << error;
  EXPECT_EQ(img.width, 1200u);
  const auto [count, x_min, x_max, y_min, y_max, white] = ScanConsumedLine(img);
  EXPECT_GT(count, 150u) << "too few pixels of the consumed line's color";
  EXPECT_GT(x_max - x_min, 150u) << "the consumed line does not run across the chart";
  EXPECT_GT(y_max - y_min, 40u) << "the consumed line does not rise";
  EXPECT_LT(white, img.width * img.height) << "a blank page";
  std::printf("chromium screenshot %s: %u pixels of the consumed color over x %u..%u, y %u..%u\n",
              png_path.c_str(), count, x_min, x_max, y_min, y_max);
}

}  // namespace
}  // namespace ccl::report
