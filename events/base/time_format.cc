// UTC dates and instants (events/base/time_format.h). Parsing validates on the C++20
// chrono calendar; formatting uses the same civil-from-days arithmetic in
// 64 bits so that any int32 day or int64 ns prints (corrupt values must still
// make a readable error message).
#include "events/base/time_format.h"

#include <cassert>
#include <chrono>

#include "events/base/limits.h"
#include "events/base/quote.h"

namespace ccl::events {

namespace {

namespace chr = std::chrono;

constexpr int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  return static_cast<int32_t>(
      chr::sys_days(chr::year(y) / chr::month(m) / chr::day(d)).time_since_epoch().count());
}

constexpr int32_t kMinDay = DaysFromCivil(limits::kYearMin, 1, 1);
constexpr int32_t kMaxDay = DaysFromCivil(limits::kYearMax, 12, 31);
static_assert(kMinDay == 0, "ns since epoch must stay non-negative");
static_assert(static_cast<int64_t>(kMaxDay + 1) * kNsPerDay > 0, "fits in int64 ns");

struct Civil {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// H. Hinnant's civil_from_days, in int64 so no int32 input overflows.
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{m <= 2 ? y + 1 : y, m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Writes v in decimal, zero-padded to `width`, at p; returns the end.
char* PutDigits(uint64_t v, int width, char* p) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n < width) buf[n++] = '0';
  while (n > 0) *p++ = buf[--n];
  return p;
}

char* PutCivilDate(const Civil& c, char* p) {
  if (c.year < 0) *p++ = '-';
  p = PutDigits(static_cast<uint64_t>(c.year < 0 ? -c.year : c.year), 4, p);
  *p++ = '-';
  p = PutDigits(c.month, 2, p);
  *p++ = '-';
  return PutDigits(c.day, 2, p);
}

void AppendInstantImpl(int64_t ns, bool always_fraction, std::string* out) {
  // Formatted on the stack and appended once: this runs for every exported event.
  char buf[64];
  // Remainder first: day * kNsPerDay would overflow near INT64_MIN.
  int64_t ns_of_day = ns % kNsPerDay;
  int64_t day = ns / kNsPerDay;
  if (ns_of_day < 0) {
    ns_of_day += kNsPerDay;  // now 0 .. kNsPerDay-1
    --day;
  }
  char* p = PutCivilDate(CivilFromDays(day), buf);
  const int64_t secs = ns_of_day / kNsPerSecond;
  const int64_t frac = ns_of_day % kNsPerSecond;
  *p++ = 'T';
  p = PutDigits(static_cast<uint64_t>(secs / 3600), 2, p);
  *p++ = ':';
  p = PutDigits(static_cast<uint64_t>(secs / 60 % 60), 2, p);
  *p++ = ':';
  p = PutDigits(static_cast<uint64_t>(secs % 60), 2, p);
  if (always_fraction || frac != 0) {
    *p++ = '.';
    p = PutDigits(static_cast<uint64_t>(frac), 9, p);
  }
  *p++ = 'Z';
  out->append(buf, p);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at text[pos..); false if any is not a digit.
bool ReadFixed(std::string_view text, size_t pos, size_t n, int* value) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(text[i])) return false;
    v = v * 10 + (text[i] - '0');
  }
  *value = v;
  return true;
}

// The year of a date or month written as `text`: within the limits.
Status CheckYear(int y, std::string_view text) {
  if (y < limits::kYearMin || y > limits::kYearMax) {
    return Status::InvalidArgument("year must be " + std::to_string(limits::kYearMin) + ".." +
                                   std::to_string(limits::kYearMax) + ", got " +
                                   QuoteForMessage(text));
  }
  return Status::OK();
}

// "YYYY-MM-DD" at the start of text (exactly 10 bytes consumed).
Status ParseDatePrefix(std::string_view text, std::string_view whole, int32_t* days) {
  int y = 0, m = 0, d = 0;
  if (text.size() < 10 || !ReadFixed(text, 0, 4, &y) || text[4] != '-' ||
      !ReadFixed(text, 5, 2, &m) || text[7] != '-' || !ReadFixed(text, 8, 2, &d)) {
    return Status::InvalidArgument("must be a date YYYY-MM-DD, got " + QuoteForMessage(whole));
  }
  const chr::year_month_day ymd{chr::year(y), chr::month(static_cast<unsigned>(m)),
                                chr::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) {
    return Status::InvalidArgument("not a calendar date: " + QuoteForMessage(whole));
  }
  CCL_RETURN_IF_ERROR(CheckYear(y, whole));
  *days = static_cast<int32_t>(chr::sys_days(ymd).time_since_epoch().count());
  return Status::OK();
}

}  // namespace

int32_t MinDay() { return kMinDay; }
int32_t MaxDay() { return kMaxDay; }
int64_t MinInstantNs() { return static_cast<int64_t>(kMinDay) * kNsPerDay; }
int64_t MaxInstantNs() { return (static_cast<int64_t>(kMaxDay) + 1) * kNsPerDay - 1; }

Status ParseDate(std::string_view text, int32_t* days) {
  if (text.size() != 10) {
    return Status::InvalidArgument("must be a date YYYY-MM-DD, got " + QuoteForMessage(text));
  }
  return ParseDatePrefix(text, text, days);
}

std::string FormatDate(int32_t days) {
  std::string s;
  AppendDate(days, &s);
  return s;
}

void AppendDate(int32_t days, std::string* out) {
  char buf[32];
  out->append(buf, PutCivilDate(CivilFromDays(days), buf));
}

