// Report's line protocol between a benchmark phase (a child process) and the
// parent: what Serialize writes, Parse reads back whole, and Parse drops the
// lines a child that died mid-write or a wrong writer would leave.
#include "tools/bench/report.h"

#include <gtest/gtest.h>

#include <string>

namespace ccl::bench {
namespace {

TEST(BenchReportTest, SerializeThenParseGivesBackEveryRecord) {
  Report r;
  r.Set("append_b1_eps", 0.1);  // not exact in binary: all 17 digits must travel
  r.Set("peak_rss_mb", -2.5e-300);
  r.Missing("postgres_b1_eps", "no server");
  r.Context("events", 1e6);
  r.Context("ratio", 1.0 / 3.0);
  r.ContextText("mode", "sync\tevery append");  // the tab becomes a space
  r.Note("first note");
  r.Note("second\nnote");

  const Report back = Report::Parse(r.Serialize());
  EXPECT_EQ(back.values(), r.values());
  EXPECT_EQ(back.missing(), r.missing());
  EXPECT_EQ(back.context(), r.context());
  EXPECT_EQ(back.context_text(), r.context_text());
  EXPECT_EQ(back.notes(), r.notes());
  EXPECT_EQ(back.context_text().at("mode"), "sync every append");
  EXPECT_EQ(back.notes().at(1), "second note");
}

TEST(BenchReportTest, SerializeWritesOneTabSeparatedLinePerRecord) {
  Report r;
  r.Set("m", 1.5);
  r.Missing("x", "why");
  r.Context("c", 2);
  r.ContextText("t", "text");
  r.Note("n");
  EXPECT_EQ(r.Serialize(), "M\tm\t1.5\nX\tx\twhy\nC\tc\t2\nT\tt\ttext\nN\tn\n");
}

TEST(BenchReportTest, ParseDropsMalformedLinesAndKeepsTheRest) {
  const Report r = Report::Parse(
      "M\tgood\t7\n"
      "M\tbad_number\tseven\n"
      "C\tbad_context\t1x\n"
      "M\tno_value\n"
      "M\t\t3\n"         // empty name
      "Q\tunknown\t1\n"  // unknown kind
      "Mx\tno_tab\t1\n"  // kind not followed by a tab
      "X\tgone\treason\n"
      "T\tmode\ton\n"
      "C\tcut\t5");  // unfinished last line: the child died mid-write
  EXPECT_EQ(r.values(), (std::map<std::string, double>{{"good", 7}}));
  EXPECT_EQ(r.missing(), (std::map<std::string, std::string>{{"gone", "reason"}}));
  EXPECT_TRUE(r.context().empty());
  EXPECT_EQ(r.context_text(), (std::map<std::string, std::string>{{"mode", "on"}}));
}

}  // namespace
}  // namespace ccl::bench
