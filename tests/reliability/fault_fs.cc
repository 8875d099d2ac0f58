// FaultFs (tests/reliability/fault_fs.h): file wrappers that count and fail
// operations, and the durability bookkeeping behind DropUnsyncedData().
#include "tests/reliability/fault_fs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "events/base/enum_names.h"

namespace ccl::reliability {

namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

std::string ParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

std::string NormalizeDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

bool FileSize(const std::string& path, uint64_t* size) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  *size = static_cast<uint64_t>(st.st_size);
  return true;
}

bool ReadWhole(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(FaultFs* fs, std::string path, std::unique_ptr<rocksdb::FSWritableFile> f)
      : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* dbg) override {
    return DoAppend(data, [&](const Slice& d) { return target()->Append(d, o, dbg); });
  }
  IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo& info,
                  IODebugContext* dbg) override {
    return DoAppend(data, [&](const Slice& d) { return target()->Append(d, o, info, dbg); });
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            IODebugContext* dbg) override {
    return DoAppend(data,
                    [&](const Slice& d) { return target()->PositionedAppend(d, offset, o, dbg); });
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    return DoAppend(
        data, [&](const Slice& d) { return target()->PositionedAppend(d, offset, o, info, dbg); });
  }
  // Durability is modelled (DropUnsyncedData), not delegated: the real
  // fsync is skipped, which makes a scenario run ~10x faster and changes no
  // outcome, since the simulated power cut is the only one that happens.
  IOStatus Sync(const IOOptions&, IODebugContext*) override {
    return DoSync([] { return IOStatus::OK(); });
  }
  IOStatus Fsync(const IOOptions&, IODebugContext*) override {
    return DoSync([] { return IOStatus::OK(); });
  }
  IOStatus RangeSync(uint64_t offset, uint64_t n, const IOOptions& o,
                     IODebugContext* dbg) override {
    // Write-back hint only: makes nothing durable, so it is neither counted
    // nor credited; it fails once the power is gone.
    if (fs_->power_lost()) return IOStatus::IOError("power lost");
    return target()->RangeSync(offset, n, o, dbg);
  }
  IOStatus Truncate(uint64_t size, const IOOptions& o, IODebugContext* dbg) override {
    if (fs_->power_lost()) return IOStatus::IOError("power lost");
    return target()->Truncate(size, o, dbg);
  }

 private:
  template <typename F>
  IOStatus DoAppend(const Slice& data, F&& append) {
    FaultKind kind = FaultKind::kIOError;
    IOStatus s = fs_->Check(FaultOp::kWrite, path_, &kind);
    if (!s.ok()) {
      if (kind == FaultKind::kNoSpace && !fs_->power_lost()) {
        // A full disk tears the write: part of it lands, the call fails.
        const Slice half(data.data(), data.size() / 2);
        if (append(half).ok()) fs_->OnAppended(path_, half.size());
      }
      return s;
    }
    s = append(data);
    if (s.ok()) fs_->OnAppended(path_, data.size());
    return s;
  }
  template <typename F>
  IOStatus DoSync(F&& sync) {
    IOStatus s = fs_->Check(FaultOp::kSync, path_);
    if (s.ok()) s = sync();
    if (s.ok()) {
      fs_->OnSynced(path_);
    } else {
      fs_->OnSyncFailed(path_);
    }
    return s;
  }

  FaultFs* fs_;
  std::string path_;
};

class FaultSequentialFile final : public rocksdb::FSSequentialFileOwnerWrapper {
 public:
  FaultSequentialFile(FaultFs* fs, std::string path, std::unique_ptr<rocksdb::FSSequentialFile> f)
      : FSSequentialFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  IOStatus Read(size_t n, const IOOptions& o, Slice* result, char* scratch,
                IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultOp::kRead, path_);
    if (!s.ok()) return s;
    return target()->Read(n, o, result, scratch, dbg);
  }
  IOStatus PositionedRead(uint64_t offset, size_t n, const IOOptions& o, Slice* result,
                          char* scratch, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultOp::kRead, path_);
    if (!s.ok()) return s;
    return target()->PositionedRead(offset, n, o, result, scratch, dbg);
  }

 private:
  FaultFs* fs_;
  std::string path_;
};

