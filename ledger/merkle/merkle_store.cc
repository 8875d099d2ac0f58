#include "ledger/merkle/merkle_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>

namespace ccl::ledger {
namespace {

// A proof touches about one tile per tile level; 32 covers any proof of a tree
// of kTreeSizeMax leaves twice over.
constexpr size_t kTileCacheEntriesMax = 32;

std::string TileName(uint32_t tile_level, uint64_t tile_index) {
  return "merkle tile (" + std::to_string(tile_level) + ", " + std::to_string(tile_index) + ")";
}

std::string EncodeEntries(const std::vector<Hash>& entries) {
  std::string out(entries.size() * sizeof(Hash), '\0');
  for (size_t i = 0; i < entries.size(); ++i) {
    std::memcpy(out.data() + i * sizeof(Hash), entries[i].data(), sizeof(Hash));
  }
  return out;
}

// Number of nodes at level `level` in a tree of `size` leaves.
uint64_t NodesAtLevel(uint64_t size, uint32_t level) { return level >= 64 ? 0 : size >> level; }

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound(std::string(what) + ": not found");
  if (s.IsCorruption()) return Status::Corruption(std::string(what) + ": " + s.ToString());
  return Status::IOError(std::string(what) + ": " + s.ToString());
}

// A stored tile's value: 1..16 hashes.
Status DecodeTile(uint32_t tile_level, uint64_t tile_index, std::string_view value,
                  std::vector<Hash>* entries) {
  if (value.empty() || value.size() % sizeof(Hash) != 0 ||
      value.size() > kTileWidth * sizeof(Hash)) {
    return Status::Corruption(TileName(tile_level, tile_index) + ": value of " +
                              std::to_string(value.size()) + " bytes is not 1..16 hashes");
  }
  entries->resize(value.size() / sizeof(Hash));
  for (size_t i = 0; i < entries->size(); ++i) {
    std::memcpy((*entries)[i].data(), value.data() + i * sizeof(Hash), sizeof(Hash));
  }
  return Status::OK();
}

}  // namespace

std::string MerkleTileKey(uint32_t tile_level, uint64_t tile_index) {
  std::string key(9, '\0');
  key[0] = static_cast<char>(tile_level);
  for (int i = 0; i < 8; ++i) {
    key[8 - i] = static_cast<char>(tile_index & 0xff);
    tile_index >>= 8;
  }
  return key;
}

// ---- TileNodeReader ----------------------------------------------------------

struct TileNodeReader::Cached {
  uint32_t tile_level;
  uint64_t tile_index;
  std::vector<Hash> entries;
};

TileNodeReader::TileNodeReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                               const rocksdb::Snapshot* snapshot)
    : db_(db), cf_(cf), snapshot_(snapshot) {}

TileNodeReader::~TileNodeReader() = default;

Status TileNodeReader::Fetch(uint32_t tile_level, uint64_t tile_index, const Cached** out) {
  for (const auto& c : cache_) {
    if (c->tile_level == tile_level && c->tile_index == tile_index) {
      *out = c.get();
      return Status::OK();
    }
  }
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  ro.verify_checksums = true;
  std::string value;
  CCL_RETURN_IF_ERROR(FromRocks(db_->Get(ro, cf_, MerkleTileKey(tile_level, tile_index), &value),
                                TileName(tile_level, tile_index)));
  auto c = std::make_unique<Cached>();
  c->tile_level = tile_level;
  c->tile_index = tile_index;
  CCL_RETURN_IF_ERROR(DecodeTile(tile_level, tile_index, value, &c->entries));
  if (cache_.size() >= kTileCacheEntriesMax) cache_.erase(cache_.begin());
  cache_.push_back(std::move(c));
  *out = cache_.back().get();
  return Status::OK();
}

Status TileNodeReader::ReadTile(uint32_t tile_level, uint64_t tile_index,
                                std::vector<Hash>* entries) {
  const Cached* c = nullptr;
  CCL_RETURN_IF_ERROR(Fetch(tile_level, tile_index, &c));
  *entries = c->entries;
  return Status::OK();
}

