// The Merkle tree kept in the ledger's `merkle` column family, maintained on
// append in the same WriteBatch as the events, so the root of any tree size and
// any proof need O(log n) reads and no rehashing of the log.
//
// Storage: tiles of kTileHeight levels (schemas/MERKLE.md "Node storage").
// Tile (t, i) holds the hashes of the nodes at level 4t with indices
// 16i .. 16i + k - 1, concatenated (k = 1..16, 32 bytes each):
//   key   = uint8 t || BE64(i)              (9 bytes)
//   value = k * 32 bytes
// Tile level 0 holds leaf hashes; an entry of tile level t + 1 is the root of a
// complete tile of level t. Nodes between tile levels are recomputed from at
// most 8 entries of one tile. A tile is written when it completes; the
// rightmost, incomplete tile of each level is rewritten once per append batch.
// So a bulk append writes about 1/15 key and 34 bytes per event, and a proof
// for a 1,000,000-leaf tree reads about 6 tiles.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "ledger/merkle/merkle.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Iterator;
class Snapshot;
class WriteBatch;
}  // namespace rocksdb

namespace ccl::ledger {

inline constexpr uint32_t kTileHeight = 4;
inline constexpr uint32_t kTileWidth = 1u << kTileHeight;  // entries per full tile
// Tile levels needed for kTreeSizeMax leaves (levels 0..62).
inline constexpr uint32_t kTileLevelsMax = 16;
inline constexpr char kMerkleColumnFamily[] = "merkle";

// The 9-byte key of tile (tile_level, tile_index).
std::string MerkleTileKey(uint32_t tile_level, uint64_t tile_index);

// Reads nodes from the tiles of a `merkle` column family. Caches the few tiles
// one proof touches; create one per operation (not thread-safe). db and cf are
// not owned and must outlive the reader; snapshot may be null (latest).
class TileNodeReader final : public NodeReader {
 public:
  TileNodeReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                 const rocksdb::Snapshot* snapshot = nullptr);
  ~TileNodeReader() override;

  // NotFound when the tile is absent or does not reach the node yet;
  // Corruption when a tile's value is not 1..16 hashes.
  Status ReadNode(uint32_t level, uint64_t index, Hash* out) override;

  // The stored entries of tile (tile_level, tile_index); NotFound when absent.
  [[nodiscard]] Status ReadTile(uint32_t tile_level, uint64_t tile_index,
                                std::vector<Hash>* entries);

 private:
  struct Cached;
  [[nodiscard]] Status Fetch(uint32_t tile_level, uint64_t tile_index, const Cached** out);
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  const rocksdb::Snapshot* snapshot_;
  std::vector<std::unique_ptr<Cached>> cache_;  // most recent last, bounded
};

// The tree of one ledger. Appends are staged into the caller's WriteBatch and
// become visible in memory (size(), root()) only on CommitAppend(), which the
// caller invokes after that batch was written; readers read the column family
// directly, so they see any size <= size() (tiles only ever grow).
//
// Thread safety: appends (AppendLeaves / CommitAppend / AbortAppend) must be
// serialized by the caller, as the ledger already does; the readers may run on
// any thread at any time.
class MerkleStore {
 public:
  // Opens the tree of `size` leaves (the ledger's head seq) stored in `cf`:
  // loads the right edge (at most 2 * kTileLevelsMax tile reads) and checks that
  // the stored tiles hold exactly `size` leaves, returning Corruption naming the
  // tile otherwise (a tree ahead of or behind the events). With `may_have_grown`
  // (a reader beside a writer that may have appended since it read `size`), a
  // longer tree is accepted and the store shows its first `size` leaves. db and
  // cf are not owned and must outlive the store.
  [[nodiscard]] static Status Open(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t size,
                                   std::unique_ptr<MerkleStore>* out, bool may_have_grown = false);
  ~MerkleStore();
  MerkleStore(const MerkleStore&) = delete;
  MerkleStore& operator=(const MerkleStore&) = delete;

  // Stages the events first_seq, first_seq + 1, ... as leaves, given their
  // leaf hashes EventLeafHash(seq, stored bytes): adds the tile writes to
  // *batch (column family `cf`, normally the one given to Open). REQUIRES:
  // first_seq == staged size + 1, where the staged size is size() plus whatever
  // was staged since the last Commit/AbortAppend (so one WriteBatch may carry
  // several calls). InvalidArgument on a seq gap, with nothing staged. On any
  // other failure everything staged is dropped: abandon the batch.
  [[nodiscard]] Status AppendLeafHashes(uint64_t first_seq, std::span<const Hash> leaf_hashes,
                                        rocksdb::WriteBatch* batch,
                                        rocksdb::ColumnFamilyHandle* cf);
  // The two halves of AppendLeafHashes, for a WriteBatch that gathers several
  // writers (group commit): StageLeafHashes per writer (it puts only the tiles
  // that complete, which never change again), then PutPartialTiles once before
  // the batch is written (the rightmost tile of each level, once, rather than
  // once per writer). The batch must not be rolled back past a staged call.
  [[nodiscard]] Status StageLeafHashes(uint64_t first_seq, std::span<const Hash> leaf_hashes,
                                       rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf);
  [[nodiscard]] Status PutPartialTiles(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf);
  // The same from the events' stored bytes.
  [[nodiscard]] Status AppendLeaves(uint64_t first_seq,
                                    std::span<const std::string_view> event_bytes,
                                    rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf);
  [[nodiscard]] Status AppendLeaves(uint64_t first_seq, std::span<const std::string> event_bytes,
                                    rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf);
  // The batch carrying the staged leaves was written: they are now the tree.
  void CommitAppend();
  // The batch was not written: forget the leaves staged since the last
  // MarkStaged() (all of them when none is marked).
  void AbortAppend();
  // For appends in a pipeline, where the next batch is staged over this one
  // before this one is written: MarkStaged() seals what is staged so far as
  // one batch's tree (its partial tiles put, see CommitAppend); staging goes
  // on after it. CommitMarked() makes the oldest sealed tree the committed
  // one, once its batch was written; it may run on another thread than the
  // staging, but batches are committed in the order they were marked.
  // REQUIRES (CommitMarked): a mark not yet committed.
  void MarkStaged();
  void CommitMarked();

