// Lower-case hexadecimal, the one encoder of the project: hashes, ids and
// escaped bytes are all spelled with these digits.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ccl::events {

inline constexpr char kHexDigits[] = "0123456789abcdef";

// Writes the 2 * bytes.size() digits of `bytes` to out[0..]; no terminator.
// REQUIRES: out has room for them.
inline void HexInto(std::span<const uint8_t> bytes, char* out) {
  for (const uint8_t b : bytes) {
    *out++ = kHexDigits[b >> 4];
    *out++ = kHexDigits[b & 0xf];
  }
}

// Appends the two digits of byte `b`.
inline void AppendHexByte(uint8_t b, std::string* out) {
  out->push_back(kHexDigits[b >> 4]);
  out->push_back(kHexDigits[b & 0xf]);
}

inline void AppendHex(std::span<const uint8_t> bytes, std::string* out) {
  const size_t at = out->size();
  out->resize(at + 2 * bytes.size());
  HexInto(bytes, out->data() + at);
}

inline std::string HexEncode(std::span<const uint8_t> bytes) {
  std::string out;
  AppendHex(bytes, &out);
  return out;
}

// The value of lower-case hex digit c, or -1: upper case is not the
// canonical spelling, so a strict reader refuses it like any other byte.
inline int LowerHexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Strict: exactly 2 * out.size() lower-case hex digits, nothing else. On
// false, out may hold part of the bytes.
inline bool HexDecode(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != out.size() * 2) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = LowerHexDigitValue(hex[2 * i]);
    const int lo = LowerHexDigitValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

inline std::string HexEncode(std::string_view bytes) {
  return HexEncode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace ccl::events