Status TileNodeReader::ReadNode(uint32_t level, uint64_t index, Hash* out) {
  if (level >= 63 || index >= (kTreeSizeMax >> level)) {
    return Status::NotFound("merkle node (" + std::to_string(level) + ", " + std::to_string(index) +
                            ") beyond the maximum tree");
  }
  const uint32_t tile_level = level / kTileHeight;
  const uint32_t rise = level % kTileHeight;  // levels above the tile's entries
  const uint64_t first = index << rise;       // first entry under the node
  const uint64_t tile_index = first >> kTileHeight;
  const size_t offset = static_cast<size_t>(first & (kTileWidth - 1));
  const size_t count = size_t{1} << rise;
  const Cached* c = nullptr;
  CCL_RETURN_IF_ERROR(Fetch(tile_level, tile_index, &c));
  if (offset + count > c->entries.size()) {
    return Status::NotFound("merkle node (" + std::to_string(level) + ", " + std::to_string(index) +
                            ") not complete: " + TileName(tile_level, tile_index) + " has " +
                            std::to_string(c->entries.size()) + " entries");
  }
  // The node is the root of the perfect tree over `count` consecutive entries.
  Hash buf[kTileWidth / 2];
  std::copy_n(c->entries.begin() + static_cast<std::ptrdiff_t>(offset), count, buf);
  for (size_t width = count; width > 1; width /= 2) {
    for (size_t i = 0; i < width / 2; ++i) buf[i] = NodeHash(buf[2 * i], buf[2 * i + 1]);
  }
  *out = buf[0];
  return Status::OK();
}

// ---- MerkleStore ---------------------------------------------------------------

MerkleStore::~MerkleStore() = default;

Status MerkleStore::LoadState(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t size,
                              bool may_have_grown, State* out) {
  if (size > kTreeSizeMax) {
    return Status::InvalidArgument("merkle tree size " + std::to_string(size) + " over maximum");
  }
  TileNodeReader reader(db, cf);
  State state;
  for (uint32_t t = 0; t < kTileLevelsMax; ++t) {
    const uint64_t count = NodesAtLevel(size, t * kTileHeight);
    const size_t k = static_cast<size_t>(count % kTileWidth);
    const uint64_t tile_index = count / kTileWidth;
    std::vector<Hash> entries;
    Status s = reader.ReadTile(t, tile_index, &entries);
    if (!s.ok() && !s.IsNotFound()) return s;
    const size_t stored = s.ok() ? entries.size() : 0;
    // The rightmost tile must hold exactly what `size` leaves imply: more means
    // the tree is ahead of the events, fewer that it is behind.
    if (stored != k && !(may_have_grown && stored > k)) {
      return Status::Corruption(TileName(t, tile_index) + " holds " + std::to_string(stored) +
                                " entries; a tree of " + std::to_string(size) + " leaves has " +
                                std::to_string(k));
    }
    entries.resize(std::min(stored, k));
    state.partial[t] = std::move(entries);
    if (tile_index > 0) {
      s = reader.ReadTile(t, tile_index - 1, &entries);
      if (!s.ok() && !s.IsNotFound()) return s;
      if (!s.ok() || entries.size() != kTileWidth) {
        return Status::Corruption(TileName(t, tile_index - 1) + " is not complete; a tree of " +
                                  std::to_string(size) + " leaves has it complete");
      }
    }
  }
  CCL_RETURN_IF_ERROR(MerkleFrontier::Load(&reader, size, &state.frontier));
  *out = std::move(state);
  return Status::OK();
}

Status MerkleStore::Open(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t size,
                         std::unique_ptr<MerkleStore>* out, bool may_have_grown) {
  std::unique_ptr<MerkleStore> store(new MerkleStore(db, cf));
  CCL_RETURN_IF_ERROR(LoadState(db, cf, size, may_have_grown, &store->committed_));
  *out = std::move(store);
  return Status::OK();
}

