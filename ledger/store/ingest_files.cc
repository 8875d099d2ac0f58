// The files of a bulk append taken in parts (IngestFiles, ingest_files.h).
//
// The appending thread checks, encodes and hashes each event and appends its
// spill record to a buffer; a thread of its own writes full buffers into the
// `events` and `chain` SST files (compression, block building) and the spill.
// Reads of the spill see the buffers first: an event just added is found
// there before it reaches the file.
#include <fcntl.h>
#include <rocksdb/db.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "events/base/durable_file.h"
#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

namespace {

// The appending thread hands the writer this many spill bytes at a time.
constexpr size_t kHandBytes = 2u << 20;
// A read ahead of the spill file takes at least this many bytes.
constexpr size_t kReadAheadBytes = 1u << 20;

}  // namespace

Status IngestFiles::Create(const std::string& dir, const rocksdb::Options& events_options,
                           rocksdb::ColumnFamilyHandle* events,
                           const rocksdb::Options& chain_options,
                           rocksdb::ColumnFamilyHandle* chain, std::unique_ptr<IngestFiles>* out) {
  assert(events != nullptr && chain != nullptr);
  RemoveIngestScratch(dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("create " + dir + ": " + ec.message());
  std::unique_ptr<IngestFiles> f(new IngestFiles());
  f->dir_ = dir;  // from here on the destructor removes what was created
  f->events_cf_ = events;
  f->chain_cf_ = chain;
  f->events_ = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(events_options),
                                                        events_options, events);
  f->chain_ = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(chain_options),
                                                       chain_options, chain);
  CCL_RETURN_IF_ERROR(FromRocks(f->events_->Open(ScratchFile(dir, kCfEvents)), "write " + dir));
  CCL_RETURN_IF_ERROR(FromRocks(f->chain_->Open(ScratchFile(dir, kCfChain)), "write " + dir));
  const std::string spill = SpillFile(dir);
  f->spill_fd_ = ::open(spill.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (f->spill_fd_ < 0) return Status::IOError(spill + ": " + std::strerror(errno));
  f->fill_.spill.reserve(kHandBytes + (64u << 10));
  f->thread_ = std::thread([p = f.get()] { p->WriteLoop(); });
  *out = std::move(f);
  return Status::OK();
}

IngestFiles::~IngestFiles() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  if (map_ != nullptr) ::munmap(const_cast<char*>(map_), spill_size_);
  if (spill_fd_ >= 0) ::close(spill_fd_);
  // Unfinished writers abandon their files; they are removed below.
  events_.reset();
  chain_.reset();
  RemoveIngestScratch(dir_);
}

void IngestFiles::WriteLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return busy_ || stop_; });
    if (!busy_) return;  // stopped with nothing left to write
    lock.unlock();
    // flying_ is this thread's while busy_: the appending thread only reads it.
    Status s = write_status_.ok() ? WriteBuffer(flying_) : Status::OK();
    lock.lock();
    if (write_status_.ok()) write_status_ = s;
    busy_ = false;
    cv_.notify_all();
  }
}

Status IngestFiles::WriteBuffer(const Buffer& b) {
  size_t at = 0;
  for (size_t i = 0; i < b.sizes.size(); ++i) {
    assert(at + b.sizes[i] <= b.spill.size() && b.sizes[i] >= 8);
    const rocksdb::Slice key(b.spill.data() + at, 8);  // BE64(seq): the seq key
    const rocksdb::Slice bytes(b.spill.data() + at + 8, b.sizes[i] - 8);
    CCL_RETURN_IF_ERROR(FromRocks(events_->Put(key, bytes), "write " + dir_));
    CCL_RETURN_IF_ERROR(FromRocks(
        chain_->Put(key, rocksdb::Slice(reinterpret_cast<const char*>(b.chains[i].data()), 32)),
        "write " + dir_));
    at += b.sizes[i];
  }
  return events::WriteAll(spill_fd_, b.spill, SpillFile(dir_));
}

Status IngestFiles::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !busy_; });
  return write_status_;
}

