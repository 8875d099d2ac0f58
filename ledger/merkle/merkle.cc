// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP,
// whose per-call dispatch and allocating context copies cost as much as the
// hashing of an event (Sha256Stream); they run the same implementation.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "ledger/merkle/merkle.h"

#include <openssl/sha.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ccl::ledger {
namespace {

SHA256_CTX* State(unsigned char* bytes) { return reinterpret_cast<SHA256_CTX*>(bytes); }

// libcrypto's SHA-256 fails only on a null argument; a digest that silently
// failed would produce wrong hashes in the audit trail, so stop instead.
void Check(int ok) {
  if (ok != 1) std::abort();
}

void PutBE64(uint64_t v, uint8_t out[8]) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

// Largest power of two strictly less than n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

Status Mismatch(std::string_view what, const Hash& computed, const Hash& expected) {
  return Status::Corruption(std::string(what) + ": computed " + HexEncode(computed) +
                            ", expected " + HexEncode(expected));
}

// One step of the RFC 9162 proof walks (2.1.3.2 and 2.1.4.2) at node fn of
// last node sn: true when the path hash is the left sibling (fn odd, or fn
// the last node); *fn and *sn then move up to the parent, past every level
// where the node is a left child without a right sibling.
// REQUIRES: *sn != 0.
bool PathStep(uint64_t* fn, uint64_t* sn) {
  assert(*sn != 0);
  const bool left = (*fn & 1) != 0 || *fn == *sn;
  if (left) {
    while ((*fn & 1) == 0 && *fn != 0) {
      *fn >>= 1;
      *sn >>= 1;
    }
  }
  *fn >>= 1;
  *sn >>= 1;
  return left;
}

}  // namespace

// ---- Hashing -------------------------------------------------------------

static_assert(sizeof(SHA256_CTX) <= 112 && alignof(SHA256_CTX) <= 8,
              "Sha256Stream::kStateBytes must hold libcrypto's SHA256_CTX");

Sha256Stream::Sha256Stream() { Check(SHA256_Init(State(state_))); }

void Sha256Stream::Update(const void* data, size_t n) {
  Check(SHA256_Update(State(state_), data, n));
}

Hash Sha256Stream::Finish() {
  Hash h;
  Check(SHA256_Final(h.data(), State(state_)));
  return h;
}

Hash Sha256(std::string_view data) {
  Sha256Stream c;
  c.Update(data);
  return c.Finish();
}

Hash EmptyTreeHash() {
  static const Hash h = Sha256({});
  return h;
}

Hash LeafHash(std::string_view leaf_data) {
  static constexpr uint8_t kPrefix = 0x00;
  Sha256Stream c;
  c.Update(&kPrefix, 1);
  c.Update(leaf_data.data(), leaf_data.size());
  return c.Finish();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  uint8_t buf[1 + 32 + 32];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  Sha256Stream c;
  c.Update(buf, sizeof(buf));
  return c.Finish();
}

std::string EventLeafData(uint64_t seq, std::string_view event_bytes) {
  uint8_t be[8];
  PutBE64(seq, be);
  std::string out(reinterpret_cast<const char*>(be), 8);
  out.append(event_bytes);
  return out;
}

Hash EventLeafHash(uint64_t seq, std::string_view event_bytes) {
  uint8_t head[1 + 8];
  head[0] = 0x00;
  PutBE64(seq, head + 1);
  Sha256Stream c;
  c.Update(head, sizeof(head));
  c.Update(event_bytes.data(), event_bytes.size());
  return c.Finish();
}

bool HexDecodeString(std::string_view hex, size_t hex_chars_max, std::string* out) {
  if (hex.size() % 2 != 0 || hex.size() > hex_chars_max) return false;
  out->resize(hex.size() / 2);
  return HexDecode(hex, std::span<uint8_t>(reinterpret_cast<uint8_t*>(out->data()), out->size()));
}

// ---- MemoryNodeReader -------------------------------------------------------

MemoryNodeReader::MemoryNodeReader(std::vector<Hash> leaf_hashes) {
  for (const Hash& h : leaf_hashes) AddLeafHash(h);
}

void MemoryNodeReader::AddLeafHash(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  // Complete every parent this leaf finishes.
  for (size_t l = 0; levels_[l].size() % 2 == 0; ++l) {
    if (levels_.size() == l + 1) levels_.emplace_back();
    const std::vector<Hash>& row = levels_[l];
    Hash parent = NodeHash(row[row.size() - 2], row[row.size() - 1]);
    levels_[l + 1].push_back(parent);
  }
}

Status MemoryNodeReader::ReadNode(uint32_t level, uint64_t index, Hash* out) {
  if (level >= levels_.size() || index >= levels_[level].size()) {
    return Status::NotFound("merkle node (" + std::to_string(level) + ", " + std::to_string(index) +
                            ") not in tree of " + std::to_string(size()));
  }
  *out = levels_[level][index];
  return Status::OK();
}

// ---- Tree math ---------------------------------------------------------------

