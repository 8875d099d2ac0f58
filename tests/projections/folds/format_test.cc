// Report output: fixed CSV columns, quoting, JSON lines, table rendering.
#include "projections/folds/format.h"

#include <gtest/gtest.h>

#include "projections/folds/registry.h"
#include "tests/projections/folds/builders.h"

namespace ccl::projections {
namespace {

using events::ServiceLine;
using testing::At;
using testing::Builder;

class ProjectionFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Apply(b_.Open("C-2", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 15000, "EUR",
                  "Ministère, \"Défense\""));
    Apply(b_.Open("C-1", "2026-01-01", "2026-12-31", ServiceLine::kProactive, 600, 12000, "USD",
                  "Acme"));
    Apply(b_.Book("C-1", At("2026-03-01"), ServiceLine::kProactive, 90, 12000, 6000));
    Apply(b_.Book("C-1", At("2026-04-01"), ServiceLine::kProactive, 600, 12000, 6000));
    Apply(b_.Book("C-2", At("2026-03-15"), ServiceLine::kReactive, 61, 15000, 9000));
  }
  void Apply(const events::Event& e) {
    for (Projection* p : set_.All()) p->Apply(e, nullptr);
  }
  // A USD contract of `customer` with one hour booked on 2026-03-02.
  void AddCustomerWithAnHour(const std::string& contract, const std::string& customer) {
    Apply(b_.Open(contract, "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 100, "USD",
                  customer));
    Apply(b_.Book(contract, At("2026-03-02"), ServiceLine::kReactive, 60, 100, 40));
  }
  std::string Render(const RowSet& rs, OutputFormat f) {
    std::string out;
    WriteRowSet(rs, f, &out);
    return out;
  }
  // The margin report by `keys` (only `contract`'s and `currency`'s rows when
  // given), rendered as `f`.
  std::string RenderMargins(const std::vector<MarginKey>& keys, OutputFormat f,
                            std::string_view contract = "", std::string_view currency = "") {
    MarginReport r;
    Status s = BuildMarginReport(set_.margins, keys, contract, currency, &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return Render(MarginRowSet(r), f);
  }
  Builder b_;
  ProjectionSet set_;
};

TEST_F(ProjectionFormatTest, BalanceCsvHasTheFixedColumnsSortedRows) {
  EXPECT_EQ(Render(BalanceRowSet(BalanceRows(set_.balances)), OutputFormat::kCsv),
            "contract,service_line,funded_minutes,consumed_minutes,remaining_minutes,"
            "overage_minutes\n"
            "C-1,proactive,600,690,0,90\n"
            "C-2,reactive,6000,61,5939,0\n");
}

TEST_F(ProjectionFormatTest, MarginCsvColumnsFollowTheKeysGiven) {
  const struct {
    const char* keys;
    const char* csv;
  } cases[] = {
      {"contract,month",
       "contract,month,currency,revenue_minor,cost_minor,margin_minor\n"
       "C-1,2026-03,USD,18000,9000,9000\n"
       "C-1,2026-04,USD,120000,60000,60000\n"
       "C-2,2026-03,EUR,15250,9150,6100\n"},
      {"customer",
       "customer,currency,revenue_minor,cost_minor,margin_minor\n"
       "Acme,USD,138000,69000,69000\n"
       "\"Ministère, \"\"Défense\"\"\",EUR,15250,9150,6100\n"},
  };
  for (const auto& c : cases) {
    std::vector<MarginKey> keys;
    ASSERT_TRUE(ParseMarginKeys(c.keys, &keys).ok()) << c.keys;
    EXPECT_EQ(RenderMargins(keys, OutputFormat::kCsv), c.csv) << c.keys;
  }
}

TEST_F(ProjectionFormatTest, MarginKeysAreValidated) {
  std::vector<MarginKey> keys;
  EXPECT_TRUE(ParseMarginKeys("contract,contract", &keys).IsInvalidArgument());
  EXPECT_TRUE(ParseMarginKeys("engineer", &keys).IsInvalidArgument());
  EXPECT_TRUE(ParseMarginKeys("", &keys).IsInvalidArgument());
  EXPECT_TRUE(ParseMarginKeys("month,", &keys).IsInvalidArgument());
  ASSERT_TRUE(ParseMarginKeys("month,customer,contract", &keys).ok());
  EXPECT_EQ(keys, (std::vector<MarginKey>{MarginKey::kMonth, MarginKey::kCustomer,
                                          MarginKey::kContract}));
}

// Two contracts in different currencies never add up: by customer and month
// (and by month alone), March has one row per currency, every CSV row names
// its currency, and the totals are per currency.
TEST_F(ProjectionFormatTest, CurrenciesAreNeverSummedTogether) {
  Apply(
      b_.Open("C-3", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 100, "JPY", "Acme"));
  Apply(b_.Book("C-3", At("2026-03-02"), ServiceLine::kReactive, 60, 100, 40));
  EXPECT_EQ(RenderMargins({MarginKey::kMonth}, OutputFormat::kCsv),
            "month,currency,revenue_minor,cost_minor,margin_minor\n"
            "2026-03,EUR,15250,9150,6100\n"
            "2026-03,JPY,100,40,60\n"
            "2026-03,USD,18000,9000,9000\n"
            "2026-04,USD,120000,60000,60000\n");
  MarginReport r;
  ASSERT_TRUE(
      BuildMarginReport(set_.margins, {MarginKey::kCustomer, MarginKey::kMonth}, "", "", &r).ok());
  EXPECT_EQ(Render(MarginRowSet(r), OutputFormat::kCsv),
            "customer,month,currency,revenue_minor,cost_minor,margin_minor\n"
            "Acme,2026-03,JPY,100,40,60\n"
            "Acme,2026-03,USD,18000,9000,9000\n"
            "Acme,2026-04,USD,120000,60000,60000\n"
            "\"Ministère, \"\"Défense\"\"\",2026-03,EUR,15250,9150,6100\n");
  ASSERT_EQ(r.totals.size(), 3u);
  EXPECT_EQ(r.totals[0].currency, "EUR");
  EXPECT_EQ(r.totals[0].revenue_minor, 15250);
  EXPECT_EQ(r.totals[1].currency, "JPY");
  EXPECT_EQ(r.totals[1].revenue_minor, 100);
  EXPECT_EQ(r.totals[2].currency, "USD");
  EXPECT_EQ(r.totals[2].revenue_minor, 138000);
  const std::string table = Render(MarginRowSet(r), OutputFormat::kTable);
  EXPECT_NE(table.find("100 JPY"), std::string::npos) << table;
  ASSERT_TRUE(BuildMarginReport(set_.margins, {MarginKey::kMonth}, "", "USD", &r).ok());
  EXPECT_EQ(r.rows.size(), 2u);
}

// What a client reads back from a server's JSON rows draws the same table.
TEST_F(ProjectionFormatTest, JsonRowsReadBackDrawTheSameTable) {
  AddCustomerWithAnHour("C-3", "Hostile\x1b[2J \"customer\"");
  std::vector<MarginKey> keys;
  ASSERT_TRUE(ParseMarginKeys("customer,month", &keys).ok());
  MarginReport r;
  ASSERT_TRUE(BuildMarginReport(set_.margins, keys, "", "", &r).ok());
  const RowSet sets[] = {BalanceRowSet(BalanceRows(set_.balances)), MarginRowSet(r),
                         EscalationRowSet(EscalationRows(set_.escalations))};
  for (const RowSet& original : sets) {
    RowSet read = original;
    read.rows.clear();
    read.footer.clear();
    const std::string json = Render(original, OutputFormat::kJson);
    for (size_t at = 0, nl; (nl = json.find('\n', at)) != std::string::npos; at = nl + 1) {
      ASSERT_TRUE(ReadJsonRow(std::string_view(json).substr(at, nl - at), &read).ok());
    }
    ASSERT_EQ(read.rows.size(), original.rows.size());
    if (&original == &sets[1]) {
      // The footer is not in the JSON rows: summed again from them.
      MarginReport again;
      again.keys = keys;
      again.rows = r.rows;
      ASSERT_TRUE(MarginTotalsOf(again.rows, &again.totals).ok());
      EXPECT_EQ(again.totals, r.totals);
      read.footer = original.footer;
    }
    EXPECT_EQ(Render(read, OutputFormat::kTable), Render(original, OutputFormat::kTable));
  }
}

TEST_F(ProjectionFormatTest, JsonRowsThatAreNotTheReportsAreRefused) {
  for (const char* line :
       {"[]", "{\"contract\":\"C-1\"}",
        "{\"contract\":1,\"service_line\":\"x\",\"funded_minutes\":1,"
        "\"consumed_minutes\":1,\"remaining_minutes\":1,\"overage_minutes\":1}",
        "{\"contract\":\"C\",\"contract\":\"C\",\"service_line\":\"x\",\"funded_minutes\":1,"
        "\"consumed_minutes\":1,\"remaining_minutes\":1,\"overage_minutes\":1}",
        "{\"contract\":\"C\",\"service_line\":\"x\",\"funded_minutes\":1.5,"
        "\"consumed_minutes\":1,\"remaining_minutes\":1,\"overage_minutes\":1}",
        "{\"colour\":\"red\"}"}) {
    RowSet set = BalanceRowSet({});
    EXPECT_TRUE(ReadJsonRow(line, &set).IsInvalidArgument()) << line;
    EXPECT_TRUE(set.rows.empty());
  }
}

TEST_F(ProjectionFormatTest, JsonLinesCarryCurrencyAndEscapes) {
  EXPECT_EQ(RenderMargins({MarginKey::kCustomer}, OutputFormat::kJson, "C-2"),
            "{\"customer\":\"Ministère, \\\"Défense\\\"\",\"currency\":\"EUR\","
            "\"revenue_minor\":15250,\"cost_minor\":9150,\"margin_minor\":6100,"
            "\"margin_bp\":4000}\n");
}

TEST_F(ProjectionFormatTest, TableShowsHoursAndMoney) {
  const std::string balance =
      Render(BalanceRowSet(BalanceRows(set_.balances)), OutputFormat::kTable);
  EXPECT_EQ(balance,
            "contract  service line  funded h:mm  consumed h:mm  remaining h:mm  overage h:mm\n"
            "C-1       proactive           10:00          11:30            0:00          1:30\n"
            "C-2       reactive           100:00           1:01           98:59          0:00\n");
  const std::string margin = RenderMargins({MarginKey::kContract}, OutputFormat::kTable);
  EXPECT_NE(margin.find("1,380.00 USD"), std::string::npos) << margin;
  EXPECT_NE(margin.find("152.50 EUR"), std::string::npos) << margin;
  EXPECT_NE(margin.find("50.00%"), std::string::npos) << margin;
  EXPECT_NE(margin.find("TOTAL"), std::string::npos) << margin;
}

// Report rows are written with the event export's cell encoding: a customer
// a spreadsheet would run gets a leading ', control characters never leave
// raw (CSV, JSON and the table alike).
TEST_F(ProjectionFormatTest, HostileTextIsNeutralisedInEveryFormat) {
  AddCustomerWithAnHour("C-9", "=HYPERLINK(\"http://x\")");
  AddCustomerWithAnHour("C-8", std::string("esc\x1b[2Jnul\0", 11));
  const std::string csv = RenderMargins({MarginKey::kCustomer}, OutputFormat::kCsv, "", "USD");
  EXPECT_NE(csv.find("\n\"'=HYPERLINK(\"\"http://x\"\")\",USD,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n\"'\"\"esc\\u001b[2Jnul\\u0000\"\"\",USD,"), std::string::npos) << csv;
  for (OutputFormat f : {OutputFormat::kCsv, OutputFormat::kJson, OutputFormat::kTable}) {
    const std::string out = RenderMargins({MarginKey::kCustomer}, f, "", "USD");
    for (char c : out) {
      EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << out;
    }
  }
  EXPECT_NE(RenderMargins({MarginKey::kCustomer}, OutputFormat::kJson, "", "USD")
                .find("esc\\u001b[2Jnul\\u0000"),
            std::string::npos);
}

// Columns line up by display width: a CJK customer name takes two terminal
// columns per character, a combining accent none.
TEST_F(ProjectionFormatTest, TableAlignsWideAndCombiningCharacters) {
  AddCustomerWithAnHour("C-5", "株式会社テスト");
  AddCustomerWithAnHour("C-6", "Cafe\xcc\x81");
  const std::string table = RenderMargins({MarginKey::kCustomer}, OutputFormat::kTable, "", "USD");
  // Every line up to the footer ends at the same display column.
  std::vector<size_t> ends;
  for (size_t pos = 0; pos < table.size();) {
    const size_t nl = table.find('\n', pos);
    const std::string line = table.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.starts_with("---")) break;
    size_t width = 0;
    for (size_t i = 0; i < line.size();) {
      const auto c = static_cast<unsigned char>(line[i]);
      if (c == 0xcc) {  // U+0300..U+033F: combining, no column
        i += 2;
      } else if (c >= 0xe3 && c <= 0xe9) {  // kana and CJK ideographs: two columns
        width += 2;
        i += 3;
      } else {
        width += 1;
        i += c < 0x80 ? 1 : c < 0xe0 ? 2 : 3;
      }
    }
    ends.push_back(width);
  }
  ASSERT_EQ(ends.size(), 4u) << table;
  for (size_t w : ends) EXPECT_EQ(w, ends[0]) << table;
}

TEST_F(ProjectionFormatTest, EmptyReportsStillPrintHeaders) {
  ProjectionSet empty;
  EXPECT_EQ(Render(BalanceRowSet(BalanceRows(empty.balances)), OutputFormat::kCsv),
            "contract,service_line,funded_minutes,consumed_minutes,remaining_minutes,"
            "overage_minutes\n");
  EXPECT_EQ(Render(BurnRowSet({}), OutputFormat::kJson), "");
  EXPECT_NE(Render(EscalationRowSet({}), OutputFormat::kTable).find("(no rows)"),
            std::string::npos);
}

}  // namespace
}  // namespace ccl::projections