Status IngestFiles::Hand() {
  CCL_RETURN_IF_ERROR(Drain());
  {
    std::lock_guard<std::mutex> l(mu_);
    std::swap(fill_, flying_);
    busy_ = true;
  }
  cv_.notify_all();
  fill_.at = spill_size_;
  fill_.spill.clear();
  fill_.sizes.clear();
  fill_.chains.clear();
  return Status::OK();
}

Status IngestFiles::Add(uint64_t seq, std::string_view bytes, const Hash& chain, size_t* copy_at) {
  assert(thread_.joinable());
  *copy_at = spill_size_;
  AppendBE64(seq, &fill_.spill);
  fill_.spill.append(bytes);
  fill_.sizes.push_back(static_cast<uint32_t>(8 + bytes.size()));
  fill_.chains.push_back(chain);
  spill_size_ += 8 + bytes.size();
  ++added_;
  return fill_.spill.size() >= kHandBytes ? Hand() : Status::OK();
}

Status IngestFiles::Read(size_t at, size_t n, bool ahead, std::string_view* out) {
  assert(at + n <= spill_size_);
  if (map_ != nullptr) {
    *out = std::string_view(map_ + at, n);
    return Status::OK();
  }
  if (at >= window_at_ && at + n <= window_at_ + window_.size()) {
    *out = std::string_view(window_).substr(at - window_at_, n);
    return Status::OK();
  }
  if (at >= fill_.at) {  // not handed over yet
    *out = std::string_view(fill_.spill).substr(at - fill_.at, n);
    return Status::OK();
  }
  bool flying = false;
  size_t in_file = 0;  // the spill file holds [0, in_file)
  {
    std::lock_guard<std::mutex> l(mu_);
    // After a failed write the file holds less than was handed over (the
    // writer skips what follows): its error is the cause, not the short file.
    if (!write_status_.ok()) return write_status_;
    flying = busy_ && at >= flying_.at;
    in_file = busy_ ? flying_.at : fill_.at;
  }
  size_t want = n;
  if (flying) {
    // Being written: the thread only reads it too. Copied, as the next Add
    // may hand it back for refilling.
    window_.assign(flying_.spill, at - flying_.at, n);
  } else {
    assert(at + n <= in_file);
    if (ahead) want = std::min(std::max(n, kReadAheadBytes), in_file - at);
    window_.resize(want);
    for (size_t done = 0; done < want;) {
      const ssize_t r =
          ::pread(spill_fd_, window_.data() + done, want - done, static_cast<off_t>(at + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        window_.clear();
        return Status::IOError(SpillFile(dir_) + ": read: " +
                               (r < 0 ? std::strerror(errno) : "unexpected end of file"));
      }
      done += static_cast<size_t>(r);
    }
  }
  window_at_ = at;
  *out = std::string_view(window_).substr(0, n);
  return Status::OK();
}

std::string_view IngestFiles::Intern(std::string_view contract) {
  auto it = contracts_.find(contract);
  if (it == contracts_.end()) it = contracts_.emplace(contract).first;
  return *it;
}

Status IngestFiles::FinishTables(std::vector<rocksdb::IngestExternalFileArg>* args) {
  if (!fill_.sizes.empty()) CCL_RETURN_IF_ERROR(Hand());
  CCL_RETURN_IF_ERROR(Drain());
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (added_ == 0) return Status::OK();  // an empty table cannot be finished
  CCL_RETURN_IF_ERROR(FromRocks(events_->Finish(), "write " + dir_));
  CCL_RETURN_IF_ERROR(FromRocks(chain_->Finish(), "write " + dir_));
  args->push_back(IngestArg(events_cf_, ScratchFile(dir_, kCfEvents)));
  args->push_back(IngestArg(chain_cf_, ScratchFile(dir_, kCfChain)));
  // The spill is whole now (the thread wrote every buffer and stopped).
  // Mapped, the `streams` table reads its values in key order straight from
  // the page cache: no copy into a buffer of its own. Without a mapping the
  // reads go through pread as before.
  void* m = ::mmap(nullptr, spill_size_, PROT_READ, MAP_SHARED, spill_fd_, 0);
  if (m != MAP_FAILED) map_ = static_cast<const char*>(m);
  return Status::OK();
}

}  // namespace ccl::ledger