class FaultRandomAccessFile final : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  FaultRandomAccessFile(FaultFs* fs, std::string path,
                        std::unique_ptr<rocksdb::FSRandomAccessFile> f)
      : FSRandomAccessFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  IOStatus Read(uint64_t offset, size_t n, const IOOptions& o, Slice* result, char* scratch,
                IODebugContext* dbg) const override {
    IOStatus s = fs_->Check(FaultOp::kRead, path_);
    if (!s.ok()) return s;
    return target()->Read(offset, n, o, result, scratch, dbg);
  }
  IOStatus MultiRead(rocksdb::FSReadRequest* reqs, size_t num_reqs, const IOOptions& o,
                     IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultOp::kRead, path_);
    if (!s.ok()) {
      for (size_t i = 0; i < num_reqs; ++i) reqs[i].status = s;
      return s;
    }
    return target()->MultiRead(reqs, num_reqs, o, dbg);
  }
  IOStatus ReadAsync(rocksdb::FSReadRequest& req, const IOOptions& opts,
                     std::function<void(const rocksdb::FSReadRequest&, void*)> cb, void* cb_arg,
                     void** io_handle, rocksdb::IOHandleDeleter* del_fn,
                     IODebugContext* dbg) override {
    // The base class reads synchronously through Read(), so it is counted.
    return FSRandomAccessFile::ReadAsync(req, opts, cb, cb_arg, io_handle, del_fn, dbg);
  }

 private:
  FaultFs* fs_;
  std::string path_;
};

class FaultRandomRWFile final : public rocksdb::FSRandomRWFileOwnerWrapper {
 public:
  FaultRandomRWFile(FaultFs* fs, std::string path, std::unique_ptr<rocksdb::FSRandomRWFile> f)
      : FSRandomRWFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  IOStatus Write(uint64_t offset, const Slice& data, const IOOptions& o,
                 IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultOp::kWrite, path_);
    if (!s.ok()) return s;
    return target()->Write(offset, data, o, dbg);
  }
  IOStatus Read(uint64_t offset, size_t n, const IOOptions& o, Slice* result, char* scratch,
                IODebugContext* dbg) const override {
    IOStatus s = fs_->Check(FaultOp::kRead, path_);
    if (!s.ok()) return s;
    return target()->Read(offset, n, o, result, scratch, dbg);
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultOp::kSync, path_);
    return s.ok() ? target()->Sync(o, dbg) : s;
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultOp::kSync, path_);
    return s.ok() ? target()->Fsync(o, dbg) : s;
  }

 private:
  FaultFs* fs_;
  std::string path_;
};

class FaultDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(FaultFs* fs, std::string dir, std::unique_ptr<rocksdb::FSDirectory> d)
      : FSDirectoryWrapper(std::move(d)), fs_(fs), dir_(std::move(dir)) {}

  // Modelled like file syncs: counted and credited, not delegated.
  IOStatus Fsync(const IOOptions&, IODebugContext*) override {
    IOStatus s = fs_->Check(FaultOp::kSync, dir_);
    if (s.ok()) fs_->OnDirSynced(dir_);
    return s;
  }
  IOStatus FsyncWithDirOptions(const IOOptions&, IODebugContext*,
                               const rocksdb::DirFsyncOptions&) override {
    IOStatus s = fs_->Check(FaultOp::kSync, dir_);
    if (s.ok()) fs_->OnDirSynced(dir_);
    return s;
  }

 private:
  FaultFs* fs_;
  std::string dir_;
};

}  // namespace

std::string_view FaultOpName(FaultOp op) {
  // Indexed by FaultOp.
  static constexpr std::string_view kNames[] = {"write", "sync", "read", "rename"};
  return events::EnumName(kNames, op, "?");
}

FaultFs::FaultFs(std::shared_ptr<rocksdb::FileSystem> base) : FileSystemWrapper(base) {}

void FaultFs::FailNth(FaultOp op, uint64_t nth, FaultKind kind) {
  std::lock_guard<std::mutex> l(mu_);
  fail_op_ = op;
  fail_at_ = counts_[static_cast<int>(op)] + nth;
  fail_kind_ = kind;
  fired_ = false;
}

void FaultFs::CutPowerAfter(uint64_t ops) {
  std::lock_guard<std::mutex> l(mu_);
  power_cut_at_ = total_ + ops;
}

void FaultFs::Disarm() {
  std::lock_guard<std::mutex> l(mu_);
  fail_op_.reset();
  power_cut_at_.reset();
}

bool FaultFs::fault_fired() const {
  std::lock_guard<std::mutex> l(mu_);
  return fired_;
}

bool FaultFs::power_lost() const {
  std::lock_guard<std::mutex> l(mu_);
  return power_lost_;
}

std::string FaultFs::fired_what() const {
  std::lock_guard<std::mutex> l(mu_);
  return fired_what_;
}

uint64_t FaultFs::count(FaultOp op) const {
  std::lock_guard<std::mutex> l(mu_);
  return counts_[static_cast<int>(op)];
}