Status SubtreeHash(NodeReader* reader, uint64_t begin, uint64_t end, Hash* out) {
  if (begin >= end || end > kTreeSizeMax) {
    return Status::InvalidArgument("merkle range [" + std::to_string(begin) + ", " +
                                   std::to_string(end) + ") is empty or too large");
  }
  const uint64_t n = end - begin;
  if (begin % std::bit_floor(n) != 0) {
    return Status::InvalidArgument("merkle range [" + std::to_string(begin) + ", " +
                                   std::to_string(end) +
                                   ") is not a subtree of the RFC 6962 split");
  }
  // The range is the perfect subtrees of sizes = the set bits of n, largest
  // first; MTH folds them from the right.
  Hash nodes[64];
  int count = 0;
  uint64_t pos = begin;
  for (int b = 63; b >= 0; --b) {
    if ((n >> b & 1) == 0) continue;
    CCL_RETURN_IF_ERROR(reader->ReadNode(static_cast<uint32_t>(b), pos >> b, &nodes[count]));
    ++count;
    pos += uint64_t{1} << b;
  }
  Hash h = nodes[count - 1];
  for (int i = count - 2; i >= 0; --i) h = NodeHash(nodes[i], h);
  *out = h;
  return Status::OK();
}

Status TreeRoot(NodeReader* reader, uint64_t size, Hash* out) {
  if (size == 0) {
    *out = EmptyTreeHash();
    return Status::OK();
  }
  return SubtreeHash(reader, 0, size, out);
}

Status MakeInclusionPath(NodeReader* reader, uint64_t index, uint64_t size,
                         std::vector<Hash>* path) {
  path->clear();
  if (size > kTreeSizeMax || index >= size) {
    return Status::InvalidArgument("no leaf " + std::to_string(index) + " in a tree of " +
                                   std::to_string(size));
  }
  // RFC 6962 2.1.1, unrolled: walk from the root to the leaf collecting the
  // sibling subtree at each split, then reverse (the path lists the leaf side
  // first).
  uint64_t lo = 0, hi = size;
  while (hi - lo > 1) {
    const uint64_t k = SplitPoint(hi - lo);
    Hash sibling;
    if (index < lo + k) {
      CCL_RETURN_IF_ERROR(SubtreeHash(reader, lo + k, hi, &sibling));
      hi = lo + k;
    } else {
      CCL_RETURN_IF_ERROR(SubtreeHash(reader, lo, lo + k, &sibling));
      lo = lo + k;
    }
    path->push_back(sibling);
  }
  std::reverse(path->begin(), path->end());
  return Status::OK();
}

Status MakeConsistencyPath(NodeReader* reader, uint64_t old_size, uint64_t new_size,
                           std::vector<Hash>* path) {
  path->clear();
  if (new_size > kTreeSizeMax || old_size > new_size) {
    return Status::InvalidArgument("no consistency proof from size " + std::to_string(old_size) +
                                   " to size " + std::to_string(new_size));
  }
  if (old_size == 0 || old_size == new_size) return Status::OK();
  // RFC 6962 2.1.2 SUBPROOF(m, D[lo:hi], b), unrolled. `whole` is b: true while
  // the old tree's root is the current subtree's left edge (its hash is known
  // to the verifier and is not sent).
  uint64_t lo = 0, hi = new_size;
  bool whole = true;
  for (;;) {
    const uint64_t n = hi - lo;
    const uint64_t m = old_size - lo;
    if (m == n) {
      if (!whole) {
        Hash h;
        CCL_RETURN_IF_ERROR(SubtreeHash(reader, lo, hi, &h));
        path->push_back(h);
      }
      break;
    }
    const uint64_t k = SplitPoint(n);
    Hash h;
    if (m <= k) {
      CCL_RETURN_IF_ERROR(SubtreeHash(reader, lo + k, hi, &h));
      hi = lo + k;
    } else {
      CCL_RETURN_IF_ERROR(SubtreeHash(reader, lo, lo + k, &h));
      lo = lo + k;
      whole = false;
    }
    path->push_back(h);
  }
  std::reverse(path->begin(), path->end());
  return Status::OK();
}

// ---- Verification --------------------------------------------------------------

size_t InclusionPathLength(uint64_t index, uint64_t size) {
  // Levels below the point where the leaf's path leaves the left edge are
  // "inner" (one hash each); above it, one hash per left sibling ("border").
  const int inner = std::bit_width(index ^ (size - 1));
  const int border = std::popcount(inner >= 64 ? 0 : index >> inner);
  return static_cast<size_t>(inner + border);
}

size_t ConsistencyPathLength(uint64_t old_size, uint64_t new_size) {
  const uint64_t index = old_size - 1;
  int inner = std::bit_width(index ^ (new_size - 1));
  const int border = std::popcount(inner >= 64 ? 0 : index >> inner);
  const int shift = std::countr_zero(old_size);
  inner -= shift;
  // The old root is itself a node of the new tree when old_size is a power of
  // two; otherwise the proof starts with the seed hash.
  const int start = (old_size == uint64_t{1} << shift) ? 0 : 1;
  return static_cast<size_t>(start + inner + border);
}

