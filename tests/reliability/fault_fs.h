// A fault-injecting RocksDB file system for the power-loss and I/O-fault
// tests (tests/reliability/fault_test.cc), after RocksDB's own
// utilities/fault_injection_fs.h and LevelDB's fault-injection Env.
//
// It counts the data operations RocksDB does through it, by kind (write,
// sync, read, rename), and can
//  - fail the Nth operation of one kind once (an I/O error, ENOSPC with a
//    torn partial write, or a failed fsync), and
//  - cut the power after the Nth operation of any kind: every operation after
//    it fails, and DropUnsyncedData() then makes the files on disk what a disk
//    would hold after the power came back.
//
// The durability model (what DropUnsyncedData keeps):
//  - a file's bytes up to its last successful Sync/Fsync; the rest is lost;
//  - after a FAILED sync, the unsynced bytes of that file are lost for good,
//    even if a later sync of the same file succeeds (Linux may drop the dirty
//    pages and mark them clean after a write-back error: "fsyncgate"), so a
//    writer that retries the sync and trusts the page cache loses data here,
//    as it would on a real disk;
//  - a file created or renamed into place exists only once its directory was
//    fsynced afterwards; otherwise it disappears (a rename onto an existing
//    file brings the old file back);
//  - files that were on disk before tracking began (or before the last
//    DropUnsyncedData) are durable as they are.
// Syncs are modelled, not passed on (no real fsync happens: only the
// simulated power cut ever drops data, so a real one would only cost time).
// Deletions are taken as durable at once (a deleted file coming back is not
// modelled). The LOG (info log) goes through NewLogger and is not counted.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ccl::reliability {

enum class FaultOp : int { kWrite = 0, kSync = 1, kRead = 2, kRename = 3 };
inline constexpr int kFaultOpCount = 4;
std::string_view FaultOpName(FaultOp op);

enum class FaultKind {
  kIOError,  // the operation fails with an I/O error and has no effect
  kNoSpace,  // writes: ENOSPC after writing the first half of the data
};

class FaultFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultFs(std::shared_ptr<rocksdb::FileSystem> base = rocksdb::FileSystem::Default());

  static const char* kClassName() { return "CclFaultFs"; }
  const char* Name() const override { return kClassName(); }

  // Fails the `nth` (1-based) operation of kind `op` counted from now, once.
  // Replaces an earlier armed failure.
  void FailNth(FaultOp op, uint64_t nth, FaultKind kind = FaultKind::kIOError);
  // Cuts the power after `ops` more operations of any kind: the next one and
  // all after it fail until DropUnsyncedData().
  void CutPowerAfter(uint64_t ops);
  // Disarms both.
  void Disarm();

  bool fault_fired() const;        // the armed one-shot failure has happened
  std::string fired_what() const;  // its description ("injected sync fault #3: <path>")
  bool power_lost() const;
  uint64_t count(FaultOp op) const;  // operations seen since the last ResetCounts()
  uint64_t total_count() const;
  void ResetCounts();

  // Power comes back: truncates every tracked file to what it made durable,
  // deletes the files whose directory entry was never synced (restoring what
  // a rename replaced), then forgets all tracking (what is on disk now is
  // durable) and disarms. REQUIRES: no file is open (the DB is closed).
  // Returns a description of the first failure, or "" on success.
  std::string DropUnsyncedData();

  // ---- rocksdb::FileSystem ----
  rocksdb::IOStatus NewSequentialFile(const std::string& f, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& o,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                        rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst,
                               const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& dst,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;

  // ---- called by the file wrappers (fault_fs.cc) ----
  // Counts one operation of `op` on `path`; returns the error to inject, or OK.
  rocksdb::IOStatus Check(FaultOp op, const std::string& path, FaultKind* kind = nullptr);
  void OnAppended(const std::string& path, uint64_t bytes);
  void OnSynced(const std::string& path);
  void OnSyncFailed(const std::string& path);
  void OnDirSynced(const std::string& dir);

 private:
  struct FileState {
    uint64_t size = 0;          // bytes written through us
    uint64_t synced_bytes = 0;  // durable prefix
    // After a failed sync: the durable prefix can never grow past this.
    std::optional<uint64_t> lost_from;
    bool dir_entry_synced = false;  // the name survives a power cut
    // A rename onto an existing file: that file's durable content, restored
    // when the rename is not made durable.
    std::optional<std::string> replaced_content;
  };

  void TrackNewFile(const std::string& path, bool existed);
  // NewWritableFile (reopen false) and ReopenWritableFile: opens f through
  // `open` unless the power is lost, tracks it (a reopened file only when
  // not tracked yet, its bytes so far as durable as they were) and wraps it.
  rocksdb::IOStatus OpenWritable(
      const std::string& f, bool reopen,
      const std::function<rocksdb::IOStatus(std::unique_ptr<rocksdb::FSWritableFile>*)>& open,
      std::unique_ptr<rocksdb::FSWritableFile>* r);

  mutable std::mutex mu_;
  std::array<uint64_t, kFaultOpCount> counts_{};
  uint64_t total_ = 0;
  // One-shot failure.
  std::optional<FaultOp> fail_op_;
  uint64_t fail_at_ = 0;  // counts_[op] value at which to fail
  FaultKind fail_kind_ = FaultKind::kIOError;
  bool fired_ = false;
  std::string fired_what_;
  // Power cut.
  std::optional<uint64_t> power_cut_at_;  // total_ after which everything fails
  bool power_lost_ = false;
  std::map<std::string, FileState> files_;
};

// An Env over `fs` for ledger::Options::env (keeps `fs` alive).
std::unique_ptr<rocksdb::Env> NewFaultEnv(const std::shared_ptr<FaultFs>& fs);

}  // namespace ccl::reliability
