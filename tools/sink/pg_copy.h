// PostgreSQL's binary COPY format (COPY ... FROM STDIN WITH (FORMAT binary)),
// as the PostgreSQL manual's "Binary Format" of COPY defines it: an 11-byte
// signature, a 32-bit flags field and a 32-bit header extension length, then
// one tuple per row (a 16-bit field count, then per field a 32-bit length,
// -1 for NULL, and that many bytes), then the 16-bit trailer -1. Every
// integer is big-endian (network order). Field bytes are each type's binary
// send format:
//   int8 (bigint)  8 bytes, two's complement
//   int4, int2     4 / 2 bytes
//   text           the UTF-8 bytes, no terminator
//   bytea          the bytes
//   uuid           the 16 bytes in RFC 4122 order
//   timestamptz    int8 microseconds since 2000-01-01T00:00:00Z
//   jsonb          a version byte (1), then the JSON text
// The writer only appends bytes; it does not know the table, so the caller
// keeps the fields in the order of the COPY's column list.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ccl::sink {

// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's timestamp epoch.
inline constexpr int64_t kPostgresEpochUnixUs = 946'684'800'000'000;

// ns since 1970 -> PostgreSQL timestamp (us since 2000), rounding toward
// minus infinity so that a truncated instant never lands after the real one.
int64_t PostgresTimestampUs(int64_t unix_ns);

class BinaryCopyWriter {
 public:
  // Appends the file header to *out (not owned; must outlive the writer).
  explicit BinaryCopyWriter(std::string* out);

  // Starts a tuple of `fields` fields. REQUIRES: the previous tuple is
  // complete (as many fields written as announced).
  void BeginRow(uint16_t fields);
  void Int8(int64_t v);
  void Int4(int32_t v);
  void Int2(int16_t v);
  void Text(std::string_view s);
  void Bytea(std::span<const uint8_t> bytes);
  void Bytea(std::string_view bytes);
  void Uuid(std::span<const uint8_t, 16> bytes);
  void TimestampTz(int64_t unix_ns);
  void Jsonb(std::string_view json);
  void Null();
  // Appends the trailer. REQUIRES: the last tuple is complete; no field or
  // row afterwards.
  void Finish();

  uint64_t rows() const { return rows_; }

 private:
  void Field(uint32_t length);  // the length word of one non-NULL field
  void Be(uint64_t v, int bytes);

  std::string* out_;
  uint64_t rows_ = 0;
  uint16_t fields_left_ = 0;
  bool finished_ = false;
};

}  // namespace ccl::sink
