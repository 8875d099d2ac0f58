// Byte encoding of projection state (canonical, for digests and snapshots):
// fixed-width little-endian integers and length-prefixed strings. Fixed width
// rather than varints so the bytes of a state are trivially the same on every
// machine and easy to describe in projections/FORMAT.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/base/status.h"

namespace ccl::projections {

class StateWriter {
 public:
  explicit StateWriter(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U32(uint32_t v);
  void U64(uint64_t v);
  void I32(int32_t v) { U32(static_cast<uint32_t>(v)); }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  // u32 byte length, then the bytes.
  void String(std::string_view s);

 private:
  // v as sizeof(U) little-endian bytes.
  template <typename U>
  void Fixed(U v);
  std::string* out_;
};

// Reads what StateWriter wrote. Every getter fails (returns false, sticky)
// instead of reading past the end; error() then says what and where.
class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v);
  bool U32(uint32_t* v);
  bool U64(uint64_t* v);
  bool I32(int32_t* v);
  bool I64(int64_t* v);
  // Fails when the length exceeds bytes_max or the remaining input.
  bool String(size_t bytes_max, std::string* s);
  // A count of entries that each take at least entry_bytes_min bytes: fails
  // when more than count_max or more than the remaining input could hold, so a
  // corrupted count cannot make the decoder allocate or loop without bound.
  bool Count(uint32_t count_max, size_t entry_bytes_min, uint32_t* count);

  bool AtEnd() const { return pos_ == in_.size(); }
  size_t position() const { return pos_; }
  // Records a semantic failure (bad enum, unsorted key) at the current position.
  bool Fail(std::string_view what);
  bool failed() const { return failed_; }
  // Corruption("<context>: <what> at byte N"); OK when nothing failed and the
  // input was consumed entirely (trailing bytes are an error).
  Status Finish(std::string_view context);

 private:
  bool Take(size_t n, const char** p);
  // Reads sizeof(U) little-endian bytes into *v.
  template <typename U>
  bool Fixed(U* v);
  std::string_view in_;
  size_t pos_ = 0;
  bool failed_ = false;
  std::string error_;
};

// The name of a state's contract number n (from 0), which must be a valid
// contract id after `previous`, the name of contract n - 1 (contracts are
// stored in strictly increasing name order). False when it cannot be read or
// breaks a rule; the reader has failed then.
bool ReadContractName(StateReader& r, uint32_t n, const std::string& previous, std::string* name);

// The u8 mask of the lines present in per-service-line state (bit i: the
// line of index i), and the check of one read back: a bit at or above
// `lines` fails the reader.
template <typename Line, size_t kLines>
uint8_t PresentLineMask(const std::array<Line, kLines>& lines) {
  static_assert(kLines <= 8, "a line mask is one byte");
  uint8_t mask = 0;
  for (size_t i = 0; i < kLines; ++i) {
    if (lines[i].present) mask |= static_cast<uint8_t>(1u << i);
  }
  return mask;
}
bool CheckLineMask(StateReader& r, uint8_t mask, size_t lines);

}  // namespace ccl::projections
