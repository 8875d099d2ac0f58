// The systems a user would pick instead of our ledger ("peers"), behind one
// small interface, and the phases that measure them on the same events as
// ours (tools/bench/workload.h):
// - raw RocksDB: the stored bytes under BE64(seq) keys, one WriteBatch per
//   batch, WAL synced; no indexes, no hashing, no rules: the physical limit.
// - SQLite (C API): WAL, synchronous=FULL, one transaction per batch,
//   prepared statements, seq primary key, unique event id, unique
//   (contract, stream_version).
// - PostgreSQL (libpq over a Unix socket): synchronous_commit=on, the same
//   table and indexes, one transaction per batch (COPY or multi-row INSERT).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "events/base/status.h"
#include "tools/bench/config.h"
#include "tools/bench/report.h"
#include "tools/bench/workload.h"

namespace ccl::bench {

class Peer {
 public:
  virtual ~Peer() = default;
  // Stores `rows` durably and atomically (one WriteBatch / transaction,
  // synced before returning). A single row is written the way a client
  // appending one event would (SQL: one autocommit INSERT).
  virtual Status Write(std::span<const PeerRow> rows) = 0;
  // Closes and reopens, so a following Scan reads from storage rather than
  // from write buffers (as our replay does after our reopen).
  virtual Status Reopen() = 0;
  // Reads every stored row in seq order, bringing all columns to the client;
  // no decoding. *rows = rows read.
  virtual Status Scan(uint64_t* rows) = 0;
  // Bytes on disk of the stored rows after compaction where the system has
  // one (RocksDB CompactRange, SQLite WAL checkpoint, PostgreSQL relation
  // size of the table and its indexes, WAL excluded).
  virtual Status DiskBytes(uint64_t* bytes) = 0;
  // Short description of how it is configured, for the notes.
  virtual std::string Describe() const = 0;
};

// kRocksDbLayout: raw RocksDB with our four keys per event
// (tools/bench/peer_rocksdb_layout.cc); its figures are context, not metrics.
enum class PeerKind { kRocksDbRaw, kSqlite, kPostgres, kRocksDbLayout };

// Metric prefix: "rocksdb_raw", "sqlite", "postgres", "rocksdb_layout".
std::string_view PeerPrefix(PeerKind kind);

// Opens a fresh (emptied) instance of the peer. `dir` is a folder of its own
// (unused by PostgreSQL). Errors say why the peer cannot run; the caller
// reports its metrics missing with that reason.
Status OpenRocksDbPeer(const std::string& dir, std::unique_ptr<Peer>* out);
Status OpenRocksDbLayoutPeer(const std::string& dir, std::unique_ptr<Peer>* out);
Status OpenSqlitePeer(const std::string& dir, std::unique_ptr<Peer>* out);
Status OpenPostgresPeer(const std::string& conninfo, PgBatchMode mode, std::unique_ptr<Peer>* out);
// What the Open*Peer functions of the peers share: `peer` goes to *out once
// its Open(args...) succeeds.
template <typename P, typename... Args>
Status OpenInto(std::unique_ptr<P> peer, std::unique_ptr<Peer>* out, Args... args) {
  CCL_RETURN_IF_ERROR(peer->Open(args...));
  *out = std::move(peer);
  return Status::OK();
}
// One more connection to the table the last OpenPostgresPeer made (which it
// leaves in place when closed): for many connections writing at once.
Status ConnectPostgresPeer(const std::string& conninfo, PgBatchMode mode,
                           std::unique_ptr<Peer>* out);

// Batch-1 phase: the first min(events, b1_events) events, one Write each,
// stopped early after b1_seconds_max. Sets <prefix>_b1_eps and the context
// <prefix>_b1_p50_us, _p99_us, _events.
void RunPeerB1Phase(PeerKind kind, const BenchConfig& config, Report* report);

// Full phase: all events in batches of 1000 (<prefix>_b1000_eps), reopen,
// compaction, full scan (<prefix>_scan_eps, or rocksdb_raw_scan_eps), and the context
// <prefix>_disk_bytes_per_event.
void RunPeerFullPhase(PeerKind kind, const BenchConfig& config, Report* report);

}  // namespace ccl::bench
