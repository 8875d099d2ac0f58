// The snapshot envelope: round trip, and every damaged form rejected.
#include "projections/folds/snapshot.h"

#include <gtest/gtest.h>

#include "projections/folds/serial.h"

namespace ccl::projections {
namespace {

class ProjectionSnapshotTest : public ::testing::Test {
 protected:
  SnapshotHeader Header() {
    SnapshotHeader h;
    h.projection = "balances";
    h.projection_version = 3;
    for (size_t i = 0; i < h.ledger_id.size(); ++i) h.ledger_id[i] = static_cast<uint8_t>(i);
    h.checkpoint_seq = 1234567;
    h.checkpoint_recorded_at_ns = 1'700'000'000'123'456'789;
    h.checkpoint_chain_hash = Sha256Of("event");
    return h;
  }
};

TEST_F(ProjectionSnapshotTest, RoundTrip) {
  std::string bytes;
  EncodeSnapshot(Header(), "state bytes", &bytes);
  SnapshotHeader h;
  std::string_view state;
  ASSERT_TRUE(DecodeSnapshot(bytes, &h, &state).ok());
  EXPECT_EQ(h.projection, "balances");
  EXPECT_EQ(h.projection_version, 3u);
  EXPECT_EQ(h.ledger_id, Header().ledger_id);
  EXPECT_EQ(h.checkpoint_seq, 1234567u);
  EXPECT_EQ(h.checkpoint_recorded_at_ns, 1'700'000'000'123'456'789);
  EXPECT_EQ(h.checkpoint_chain_hash, Sha256Of("event"));
  EXPECT_EQ(state, "state bytes");
}

TEST_F(ProjectionSnapshotTest, EveryFlippedBitFailsTheChecksum) {
  std::string bytes;
  EncodeSnapshot(Header(), "some state", &bytes);
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      SnapshotHeader h;
      std::string_view state;
      const Status s = DecodeSnapshot(bad, &h, &state);
      EXPECT_TRUE(s.IsCorruption()) << "byte " << i << " bit " << bit;
    }
  }
}

TEST_F(ProjectionSnapshotTest, TruncatedAndExtendedAreRejected) {
  std::string bytes;
  EncodeSnapshot(Header(), "some state", &bytes);
  SnapshotHeader h;
  std::string_view state;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_TRUE(DecodeSnapshot(bytes.substr(0, n), &h, &state).IsCorruption()) << n;
  }
  EXPECT_TRUE(DecodeSnapshot(bytes + '\0', &h, &state).IsCorruption());
}

// A well-formed snapshot (valid checksum) of a format this code does not
// know is rejected, not guessed at.
TEST_F(ProjectionSnapshotTest, UnknownFormatVersionIsRejected) {
  std::string bytes;
  EncodeSnapshot(Header(), "s", &bytes);
  bytes.resize(bytes.size() - 32);
  bytes[8] = 2;  // the u32 format version follows the 8-byte magic
  const Sha256 sum = Sha256Of(bytes);
  bytes.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  SnapshotHeader h;
  std::string_view state;
  const Status s = DecodeSnapshot(bytes, &h, &state);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("format version"), std::string::npos) << s.ToString();
}

TEST_F(ProjectionSnapshotTest, StateReaderRefusesHugeCounts) {
  std::string bytes;
  StateWriter w(&bytes);
  w.U32(1'000'000);  // claims a million entries in four bytes of input
  w.U32(0);
  StateReader r(bytes);
  uint32_t n = 0;
  EXPECT_FALSE(r.Count(10'000'000, 8, &n));
  EXPECT_TRUE(r.Finish("test").IsCorruption());
}

}  // namespace
}  // namespace ccl::projections
