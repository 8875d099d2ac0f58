// The files of a bulk append (ingest.cc, ingest_files.cc): the scratch
// folder, its files, and IngestFiles, which writes them as the appending
// thread accepts events. Internal to ccl_ledger.
#pragma once

#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "events/base/status.h"
#include "ledger/store/ledger.h"
#include "ledger/store/write_model.h"  // StringHash

namespace rocksdb {
class ColumnFamilyHandle;
struct IngestExternalFileArg;
}  // namespace rocksdb

namespace ccl::ledger {

// Bulk appends are written as SST files in this folder of the ledger, then
// ingested (ingest.cc); what a crash left there is removed on open.
inline constexpr char kIngestFolder[] = "ccl-ingest";
// Removes the files a bulk append writes in `dir` (kIngestFolder), and `dir`
// when that leaves it empty; nothing else that may be there.
void RemoveIngestScratch(const std::string& dir);

// ingest.cc: the scratch file of column family `cf` in a bulk append's
// folder (kIngestFolder), IngestFiles' spill there, and how a scratch file
// is ingested (moved, not rewritten).
// A column family written as two files of disjoint key ranges has its
// second in part 1.
std::string ScratchFile(const std::string& dir, size_t cf, int part = 0);
std::string SpillFile(const std::string& dir);
rocksdb::IngestExternalFileArg IngestArg(rocksdb::ColumnFamilyHandle* handle,
                                         const std::string& file);

// ingest_files.cc: the files of a bulk append taken in parts
// (LedgerImpl::AppendFrom), in kIngestFolder: the `events` and `chain`
// tables, written as events are accepted (in seq order, which is their key
// order), and a spill file of the `streams` values (BE64(seq) || stored
// bytes, one after another), read back for the `streams` table (written in
// key order at the end) and for lookups of the input's earlier events. Only
// the spill offsets stay in memory. A thread of its own writes the tables
// and the spill from buffers the appending thread hands over (compression
// and file writes off the appending thread). The destructor removes every
// file it created (ingested tables are RocksDB's by then: it moved them).
// Not thread-safe: one appending thread calls it.
class IngestFiles {
 public:
  // Creates the folder `dir` and the files. REQUIRES: no other bulk append
  // uses `dir` meanwhile.
  static Status Create(const std::string& dir, const rocksdb::Options& events_options,
                       rocksdb::ColumnFamilyHandle* events, const rocksdb::Options& chain_options,
                       rocksdb::ColumnFamilyHandle* chain, std::unique_ptr<IngestFiles>* out);
  ~IngestFiles();
  IngestFiles(const IngestFiles&) = delete;
  IngestFiles& operator=(const IngestFiles&) = delete;

  // Writes event `seq` (after every earlier one): its stored bytes, its
  // chain hash and its `streams` value, which starts at *copy_at of the
  // spill and is 8 + bytes.size() long. A write error of an earlier event
  // may be returned here.
  Status Add(uint64_t seq, std::string_view bytes, const Hash& chain, size_t* copy_at);
  // Sets *out to [at, at + n) of the spill (one Add's value, or a range of
  // them once FinishTables ran), valid until the next call. `ahead`: the
  // caller reads on at higher offsets (one read serves many).
  Status Read(size_t at, size_t n, bool ahead, std::string_view* out);
  // A lasting copy of a contract name (the input events do not last).
  std::string_view Intern(std::string_view contract);
  // Writes what is buffered, stops the thread, finishes the `events` and
  // `chain` tables and adds them to *args (none when no event was added).
  // Then maps the whole spill, when it can, for the reads that follow.
  Status FinishTables(std::vector<rocksdb::IngestExternalFileArg>* args);
  // Whether the spill is mapped (after FinishTables): then every Read's
  // view lasts until this object is destroyed, and no read copies.
  bool mapped() const { return map_ != nullptr; }
  const std::string& dir() const { return dir_; }

 private:
  // Events handed to the thread at once: their spill bytes from spill offset
  // `at`, each one's size and chain hash.
  struct Buffer {
    size_t at = 0;
    std::string spill;
    std::vector<uint32_t> sizes;  // of each value in spill
    std::vector<Hash> chains;
  };

  IngestFiles() = default;
  // The thread: writes each handed buffer, until stopped.
  void WriteLoop();
  Status WriteBuffer(const Buffer& b);
  // Hands fill_ to the thread once it has written the last one.
  Status Hand();
  // Waits until the thread has written every handed buffer; its error.
  Status Drain();

  std::string dir_;
  rocksdb::ColumnFamilyHandle* events_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* chain_cf_ = nullptr;
  std::unique_ptr<rocksdb::SstFileWriter> events_;  // the thread's until FinishTables
  std::unique_ptr<rocksdb::SstFileWriter> chain_;
  uint64_t added_ = 0;
  int spill_fd_ = -1;
  size_t spill_size_ = 0;  // bytes added to the spill (written or buffered)
  Buffer fill_;            // being filled by Add
  Buffer flying_;          // being written by the thread while busy_
  std::mutex mu_;
  std::condition_variable cv_;
  bool busy_ = false;    // guarded by mu_: flying_ is being written
  bool stop_ = false;    // guarded by mu_
  Status write_status_;  // guarded by mu_: the thread's first error
  std::thread thread_;
  const char* map_ = nullptr;  // the whole spill, read-only, once FinishTables ran
  std::string window_;         // spill bytes read, from window_at_
  size_t window_at_ = 0;
  std::unordered_set<std::string, StringHash, std::equal_to<>> contracts_;
};

}  // namespace ccl::ledger
