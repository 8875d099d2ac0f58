// Integer money arithmetic and ISO 4217 (events/model/money.h).
#include "events/model/money.h"

#include <algorithm>
#include <array>

#include "events/base/display.h"

namespace ccl::events {

namespace {

struct Currency {
  char code[4];
  int minor_digits;
};

// ISO 4217 active currency and fund codes that have minor units (List One,
// 2024). Codes without a minor unit (XAU, XDR, XXX, ...) are not money a
// contract is priced in and are left out. Sorted for binary search.
constexpr Currency kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2},
    {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2},
    {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0},
    {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2},
    {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
    {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2},
    {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2},
    {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
    {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2},
    {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2},
    {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
    {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2},
    {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2},
    {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2},
    {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2},
    {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2},
    {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2}, {"ZWL", 2},
};

constexpr bool IsSorted() {
  for (size_t i = 1; i < std::size(kCurrencies); ++i) {
    if (!(std::string_view(kCurrencies[i - 1].code) < std::string_view(kCurrencies[i].code))) {
      return false;
    }
  }
  return true;
}
static_assert(IsSorted(), "kCurrencies must be sorted and unique");

}  // namespace

__int128 DivRoundHalfEven(__int128 a, __int128 b) {
  // On magnitudes, then the sign: rounding is symmetric, so a value and its
  // negation (a booking and its reversal) round to exact opposites.
  const bool negative = (a < 0) != (b < 0);
  const unsigned __int128 ua =
      a < 0 ? static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(a)
            : static_cast<unsigned __int128>(a);
  const unsigned __int128 ub =
      b < 0 ? static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(b)
            : static_cast<unsigned __int128>(b);
  unsigned __int128 q = ua / ub;
  const unsigned __int128 r = ua % ub;
  const unsigned __int128 twice_r = r * 2;  // r < ub <= 2^127: no overflow
  if (twice_r > ub || (twice_r == ub && (q & 1) != 0)) ++q;
  const auto sq = static_cast<__int128>(q);
  return negative ? -sq : sq;
}

int64_t ValueMinor(int64_t minutes, int64_t rate_minor_per_hour) {
  const __int128 product = static_cast<__int128>(minutes) * rate_minor_per_hour;
  return static_cast<int64_t>(DivRoundHalfEven(product, 60));
}

bool LookupCurrency(std::string_view code, int* minor_digits) {
  const auto* end = std::end(kCurrencies);
  const auto* it = std::lower_bound(
      std::begin(kCurrencies), end, code,
      [](const Currency& c, std::string_view key) { return std::string_view(c.code) < key; });
  if (it == end || std::string_view(it->code) != code) return false;
  if (minor_digits != nullptr) *minor_digits = it->minor_digits;
  return true;
}

std::string FormatMoney(int64_t minor, std::string_view currency) {
  int digits = 2;  // an unknown code (never in a valid ledger) prints like most currencies
  LookupCurrency(currency, &digits);
  // Magnitude as unsigned so INT64_MIN prints too.
  uint64_t mag = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  const uint64_t whole = mag / scale;
  const uint64_t frac = mag % scale;
  std::string s;
  if (minor < 0) s.push_back('-');
  s += FormatThousands(whole);
  if (digits > 0) {
    std::string f = std::to_string(frac);
    s.push_back('.');
    s.append(static_cast<size_t>(digits) - f.size(), '0');
    s += f;
  }
  if (!currency.empty()) {
    s.push_back(' ');
    s += currency;
  }
  return s;
}

}  // namespace ccl::events