Status MerkleStore::StageLeafHashes(uint64_t first_seq, std::span<const Hash> leaf_hashes,
                                    rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf) {
  if (!staging_) {
    std::lock_guard<std::mutex> lock(mu_);
    staged_ = committed_;
    dirty_ = {};
  }
  const uint64_t base = staged_.frontier.size();
  if (first_seq != base + 1) {
    return Status::InvalidArgument("merkle append: first seq " + std::to_string(first_seq) +
                                   " does not follow the tree of " + std::to_string(base) +
                                   " leaves");
  }
  if (leaf_hashes.size() > kTreeSizeMax - base) {
    return Status::InvalidArgument("merkle append: tree would exceed the maximum size");
  }
  staging_ = true;
  uint64_t seq = first_seq;
  for (const Hash& leaf_hash : leaf_hashes) {
    completed_.clear();
    staged_.frontier.Append(leaf_hash, &completed_);
    // Every completed node at a multiple of kTileHeight is an entry of a tile.
    for (size_t level = 0; level < completed_.size(); level += kTileHeight) {
      const uint32_t t = static_cast<uint32_t>(level / kTileHeight);
      std::vector<Hash>& tile = staged_.partial[t];
      tile.push_back(completed_[level]);
      if (tile.size() < kTileWidth) {
        dirty_[t] = true;
        continue;
      }
      // A full tile never changes again: write it now, once.
      const uint64_t tile_index =
          (NodesAtLevel(seq, static_cast<uint32_t>(level)) - 1) / kTileWidth;
      rocksdb::Status s = batch->Put(cf, MerkleTileKey(t, tile_index), EncodeEntries(tile));
      if (!s.ok()) {
        staging_ = false;
        return FromRocks(s, "merkle append: " + TileName(t, tile_index));
      }
      tile.clear();
      dirty_[t] = false;
    }
    ++seq;
  }
  return Status::OK();
}

Status MerkleStore::PutPartialTiles(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf) {
  if (!staging_) return Status::OK();
  const uint64_t size = staged_.frontier.size();
  for (uint32_t t = 0; t < kTileLevelsMax; ++t) {
    if (!dirty_[t]) continue;
    const uint64_t tile_index = NodesAtLevel(size, t * kTileHeight) / kTileWidth;
    rocksdb::Status s =
        batch->Put(cf, MerkleTileKey(t, tile_index), EncodeEntries(staged_.partial[t]));
    if (!s.ok()) {
      staging_ = false;
      return FromRocks(s, "merkle append: " + TileName(t, tile_index));
    }
    dirty_[t] = false;
  }
  return Status::OK();
}

Status MerkleStore::AppendLeafHashes(uint64_t first_seq, std::span<const Hash> leaf_hashes,
                                     rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf) {
  CCL_RETURN_IF_ERROR(StageLeafHashes(first_seq, leaf_hashes, batch, cf));
  return PutPartialTiles(batch, cf);
}

Status MerkleStore::AppendLeaves(uint64_t first_seq, std::span<const std::string_view> event_bytes,
                                 rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf) {
  leaf_hashes_.clear();
  uint64_t seq = first_seq;
  for (std::string_view bytes : event_bytes) leaf_hashes_.push_back(EventLeafHash(seq++, bytes));
  return AppendLeafHashes(first_seq, leaf_hashes_, batch, cf);
}

Status MerkleStore::AppendLeaves(uint64_t first_seq, std::span<const std::string> event_bytes,
                                 rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf) {
  leaf_hashes_.clear();
  uint64_t seq = first_seq;
  for (const std::string& bytes : event_bytes) leaf_hashes_.push_back(EventLeafHash(seq++, bytes));
  return AppendLeafHashes(first_seq, leaf_hashes_, batch, cf);
}

void MerkleStore::CommitAppend() {
  if (!staging_) return;
  // Committing leaves whose partial tiles were never put would leave the
  // stored tree behind the events (the next Open reports it).
  assert(dirty_ == decltype(dirty_){} && "PutPartialTiles before writing the batch");
  std::lock_guard<std::mutex> lock(mu_);
  assert(marked_.empty() && "CommitMarked commits marked batches");
  committed_ = std::move(staged_);
  staging_ = false;
}

void MerkleStore::AbortAppend() {
  std::lock_guard<std::mutex> lock(mu_);
  dirty_ = {};
  staging_ = !marked_.empty();
  if (staging_) staged_ = marked_.back();
}

void MerkleStore::MarkStaged() {
  assert(dirty_ == decltype(dirty_){} && "PutPartialTiles before marking the batch");
  std::lock_guard<std::mutex> lock(mu_);
  // Not staging: nothing was staged since the last mark, or there is no
  // mark and the committed tree is the base (AbortAppend keeps that so).
  marked_.push_back(staging_ ? staged_ : committed_);
}

