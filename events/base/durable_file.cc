// Durable output files (events/base/durable_file.h).
#include "events/base/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <system_error>

namespace ccl::events {

namespace {

Status Errno(const std::string& what, int err) {
  return Status::IOError(what + ": " + std::strerror(err));
}

// "dir/" of `path` (empty for a bare name) and the name after it.
void SplitPath(const std::string& path, std::string* dir, std::string* base) {
  const size_t slash = path.rfind('/');
  *dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  *base = slash == std::string::npos ? path : path.substr(slash + 1);
}

// What a non-regular, non-writable-in-place file is, for a refusal.
const char* RefusedKind(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISBLK(mode)) return "is a block device (a disk), not an output file";
  if (S_ISSOCK(mode)) return "is a socket";
  return nullptr;
}

// Resolves `path` when it is a symbolic link (the whole chain). *target is
// `path` itself when it is not one.
Status ResolveTarget(const std::string& path, std::string* target) {
  *target = path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return Status::OK();
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    if (errno == ENOENT) {
      return Status::IOError(path +
                             ": is a symbolic link to a missing file; refusing to create "
                             "its target (name the file itself)");
    }
    return Errno(path + ": resolving the symbolic link", errno);
  }
  *target = resolved;
  return Status::OK();
}

std::atomic<uint64_t> g_temp_counter{0};

// The descriptor `path` names by spelling, or -1: /dev/stdout, /dev/stderr,
// /dev/fd/N, /proc/self/fd/N, /proc/thread-self/fd/N and /proc/<our pid>/fd/N.
// These are links to whatever this process has open there (a file the shell
// opened, maybe for append; a pipe; a terminal): resolved, they would name a
// file to replace (wiping what the shell had written into it) or a pipe that
// has no path at all.
int StandardStreamDescriptor(const std::string& path) {
  const std::string p = std::filesystem::path(path).lexically_normal().string();
  if (p == "/dev/stdout") return STDOUT_FILENO;
  if (p == "/dev/stderr") return STDERR_FILENO;
  const std::string own = "/proc/" + std::to_string(::getpid()) + "/fd/";
  const std::string prefixes[] = {"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", own};
  for (const std::string& prefix : prefixes) {
    if (p.size() <= prefix.size() || p.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = p.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
      return -1;
    }
    return std::stoi(digits);
  }
  return -1;
}

// Why the temporary file for `path` could not be made in `dir` (errno
// `err`): a missing folder is named as such.
Status CannotCreateIn(const std::string& path, const std::string& dir, int err) {
  const std::string where = dir.empty() ? std::string(".") : dir;
  struct stat dir_st {};
  const bool dir_there = ::stat(where.c_str(), &dir_st) == 0 && S_ISDIR(dir_st.st_mode);
  // ENOENT also comes from a folder that takes no new file (/proc).
  if ((err == ENOENT || err == ENOTDIR) && !dir_there) {
    return Status::IOError(path + ": the directory " + where + " does not exist");
  }
  return Errno(path + ": cannot create a file in " + where, err);
}

}  // namespace

Status DurableFileWriter::Open(const std::string& path, const FileWriteOptions& options,
                               std::unique_ptr<DurableFileWriter>* out) {
  std::unique_ptr<DurableFileWriter> w(new DurableFileWriter());
  w->refuse_existing_ = options.existing == ExistingFile::kRefuse;
  w->final_mode_ = options.mode;
  if (path == "-") {
    *out = OnDescriptor(STDOUT_FILENO, "stdout");
    return Status::OK();
  }
  if (path.empty()) return Status::InvalidArgument("empty file name");
  if (const int fd = StandardStreamDescriptor(path); fd >= 0) {
    // Written in place, where the descriptor stands (its own O_APPEND kept),
    // like "-"; a descriptor that is closed, or open read-only (as a closed
    // standard stream's placeholder is), takes no output.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) return Errno(path + ": descriptor " + std::to_string(fd), errno);
    if ((flags & O_ACCMODE) == O_RDONLY) {
      return Status::IOError(path + ": descriptor " + std::to_string(fd) +
                             " is not open for writing");
    }
    *out = OnDescriptor(fd, path);
    return Status::OK();
  }
  w->name_ = path;
  CCL_RETURN_IF_ERROR(ResolveTarget(path, &w->target_));

  struct stat st {};
  const bool exists = ::lstat(w->target_.c_str(), &st) == 0;
  if (!exists && errno != ENOENT) return Errno(path, errno);
  if (exists && RefusedKind(st.st_mode) != nullptr) {
    return Status::IOError(path + ": " + RefusedKind(st.st_mode));
  }
  if (exists && !S_ISREG(st.st_mode)) {
    // A character device or FIFO: written in place; nothing is created.
    w->fd_ = ::open(w->target_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (w->fd_ < 0) return Errno(path, errno);
    w->owns_fd_ = true;
    struct stat now {};
    if (::fstat(w->fd_, &now) != 0) return Errno(path, errno);
    if (S_ISREG(now.st_mode)) {
      return Status::IOError(path + ": was replaced by a regular file while being opened");
    }
    *out = std::move(w);
    return Status::OK();
  }
  if (exists && w->refuse_existing_) {
    return Status::InvalidArgument(path + ": exists; refusing to overwrite it");
  }
  w->replacing_ = exists;
  if (exists) w->final_mode_ = st.st_mode & 07777;

  std::string dir, base;
  SplitPath(w->target_, &dir, &base);
  if (base.empty()) return Status::IOError(path + ": names a directory, not a file");
  const std::string temp = dir + "." + base + ".tmp-" + std::to_string(::getpid()) + "-" +
                           std::to_string(g_temp_counter.fetch_add(1));
  w->fd_ = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, options.mode);
  if (w->fd_ < 0) return CannotCreateIn(path, dir, errno);
  w->owns_fd_ = true;
  w->temp_ = temp;
  *out = std::move(w);
  return Status::OK();
}