uint64_t FaultFs::total_count() const {
  std::lock_guard<std::mutex> l(mu_);
  return total_;
}

void FaultFs::ResetCounts() {
  std::lock_guard<std::mutex> l(mu_);
  counts_.fill(0);
  total_ = 0;
}

IOStatus FaultFs::Check(FaultOp op, const std::string& path, FaultKind* kind) {
  std::lock_guard<std::mutex> l(mu_);
  if (power_lost_) return IOStatus::IOError("power lost: " + path);
  const uint64_t n = ++counts_[static_cast<int>(op)];
  ++total_;
  if (power_cut_at_ && total_ > *power_cut_at_) {
    power_lost_ = true;
    return IOStatus::IOError("power lost: " + path);
  }
  if (fail_op_ == op && n == fail_at_ && !fired_) {
    fired_ = true;
    if (kind != nullptr) *kind = fail_kind_;
    std::string what =
        "injected " + std::string(FaultOpName(op)) + " fault #" + std::to_string(n) + ": " + path;
    fired_what_ = what;
    if (fail_kind_ == FaultKind::kNoSpace && op == FaultOp::kWrite) {
      return IOStatus::NoSpace(what);
    }
    return IOStatus::IOError(what);
  }
  return IOStatus::OK();
}

void FaultFs::TrackNewFile(const std::string& path, bool existed) {
  // Called with mu_ held.
  auto it = files_.find(path);
  const bool entry_durable = existed && (it == files_.end() || it->second.dir_entry_synced);
  FileState st;
  st.dir_entry_synced = entry_durable;
  files_[path] = std::move(st);
}

void FaultFs::OnAppended(const std::string& path, uint64_t bytes) {
  std::lock_guard<std::mutex> l(mu_);
  files_[path].size += bytes;
}

void FaultFs::OnSynced(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  FileState& st = files_[path];
  st.synced_bytes = st.size;
}

void FaultFs::OnSyncFailed(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  FileState& st = files_[path];
  if (!st.lost_from) st.lost_from = st.synced_bytes;
}

void FaultFs::OnDirSynced(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string d = NormalizeDir(dir);
  for (auto& [path, st] : files_) {
    if (ParentDir(path) == d) {
      st.dir_entry_synced = true;
      st.replaced_content.reset();
    }
  }
}

std::string FaultFs::DropUnsyncedData() {
  std::lock_guard<std::mutex> l(mu_);
  std::string error;
  for (const auto& [path, st] : files_) {
    if (!st.dir_entry_synced) {
      if (::unlink(path.c_str()) != 0 && errno != ENOENT && error.empty()) {
        error = "unlink " + path;
      }
      if (st.replaced_content) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << *st.replaced_content;
        if (!out && error.empty()) error = "restore " + path;
      }
      continue;
    }
    uint64_t durable = st.synced_bytes;
    if (st.lost_from) durable = std::min(durable, *st.lost_from);
    uint64_t size = 0;
    if (FileSize(path, &size) && size > durable) {
      if (::truncate(path.c_str(), static_cast<off_t>(durable)) != 0 && error.empty()) {
        error = "truncate " + path;
      }
    }
  }
  files_.clear();
  power_lost_ = false;
  power_cut_at_.reset();
  fail_op_.reset();
  return error;
}

// Opens `name` through `open` (the target file system's own call) unless
// the power is lost, and wraps what it opened: Wrapper(fs, wrapped_name, file).
template <typename Wrapper, typename File, typename Open>
IOStatus OpenWrapped(FaultFs* fs, const std::string& name, const std::string& wrapped_name,
                     std::unique_ptr<File>* r, Open open) {
  if (fs->power_lost()) return IOStatus::IOError("power lost: " + name);
  std::unique_ptr<File> base;
  IOStatus s = open(&base);
  if (s.ok()) r->reset(new Wrapper(fs, wrapped_name, std::move(base)));
  return s;
}

IOStatus FaultFs::NewSequentialFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSSequentialFile>* r,
                                    IODebugContext* dbg) {
  return OpenWrapped<FaultSequentialFile>(
      this, f, f, r, [&](auto* base) { return target()->NewSequentialFile(f, o, base, dbg); });
}

IOStatus FaultFs::NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                      IODebugContext* dbg) {
  return OpenWrapped<FaultRandomAccessFile>(
      this, f, f, r, [&](auto* base) { return target()->NewRandomAccessFile(f, o, base, dbg); });
}

