#include "projections/folds/serial.h"

#include <cassert>
#include <cstring>

#include "events/base/limits.h"
#include "events/model/validate.h"

namespace ccl::projections {

template <typename U>
void StateWriter::Fixed(U v) {
  char b[sizeof(U)];
  for (size_t i = 0; i < sizeof(U); ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out_->append(b, sizeof(U));
}

void StateWriter::U32(uint32_t v) { Fixed(v); }
void StateWriter::U64(uint64_t v) { Fixed(v); }

void StateWriter::String(std::string_view s) {
  U32(static_cast<uint32_t>(s.size()));
  out_->append(s.data(), s.size());
}

bool StateReader::Take(size_t n, const char** p) {
  if (failed_) return false;
  if (in_.size() - pos_ < n) return Fail("truncated");
  *p = in_.data() + pos_;
  pos_ += n;
  return true;
}

template <typename U>
bool StateReader::Fixed(U* v) {
  const char* p = nullptr;
  if (!Take(sizeof(U), &p)) return false;
  U x = 0;
  for (size_t i = 0; i < sizeof(U); ++i) {
    x |= static_cast<U>(static_cast<U>(static_cast<uint8_t>(p[i])) << (8 * i));
  }
  *v = x;
  return true;
}

bool StateReader::U8(uint8_t* v) { return Fixed(v); }
bool StateReader::U32(uint32_t* v) { return Fixed(v); }
bool StateReader::U64(uint64_t* v) { return Fixed(v); }

bool StateReader::I32(int32_t* v) {
  uint32_t x;
  if (!U32(&x)) return false;
  *v = static_cast<int32_t>(x);
  return true;
}

bool StateReader::I64(int64_t* v) {
  uint64_t x;
  if (!U64(&x)) return false;
  *v = static_cast<int64_t>(x);
  return true;
}

bool StateReader::String(size_t bytes_max, std::string* s) {
  uint32_t n;
  if (!U32(&n)) return false;
  if (n > bytes_max) return Fail("string longer than its limit");
  const char* p = nullptr;
  if (!Take(n, &p)) return false;
  s->assign(p, n);
  return true;
}

bool StateReader::Count(uint32_t count_max, size_t entry_bytes_min, uint32_t* count) {
  uint32_t n;
  if (!U32(&n)) return false;
  if (n > count_max) return Fail("count over its limit");
  if (entry_bytes_min != 0 && n > (in_.size() - pos_) / entry_bytes_min) {
    return Fail("count larger than the remaining bytes can hold");
  }
  *count = n;
  return true;
}

bool StateReader::Fail(std::string_view what) {
  if (!failed_) {
    failed_ = true;
    error_ = std::string(what) + " at byte " + std::to_string(pos_);
  }
  return false;
}

Status StateReader::Finish(std::string_view context) {
  if (!failed_ && pos_ != in_.size()) Fail("trailing bytes");
  if (failed_) return Status::Corruption(std::string(context) + ": " + error_);
  return Status::OK();
}

bool ReadContractName(StateReader& r, uint32_t n, const std::string& previous, std::string* name) {
  if (!r.String(limits::kContractBytesMax, name)) return false;
  if (!events::IsValidContractId(*name)) return r.Fail("invalid contract id");
  if (n > 0 && !(previous < *name)) return r.Fail("contracts not in strictly increasing order");
  return true;
}

bool CheckLineMask(StateReader& r, uint8_t mask, size_t lines) {
  assert(lines <= 8);
  if (mask >= (1u << lines)) return r.Fail("line mask has unknown bits");
  return true;
}

}  // namespace ccl::projections
