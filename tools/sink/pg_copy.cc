// Binary COPY encoding (tools/sink/pg_copy.h).
#include "tools/sink/pg_copy.h"

#include <cassert>
#include <limits>

namespace ccl::sink {

namespace {
// "PGCOPY\n\377\r\n\0": the signature's bytes detect a transfer that
// mangled line ends or high bits.
constexpr std::string_view kSignature{"PGCOPY\n\377\r\n\0", 11};
constexpr uint8_t kJsonbVersion = 1;
}  // namespace

int64_t PostgresTimestampUs(int64_t unix_ns) {
  int64_t us = unix_ns / 1000;
  if (unix_ns % 1000 < 0) --us;  // floor, not truncation toward zero
  return us - kPostgresEpochUnixUs;
}

BinaryCopyWriter::BinaryCopyWriter(std::string* out) : out_(out) {
  assert(out != nullptr);
  out_->append(kSignature);
  Be(0, 4);  // flags: no OIDs
  Be(0, 4);  // header extension length
}

void BinaryCopyWriter::Be(uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out_->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void BinaryCopyWriter::BeginRow(uint16_t fields) {
  assert(!finished_ && fields_left_ == 0);
  assert(fields > 0 && fields != 0xffff);
  Be(fields, 2);
  fields_left_ = fields;
  ++rows_;
}

void BinaryCopyWriter::Field(uint32_t length) {
  assert(fields_left_ > 0);
  assert(length <= static_cast<uint32_t>(std::numeric_limits<int32_t>::max()));
  --fields_left_;
  Be(length, 4);
}

void BinaryCopyWriter::Int8(int64_t v) {
  Field(8);
  Be(static_cast<uint64_t>(v), 8);
}

void BinaryCopyWriter::Int4(int32_t v) {
  Field(4);
  Be(static_cast<uint32_t>(v), 4);
}

void BinaryCopyWriter::Int2(int16_t v) {
  Field(2);
  Be(static_cast<uint16_t>(v), 2);
}

void BinaryCopyWriter::Text(std::string_view s) {
  Field(static_cast<uint32_t>(s.size()));
  out_->append(s);
}

void BinaryCopyWriter::Bytea(std::span<const uint8_t> bytes) {
  Field(static_cast<uint32_t>(bytes.size()));
  out_->append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void BinaryCopyWriter::Bytea(std::string_view bytes) {
  Field(static_cast<uint32_t>(bytes.size()));
  out_->append(bytes);
}

void BinaryCopyWriter::Uuid(std::span<const uint8_t, 16> bytes) {
  Field(16);
  out_->append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void BinaryCopyWriter::TimestampTz(int64_t unix_ns) {
  Field(8);
  Be(static_cast<uint64_t>(PostgresTimestampUs(unix_ns)), 8);
}

void BinaryCopyWriter::Jsonb(std::string_view json) {
  Field(static_cast<uint32_t>(json.size() + 1));
  out_->push_back(static_cast<char>(kJsonbVersion));
  out_->append(json);
}

void BinaryCopyWriter::Null() {
  assert(fields_left_ > 0);
  --fields_left_;
  Be(0xffffffffu, 4);
}

void BinaryCopyWriter::Finish() {
  assert(!finished_ && fields_left_ == 0);
  Be(0xffff, 2);
  finished_ = true;
}

}  // namespace ccl::sink
