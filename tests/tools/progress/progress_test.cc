// The progress bar: its text, its throttling and that it stays silent when
// its stream is not a terminal.
#include "tools/progress/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace ccl::tools {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

std::string ReadAll(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  return out;
}

TEST(ProgressTest, LineWithTotalShowsBarPercentRateAndEta) {
  const std::string line =
      FormatProgressLine("import", 500'000, 1'000'000, 2 * kSecond, "events", 100);
  EXPECT_NE(line.find("import ["), std::string::npos) << line;
  EXPECT_NE(line.find(" 50%"), std::string::npos) << line;
  EXPECT_NE(line.find("500,000/1,000,000 events"), std::string::npos) << line;
  EXPECT_NE(line.find("250,000/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:02"), std::string::npos) << line;
  EXPECT_LE(line.size(), 100u);
  // Half the bar is filled.
  const size_t open = line.find('['), close = line.find(']');
  const std::string bar = line.substr(open + 1, close - open - 1);
  EXPECT_EQ(std::count(bar.begin(), bar.end(), '#'), static_cast<long>(bar.size() / 2)) << bar;
  EXPECT_EQ(bar.find_first_not_of('#'), bar.size() / 2) << bar;
}

TEST(ProgressTest, UnknownTotalShowsCountAndRateOnly) {
  const std::string line = FormatProgressLine("verify", 1234, 0, kSecond, "events", 80);
  EXPECT_EQ(line, "verify  1,234 events  1,234/s");
}

TEST(ProgressTest, NoEtaInTheFirstSecondOrWhenDone) {
  EXPECT_EQ(FormatProgressLine("x", 10, 100, kSecond / 2, "events", 200).find("ETA"),
            std::string::npos);
  EXPECT_EQ(FormatProgressLine("x", 100, 100, 5 * kSecond, "events", 200).find("ETA"),
            std::string::npos);
  // Past the total (a file grew): capped at 100%, never a negative ETA.
  const std::string over = FormatProgressLine("x", 150, 100, 5 * kSecond, "events", 200);
  EXPECT_NE(over.find("100%"), std::string::npos) << over;
  EXPECT_EQ(over.find("ETA"), std::string::npos) << over;
}

TEST(ProgressTest, NarrowTerminalDropsTheBarAndCuts) {
  const std::string line = FormatProgressLine("a-long-label", 5, 10, 2 * kSecond, "events", 30);
  EXPECT_LE(line.size(), 30u);
  EXPECT_EQ(line.find('['), std::string::npos) << line;
}

TEST(ProgressTest, DurationFormat) {
  EXPECT_EQ(FormatDuration(0), "0:00");
  EXPECT_EQ(FormatDuration(7), "0:07");
  EXPECT_EQ(FormatDuration(754), "12:34");
  EXPECT_EQ(FormatDuration(3723), "1:02:03");
  EXPECT_EQ(FormatDuration(-5), "0:00");
}

// A progress bar drawing into a temporary file, on a clock the test moves.
class ProgressDrawTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(f_, nullptr); }
  void TearDown() override {
    if (f_ != nullptr) std::fclose(f_);
  }
  ProgressOptions Options(bool force_draw) {
    ProgressOptions o;
    o.stream = f_;  // a regular file, as when stderr is redirected
    o.force_draw = force_draw;
    o.now_ns = [this] { return now_; };
    return o;
  }
  std::string Drawn() { return ReadAll(f_); }

  std::FILE* f_ = std::tmpfile();
  int64_t now_ = 0;
};

TEST_F(ProgressDrawTest, SilentWhenStreamIsNotATerminal) {
  {
    Progress p("import", 100, /*enabled=*/true, Options(false));
    EXPECT_FALSE(p.active());
    for (int i = 1; i <= 100; ++i) {
      now_ += kSecond;
      p.Update(i);
    }
    p.Finish();
  }
  EXPECT_EQ(Drawn(), "");
}

TEST_F(ProgressDrawTest, DisabledDrawsNothingEvenWhenForced) {
  {
    Progress p("import", 100, /*enabled=*/false, Options(true));
    now_ += 10 * kSecond;
    p.Update(50);
  }
  EXPECT_EQ(Drawn(), "");
}

TEST_F(ProgressDrawTest, RedrawsAtMostOncePerIntervalAndErasesAtFinish) {
  ProgressOptions o = Options(true);
  o.width = 81;
  Progress p("export", 1000, true, o);
  ASSERT_TRUE(p.active());
  for (int i = 1; i <= 1000; ++i) {
    now_ += kSecond / 100;  // 10 s in all, 100 intervals of 100 ms
    p.Update(i);
  }
  p.Finish();
  p.Update(1000);  // after Finish: nothing
  const std::string out = Drawn();
  const long draws = std::count(out.begin(), out.end(), '\r');
  // 100 redraws plus one erase; never one per Update.
  EXPECT_GE(draws, 90);
  EXPECT_LE(draws, 102);
  EXPECT_TRUE(out.ends_with("\r\x1b[K")) << out.substr(out.size() - 20);
  EXPECT_NE(out.find("100%"), std::string::npos);
}

TEST_F(ProgressDrawTest, QuickOperationNeverDraws) {
  {
    Progress p("verify", 10, true, Options(true));
    for (int i = 1; i <= 10; ++i) p.Update(i);  // all within the first interval
  }
  EXPECT_EQ(Drawn(), "");
}

}  // namespace
}  // namespace ccl::tools
