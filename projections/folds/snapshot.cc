#include "projections/folds/snapshot.h"

#include <openssl/evp.h>

#include "events/base/hex.h"
#include "projections/folds/serial.h"

namespace ccl::projections {

namespace {

constexpr std::string_view kMagic = "CCLPSNAP";
constexpr size_t kProjectionNameBytesMax = 64;
// A state larger than this is not a state we wrote: snapshots are held whole
// in memory and in one RocksDB value.
constexpr uint64_t kStateBytesMax = 1ull << 32;

}  // namespace

Sha256 Sha256Of(std::string_view bytes) {
  Sha256 h{};
  unsigned int len = 0;
  // EVP_Digest fails only on allocation failure inside OpenSSL; a zero hash
  // then mismatches every checksum, which is the safe outcome.
  if (EVP_Digest(bytes.data(), bytes.size(), h.data(), &len, EVP_sha256(), nullptr) != 1) {
    h.fill(0);
  }
  return h;
}

std::string HexOf(const Sha256& h) { return events::HexEncode(h); }

// Layout (all integers little-endian):
//   "CCLPSNAP" | u32 format version | u32 len + projection name |
//   u32 projection version | 16 ledger id | u64 checkpoint seq |
//   i64 checkpoint recorded_at_ns | 32 checkpoint chain hash |
//   u64 state length | state | 32 SHA-256 of every preceding byte
void EncodeSnapshot(const SnapshotHeader& header, std::string_view state, std::string* out) {
  const size_t start = out->size();
  out->append(kMagic);
  StateWriter w(out);
  w.U32(kSnapshotFormatVersion);
  w.String(header.projection);
  w.U32(header.projection_version);
  out->append(reinterpret_cast<const char*>(header.ledger_id.data()), header.ledger_id.size());
  w.U64(header.checkpoint_seq);
  w.I64(header.checkpoint_recorded_at_ns);
  out->append(reinterpret_cast<const char*>(header.checkpoint_chain_hash.data()),
              header.checkpoint_chain_hash.size());
  w.U64(state.size());
  out->append(state);
  const Sha256 sum = Sha256Of(std::string_view(*out).substr(start));
  out->append(reinterpret_cast<const char*>(sum.data()), sum.size());
}

Status DecodeSnapshot(std::string_view bytes, SnapshotHeader* header, std::string_view* state) {
  if (bytes.size() < kMagic.size() + 32 || bytes.substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption("projection snapshot: bad magic or too short");
  }
  // Checksum first: nothing of a snapshot is interpreted before it matches.
  const std::string_view body = bytes.substr(0, bytes.size() - 32);
  const Sha256 sum = Sha256Of(body);
  if (bytes.substr(body.size()) !=
      std::string_view(reinterpret_cast<const char*>(sum.data()), sum.size())) {
    return Status::Corruption("projection snapshot: checksum mismatch");
  }
  StateReader r(body.substr(kMagic.size()));
  uint32_t format = 0;
  r.U32(&format);
  if (!r.failed() && format != kSnapshotFormatVersion) {
    return Status::Corruption("projection snapshot: unknown format version " +
                              std::to_string(format));
  }
  r.String(kProjectionNameBytesMax, &header->projection);
  r.U32(&header->projection_version);
  for (uint8_t& b : header->ledger_id) r.U8(&b);
  r.U64(&header->checkpoint_seq);
  r.I64(&header->checkpoint_recorded_at_ns);
  for (uint8_t& b : header->checkpoint_chain_hash) r.U8(&b);
  uint64_t state_bytes = 0;
  r.U64(&state_bytes);
  if (!r.failed()) {
    const size_t rest = body.size() - kMagic.size() - r.position();
    if (state_bytes > kStateBytesMax || state_bytes != rest) {
      r.Fail("state length does not match the snapshot size");
    } else {
      *state = body.substr(kMagic.size() + r.position());
      return Status::OK();
    }
  }
  return r.Finish("projection snapshot");
}

}  // namespace ccl::projections