  // Committed tree size and root (no reads).
  uint64_t size() const;
  Hash root() const;

  // Readers over the stored tiles. InvalidArgument when a size exceeds size()
  // or an index is out of range; Corruption when stored tiles are malformed.
  [[nodiscard]] Status RootAt(uint64_t tree_size, Hash* out) const;
  [[nodiscard]] Status InclusionPath(uint64_t leaf_index, uint64_t tree_size,
                                     std::vector<Hash>* path) const;
  [[nodiscard]] Status ConsistencyPath(uint64_t old_size, uint64_t new_size,
                                       std::vector<Hash>* path) const;
  // The frontier (compact range) of the tree of the first `tree_size` leaves.
  [[nodiscard]] Status FrontierAt(uint64_t tree_size, MerkleFrontier* out) const;
  // The stored leaf hash of event `seq` (leaf index seq - 1).
  [[nodiscard]] Status LeafHashAt(uint64_t seq, Hash* out) const;

  // Reloads the right edge for a tree of `tree_size` leaves (a read-only
  // follower after the writer appended). Drops anything staged.
  [[nodiscard]] Status Reload(uint64_t tree_size);

 private:
  struct State {
    MerkleFrontier frontier;
    // Entries of the rightmost incomplete tile of each tile level.
    std::array<std::vector<Hash>, kTileLevelsMax> partial;
  };
  MerkleStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) : db_(db), cf_(cf) {}
  [[nodiscard]] static Status LoadState(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                        uint64_t size, bool may_have_grown, State* out);
  Status CheckSize(uint64_t tree_size) const;

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const cf_;
  mutable std::mutex mu_;  // guards committed_ and marked_
  State committed_;
  std::deque<State> marked_;  // sealed by MarkStaged, oldest first
  bool staging_ = false;      // appender-only state below
  State staged_;
  // Levels whose staged partial tile is not yet in the batch.
  std::array<bool, kTileLevelsMax> dirty_{};
  std::vector<Hash> completed_;    // scratch
  std::vector<Hash> leaf_hashes_;  // scratch
};

// Checks the stored tiles against leaf hashes recomputed from the events, fed
// in seq order: finds a tree that no longer matches its events (an event edited
// without its leaf, or tiles rewritten). Reads each tile once.
class MerkleTreeChecker {
 public:
  // db and cf are not owned; snapshot may be null.
  MerkleTreeChecker(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                    const rocksdb::Snapshot* snapshot = nullptr);
  ~MerkleTreeChecker();

  // The leaf hash of the next event, EventLeafHash(seq, bytes). Corruption
  // when a stored tile differs from the recomputed one: the message names the
  // tile and seq range for upper levels ("merkle tile (1, 0) entry 5 (seq
  // 81..96) does not match the events"); bad_seq() is the first seq concerned
  // (a leaf's message does not repeat it). REQUIRES: seq == leaves() + 1.
  [[nodiscard]] Status Add(uint64_t seq, const Hash& leaf_hash);
  // After the last event: the rightmost tiles hold exactly what leaves()
  // events imply and nothing lies beyond.
  [[nodiscard]] Status Finish();

  uint64_t leaves() const { return frontier_.size(); }
  Hash root() const { return frontier_.Root(); }  // recomputed, not read
  uint64_t bad_seq() const { return bad_seq_; }   // 0 until a check failed

 private:
  Status CheckTile(uint32_t tile_level, uint64_t tile_index, const std::vector<Hash>& want);
  // The stored entries of tile (tile_level, tile_index), NotFound when
  // absent. REQUIRES: per tile level, tile_index never decreases between
  // calls (each level is read by one forward iterator: a point lookup per
  // tile cost as much as hashing its leaves).
  Status ReadTileInOrder(uint32_t tile_level, uint64_t tile_index, std::vector<Hash>* entries);
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  const rocksdb::Snapshot* snapshot_;
  MerkleFrontier frontier_;
  std::array<std::vector<Hash>, kTileLevelsMax> tiles_;
  std::array<std::unique_ptr<rocksdb::Iterator>, kTileLevelsMax> tile_iterators_;
  std::array<uint64_t, kTileLevelsMax> next_tile_index_{};  // the least index still readable
  std::vector<Hash> stored_;                                // scratch of CheckTile
  std::vector<Hash> completed_;
  uint64_t bad_seq_ = 0;
};

}  // namespace ccl::ledger
