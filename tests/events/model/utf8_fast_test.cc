// IsValidUtf8 takes a whole-word ASCII shortcut before the byte-wise check:
// it must agree with Utf8ErrorOffset on every input, whatever the length and
// wherever a non-ASCII byte sits (start, middle, the overlapping last word).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "events/model/validate.h"

namespace ccl::events {
namespace {

class Utf8FastPathTest : public ::testing::Test {};

TEST_F(Utf8FastPathTest, AgreesWithTheByteWiseCheck) {
  const uint32_t seed = std::random_device{}();
  std::mt19937 rng(seed);
  const std::string pieces[] = {"a",
                                "Z",
                                "0",
                                "\xC3\xA9",
                                "\xE2\x82\xAC",
                                "\xF0\x9F\x98\x80",
                                "\x80",
                                "\xC3",
                                "\xED\xA0\x80",
                                "\xFF",
                                "\xC0\xAF"};
  for (int i = 0; i < 200'000; ++i) {
    std::string s;
    const size_t length = rng() % 40;
    // Mostly ASCII, like the ledger's strings, with an occasional other piece.
    while (s.size() < length) {
      const uint32_t r = rng() % 16;
      s += r < 13 ? pieces[rng() % 3] : pieces[3 + rng() % 8];
    }
    ASSERT_EQ(IsValidUtf8(s), Utf8ErrorOffset(s) == s.size())
        << "seed " << seed << " input of " << s.size() << " bytes";
  }
  for (size_t n = 0; n < 40; ++n) {
    for (size_t at = 0; at < n; ++at) {
      std::string s(n, 'x');
      s[at] = '\x80';
      EXPECT_FALSE(IsValidUtf8(s)) << n << " " << at;
    }
    EXPECT_TRUE(IsValidUtf8(std::string(n, 'x'))) << n;
  }
}

}  // namespace
}  // namespace ccl::events
