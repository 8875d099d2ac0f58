// The Merkle tree over all events: RFC 6962 / RFC 9162 tree hashing, proof
// generation from stored subtree hashes, and proof verification.
//
// Hashing (RFC 6962 section 2.1):
//   leaf hash  = SHA-256(0x00 || leaf data)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256("")
//   MTH(D[n])  = NodeHash(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
// The leaf data of the event with sequence number `seq` (leaf index seq - 1) is
//   BE64(seq) || stored event bytes
// so a leaf binds the event to its position. See schemas/MERKLE.md.
//
// Everything here is pure tree math; where subtree hashes come from is the
// NodeReader's business (ledger/merkle/merkle_store.h reads them from RocksDB).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/hex.h"
#include "events/base/status.h"

namespace ccl::ledger {

using Hash = std::array<uint8_t, 32>;  // same type as ledger.h's Hash

// Largest tree (and seq) the tree code accepts. Keeps every shift and +1 in the
// index arithmetic far from overflow; 2^62 events is beyond any ledger.
inline constexpr uint64_t kTreeSizeMax = uint64_t{1} << 62;
// An inclusion path has at most one hash per level of the tree.
inline constexpr size_t kInclusionPathHashesMax = 63;
// A consistency path has at most the seed plus two hashes per level.
inline constexpr size_t kConsistencyPathHashesMax = 2 * 63 + 1;

// ---- Hashing -------------------------------------------------------------

Hash Sha256(std::string_view data);
// MTH of the empty tree: SHA-256 of nothing.
Hash EmptyTreeHash();
// SHA-256 of data fed in pieces (e.g. a file written in parts): Update any
// number of times, then Finish once. The ledger's one SHA-256 helper. A value:
// a copy carries the state absorbed so far (a prefix hashed once, each
// message then started from a copy of it). No allocation and no provider
// dispatch per hash: verify hashes each event's bytes three times, and
// through EVP (a dispatch per call; a context copy allocates) the calls cost
// about as much as the SHA-NI compression itself on event-sized input.
class Sha256Stream {
 public:
  Sha256Stream();
  void Update(const void* data, size_t n);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // REQUIRES: called once.
  Hash Finish();

 private:
  static constexpr size_t kStateBytes = 112;  // libcrypto's SHA256_CTX
  alignas(8) unsigned char state_[kStateBytes];
};
// SHA-256(0x00 || leaf_data).
Hash LeafHash(std::string_view leaf_data);
// SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// The leaf data of event `seq`: BE64(seq) || event_bytes.
std::string EventLeafData(uint64_t seq, std::string_view event_bytes);
// LeafHash(EventLeafData(seq, event_bytes)), without the copy.
Hash EventLeafHash(uint64_t seq, std::string_view event_bytes);

// Lower-case hex of bytes, a hash or a string (events/base/hex.h).
using events::HexEncode;
inline std::string HexEncode(const Hash& h) {
  return events::HexEncode(std::span<const uint8_t>(h));
}
// Strict: exactly 2 * out.size() lower-case hex digits (events/base/hex.h).
using events::HexDecode;
// Strict, any even length (up to hex_chars_max): lower-case hex digits only.
bool HexDecodeString(std::string_view hex, size_t hex_chars_max, std::string* out);

// ---- Where subtree hashes come from ----------------------------------------

// A source of perfect subtree hashes. Node (level, index) is the root of the
// perfect subtree over the 2^level leaves [index * 2^level, (index + 1) * 2^level).
// Level 0 nodes are leaf hashes.
class NodeReader {
 public:
  virtual ~NodeReader() = default;
  // Sets *out to the hash of node (level, index). Returns NotFound when the
  // node does not exist (yet), Corruption when the stored bytes are malformed,
  // IOError when the store fails.
  [[nodiscard]] virtual Status ReadNode(uint32_t level, uint64_t index, Hash* out) = 0;
};

// A NodeReader over leaf hashes held in memory (tests, small trees, and
// recomputation from events). Computes internal nodes on demand, caching them.
class MemoryNodeReader final : public NodeReader {
 public:
  MemoryNodeReader() = default;
  explicit MemoryNodeReader(std::vector<Hash> leaf_hashes);
  void AddLeafHash(const Hash& leaf_hash);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  Status ReadNode(uint32_t level, uint64_t index, Hash* out) override;

