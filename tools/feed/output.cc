// Feed outputs (tools/feed/output.h): plain POSIX calls, so each step that
// can fail (write, fsync, rename, directory fsync) reports its own error.
#include "tools/feed/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tools/feed/checkpoint.h"

namespace ccl::feed {

namespace {

// Large enough that write(2) calls are rare, small enough to stay in cache.
constexpr size_t kBufferBytes = 1 << 20;

Status Errno(const std::string& what, const std::string& name) {
  return Status::IOError(what + " " + name + ": " + std::strerror(errno));
}

class DescriptorOutput : public FeedOutput {
 public:
  DescriptorOutput(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
    buffer_.reserve(kBufferBytes);
  }

  Status Append(std::string_view data) override {
    if (committed_) return Status::IOError(name_ + ": append after commit");
    bytes_ += data.size();
    buffer_.append(data);
    if (buffer_.size() >= kBufferBytes) return Flush();
    return Status::OK();
  }

  Status Commit() override {
    CCL_RETURN_IF_ERROR(Flush());
    committed_ = true;
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && ::fsync(fd_) != 0) {
      return Errno("fsync", name_);
    }
    return Status::OK();
  }

  uint64_t bytes() const override { return bytes_; }

  Status Flush() override {
    Status s = WriteAll(fd_, buffer_, name_);
    buffer_.clear();
    return s;
  }

 protected:
  int fd_;
  std::string name_;
  std::string buffer_;
  uint64_t bytes_ = 0;
  bool committed_ = false;
};

class AtomicFileOutput final : public DescriptorOutput {
 public:
  AtomicFileOutput(int fd, std::string path, std::string temp)
      : DescriptorOutput(fd, path), path_(std::move(path)), temp_(std::move(temp)) {}

  ~AtomicFileOutput() override {
    if (fd_ >= 0) ::close(fd_);
    if (!renamed_) ::unlink(temp_.c_str());
  }

  Status Commit() override {
    CCL_RETURN_IF_ERROR(Flush());
    committed_ = true;
    if (::fsync(fd_) != 0) return Errno("fsync", temp_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Errno("close", temp_);
    if (::rename(temp_.c_str(), path_.c_str()) != 0) return Errno("rename to", path_);
    renamed_ = true;
    return SyncParentDirectory(path_);
  }

 private:
  std::string path_;
  std::string temp_;
  bool renamed_ = false;
};

}  // namespace

Status WriteAll(int fd, std::string_view data, const std::string& name) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", name);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

std::unique_ptr<FeedOutput> FeedOutput::ToDescriptor(int fd, std::string name) {
  return std::make_unique<DescriptorOutput>(fd, std::move(name));
}

Status FeedOutput::ToFile(const std::string& path, std::unique_ptr<FeedOutput>* out) {
  std::string temp = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", temp);
  *out = std::make_unique<AtomicFileOutput>(fd, path, std::move(temp));
  return Status::OK();
}

}  // namespace ccl::feed
