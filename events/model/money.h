// Integer money arithmetic (schemas/EVENTS.md "Arithmetic"): no floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ccl::events {

// Value of consumption: minutes * rate_minor_per_hour / 60, rounded half to
// even to the minor unit; intermediate product in 128 bits. Negative inputs
// round symmetrically (a reversal negates exactly).
int64_t ValueMinor(int64_t minutes, int64_t rate_minor_per_hour);

// a / b rounded half to even. REQUIRES: b != 0.
__int128 DivRoundHalfEven(__int128 a, __int128 b);

// ISO 4217: true if `code` is a known active currency; *minor_digits is its
// number of minor-unit digits (USD 2, JPY 0, BHD 3).
bool LookupCurrency(std::string_view code, int* minor_digits);

// "1,234.56 USD"-style human text for tables: minor units with the currency's
// digits, thousands separators (events/base/display.h), sign. Exact (integer
// formatting).
std::string FormatMoney(int64_t minor, std::string_view currency);

}  // namespace ccl::events
