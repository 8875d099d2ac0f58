// Every amount an event export writes comes with its currency: rows of events
// other than ContractOpened that carry money (bookings, deliveries, amended
// rates) get their contract's currency in the `currency` key or cell, in JSON
// Lines and CSV, also when the export starts after the contract was opened;
// and such a file imports back, the extra currency checked for form and
// ignored.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "events/model/csv.h"
#include "events/model/json.h"
#include "tests/tools/feed/feed_test_util.h"
#include "tools/feed/event_feed.h"

namespace ccl::feed {
namespace {

using events::Event;
using events::EventType;
using events::ServiceLine;
using testing::AppendOrDie;
using testing::OpenLedgerAt;
using testing::ReadFile;

class FeedCurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = OpenLedgerAt(dir_.Sub("db"), /*read_only=*/false);
    ASSERT_NE(ledger_, nullptr);
    Event eur = factory_.Open("C-EUR");
    eur.currency = "EUR";
    Event jpy = factory_.Open("C-JPY");
    jpy.currency = "JPY";
    AppendOrDie(ledger_.get(), {eur, jpy});
    Event booking = factory_.Book("C-EUR", ServiceLine::kReactive, 60);
    AppendOrDie(
        ledger_.get(),
        {booking, factory_.Book("C-JPY", ServiceLine::kProactive, 30),
         factory_.Deliver("C-JPY", ServiceLine::kProactive, 120),
         factory_.Amend("C-EUR", {ledger::testing::AmendLine(ServiceLine::kReactive, 600, 31000)}),
         factory_.Amend("C-JPY", {ledger::testing::AmendLine(ServiceLine::kReactive, 60)}),
         factory_.Escalation(EventType::kEscalationOpened, "C-EUR", "ESC-1"),
         factory_.Reverse("C-EUR", booking.event_id)});
    currency_of_["C-EUR"] = "EUR";
    currency_of_["C-JPY"] = "JPY";
  }

  std::string Export(EventFormat format, uint64_t after_seq) {
    EventExportOptions o;
    o.format = format;
    o.after_seq = after_seq;
    const std::string path = dir_.Sub("out-" + std::to_string(++runs_));
    std::unique_ptr<FeedOutput> out;
    EXPECT_TRUE(FeedOutput::ToFile(path, &out).ok());
    EventExportResult r;
    const Status s = ExportEvents(ledger_.get(), o, out.get(), &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    out.reset();
    return ReadFile(path);
  }

  testing::TempDir dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  testing::EventFactory factory_;
  std::map<std::string, std::string> currency_of_;
  int runs_ = 0;
};

// The stored event of `seq`.
Event Stored(ledger::Ledger* l, uint64_t seq) {
  Event e;
  EXPECT_TRUE(l->Get(seq, &e).ok());
  return e;
}

// Every money-bearing event (and only those) has its contract's currency.
void ExpectCurrency(const Event& stored, const std::string& currency,
                    const std::map<std::string, std::string>& currency_of) {
  if (events::CarriesMoney(stored)) {
    EXPECT_EQ(currency, currency_of.at(stored.contract))
        << "seq " << stored.seq << " " << events::EventTypeName(stored.type);
  } else {
    EXPECT_EQ(currency, "") << "seq " << stored.seq << " carries no money";
  }
}

TEST_F(FeedCurrencyTest, EveryMoneyBearingJsonLineHasItsContractsCurrency) {
  // After 0: the openings are in the export; after 2: they are not, and the
  // currency comes from the ledger.
  for (uint64_t after : {0u, 2u}) {
    const std::string text = Export(EventFormat::kJsonLines, after);
    const std::vector<std::string> lines = testing::Lines(text);
    ASSERT_EQ(lines.size(), ledger_->head().seq - after);
    std::set<std::string> seen;
    for (size_t i = 0; i < lines.size(); ++i) {
      const Event stored = Stored(ledger_.get(), after + 1 + i);
      const size_t key = lines[i].find("\"currency\":\"");
      const std::string currency = key == std::string::npos ? "" : lines[i].substr(key + 12, 3);
      ExpectCurrency(stored, currency, currency_of_);
      if (stored.type != EventType::kContractOpened) seen.insert(currency);
    }
    EXPECT_EQ(seen, (std::set<std::string>{"", "EUR", "JPY"})) << "after " << after;
  }
}

TEST_F(FeedCurrencyTest, EveryMoneyBearingCsvRowHasItsContractsCurrency) {
  for (uint64_t after : {0u, 2u}) {
    const auto records = testing::ParseCsv(Export(EventFormat::kCsv, after));
    ASSERT_EQ(records.size(), 1 + ledger_->head().seq - after);
    size_t col = 0;
    while (col < records[0].size() && records[0][col] != "currency") ++col;
    ASSERT_LT(col, records[0].size());
    for (size_t r = 1; r < records.size(); ++r) {
      ExpectCurrency(Stored(ledger_.get(), after + r), records[r][col], currency_of_);
    }
  }
}

TEST_F(FeedCurrencyTest, ExportWithCurrenciesImportsBackAsTheSameEvents) {
  const std::string csv = Export(EventFormat::kCsv, 0);
  events::CsvEventReader reader;
  ASSERT_TRUE(reader.Open(csv, std::nullopt).ok());
  uint64_t seq = 0;
  for (;;) {
    Event e;
    size_t line = 0;
    bool done = false;
    const Status s = reader.Next(&e, &line, &done);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (done) break;
    EXPECT_TRUE(events::SameContent(e, Stored(ledger_.get(), ++seq))) << "csv seq " << seq;
  }
  EXPECT_EQ(seq, ledger_->head().seq);

  events::JsonEventParser parser;
  seq = 0;
  for (const std::string& line : testing::Lines(Export(EventFormat::kJsonLines, 0))) {
    Event e;
    const Status s = parser.Parse(line, &e);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(events::SameContent(e, Stored(ledger_.get(), ++seq))) << "jsonl seq " << seq;
  }
  EXPECT_EQ(seq, ledger_->head().seq);
}

TEST_F(FeedCurrencyTest, ImportChecksTheFormOfAnInformationalCurrency) {
  const Event booking = Stored(ledger_.get(), 3);
  std::string json;
  events::AppendEventJson(booking, events::JsonOutputOptions(), &json);
  ASSERT_EQ(json.back(), '}');
  events::JsonEventParser parser;
  Event e;
  // Any active code is accepted (the ledger knows the contract's own).
  ASSERT_TRUE(parser.Parse(json.substr(0, json.size() - 1) + ",\"currency\":\"GBP\"}", &e).ok());
  EXPECT_TRUE(events::SameContent(e, booking));
  const Status bad = parser.Parse(json.substr(0, json.size() - 1) + ",\"currency\":\"eur\"}", &e);
  EXPECT_TRUE(bad.IsInvalidArgument()) << bad.ToString();
  EXPECT_NE(bad.message().find("currency"), std::string::npos) << bad.message();
  EXPECT_NE(bad.message().find("ISO 4217"), std::string::npos) << bad.message();
}

}  // namespace
}  // namespace ccl::feed
