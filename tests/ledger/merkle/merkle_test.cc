// Tree math: the RFC 6962 / Certificate Transparency reference vectors, every
// tree size up to 300 against a naive recursive implementation of the RFC's
// definitions, and verification that rejects every corrupted proof.
#include "ledger/merkle/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ccl::ledger {
namespace {

Hash H(std::string_view hex) {
  Hash h{};
  EXPECT_TRUE(HexDecode(hex, h)) << hex;
  return h;
}

std::string Bytes(std::string_view hex) {
  std::string out;
  EXPECT_TRUE(HexDecodeString(hex, 1000, &out)) << hex;
  return out;
}

// The CT reference tree (google/certificate-transparency merkle_tree_test.cc,
// transparency-dev/merkle proof/verify_test.go): eight leaves and the roots of
// the trees of their first 1..8 leaves.
const char* const kInputs[8] = {"",
                                "00",
                                "10",
                                "2021",
                                "3031",
                                "40414243",
                                "5051525354555657",
                                "606162636465666768696a6b6c6d6e6f"};
const char* const kRoots[8] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                               "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                               "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                               "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                               "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                               "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                               "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
const char kEmptyRoot[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct PathVector {
  uint64_t leaf;  // 1-based, as in the CT tests
  uint64_t size;
  std::vector<const char*> path;
};
const PathVector kPaths[] = {
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {3, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {2,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct ConsistencyVector {
  uint64_t old_size;
  uint64_t new_size;
  std::vector<const char*> path;
};
const ConsistencyVector kConsistency[] = {
    {1, 1, {}},
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<Hash> Hashes(const std::vector<const char*>& hex) {
  std::vector<Hash> out;
  for (const char* h : hex) out.push_back(H(h));
  return out;
}

// ---- The RFC's definitions, literally (section 2.1), as the oracle. ----

uint64_t Split(uint64_t n) { return std::bit_floor(n - 1); }

Hash NaiveMth(const std::vector<std::string>& d, uint64_t lo, uint64_t hi) {
  if (hi == lo) return Sha256("");
  if (hi - lo == 1) return LeafHash(d[lo]);
  const uint64_t k = Split(hi - lo);
  return NodeHash(NaiveMth(d, lo, lo + k), NaiveMth(d, lo + k, hi));
}

std::vector<Hash> NaivePath(uint64_t m, const std::vector<std::string>& d, uint64_t lo,
                            uint64_t hi) {
  if (hi - lo == 1) return {};
  const uint64_t k = Split(hi - lo);
  std::vector<Hash> p;
  if (m < k) {
    p = NaivePath(m, d, lo, lo + k);
    p.push_back(NaiveMth(d, lo + k, hi));
  } else {
    p = NaivePath(m - k, d, lo + k, hi);
    p.push_back(NaiveMth(d, lo, lo + k));
  }
  return p;
}

std::vector<Hash> NaiveSubproof(uint64_t m, const std::vector<std::string>& d, uint64_t lo,
                                uint64_t hi, bool b) {
  const uint64_t n = hi - lo;
  if (m == n) {
    if (b) return {};
    return {NaiveMth(d, lo, hi)};
  }
  const uint64_t k = Split(n);
  std::vector<Hash> p;
  if (m <= k) {
    p = NaiveSubproof(m, d, lo, lo + k, b);
    p.push_back(NaiveMth(d, lo + k, hi));
  } else {
    p = NaiveSubproof(m - k, d, lo + k, hi, false);
    p.push_back(NaiveMth(d, lo, lo + k));
  }
  return p;
}

std::vector<std::string> Data(size_t n) {
  std::vector<std::string> d;
  for (size_t i = 0; i < n; ++i) d.push_back("leaf-" + std::to_string(i * 7919 % 1000003));
  return d;
}

MemoryNodeReader ReaderOver(const std::vector<std::string>& d) {
  MemoryNodeReader r;
  for (const std::string& x : d) r.AddLeafHash(LeafHash(x));
  return r;
}

class MerkleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* hex : kInputs) ct_.push_back(Bytes(hex));
    ct_reader_ = ReaderOver(ct_);
  }
  std::vector<std::string> ct_;
  MemoryNodeReader ct_reader_;
};

// ---- Known answers ----

// Fed in pieces of every split, the stream gives the one-shot SHA-256 (the
// FIPS 180 "abc" vector for the whole).
TEST_F(MerkleTest, Sha256StreamEqualsOneShotWhateverThePieces) {
  const std::string text = "abc";
  EXPECT_EQ(HexEncode(Sha256(text)),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string big(3000, 'x');
  for (size_t cut = 0; cut <= big.size(); cut += 250) {
    Sha256Stream s;
    s.Update(std::string_view(big).substr(0, cut));
    s.Update({});
    s.Update(std::string_view(big).substr(cut));
    EXPECT_EQ(s.Finish(), Sha256(big)) << cut;
  }
  Sha256Stream abc;
  abc.Update("ab");
  abc.Update("c");
  EXPECT_EQ(abc.Finish(), Sha256(text));
}

TEST_F(MerkleTest, EmptyTreeHashIsSha256OfNothing) {
  EXPECT_EQ(HexEncode(EmptyTreeHash()), kEmptyRoot);
  Hash root;
  ASSERT_TRUE(TreeRoot(&ct_reader_, 0, &root).ok());
  EXPECT_EQ(HexEncode(root), kEmptyRoot);
  EXPECT_EQ(HexEncode(MerkleFrontier().Root()), kEmptyRoot);
}

TEST_F(MerkleTest, RootsMatchCtVectors) {
  MerkleFrontier frontier;
  for (uint64_t size = 1; size <= 8; ++size) {
    frontier.Append(LeafHash(ct_[size - 1]));
    EXPECT_EQ(HexEncode(frontier.Root()), kRoots[size - 1]) << size;
    Hash root;
    ASSERT_TRUE(TreeRoot(&ct_reader_, size, &root).ok());
    EXPECT_EQ(HexEncode(root), kRoots[size - 1]) << size;
  }
}

TEST_F(MerkleTest, InclusionPathsMatchCtVectors) {
  for (const PathVector& v : kPaths) {
    std::vector<Hash> path;
    ASSERT_TRUE(MakeInclusionPath(&ct_reader_, v.leaf - 1, v.size, &path).ok());
    EXPECT_EQ(path, Hashes(v.path)) << v.leaf << "/" << v.size;
    EXPECT_TRUE(VerifyInclusion(v.leaf - 1, v.size, LeafHash(ct_[v.leaf - 1]), Hashes(v.path),
                                H(kRoots[v.size - 1]))
                    .ok());
  }
  std::vector<Hash> path;
  ASSERT_TRUE(MakeInclusionPath(&ct_reader_, 0, 1, &path).ok());
  EXPECT_TRUE(path.empty());
}

TEST_F(MerkleTest, ConsistencyPathsMatchCtVectors) {
  for (const ConsistencyVector& v : kConsistency) {
    std::vector<Hash> path;
    ASSERT_TRUE(MakeConsistencyPath(&ct_reader_, v.old_size, v.new_size, &path).ok());
    EXPECT_EQ(path, Hashes(v.path)) << v.old_size << "->" << v.new_size;
    EXPECT_TRUE(VerifyConsistency(v.old_size, v.new_size, H(kRoots[v.old_size - 1]),
                                  H(kRoots[v.new_size - 1]), Hashes(v.path))
                    .ok());
  }
}

// ---- Every size against the naive definitions ----

TEST_F(MerkleTest, RootsOfEverySizeUpTo300MatchNaive) {
  const auto d = Data(300);
  MemoryNodeReader reader;
  MerkleFrontier frontier;
  for (uint64_t n = 1; n <= d.size(); ++n) {
    std::vector<Hash> completed;
    reader.AddLeafHash(LeafHash(d[n - 1]));
    frontier.Append(LeafHash(d[n - 1]), &completed);
    ASSERT_EQ(completed.size(), 1u + std::countr_zero(n));
    for (size_t l = 0; l < completed.size(); ++l) {
      Hash stored;
      ASSERT_TRUE(reader.ReadNode(static_cast<uint32_t>(l), (n >> l) - 1, &stored).ok());
      EXPECT_EQ(completed[l], stored) << n << " level " << l;
    }
    const Hash naive = NaiveMth(d, 0, n);
    EXPECT_EQ(frontier.Root(), naive) << n;
    Hash root;
    ASSERT_TRUE(TreeRoot(&reader, n, &root).ok());
    EXPECT_EQ(root, naive) << n;
    MerkleFrontier loaded;
    ASSERT_TRUE(MerkleFrontier::Load(&reader, n, &loaded).ok());
    EXPECT_EQ(loaded.Root(), naive) << n;
  }
}

TEST_F(MerkleTest, EveryInclusionPathMatchesNaiveAndVerifies) {
  const auto d = Data(300);
  MemoryNodeReader reader = ReaderOver(d);
  for (uint64_t n = 1; n <= d.size(); ++n) {
    const Hash root = NaiveMth(d, 0, n);
    // Every index up to 64; beyond that, a spread of them.
    for (uint64_t i = 0; i < n; i += (n <= 64 ? 1 : 1 + n / 17)) {
      std::vector<Hash> path;
      ASSERT_TRUE(MakeInclusionPath(&reader, i, n, &path).ok());
      ASSERT_EQ(path, NaivePath(i, d, 0, n)) << i << "/" << n;
      ASSERT_EQ(path.size(), InclusionPathLength(i, n));
      ASSERT_TRUE(VerifyInclusion(i, n, LeafHash(d[i]), path, root).ok()) << i << "/" << n;
    }
  }
}

TEST_F(MerkleTest, EveryConsistencyPathMatchesNaiveAndVerifies) {
  const auto d = Data(300);
  MemoryNodeReader reader = ReaderOver(d);
  for (uint64_t n = 1; n <= d.size(); ++n) {
    const Hash new_root = NaiveMth(d, 0, n);
    for (uint64_t m = 0; m <= n; m += (n <= 64 ? 1 : 1 + n / 13)) {
      std::vector<Hash> path;
      ASSERT_TRUE(MakeConsistencyPath(&reader, m, n, &path).ok());
      if (m > 0 && m < n) {
        ASSERT_EQ(path, NaiveSubproof(m, d, 0, n, true)) << m << "->" << n;
        ASSERT_EQ(path.size(), ConsistencyPathLength(m, n));
      } else {
        ASSERT_TRUE(path.empty());
      }
      ASSERT_TRUE(VerifyConsistency(m, n, NaiveMth(d, 0, m), new_root, path).ok())
          << m << "->" << n;
    }
  }
}

// ---- Rejection ----

// The CT verifier test's corruptions of a valid proof path, none of which a
// verifier may accept, each named for the failure message: each of `extras`
// appended and prepended; the last hash dropped and all of them (of a path
// that has some); the first two swapped (when they differ); and each hash
// with one bit flipped, at bits 0, 37, 74, ... and at bit 4 of byte j % 32
// of the j-th hash.
std::vector<std::pair<std::string, std::vector<Hash>>> DamagedPaths(
    const std::vector<Hash>& path, const std::vector<Hash>& extras) {
  std::vector<std::pair<std::string, std::vector<Hash>>> out;
  for (size_t k = 0; k < extras.size(); ++k) {
    std::vector<Hash> p = path;
    p.push_back(extras[k]);
    out.emplace_back("extra " + std::to_string(k) + " appended", p);
    p = path;
    p.insert(p.begin(), extras[k]);
    out.emplace_back("extra " + std::to_string(k) + " prepended", p);
  }
  if (!path.empty()) {
    out.emplace_back("truncated", std::vector<Hash>(path.begin(), path.end() - 1));
    out.emplace_back("empty", std::vector<Hash>());
  }
  if (path.size() > 1 && path[0] != path[1]) {
    std::vector<Hash> p = path;
    std::swap(p[0], p[1]);
    out.emplace_back("first two swapped", p);
  }
  for (size_t j = 0; j < path.size(); ++j) {
    std::vector<int> bits;
    for (int bit = 0; bit < 256; bit += 37) bits.push_back(bit);
    bits.push_back(static_cast<int>(j % 32) * 8 + 4);
    for (const int bit : bits) {
      std::vector<Hash> p = path;
      p[j][bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      out.emplace_back("hash " + std::to_string(j) + " bit " + std::to_string(bit), p);
    }
  }
  return out;
}

// The CT verifier test's corruptions, for every proof of every tree up to 40
// leaves: the leaves, their tree, and a hash that is none of its nodes.
class MerkleCorruptionTest : public MerkleTest {
 protected:
  const std::vector<std::string> d_ = Data(40);
  MemoryNodeReader reader_ = ReaderOver(d_);
  const Hash some_ = Sha256("some other hash");
};

TEST_F(MerkleCorruptionTest, CorruptedInclusionProofsAreRejected) {
  for (uint64_t n = 1; n <= d_.size(); ++n) {
    const Hash root = NaiveMth(d_, 0, n);
    for (uint64_t i = 0; i < n; ++i) {
      std::vector<Hash> path;
      ASSERT_TRUE(MakeInclusionPath(&reader_, i, n, &path).ok());
      const Hash leaf = LeafHash(d_[i]);
      auto rejected = [&](uint64_t idx, uint64_t size, const Hash& lf, const std::vector<Hash>& p,
                          const Hash& r) {
        Status s = VerifyInclusion(idx, size, lf, p, r);
        return s.IsCorruption() && !s.message().empty();
      };
      SCOPED_TRACE(std::to_string(i) + "/" + std::to_string(n));
      EXPECT_TRUE(rejected(i - 1, n, leaf, path, root));  // wraps to 2^64-1 for i = 0
      EXPECT_TRUE(rejected(i + 1, n, leaf, path, root));
      EXPECT_TRUE(rejected(i ^ 2, n, leaf, path, root));
      EXPECT_TRUE(rejected(i, n * 2, leaf, path, root));
      EXPECT_TRUE(rejected(i, n / 2, leaf, path, root));
      EXPECT_TRUE(rejected(i, n, LeafHash("wrong leaf"), path, root));
      EXPECT_TRUE(rejected(i, n, leaf, path, EmptyTreeHash()));
      EXPECT_TRUE(rejected(i, n, leaf, path, some_));
      for (const auto& [what, bad] : DamagedPaths(path, {root, some_})) {
        EXPECT_TRUE(rejected(i, n, leaf, bad, root)) << what;
      }
    }
  }
}

TEST_F(MerkleCorruptionTest, CorruptedConsistencyProofsAreRejected) {
  for (uint64_t n = 2; n <= d_.size(); ++n) {
    const Hash r2 = NaiveMth(d_, 0, n);
    for (uint64_t m = 1; m < n; ++m) {
      const Hash r1 = NaiveMth(d_, 0, m);
      std::vector<Hash> path;
      ASSERT_TRUE(MakeConsistencyPath(&reader_, m, n, &path).ok());
      ASSERT_FALSE(path.empty());
      auto rejected = [&](uint64_t a, uint64_t b, const Hash& x, const Hash& y,
                          const std::vector<Hash>& p) {
        return VerifyConsistency(a, b, x, y, p).IsCorruption();
      };
      SCOPED_TRACE(std::to_string(m) + "->" + std::to_string(n));
      EXPECT_TRUE(rejected(m - 1, n, r1, r2, path));
      EXPECT_TRUE(rejected(m + 1, n, r1, r2, path));
      EXPECT_TRUE(rejected(m ^ 2, n, r1, r2, path));
      EXPECT_TRUE(rejected(m, n * 2, r1, r2, path));
      EXPECT_TRUE(rejected(m, n / 2, r1, r2, path));
      EXPECT_TRUE(rejected(m, n, some_, r2, path));
      EXPECT_TRUE(rejected(m, n, r1, some_, path));
      EXPECT_TRUE(rejected(m, n, r2, r1, path));
      for (const auto& [what, bad] : DamagedPaths(path, {r1, path[0]})) {
        EXPECT_TRUE(rejected(m, n, r1, r2, bad)) << what;
      }
    }
  }
}

TEST_F(MerkleTest, DegenerateArgumentsAreRejectedNotCrashed) {
  const Hash h = LeafHash("x");
  Hash root;
  std::vector<Hash> none;
  // Inclusion: empty tree, index beyond size, absurd sizes.
  EXPECT_TRUE(VerifyInclusion(0, 0, h, none, h).IsCorruption());
  EXPECT_TRUE(VerifyInclusion(1, 1, h, none, h).IsCorruption());
  EXPECT_TRUE(VerifyInclusion(2, 1, h, none, h).IsCorruption());
  EXPECT_TRUE(VerifyInclusion(UINT64_MAX, UINT64_MAX, h, none, h).IsCorruption());
  EXPECT_TRUE(VerifyInclusion(0, UINT64_MAX, h, std::vector<Hash>(64, h), h).IsCorruption());
  EXPECT_TRUE(VerifyInclusion(0, kTreeSizeMax + 1, h, none, h).IsCorruption());
  EXPECT_TRUE(VerifyInclusion(0, 1, h, none, h).ok());  // a one-leaf tree's root is the leaf
  EXPECT_TRUE(RootFromInclusionPath(5, 3, h, none, &root).IsCorruption());
  std::vector<Hash> big(kConsistencyPathHashesMax + 5, h);
  EXPECT_TRUE(VerifyInclusion(kTreeSizeMax - 1, kTreeSizeMax, h, big, h).IsCorruption());
  // Consistency: backwards, equal sizes, the empty tree, absurd sizes.
  EXPECT_TRUE(VerifyConsistency(2, 1, h, h, none).IsCorruption());
  EXPECT_TRUE(VerifyConsistency(1, 1, h, LeafHash("y"), none).IsCorruption());
  EXPECT_TRUE(VerifyConsistency(1, 1, h, h, std::vector<Hash>{h}).IsCorruption());
  EXPECT_TRUE(VerifyConsistency(1, 1, h, h, none).ok());
  EXPECT_TRUE(VerifyConsistency(0, 5, EmptyTreeHash(), h, none).ok());
  EXPECT_TRUE(VerifyConsistency(0, 5, h, h, none).IsCorruption());
  EXPECT_TRUE(VerifyConsistency(0, 5, EmptyTreeHash(), h, std::vector<Hash>{h}).IsCorruption());
  EXPECT_TRUE(VerifyConsistency(0, 0, EmptyTreeHash(), EmptyTreeHash(), none).ok());
  EXPECT_TRUE(VerifyConsistency(1, 2, h, h, none).IsCorruption());
  EXPECT_TRUE(VerifyConsistency(1, UINT64_MAX, h, h, big).IsCorruption());
  EXPECT_TRUE(VerifyConsistency(kTreeSizeMax - 1, kTreeSizeMax, h, h, big).IsCorruption());
  // Generation refuses impossible requests instead of reading garbage.
  std::vector<Hash> path;
  EXPECT_TRUE(MakeInclusionPath(&ct_reader_, 8, 8, &path).IsInvalidArgument());
  EXPECT_TRUE(MakeInclusionPath(&ct_reader_, 0, 0, &path).IsInvalidArgument());
  EXPECT_TRUE(MakeInclusionPath(&ct_reader_, 0, 9, &path).IsNotFound());
  EXPECT_TRUE(MakeConsistencyPath(&ct_reader_, 5, 4, &path).IsInvalidArgument());
  EXPECT_TRUE(SubtreeHash(&ct_reader_, 1, 3, &root).IsInvalidArgument());
  EXPECT_TRUE(SubtreeHash(&ct_reader_, 3, 3, &root).IsInvalidArgument());
  EXPECT_TRUE(TreeRoot(&ct_reader_, 9, &root).IsNotFound());
}

// Random paths of the right length for random (index, size) never verify.
TEST_F(MerkleTest, RandomProofsNeverVerify) {
  const uint64_t seed = std::random_device{}();
  std::printf("RandomProofsNeverVerify seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  auto random_hash = [&] {
    Hash h;
    for (auto& b : h) b = static_cast<uint8_t>(rng());
    return h;
  };
  for (int trial = 0; trial < 2000; ++trial) {
    const uint64_t size = 1 + rng() % (uint64_t{1} << (1 + rng() % 40));
    const uint64_t index = rng() % size;
    std::vector<Hash> path(InclusionPathLength(index, size));
    for (auto& h : path) h = random_hash();
    ASSERT_TRUE(VerifyInclusion(index, size, random_hash(), path, random_hash()).IsCorruption());
    const uint64_t old_size = 1 + rng() % size;
    if (old_size < size) {
      std::vector<Hash> cp(ConsistencyPathLength(old_size, size));
      for (auto& h : cp) h = random_hash();
      ASSERT_TRUE(
          VerifyConsistency(old_size, size, random_hash(), random_hash(), cp).IsCorruption());
    }
  }
}

TEST_F(MerkleTest, EventLeafDataIsSeqThenBytes) {
  const std::string bytes = Bytes("0102ff");
  EXPECT_EQ(HexEncode(std::span<const uint8_t>(
                reinterpret_cast<const uint8_t*>(EventLeafData(258, bytes).data()), 11)),
            "00000000000001020102ff");
  EXPECT_EQ(EventLeafHash(258, bytes), LeafHash(EventLeafData(258, bytes)));
  EXPECT_NE(EventLeafHash(258, bytes), EventLeafHash(259, bytes));
}

TEST_F(MerkleTest, HexIsStrictLowerCase) {
  Hash h;
  const std::string good(64, 'a');
  EXPECT_TRUE(HexDecode(good, h));
  EXPECT_FALSE(HexDecode(std::string(64, 'A'), h));
  EXPECT_FALSE(HexDecode(std::string(63, 'a'), h));
  EXPECT_FALSE(HexDecode(std::string(65, 'a'), h));
  EXPECT_FALSE(HexDecode(good.substr(0, 62) + "0g", h));
  EXPECT_FALSE(HexDecode(good.substr(0, 62) + " 0", h));
  std::string out;
  EXPECT_FALSE(HexDecodeString("abc", 100, &out));
  EXPECT_FALSE(HexDecodeString("abcd", 2, &out));
  EXPECT_TRUE(HexDecodeString("", 2, &out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace ccl::ledger
