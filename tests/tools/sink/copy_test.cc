// The binary COPY encoder, byte for byte against the format PostgreSQL's
// manual defines (the round trip through a real server is in
// postgres_sink_test.cc).
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "tools/sink/pg_copy.h"

namespace ccl::sink {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

const std::string kHeader =
    Bytes({'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0});

TEST(BinaryCopyWriterTest, EmptyCopyIsHeaderAndTrailer) {
  std::string out;
  BinaryCopyWriter w(&out);
  w.Finish();
  EXPECT_EQ(out, kHeader + Bytes({0xff, 0xff}));
  EXPECT_EQ(w.rows(), 0u);
}

TEST(BinaryCopyWriterTest, IntegersAreBigEndianTwosComplement) {
  std::string out;
  BinaryCopyWriter w(&out);
  w.BeginRow(4);
  w.Int8(0x0102030405060708);
  w.Int8(-2);
  w.Int4(-1);
  w.Int2(0x1234);
  w.Finish();
  EXPECT_EQ(out.substr(kHeader.size()),
            Bytes({0,    4,                                                          // field count
                   0,    0,   0, 8, 1,    2,    3,    4,    5,    6,    7,    8,     // int8
                   0,    0,   0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,  // -2
                   0,    0,   0, 4, 0xff, 0xff, 0xff, 0xff,                          // int4 -1
                   0,    0,   0, 2, 0x12, 0x34,                                      // int2
                   0xff, 0xff}));                                                    // trailer
  EXPECT_EQ(w.rows(), 1u);
}

TEST(BinaryCopyWriterTest, NullIsLengthMinusOneWithNoBytes) {
  std::string out;
  BinaryCopyWriter w(&out);
  w.BeginRow(2);
  w.Null();
  w.Text("");
  w.Finish();
  EXPECT_EQ(out.substr(kHeader.size()),
            Bytes({0, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff}));
}

TEST(BinaryCopyWriterTest, TextByteaUuidJsonbCarryTheirBytes) {
  std::string out;
  BinaryCopyWriter w(&out);
  std::array<uint8_t, 16> id{};
  for (int i = 0; i < 16; ++i) id[i] = static_cast<uint8_t>(0xa0 + i);
  const std::array<uint8_t, 3> raw = {0, 0xff, 7};
  w.BeginRow(4);
  w.Text("h\xc3\xa9");  // UTF-8 as is
  w.Bytea(std::span<const uint8_t>(raw));
  w.Uuid(id);
  w.Jsonb("{}");
  w.Finish();
  std::string want =
      Bytes({0, 4, 0, 0, 0, 3, 'h', 0xc3, 0xa9, 0, 0, 0, 3, 0, 0xff, 7, 0, 0, 0, 16});
  want.append(reinterpret_cast<const char*>(id.data()), 16);
  want += Bytes({0, 0, 0, 3, 1, '{', '}', 0xff, 0xff});  // jsonb: version 1, then the text
  EXPECT_EQ(out.substr(kHeader.size()), want);
}

TEST(BinaryCopyWriterTest, TimestampsAreMicrosecondsSince2000FlooringNanoseconds) {
  EXPECT_EQ(PostgresTimestampUs(946'684'800'000'000'000), 0);     // 2000-01-01T00:00:00Z
  EXPECT_EQ(PostgresTimestampUs(0), -kPostgresEpochUnixUs);       // 1970-01-01
  EXPECT_EQ(PostgresTimestampUs(946'684'800'000'001'999), 1);     // truncated, not rounded
  EXPECT_EQ(PostgresTimestampUs(946'684'799'999'999'999), -1);    // floor below the epoch
  EXPECT_EQ(PostgresTimestampUs(-1), -kPostgresEpochUnixUs - 1);  // floor below 1970
  std::string out;
  BinaryCopyWriter w(&out);
  w.BeginRow(1);
  w.TimestampTz(946'684'800'000'256'000);  // 256 us after the PostgreSQL epoch
  w.Finish();
  EXPECT_EQ(out.substr(kHeader.size()),
            Bytes({0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 0, 0xff, 0xff}));
}

TEST(BinaryCopyWriterTest, RowsAreCounted) {
  std::string out;
  BinaryCopyWriter w(&out);
  for (int i = 0; i < 3; ++i) {
    w.BeginRow(1);
    w.Int8(i);
  }
  w.Finish();
  EXPECT_EQ(w.rows(), 3u);
  EXPECT_EQ(out.size(), kHeader.size() + 3 * (2 + 4 + 8) + 2);
}

}  // namespace
}  // namespace ccl::sink
