// Checks for a binary codec (an Encode that appends or returns bytes and a
// Decode that returns Status): a value survives the round trip, and no
// truncation of its bytes, nor a byte appended to them, decodes. Every
// codec test uses these.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

#include "events/base/status.h"

namespace ccl::test_codec {

// The bytes of `value`: encode(value, &bytes), or encode(value) when it
// returns them.
template <typename T, typename Encode>
std::string EncodeToBytes(const T& value, Encode&& encode) {
  if constexpr (std::is_invocable_v<Encode, const T&, std::string*>) {
    std::string bytes;
    encode(value, &bytes);
    return bytes;
  } else {
    return encode(value);
  }
}

// `value` encoded, then decoded into a default T: the decoded value. A
// decode that does not return OK fails the test.
template <typename T, typename Encode, typename Decode>
T RoundTrip(const T& value, Encode&& encode, Decode&& decode) {
  const std::string bytes = EncodeToBytes(value, encode);
  T back{};
  const Status s = decode(bytes, &back);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return back;
}

// Every proper prefix of `bytes` (the encoding of a T), and `bytes` with
// one byte appended, must decode as Corruption.
template <typename T, typename Decode>
void ExpectTruncationsAndTrailingBytesRefused(const std::string& bytes, Decode&& decode) {
  T out{};
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_TRUE(decode(bytes.substr(0, n), &out).IsCorruption()) << "truncated to " << n;
  }
  EXPECT_TRUE(decode(bytes + "x", &out).IsCorruption()) << "a trailing byte";
}

}  // namespace ccl::test_codec