void MerkleStore::CommitMarked() {
  std::lock_guard<std::mutex> lock(mu_);
  assert(!marked_.empty());
  committed_ = std::move(marked_.front());
  marked_.pop_front();
}

uint64_t MerkleStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_.frontier.size();
}

Hash MerkleStore::root() const {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_.frontier.Root();
}

Status MerkleStore::CheckSize(uint64_t tree_size) const {
  const uint64_t have = size();
  if (tree_size > have) {
    return Status::InvalidArgument("tree size " + std::to_string(tree_size) +
                                   " beyond the ledger's " + std::to_string(have) + " events");
  }
  return Status::OK();
}

Status MerkleStore::RootAt(uint64_t tree_size, Hash* out) const {
  CCL_RETURN_IF_ERROR(CheckSize(tree_size));
  TileNodeReader reader(db_, cf_);
  return TreeRoot(&reader, tree_size, out);
}

Status MerkleStore::InclusionPath(uint64_t leaf_index, uint64_t tree_size,
                                  std::vector<Hash>* path) const {
  CCL_RETURN_IF_ERROR(CheckSize(tree_size));
  TileNodeReader reader(db_, cf_);
  return MakeInclusionPath(&reader, leaf_index, tree_size, path);
}

Status MerkleStore::ConsistencyPath(uint64_t old_size, uint64_t new_size,
                                    std::vector<Hash>* path) const {
  CCL_RETURN_IF_ERROR(CheckSize(new_size));
  TileNodeReader reader(db_, cf_);
  return MakeConsistencyPath(&reader, old_size, new_size, path);
}

Status MerkleStore::FrontierAt(uint64_t tree_size, MerkleFrontier* out) const {
  CCL_RETURN_IF_ERROR(CheckSize(tree_size));
  TileNodeReader reader(db_, cf_);
  return MerkleFrontier::Load(&reader, tree_size, out);
}

Status MerkleStore::LeafHashAt(uint64_t seq, Hash* out) const {
  if (seq == 0) return Status::InvalidArgument("seq 0 is not an event");
  CCL_RETURN_IF_ERROR(CheckSize(seq));
  TileNodeReader reader(db_, cf_);
  return reader.ReadNode(0, seq - 1, out);
}

Status MerkleStore::Reload(uint64_t tree_size) {
  State state;
  CCL_RETURN_IF_ERROR(LoadState(db_, cf_, tree_size, /*may_have_grown=*/false, &state));
  std::lock_guard<std::mutex> lock(mu_);
  committed_ = std::move(state);
  marked_.clear();
  staging_ = false;
  return Status::OK();
}

// ---- MerkleTreeChecker -----------------------------------------------------------

MerkleTreeChecker::MerkleTreeChecker(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                     const rocksdb::Snapshot* snapshot)
    : db_(db), cf_(cf), snapshot_(snapshot) {}

MerkleTreeChecker::~MerkleTreeChecker() = default;

Status MerkleTreeChecker::ReadTileInOrder(uint32_t tile_level, uint64_t tile_index,
                                          std::vector<Hash>* entries) {
  assert(tile_level < kTileLevelsMax && tile_index >= next_tile_index_[tile_level]);
  next_tile_index_[tile_level] = tile_index;
  std::unique_ptr<rocksdb::Iterator>& it = tile_iterators_[tile_level];
  const std::string key = MerkleTileKey(tile_level, tile_index);
  if (it == nullptr) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    ro.verify_checksums = true;
    ro.fill_cache = false;  // read once, in order
    it.reset(db_->NewIterator(ro, cf_));
    it->Seek(key);
  }
  // Keys sort by level, then index: the iterator stays at the first key not
  // below the last tile asked for, so absent tiles cost nothing extra.
  while (it->Valid() && it->key().compare(key) < 0) it->Next();
  if (!it->status().ok()) return FromRocks(it->status(), TileName(tile_level, tile_index));
  if (!it->Valid() || it->key().compare(key) != 0) {
    return Status::NotFound(TileName(tile_level, tile_index) + ": not found");
  }
  const rocksdb::Slice v = it->value();
  return DecodeTile(tile_level, tile_index, std::string_view(v.data(), v.size()), entries);
}