IOStatus FaultFs::OpenWritable(
    const std::string& f, bool reopen,
    const std::function<IOStatus(std::unique_ptr<rocksdb::FSWritableFile>*)>& open,
    std::unique_ptr<rocksdb::FSWritableFile>* r) {
  if (power_lost()) return IOStatus::IOError("power lost: " + f);
  uint64_t size = 0;
  const bool existed = FileSize(f, &size);
  std::unique_ptr<rocksdb::FSWritableFile> base;
  IOStatus s = open(&base);
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!reopen) {
      TrackNewFile(f, existed);
    } else if (files_.find(f) == files_.end()) {
      TrackNewFile(f, existed);
      files_[f].size = size;
      files_[f].synced_bytes = size;  // what was there before is as durable as it was
    }
  }
  r->reset(new FaultWritableFile(this, f, std::move(base)));
  return s;
}

IOStatus FaultFs::NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                  std::unique_ptr<rocksdb::FSWritableFile>* r,
                                  IODebugContext* dbg) {
  return OpenWritable(
      f, /*reopen=*/false, [&](auto* base) { return target()->NewWritableFile(f, o, base, dbg); },
      r);
}

IOStatus FaultFs::ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                     std::unique_ptr<rocksdb::FSWritableFile>* r,
                                     IODebugContext* dbg) {
  return OpenWritable(
      f, /*reopen=*/true, [&](auto* base) { return target()->ReopenWritableFile(f, o, base, dbg); },
      r);
}

IOStatus FaultFs::ReuseWritableFile(const std::string& f, const std::string& old,
                                    const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    IODebugContext* dbg) {
  // Log recycling is off in the ledger; support it as delete + create.
  IOStatus s = RenameFile(old, f, IOOptions(), dbg);
  if (!s.ok()) return s;
  return NewWritableFile(f, o, r, dbg);
}

IOStatus FaultFs::NewRandomRWFile(const std::string& f, const rocksdb::FileOptions& o,
                                  std::unique_ptr<rocksdb::FSRandomRWFile>* r,
                                  IODebugContext* dbg) {
  return OpenWrapped<FaultRandomRWFile>(
      this, f, f, r, [&](auto* base) { return target()->NewRandomRWFile(f, o, base, dbg); });
}

IOStatus FaultFs::NewDirectory(const std::string& name, const IOOptions& o,
                               std::unique_ptr<rocksdb::FSDirectory>* r, IODebugContext* dbg) {
  return OpenWrapped<FaultDirectory>(this, name, NormalizeDir(name), r, [&](auto* base) {
    return target()->NewDirectory(name, o, base, dbg);
  });
}

IOStatus FaultFs::RenameFile(const std::string& src, const std::string& dst, const IOOptions& o,
                             IODebugContext* dbg) {
  IOStatus s = Check(FaultOp::kRename, dst);
  if (!s.ok()) return s;
  std::optional<std::string> replaced;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(dst);
    const bool dst_durable = it == files_.end() || it->second.dir_entry_synced;
    std::string content;
    if (dst_durable && ReadWhole(dst, &content)) {
      if (it != files_.end()) {
        uint64_t durable = it->second.synced_bytes;
        if (it->second.lost_from) durable = std::min(durable, *it->second.lost_from);
        if (content.size() > durable) content.resize(durable);
      }
      replaced = std::move(content);
    } else if (it != files_.end()) {
      replaced = it->second.replaced_content;
    }
  }
  s = target()->RenameFile(src, dst, o, dbg);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> l(mu_);
  FileState st;
  if (auto it = files_.find(src); it != files_.end()) {
    st = std::move(it->second);
    files_.erase(it);
  } else {
    uint64_t size = 0;
    FileSize(dst, &size);
    st.size = st.synced_bytes = size;
  }
  st.dir_entry_synced = false;
  st.replaced_content = std::move(replaced);
  files_[dst] = std::move(st);
  return s;
}

IOStatus FaultFs::LinkFile(const std::string& src, const std::string& dst, const IOOptions& o,
                           IODebugContext* dbg) {
  if (power_lost()) return IOStatus::IOError("power lost: " + dst);
  IOStatus s = target()->LinkFile(src, dst, o, dbg);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> l(mu_);
  uint64_t size = 0;
  FileSize(dst, &size);
  FileState st;
  st.size = st.synced_bytes = size;
  files_[dst] = std::move(st);
  return s;
}

IOStatus FaultFs::DeleteFile(const std::string& f, const IOOptions& o, IODebugContext* dbg) {
  if (power_lost()) return IOStatus::IOError("power lost: " + f);
  IOStatus s = target()->DeleteFile(f, o, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    files_.erase(f);
  }
  return s;
}

std::unique_ptr<rocksdb::Env> NewFaultEnv(const std::shared_ptr<FaultFs>& fs) {
  return rocksdb::NewCompositeEnv(fs);
}

}  // namespace ccl::reliability
