// Integer money: half-to-even rounding, ISO 4217, formatting.
#include "events/model/money.h"

#include <gtest/gtest.h>

#include <random>

namespace ccl::events {
namespace {

class MoneyTest : public ::testing::Test {};

TEST_F(MoneyTest, ValueRoundsHalfToEven) {
  EXPECT_EQ(ValueMinor(30, 1), 0);   // 0.5 -> 0
  EXPECT_EQ(ValueMinor(90, 1), 2);   // 1.5 -> 2
  EXPECT_EQ(ValueMinor(150, 1), 2);  // 2.5 -> 2
  EXPECT_EQ(ValueMinor(210, 1), 4);  // 3.5 -> 4
  EXPECT_EQ(ValueMinor(31, 1), 1);   // 0.516 -> 1
  EXPECT_EQ(ValueMinor(29, 1), 0);   // 0.483 -> 0
  EXPECT_EQ(ValueMinor(60, 12'345), 12'345);
  EXPECT_EQ(ValueMinor(90, 25'000), 37'500);
  EXPECT_EQ(ValueMinor(1, 100), 2);  // 1.666 -> 2
  EXPECT_EQ(ValueMinor(0, 100), 0);
}

TEST_F(MoneyTest, NegativesAreSymmetric) {
  EXPECT_EQ(ValueMinor(-30, 1), 0);
  EXPECT_EQ(ValueMinor(-90, 1), -2);
  EXPECT_EQ(ValueMinor(-150, 1), -2);
  EXPECT_EQ(ValueMinor(90, -1), -2);
  EXPECT_EQ(ValueMinor(-90, -1), 2);
  EXPECT_EQ(ValueMinor(-1, 100), -2);
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 10'000; ++i) {
    const int64_t m = static_cast<int64_t>(rng() % 2'000'000);
    const int64_t r = static_cast<int64_t>(rng() % 1'000'000'001);
    ASSERT_EQ(ValueMinor(-m, r), -ValueMinor(m, r)) << m << " " << r;
  }
}

TEST_F(MoneyTest, LargeValuesUse128Bits) {
  // 10^9 minutes at 10^9 per hour: the product overflows 64 bits.
  EXPECT_EQ(ValueMinor(1'000'000'000, 1'000'000'000), 16'666'666'666'666'667);
  EXPECT_EQ(ValueMinor(-1'000'000'000, 1'000'000'000), -16'666'666'666'666'667);
}

TEST_F(MoneyTest, DivRoundHalfEven) {
  EXPECT_EQ(DivRoundHalfEven(5, 2), 2);
  EXPECT_EQ(DivRoundHalfEven(7, 2), 4);
  EXPECT_EQ(DivRoundHalfEven(-5, 2), -2);
  EXPECT_EQ(DivRoundHalfEven(-7, 2), -4);
  EXPECT_EQ(DivRoundHalfEven(5, -2), -2);
  EXPECT_EQ(DivRoundHalfEven(1, 3), 0);
  EXPECT_EQ(DivRoundHalfEven(2, 3), 1);
  EXPECT_EQ(DivRoundHalfEven(-2, 3), -1);
  EXPECT_EQ(DivRoundHalfEven(6, 3), 2);
}

TEST_F(MoneyTest, Currencies) {
  int digits = -1;
  EXPECT_TRUE(LookupCurrency("USD", &digits));
  EXPECT_EQ(digits, 2);
  EXPECT_TRUE(LookupCurrency("JPY", &digits));
  EXPECT_EQ(digits, 0);
  EXPECT_TRUE(LookupCurrency("BHD", &digits));
  EXPECT_EQ(digits, 3);
  EXPECT_TRUE(LookupCurrency("EUR", &digits));
  EXPECT_TRUE(LookupCurrency("AED", nullptr));
  EXPECT_TRUE(LookupCurrency("ZWL", nullptr));
  EXPECT_FALSE(LookupCurrency("usd", nullptr));
  EXPECT_FALSE(LookupCurrency("XYZ", nullptr));
  EXPECT_FALSE(LookupCurrency("HRK", nullptr));  // replaced by EUR in 2023
  EXPECT_FALSE(LookupCurrency("XAU", nullptr));  // gold has no minor unit
  EXPECT_FALSE(LookupCurrency("", nullptr));
  EXPECT_FALSE(LookupCurrency("USDX", nullptr));
}

TEST_F(MoneyTest, FormatMoney) {
  EXPECT_EQ(FormatMoney(123'456, "USD"), "1,234.56 USD");
  EXPECT_EQ(FormatMoney(-123'456, "USD"), "-1,234.56 USD");
  EXPECT_EQ(FormatMoney(5, "USD"), "0.05 USD");
  EXPECT_EQ(FormatMoney(0, "EUR"), "0.00 EUR");
  EXPECT_EQ(FormatMoney(1'234'567, "JPY"), "1,234,567 JPY");
  EXPECT_EQ(FormatMoney(1'234'567, "BHD"), "1,234.567 BHD");
  EXPECT_EQ(FormatMoney(100'000, "USD"), "1,000.00 USD");
  EXPECT_EQ(FormatMoney(99'999, "USD"), "999.99 USD");
  EXPECT_EQ(FormatMoney(INT64_MIN, "USD"), "-92,233,720,368,547,758.08 USD");
}

}  // namespace
}  // namespace ccl::events