std::unique_ptr<DurableFileWriter> DurableFileWriter::OnDescriptor(int fd, std::string name) {
  assert(fd >= 0);
  std::unique_ptr<DurableFileWriter> w(new DurableFileWriter());
  w->fd_ = fd;
  w->name_ = std::move(name);
  return w;
}

DurableFileWriter::~DurableFileWriter() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
  if (!temp_.empty() && !committed_) ::unlink(temp_.c_str());
}

Status DurableFileWriter::Append(std::string_view data) {
  assert(!committed_);
  return WriteAll(fd_, data, name_);
}

Status DurableFileWriter::Commit() {
  assert(!committed_);
  if (in_place()) {
    committed_ = true;
    // A pipe, terminal or device has nothing to sync: once written, the
    // bytes belong to the reader. A regular file behind stdout is synced.
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && ::fsync(fd_) != 0) {
      return Errno("fsync " + name_, errno);
    }
    return Status::OK();
  }
  // A new file has options.mode less the umask from open(2); a replacement
  // takes the permission bits of the file it replaces.
  if (replacing_ && ::fchmod(fd_, final_mode_) != 0) return Errno("chmod " + temp_, errno);
  if (::fsync(fd_) != 0) return Errno("fsync " + temp_, errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return Errno("close " + temp_, errno);
  if (!refuse_existing_) {
    if (::rename(temp_.c_str(), target_.c_str()) != 0) return Errno("rename to " + name_, errno);
  } else if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) !=
             0) {
    if (errno == EEXIST) {
      return Status::InvalidArgument(name_ + ": exists; refusing to overwrite it");
    }
    return Errno("rename to " + name_, errno);
  }
  committed_ = true;
  return SyncParentDirectory(target_);
}

Status WriteFileDurably(const std::string& path, std::string_view data,
                        const FileWriteOptions& options) {
  std::unique_ptr<DurableFileWriter> w;
  CCL_RETURN_IF_ERROR(DurableFileWriter::Open(path, options, &w));
  CCL_RETURN_IF_ERROR(w->Append(data));
  return w->Commit();
}

Status WriteAll(int fd, std::string_view data, const std::string& name) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write " + name, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status SyncParentDirectory(const std::string& path) {
  std::string dir, base;
  SplitPath(path, &dir, &base);
  return SyncDirectory(dir.empty() ? "." : dir);
}

Status CheckFolderPath(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(path, ec);
  const fs::file_status st = fs::status(path, ec);
  if (fs::is_directory(st)) return Status::OK();
  if (fs::exists(st)) return Status::InvalidArgument(path + " exists and is not a folder");
  if (fs::is_symlink(link)) {
    return Status::InvalidArgument(path + " is a symbolic link to " +
                                   fs::read_symlink(path, ec).string() + ", which does not exist");
  }
  // Missing: the nearest part of it that exists must be a folder.
  for (fs::path p = fs::path(path).parent_path(); !p.empty() && p != p.parent_path();
       p = p.parent_path()) {
    const fs::file_status part = fs::status(p, ec);
    if (!fs::exists(part)) continue;
    if (fs::is_directory(part)) return Status::OK();
    return Status::InvalidArgument(path + ": " + p.string() + " is not a folder");
  }
  return Status::OK();
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open directory " + dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Errno("fsync directory " + dir, err);
  return Status::OK();
}

uint64_t DirectoryBytes(const std::string& path) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const uint64_t n = it->file_size(size_ec);
      if (!size_ec) total += n;
    }
  }
  return total;
}

bool IsSameFile(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty() || a == "-" || b == "-") return false;
  if (IsSameOrInside(a, b) && IsSameOrInside(b, a)) return true;
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

bool IsSameOrInside(const std::string& path, const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) return false;
  const fs::path f = fs::weakly_canonical(fs::absolute(folder, ec), ec);
  if (ec || f.empty()) return false;
  auto f_end = f.end();
  if (std::prev(f_end)->empty()) --f_end;  // a trailing '/' of a folder not made yet
  return std::mismatch(f.begin(), f_end, p.begin(), p.end()).first == f_end;
}

}  // namespace ccl::events