 private:
  // levels_[l][i]: node (l, i), for every complete node at level l.
  std::vector<std::vector<Hash>> levels_;
};

// ---- Tree math over a NodeReader -------------------------------------------
// All of these read O(log n) nodes and never rehash leaves.

// MTH(D[begin:end]) for a range that occurs in the RFC 6962 recursion: `begin`
// is a multiple of the largest power of two <= end - begin (so the range splits
// into perfect subtrees of decreasing size). InvalidArgument otherwise.
[[nodiscard]] Status SubtreeHash(NodeReader* reader, uint64_t begin, uint64_t end, Hash* out);
// MTH(D[0:size]); EmptyTreeHash() for size 0.
[[nodiscard]] Status TreeRoot(NodeReader* reader, uint64_t size, Hash* out);
// PATH(index, D[0:size]) of RFC 6962 2.1.1, leaf side first.
// InvalidArgument when index >= size or size > kTreeSizeMax.
[[nodiscard]] Status MakeInclusionPath(NodeReader* reader, uint64_t index, uint64_t size,
                                       std::vector<Hash>* path);
// PROOF(old_size, D[0:new_size]) of RFC 6962 2.1.2. Empty for old_size == 0 or
// old_size == new_size. InvalidArgument when old_size > new_size.
[[nodiscard]] Status MakeConsistencyPath(NodeReader* reader, uint64_t old_size, uint64_t new_size,
                                         std::vector<Hash>* path);

// ---- Verification (RFC 9162 2.1.3.2 and 2.1.4.2) ----------------------------
// Each returns OK only for a valid proof; otherwise Corruption with the reason.
// Lengths are checked against the exact length the tree shape implies before
// any hashing, so loops are bounded by the tree height.

// The number of hashes PATH(index, D[size]) has. REQUIRES: index < size.
size_t InclusionPathLength(uint64_t index, uint64_t size);
// The number of hashes PROOF(old_size, D[new_size]) has.
// REQUIRES: 0 < old_size < new_size.
size_t ConsistencyPathLength(uint64_t old_size, uint64_t new_size);

// Computes the root implied by an inclusion path.
[[nodiscard]] Status RootFromInclusionPath(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                           std::span<const Hash> path, Hash* root);
[[nodiscard]] Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                     std::span<const Hash> path, const Hash& root);
// old_size == 0: path must be empty and old_root the empty tree hash.
// old_size == new_size: path must be empty and the roots equal.
[[nodiscard]] Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                                       const Hash& new_root, std::span<const Hash> path);

// ---- The right edge of a growing tree ---------------------------------------

// The hashes of the perfect subtrees that make up a tree of size() leaves (one
// per set bit of size(), largest first): enough to append and to compute the
// root without reading anything. RFC 6962's "compact range" of [0, size).
class MerkleFrontier {
 public:
  uint64_t size() const { return size_; }
  // Appends one leaf. When `completed` is non-null, appends to it the hashes of
  // the perfect subtrees this leaf completes, level 0 (the leaf hash) first:
  // 1 + ctz(new size) of them; (*completed)[l] is node (l, (new size >> l) - 1).
  // REQUIRES: size() < kTreeSizeMax.
  void Append(const Hash& leaf_hash, std::vector<Hash>* completed = nullptr);
  // MTH of the tree so far.
  Hash Root() const;
  // The subtree hashes, largest subtree first: node (b, pos >> b) for each set
  // bit b of size(), from the highest, pos the leaves before it.
  const std::vector<Hash>& nodes() const { return nodes_; }
  // Loads the frontier of a tree of `size` leaves (popcount(size) node reads).
  [[nodiscard]] static Status Load(NodeReader* reader, uint64_t size, MerkleFrontier* out);

 private:
  uint64_t size_ = 0;
  std::vector<Hash> nodes_;  // largest subtree first
};

}  // namespace ccl::ledger