Status ParseInstant(std::string_view text, int64_t* ns) {
  const auto bad_form = [&] {
    return Status::InvalidArgument(
        "must be an RFC 3339 UTC time YYYY-MM-DDTHH:MM:SS[.fraction]Z or a date YYYY-MM-DD, "
        "got " +
        QuoteForMessage(text));
  };
  if (text.size() < 10) return bad_form();
  int32_t days = 0;
  if (text.size() == 10) {
    CCL_RETURN_IF_ERROR(ParseDatePrefix(text, text, &days));
    *ns = static_cast<int64_t>(days) * kNsPerDay;
    return Status::OK();
  }
  int hh = 0, mm = 0, ss = 0;
  if (text.size() < 20 || text[10] != 'T' || !ReadFixed(text, 11, 2, &hh) || text[13] != ':' ||
      !ReadFixed(text, 14, 2, &mm) || text[16] != ':' || !ReadFixed(text, 17, 2, &ss)) {
    return bad_form();
  }
  size_t pos = 19;
  int64_t frac_ns = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (++digits > 9) {
        return Status::InvalidArgument("fraction of a second must have 1..9 digits, got " +
                                       QuoteForMessage(text));
      }
      frac_ns = frac_ns * 10 + (text[pos] - '0');
      ++pos;
    }
    if (digits == 0) return bad_form();
    for (size_t i = digits; i < 9; ++i) frac_ns *= 10;
  }
  const std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "+00:00") {
    const bool offset_like = zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
                             IsDigit(zone[1]) && IsDigit(zone[2]) && zone[3] == ':' &&
                             IsDigit(zone[4]) && IsDigit(zone[5]);
    if (offset_like) {
      return Status::InvalidArgument("must be in UTC (Z or +00:00), got " + QuoteForMessage(text));
    }
    return bad_form();
  }
  // Leap seconds (:60) are rejected: the ledger counts POSIX time.
  if (hh > 23 || mm > 59 || ss > 59) {
    return Status::InvalidArgument("not a valid time of day: " + QuoteForMessage(text));
  }
  CCL_RETURN_IF_ERROR(ParseDatePrefix(text, text, &days));
  *ns = static_cast<int64_t>(days) * kNsPerDay +
        (static_cast<int64_t>(hh) * 3600 + mm * 60 + ss) * kNsPerSecond + frac_ns;
  return Status::OK();
}

std::string FormatInstant(int64_t ns) {
  std::string s;
  AppendInstantImpl(ns, false, &s);
  return s;
}

std::string FormatInstantNs(int64_t ns) {
  std::string s;
  AppendInstantImpl(ns, true, &s);
  return s;
}

void AppendInstant(int64_t ns, std::string* out) { AppendInstantImpl(ns, false, out); }
void AppendInstantNs(int64_t ns, std::string* out) { AppendInstantImpl(ns, true, out); }

int32_t DayOf(int64_t ns) { return static_cast<int32_t>(FloorDiv(ns, kNsPerDay)); }

std::string FormatMonth(int32_t days) {
  std::string s = FormatDate(days);
  s.resize(s.size() - 3);  // drop "-DD"
  return s;
}

Status ParseMonth(std::string_view text, int32_t* month_index) {
  int y = 0, m = 0;
  if (text.size() != 7 || !ReadFixed(text, 0, 4, &y) || text[4] != '-' ||
      !ReadFixed(text, 5, 2, &m)) {
    return Status::InvalidArgument("must be a month YYYY-MM, got " + QuoteForMessage(text));
  }
  if (m < 1 || m > 12) {
    return Status::InvalidArgument("not a calendar month: " + QuoteForMessage(text));
  }
  CCL_RETURN_IF_ERROR(CheckYear(y, text));
  *month_index = y * 12 + m - 1;
  return Status::OK();
}

std::string FormatMonthIndex(int32_t month_index) {
  char buf[32];
  const int64_t y = FloorDiv(month_index, 12);
  const auto m = static_cast<unsigned>(month_index - y * 12 + 1);
  char* p = buf;
  if (y < 0) *p++ = '-';
  p = PutDigits(static_cast<uint64_t>(y < 0 ? -y : y), 4, p);
  *p++ = '-';
  p = PutDigits(m, 2, p);
  return std::string(buf, p);
}

int32_t AddYearsToDay(int32_t days, int years) {
  assert(years >= 0 && years <= 10000);
  chr::year_month_day ymd{chr::sys_days(chr::days(days))};
  ymd += chr::years(years);
  if (static_cast<int>(ymd.year()) > limits::kYearMax) return kMaxDay;
  // Only 29 February can fall out of the calendar: it runs to 1 March.
  if (!ymd.ok()) ymd = ymd.year() / chr::March / 1;
  return static_cast<int32_t>(chr::sys_days(ymd).time_since_epoch().count());
}

int32_t MinMonthIndex() { return limits::kYearMin * 12; }
int32_t MaxMonthIndex() { return limits::kYearMax * 12 + 11; }

int32_t FirstDayOfMonthIndex(int32_t month_index) {
  assert(month_index >= MinMonthIndex() && month_index <= MaxMonthIndex());
  return DaysFromCivil(month_index / 12, static_cast<unsigned>(month_index % 12 + 1), 1);
}

int64_t LastInstantOfMonthIndexNs(int32_t month_index) {
  assert(month_index >= MinMonthIndex() && month_index <= MaxMonthIndex());
  if (month_index == MaxMonthIndex()) return MaxInstantNs();
  return static_cast<int64_t>(FirstDayOfMonthIndex(month_index + 1)) * kNsPerDay - 1;
}

int32_t MonthIndexOf(int32_t days) {
  const Civil c = CivilFromDays(days);
  return static_cast<int32_t>(c.year * 12 + c.month - 1);
}

}  // namespace ccl::events