Status RootFromInclusionPath(uint64_t index, uint64_t size, const Hash& leaf_hash,
                             std::span<const Hash> path, Hash* root) {
  if (size == 0) return Status::Corruption("inclusion proof: tree size 0 has no leaves");
  if (size > kTreeSizeMax) {
    return Status::Corruption("inclusion proof: tree size " + std::to_string(size) +
                              " over the maximum " + std::to_string(kTreeSizeMax));
  }
  if (index >= size) {
    return Status::Corruption("inclusion proof: leaf index " + std::to_string(index) +
                              " not below tree size " + std::to_string(size));
  }
  const size_t want = InclusionPathLength(index, size);
  if (path.size() != want) {
    return Status::Corruption("inclusion proof: path has " + std::to_string(path.size()) +
                              " hashes; leaf " + std::to_string(index) + " of a tree of " +
                              std::to_string(size) + " needs " + std::to_string(want));
  }
  // RFC 9162 2.1.3.2, step by step.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : path) {
    if (sn == 0) return Status::Corruption("inclusion proof: path longer than the tree");
    r = PathStep(&fn, &sn) ? NodeHash(p, r) : NodeHash(r, p);
  }
  if (sn != 0) return Status::Corruption("inclusion proof: path shorter than the tree");
  *root = r;
  return Status::OK();
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> path, const Hash& root) {
  Hash computed;
  CCL_RETURN_IF_ERROR(RootFromInclusionPath(index, size, leaf_hash, path, &computed));
  if (computed != root) return Mismatch("inclusion proof: root", computed, root);
  return Status::OK();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> path) {
  const std::string sizes =
      "consistency proof " + std::to_string(old_size) + " -> " + std::to_string(new_size);
  if (new_size > kTreeSizeMax) return Status::Corruption(sizes + ": new size over the maximum");
  if (old_size > new_size) return Status::Corruption(sizes + ": old size larger than new size");
  if (old_size == new_size || old_size == 0) {
    if (!path.empty()) return Status::Corruption(sizes + ": path must be empty");
    if (old_size == 0 && old_root != EmptyTreeHash()) {
      return Mismatch(sizes + ": old root of the empty tree", EmptyTreeHash(), old_root);
    }
    if (old_size == new_size && old_root != new_root) {
      return Status::Corruption(sizes + ": equal sizes but different roots");
    }
    return Status::OK();
  }
  const size_t want = ConsistencyPathLength(old_size, new_size);
  if (path.size() != want) {
    return Status::Corruption(sizes + ": path has " + std::to_string(path.size()) +
                              " hashes, needs " + std::to_string(want));
  }
  // RFC 9162 2.1.4.2, step by step. A power-of-two old tree is a node of the
  // new one, so its root seeds the walk and is not in the path.
  size_t next = 0;
  Hash seed;
  if (std::has_single_bit(old_size)) {
    seed = old_root;
  } else {
    seed = path[0];
    next = 1;
  }
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = seed;
  Hash sr = seed;
  for (; next < path.size(); ++next) {
    const Hash& c = path[next];
    if (sn == 0) return Status::Corruption(sizes + ": path longer than the tree");
    if (PathStep(&fn, &sn)) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
    } else {
      sr = NodeHash(sr, c);
    }
  }
  if (sn != 0) return Status::Corruption(sizes + ": path shorter than the tree");
  if (fr != old_root) return Mismatch(sizes + ": old root", fr, old_root);
  if (sr != new_root) return Mismatch(sizes + ": new root", sr, new_root);
  return Status::OK();
}

// ---- MerkleFrontier -------------------------------------------------------------

void MerkleFrontier::Append(const Hash& leaf_hash, std::vector<Hash>* completed) {
  if (completed != nullptr) completed->push_back(leaf_hash);
  nodes_.push_back(leaf_hash);
  // Each trailing 1 bit of the old size is a subtree of the same size as the
  // one just finished to its left: merge them.
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    const Hash right = nodes_.back();
    nodes_.pop_back();
    const Hash parent = NodeHash(nodes_.back(), right);
    nodes_.back() = parent;
    if (completed != nullptr) completed->push_back(parent);
  }
  ++size_;
}

Hash MerkleFrontier::Root() const {
  if (nodes_.empty()) return EmptyTreeHash();
  Hash h = nodes_.back();
  for (size_t i = nodes_.size() - 1; i-- > 0;) h = NodeHash(nodes_[i], h);
  return h;
}

Status MerkleFrontier::Load(NodeReader* reader, uint64_t size, MerkleFrontier* out) {
  if (size > kTreeSizeMax) {
    return Status::InvalidArgument("merkle tree size " + std::to_string(size) + " over maximum");
  }
  MerkleFrontier f;
  uint64_t pos = 0;
  for (int b = 63; b >= 0; --b) {
    if ((size >> b & 1) == 0) continue;
    Hash h;
    CCL_RETURN_IF_ERROR(reader->ReadNode(static_cast<uint32_t>(b), pos >> b, &h));
    f.nodes_.push_back(h);
    pos += uint64_t{1} << b;
  }
  f.size_ = size;
  *out = std::move(f);
  return Status::OK();
}

}  // namespace ccl::ledger
