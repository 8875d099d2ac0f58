// Seeded random damage to a valid input, for the tests that feed parsers
// what they must refuse without crashing (and accept only when valid). The
// caller prints its seed, so a failure can be run again.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace ccl::test_mutate {

// Bytes that end or start a token in JSON and CSV, digits and signs, line
// ends, NUL, DEL and UTF-8 lead, continuation and invalid bytes.
inline constexpr char kInterestingBytes[] = "{}[]\",:\\0123456789-.eE \r\n\x00\x7f\xc3\xa9\xff";
inline constexpr size_t kInterestingBytesCount = sizeof(kInterestingBytes) - 1;  // NUL included

struct MutateOptions {
  int edits_max = 4;             // 1..edits_max edits
  size_t splice_bytes_max = 15;  // a piece of the text inserted elsewhere: 0..this many bytes
};

// `text` with 1..o.edits_max random edits, each one of: a byte replaced by a
// random one, a byte replaced by or inserted as one of kInterestingBytes,
// 1..8 bytes erased, or a piece of the text inserted elsewhere. Stops early when
// the text is empty.
// REQUIRES: o.edits_max >= 1
inline std::string Mutate(std::string text, std::mt19937_64& rng, const MutateOptions& o = {}) {
  assert(o.edits_max >= 1);
  const int edits = 1 + static_cast<int>(rng() % static_cast<uint64_t>(o.edits_max));
  for (int i = 0; i < edits && !text.empty(); ++i) {
    const size_t at = rng() % text.size();
    switch (rng() % 5) {
      case 0:
        text[at] = static_cast<char>(rng());
        break;
      case 1:
        text[at] = kInterestingBytes[rng() % kInterestingBytesCount];
        break;
      case 2:
        text.insert(at, 1, kInterestingBytes[rng() % kInterestingBytesCount]);
        break;
      case 3:
        text.erase(at, 1 + rng() % 8);
        break;
      case 4:
        text.insert(at, text.substr(rng() % text.size(), rng() % (o.splice_bytes_max + 1)));
        break;
    }
  }
  return text;
}

}  // namespace ccl::test_mutate
