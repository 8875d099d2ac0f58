// UUID text form (events/model/uuid.h).
#include "events/model/uuid.h"

#include "events/base/hex.h"

namespace ccl::events {

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace {

bool IsDashPosition(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

bool ParseUuid(std::string_view text, Uuid* out) {
  if (text.size() != 36) return false;
  Uuid id{};
  size_t byte = 0;
  for (size_t i = 0; i < 36;) {
    if (IsDashPosition(i)) {
      if (text[i] != '-') return false;
      ++i;
      continue;
    }
    const int hi = HexDigitValue(text[i]);
    const int lo = HexDigitValue(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    id[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  *out = id;
  return true;
}

void AppendUuid(const Uuid& id, std::string* out) {
  char buf[36];
  char* p = buf;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    HexInto(std::span<const uint8_t>(&id[i], 1), p);
    p += 2;
  }
  out->append(buf, sizeof(buf));
}

std::string FormatUuid(const Uuid& id) {
  std::string s;
  AppendUuid(id, &s);
  return s;
}

}  // namespace ccl::events
