// Month-end close and retention through ledgerctl: `periods` lists the closes of a
// generated ledger with their sealed totals, `margin --period` prints the
// month's rows checked against the seal, a late booking is refused, and
// `retention` lists the closed contracts past retention and those on hold.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>
#include <sstream>

#include "tests/tools/ledgerctl/ledgerctl_fixture.h"

namespace ccl::tools::testing {
namespace {

// The cells of a CSV line without quoted commas (the lines compared here).
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

class LedgerctlPeriodTest : public LedgerctlTest {
 protected:
  void SetUp() override {
    LedgerctlTest::SetUp();
    Init();
    // 2025-01-01 .. 2025-04-10: the generator closes January to March.
    RunResult r = Run({"import", Workload("w.jsonl", 4, 100)});
    ASSERT_EQ(r.code, 0) << r.err;
  }
};

TEST_F(LedgerctlPeriodTest, PeriodsListsEveryCloseWithItsSealedTotals) {
  RunResult r = Run({"periods", "--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[0],
            "period,closed_at,recorded_at,actor,seq,reopened_at,reopened_by,currency,revenue_minor,"
            "cost_minor,margin_minor,minutes");
  EXPECT_EQ(lines[1].rfind("2025-01,2025-02-01T00:00:00Z,", 0), 0u) << lines[1];
  EXPECT_EQ(lines.back().rfind("2025-03,2025-04-01T00:00:00Z,", 0), 0u) << lines.back();

  // The sealed totals of February are the margin totals as of its last day:
  // "currency,revenue,cost,margin" from both.
  std::set<std::string> sealed;
  for (const std::string& line : lines) {
    if (line.rfind("2025-02,", 0) != 0) continue;
    const std::vector<std::string> cells = Cells(line);
    ASSERT_EQ(cells.size(), 12u) << line;
    sealed.insert(cells[7] + "," + cells[8] + "," + cells[9] + "," + cells[10]);
  }
  RunResult margin =
      Run({"margin", "--by", "customer", "--as-of", "2025-02-28", "--format", "csv"});
  ASSERT_EQ(margin.code, 0) << margin.err;
  std::map<std::string, std::array<int64_t, 3>> sums;
  for (const std::string& line : Lines(margin.out)) {
    const std::vector<std::string> cells = Cells(line);
    if (cells.size() != 5 || cells[1] == "currency") continue;
    for (int i = 0; i < 3; ++i) sums[cells[1]][i] += std::stoll(cells[2 + i]);
  }
  std::set<std::string> reported;
  for (const auto& [currency, s] : sums) {
    reported.insert(currency + "," + std::to_string(s[0]) + "," + std::to_string(s[1]) + "," +
                    std::to_string(s[2]));
  }
  EXPECT_FALSE(sealed.empty());
  EXPECT_EQ(sealed, reported);
}

// The sealed totals run from the first event to the month's end: the table
// heads them so, never as the month's own figures.
TEST_F(LedgerctlPeriodTest, PeriodsTableHeadsTheTotalsAsThroughTheMonth) {
  RunResult r = Run({"periods"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  for (const char* title : {"revenue through month", "cost through month", "margin through month",
                            "consumed h:mm through month"}) {
    EXPECT_NE(lines[0].find(title), std::string::npos) << title << " in: " << lines[0];
  }
}

// A month never reopened has no reopening: null in JSON, "-" in the table,
// an empty cell in CSV, for both reopening columns alike; so has a month
// sealed without contracts (January here) a currency.
TEST_F(LedgerctlPeriodTest, AMonthNeverReopenedShowsNoReopeningInEveryFormat) {
  RunResult r = Run({"periods", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> json = Lines(r.out);
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json[0].rfind(R"({"period":"2025-01",)", 0), 0u) << json[0];
  EXPECT_NE(json[0].find(R"("reopened_at":null,"reopened_by":null,"currency":null,)"),
            std::string::npos)
      << json[0];
  r = Run({"periods", "--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> cells = Cells(Lines(r.out).at(1));
  ASSERT_EQ(cells.size(), 12u);
  EXPECT_EQ(cells[5], "");
  EXPECT_EQ(cells[6], "");
  r = Run({"periods"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> table = Lines(r.out);
  ASSERT_GE(table.size(), 2u);
  const size_t at = table[0].find("reopened by");
  ASSERT_NE(at, std::string::npos) << table[0];
  EXPECT_EQ(table[1].substr(at, 2), "- ") << r.out;
}

TEST_F(LedgerctlPeriodTest, MarginForAPeriodIsTheMonthEndCheckedAgainstTheSeal) {
  RunResult period = Run({"margin", "--by", "contract,month", "--period", "2025-02"});
  ASSERT_EQ(period.code, 0) << period.err;
  EXPECT_NE(period.out.find("sealed: period 2025-02 closed by controller"), std::string::npos)
      << period.out;
  // CSV: exactly the rows of the month's end, the note on stderr.
  RunResult csv =
      Run({"margin", "--by", "contract,month", "--period", "2025-02", "--format", "csv"});
  RunResult as_of =
      Run({"margin", "--by", "contract,month", "--as-of", "2025-02-28", "--format", "csv"});
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(csv.out, as_of.out);
  EXPECT_NE(csv.err.find("sealed: period 2025-02"), std::string::npos) << csv.err;

  RunResult open = Run({"margin", "--period", "2025-05"});
  EXPECT_EQ(open.code, 1);
  EXPECT_NE(open.err.find("period 2025-05 is not closed"), std::string::npos) << open.err;
  EXPECT_EQ(Run({"margin", "--period", "2025-02", "--as-of", "2025-02-01"}).code, 2);
  EXPECT_EQ(Run({"margin", "--period", "2025-13"}).code, 2);
}

TEST_F(LedgerctlPeriodTest, ALateBookingIsRefusedAndBookedInAnOpenMonth) {
  const std::string late =
      R"({"event_id":"00000000-0000-4000-8000-0000000000aa","type":"ContractClosed",)"
      R"("contract":"SC-2025-000001","effective_at":"2025-03-31T12:00:00Z","actor":"a",)"
      R"("source":"test","reason":"late"})";
  RunResult r = Run({"append"}, late);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("period 2025-03 is closed: effective_at 2025-03-31T12:00:00Z is in or "
                       "before it"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("(rule R-PERIOD-03)"), std::string::npos) << r.err;
  const std::string close =
      R"({"event_id":"00000000-0000-4000-8000-0000000000ab","type":"PeriodClosed",)"
      R"("effective_at":"2025-05-01","actor":"controller","source":"test","period":"2025-04"})";
  r = Run({"append"}, close);
  EXPECT_EQ(r.code, 0) << r.err;
  // The generator's approval policy, then the closes of January to March.
  EXPECT_NE(r.out.find("(ledger-wide, stream version 5)"), std::string::npos) << r.out;
  EXPECT_EQ(Run({"verify"}).code, 0);
}

// Reopening March under a policy that lists PeriodReopened: it waits in
// `pending`, is approved by another actor only, then March takes events
// again, `periods` says who reopened it, and closing it again seals anew.
TEST_F(LedgerctlPeriodTest, AReopenedMonthIsApprovedListedAndClosedAgain) {
  const auto event = [](const std::string& id, const std::string& rest) {
    return R"({"event_id":"00000000-0000-4000-8000-0000000000)" + id +
           R"(","effective_at":"2025-04-10T20:00:00Z","source":"test",)" + rest + "}";
  };
  ASSERT_EQ(Run({"append"}, event("c1", R"("type":"ApprovalPolicySet","actor":"controller",)"
                                        R"("types":"PeriodReopened,EntryReversed,)"
                                        R"(ApprovalPolicySet")"))
                .code,
            0);
  // The policy guards itself: a change waits, and `pending` says what it asks.
  ASSERT_EQ(Run({"append"}, event("c0", R"("type":"ApprovalPolicySet","actor":"alice",)"
                                        R"("types":"EntryReversed","threshold_minutes":600)"))
                .code,
            0);
  RunResult asked = Run({"pending", "--format", "csv"});
  EXPECT_NE(asked.out.find(",ApprovalPolicySet,,2025-04-10T20:00:00Z,alice,"), std::string::npos)
      << asked.out;
  EXPECT_NE(asked.out.find(",\"policy: approval for EntryReversed, funding cuts from 600 min\""),
            std::string::npos)
      << asked.out;
  RunResult r = Run({"append"}, event("c2", R"("type":"PeriodReopened","actor":"alice",)"
                                            R"("period":"2025-03","reason":"late invoice")"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("awaits approval"), std::string::npos) << r.out;
  r = Run({"pending", "--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).at(0),
            "seq,event_id,type,contract,effective_at,asked_by,asked_at,request");
  EXPECT_NE(r.out.find(",PeriodReopened,,2025-04-10T20:00:00Z,alice,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(",reopen 2025-03: late invoice"), std::string::npos) << r.out;
  r = Run({"pending", "--json"});
  EXPECT_NE(r.out.find("\"asked_by\":\"alice\""), std::string::npos) << r.out;
  EXPECT_EQ(Run({"pending", "--json", "--format", "json"}).out, r.out);
  // Two formats asked for: a usage error, not one of them silently.
  r = Run({"pending", "--json", "--format", "csv"});
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find("--json and --format csv"), std::string::npos) << r.err;
  const std::string approve = R"("type":"Approved","target_event_id":)"
                              R"("00000000-0000-4000-8000-0000000000c2",)";
  r = Run({"append"}, event("c3", approve + R"("actor":"alice")"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("(rule R-APPR-04)"), std::string::npos) << r.err;
  ASSERT_EQ(Run({"append"}, event("c4", approve + R"("actor":"controller")")).code, 0);
  // No longer pending (the generator's own pending reversals may be listed).
  r = Run({"pending", "--format", "csv"});
  EXPECT_EQ(r.out.find("PeriodReopened"), std::string::npos) << r.out;

  r = Run({"periods", "--format", "csv"});
  EXPECT_NE(r.out.find("approved by controller"), std::string::npos) << r.out;
  r = Run({"margin", "--period", "2025-03"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("period 2025-03 was reopened"), std::string::npos) << r.err;
  ASSERT_EQ(Run({"append"}, event("c5", R"("type":"PeriodClosed","actor":"controller",)"
                                        R"("period":"2025-03")"))
                .code,
            0);
  EXPECT_EQ(Run({"margin", "--period", "2025-03"}).code, 0);
  EXPECT_EQ(Run({"verify"}).code, 0);
}

// The first close closes the months before it too: reopening one of them
// (once the later month is reopened) has no close to mark, and is listed as
// a row of its own, in every format, rather than not at all; in month order,
// before the later month's close, and before its own close once closed again.
TEST_F(LedgerctlTest, AReopenedMonthWithoutACloseOfItsOwnIsListed) {
  Init();
  ASSERT_EQ(Run({"append", "--json", kOpened}).code, 0);
  const auto event = [](const std::string& id, const std::string& rest) {
    return R"({"event_id":"00000000-0000-4000-8000-0000000000)" + id +
           R"(","effective_at":"2025-04-10T20:00:00Z","source":"test",)" + rest + "}";
  };
  for (const std::string& e :
       {event("d1", R"("type":"PeriodClosed","actor":"controller","period":"2025-03")"),
        event("d2", R"("type":"PeriodReopened","actor":"alice","period":"2025-03","reason":"r")"),
        event("d3", R"("type":"PeriodReopened","actor":"bob","period":"2025-02","reason":"r")")}) {
    RunResult r = Run({"append", "--json", e});
    ASSERT_EQ(r.code, 0) << e << ": " << r.err;
  }
  RunResult r = Run({"periods", "--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  const std::vector<std::string> cells = Cells(lines[1]);
  ASSERT_EQ(cells.size(), 12u) << lines[1];
  EXPECT_EQ(cells[0], "2025-02");
  EXPECT_EQ(cells[1] + cells[2] + cells[3] + cells[4], "") << lines[1];
  EXPECT_NE(cells[5], "");
  EXPECT_EQ(cells[6], "bob");
  EXPECT_EQ(lines[2].rfind("2025-03,2025-04-10T20:00:00Z,", 0), 0u) << lines[2];
  EXPECT_NE(lines[2].find(",alice,"), std::string::npos) << lines[2];
  r = Run({"periods", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t february =
      r.out.find(R"({"period":"2025-02","closed_at":null,"recorded_at":null,"actor":null,)"
                 R"("seq":null,"reopened_at":")");
  EXPECT_NE(february, std::string::npos) << r.out;
  EXPECT_LT(february, r.out.find(R"({"period":"2025-03")")) << r.out;
  r = Run({"periods"});
  ASSERT_EQ(r.code, 0) << r.err;
  lines = Lines(r.out);
  ASSERT_GE(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[1].rfind("2025-02 ", 0), 0u) << r.out;
  EXPECT_EQ(lines[2].rfind("2025-03 ", 0), 0u) << r.out;
  r = Run({"margin", "--period", "2025-02"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("period 2025-02 was reopened"), std::string::npos) << r.err;
  // January, closed with March's close and never reopened, has no seal: said
  // so (it was "is not closed", while a January booking is refused).
  r = Run({"margin", "--period", "2025-01"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("period 2025-01 has no close of its own"), std::string::npos) << r.err;
  // Closed again, it has its own close and seal, listed after its reopening.
  ASSERT_EQ(Run({"append", "--json",
                 event("d4", R"("type":"PeriodClosed","actor":"controller","period":"2025-02")")})
                .code,
            0);
  EXPECT_EQ(Run({"margin", "--period", "2025-02"}).code, 0);
  lines = Lines(Run({"periods", "--format", "csv"}).out);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1].rfind("2025-02,,,,,", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("2025-02,2025-04-10T20:00:00Z,", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3].rfind("2025-03,2025-04-10T20:00:00Z,", 0), 0u) << lines[3];
  EXPECT_EQ(Run({"verify"}).code, 0);
}

// Retention: a closed contract is listed once its three (or N) years have
// passed, unless a hold is in force; a held one is listed with its case.
TEST_F(LedgerctlTest, RetentionListsWhatIsPastItAndWhatIsHeld) {
  Init();
  const auto event = [](const std::string& id, const std::string& type, const std::string& at,
                        const std::string& payload) {
    return R"({"event_id":"00000000-0000-4000-8000-0000000000)" + id + R"(","type":")" + type +
           R"(","contract":"C-1","effective_at":")" + at +
           R"(","actor":"counsel","source":"test",)" + payload + "}";
  };
  WriteFile(dir_ / "in.jsonl",
            std::string(kOpened) + "\n" +
                event("c1", "ContractClosed", "2025-12-31", R"("reason":"term ended")") + "\n");
  ASSERT_EQ(Run({"import", (dir_ / "in.jsonl").string()}).code, 0);
  // The retention report as of `as_of` (with `extra` options) in CSV.
  const auto retention = [&](const std::string& as_of, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"retention", "--as-of", as_of, "--format", "csv"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  };
  const std::string header = "contract,customer,closed_on,retain_until,status,cases\n";
  EXPECT_EQ(retention("2028-12-30").out, header);
  RunResult r = retention("2028-12-31");
  EXPECT_EQ(r.out, header + "C-1,Test Agency,2025-12-31,2028-12-31,past_retention,\n") << r.err;
  // A hold after the close keeps the records, with its case.
  r = Run({"append"},
          event("a1", "LegalHoldPlaced", "2027-03-01", R"("case":"LIT-7","reason":"inquiry")"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(retention("2030-01-01").out,
            header + "C-1,Test Agency,2025-12-31,2028-12-31,on_hold,LIT-7\n");
  EXPECT_EQ(retention("2030-01-01", {"--years", "6"}).out,
            header + "C-1,Test Agency,2025-12-31,2031-12-31,on_hold,LIT-7\n");
  r = Run({"append"},
          event("a2", "LegalHoldReleased", "2027-03-02", R"("case":"LIT-8","reason":"settled")"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("(rule R-HOLD-02)"), std::string::npos) << r.err;
  r = Run({"append"},
          event("a3", "LegalHoldReleased", "2027-09-01", R"("case":"LIT-7","reason":"settled")"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(retention("2030-01-01").out,
            header + "C-1,Test Agency,2025-12-31,2028-12-31,past_retention,\n");
  EXPECT_EQ(Run({"retention", "--years", "101"}).code, 2);
  EXPECT_EQ(Run({"verify"}).code, 0);
}

// A contract closed on 29 February is kept to 1 March N years later when
// that year has no 29 February (README "Legal holds and retention").
TEST_F(LedgerctlTest, RetentionOfAContractClosedOnFebruary29RunsToMarch1) {
  Init();
  WriteFile(dir_ / "in.jsonl",
            std::string(kOpened) + "\n" +
                R"({"event_id":"00000000-0000-4000-8000-0000000000c1","type":"ContractClosed",)"
                R"("contract":"C-1","effective_at":"2028-02-29","actor":"tam.test",)"
                R"("source":"test","reason":"term ended"})" +
                "\n");
  RunResult r = Run({"import", (dir_ / "in.jsonl").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string header = "contract,customer,closed_on,retain_until,status,cases\n";
  r = Run({"retention", "--as-of", "2031-02-28", "--format", "csv"});
  EXPECT_EQ(r.out, header) << r.err;
  r = Run({"retention", "--as-of", "2031-03-01", "--format", "csv"});
  EXPECT_EQ(r.out, header + "C-1,Test Agency,2028-02-29,2031-03-01,past_retention,\n") << r.err;
  r = Run({"retention", "--as-of", "2032-02-29", "--years", "4", "--format", "csv"});
  EXPECT_EQ(r.out, header + "C-1,Test Agency,2028-02-29,2032-02-29,past_retention,\n") << r.err;
}

// pending, periods and access-log take the format options of the other
// reports: --format table|csv|json (access-log: table|json) and --json, the
// same as --format json; two formats asked for are a usage error naming both.
TEST_F(LedgerctlPeriodTest, PendingPeriodsAndAccessLogTakeFormatAndJson) {
  for (const std::string command : {"pending", "periods", "access-log"}) {
    const RunResult json = Run({command, "--format", "json"});
    ASSERT_EQ(json.code, 0) << command << ": " << json.err;
    EXPECT_EQ(Run({command, "--json"}).out, json.out) << command;
    EXPECT_EQ(Run({command, "--json", "--format", "json"}).out, json.out) << command;
    const RunResult table = Run({command, "--format", "table"});
    EXPECT_EQ(table.code, 0) << command << ": " << table.err;
    EXPECT_EQ(table.out, Run({command}).out) << command;
    EXPECT_NE(table.out, json.out) << command;
    const RunResult both = Run({command, "--json", "--format", "table"});
    EXPECT_EQ(both.code, 2) << command << ": " << both.out;
    EXPECT_NE(both.err.find("ledgerctl " + command +
                            ": --json and --format table ask for two formats: give one"),
              std::string::npos)
        << both.err;
  }
  EXPECT_NE(Lines(Run({"periods", "--json"}).out).at(0).find("\"period\":\"2025-01\""),
            std::string::npos);
  const RunResult csv = Run({"access-log", "--format", "csv"});
  EXPECT_EQ(csv.code, 2) << csv.out;
  EXPECT_NE(csv.err.find("ledgerctl access-log: --format: must be table or json, got 'csv'"),
            std::string::npos)
      << csv.err;
}

}  // namespace
}  // namespace ccl::tools::testing