Status MerkleTreeChecker::CheckTile(uint32_t tile_level, uint64_t tile_index,
                                    const std::vector<Hash>& want) {
  std::vector<Hash>& stored = stored_;
  Status s = ReadTileInOrder(tile_level, tile_index, &stored);
  if (s.IsNotFound()) {
    if (want.empty()) return Status::OK();
    stored.clear();
  } else if (!s.ok()) {
    // A tile that cannot be decoded or whose block fails its checksum is
    // damage at the tile's first seq, as a tile that does not match is.
    if (s.IsCorruption()) {
      const uint64_t first_node = tile_index * kTileWidth;
      bad_seq_ = std::max<uint64_t>((first_node << (tile_level * kTileHeight)) + 1, 1);
    }
    return s;
  }
  const size_t n = std::max(stored.size(), want.size());
  for (size_t j = 0; j < n; ++j) {
    if (j < stored.size() && j < want.size() && stored[j] == want[j]) continue;
    // Entry j of tile (t, i) is node (4t, 16i + j): leaves [first, last].
    const uint32_t level = tile_level * kTileHeight;
    const uint64_t node = tile_index * kTileWidth + j;
    const uint64_t first_seq = (node << level) + 1;
    const uint64_t last_seq = (node + 1) << level;
    const std::string what = j >= stored.size() ? "is missing"
                             : j >= want.size() ? "exists beyond the events"
                                                : "does not match the events";
    bad_seq_ = std::max<uint64_t>(first_seq, 1);
    if (level == 0) return Status::Corruption("the stored Merkle leaf " + what);
    return Status::Corruption(TileName(tile_level, tile_index) + " entry " + std::to_string(j) +
                              " (seq " + std::to_string(first_seq) + ".." +
                              std::to_string(last_seq) + ") " + what);
  }
  return Status::OK();
}

Status MerkleTreeChecker::Add(uint64_t seq, const Hash& leaf_hash) {
  if (seq != frontier_.size() + 1 || seq > kTreeSizeMax) {
    return Status::InvalidArgument("merkle check: seq " + std::to_string(seq) +
                                   " does not follow " + std::to_string(frontier_.size()));
  }
  completed_.clear();
  frontier_.Append(leaf_hash, &completed_);
  for (size_t level = 0; level < completed_.size(); level += kTileHeight) {
    const uint32_t t = static_cast<uint32_t>(level / kTileHeight);
    std::vector<Hash>& tile = tiles_[t];
    tile.push_back(completed_[level]);
    if (tile.size() < kTileWidth) continue;
    const uint64_t tile_index = (NodesAtLevel(seq, static_cast<uint32_t>(level)) - 1) / kTileWidth;
    CCL_RETURN_IF_ERROR(CheckTile(t, tile_index, tile));
    tile.clear();
  }
  return Status::OK();
}

Status MerkleTreeChecker::Finish() {
  const uint64_t size = frontier_.size();
  for (uint32_t t = 0; t < kTileLevelsMax; ++t) {
    const uint64_t tile_index = NodesAtLevel(size, t * kTileHeight) / kTileWidth;
    CCL_RETURN_IF_ERROR(CheckTile(t, tile_index, tiles_[t]));
  }
  // Every key is a tile of this tree: nothing beyond the right edge (a longer
  // tree) and nothing that is not a tile. One pass over the keys: the column
  // family holds about one key per 15 events.
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    const uint32_t t = key.size() == 9 ? static_cast<uint8_t>(key[0]) : kTileLevelsMax;
    if (t >= kTileLevelsMax) {
      bad_seq_ = std::max<uint64_t>(size, 1);
      return Status::Corruption("merkle column family holds a key that is not a tile key");
    }
    uint64_t tile_index = 0;
    for (size_t i = 1; i < 9; ++i) tile_index = tile_index << 8 | static_cast<uint8_t>(key[i]);
    const uint64_t entries = NodesAtLevel(size, t * kTileHeight);
    if (tile_index * kTileWidth >= entries) {
      bad_seq_ = std::max<uint64_t>(size, 1);
      return Status::Corruption(TileName(t, tile_index) + " lies beyond the " +
                                std::to_string(size) + " events");
    }
  }
  return FromRocks(it->status(), "merkle scan");
}

}  // namespace ccl::ledger
