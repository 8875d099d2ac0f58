// Writing an output file that a user named, durably and without harming
// anything else: the one place where the product writes a whole file (feed
// and report --out, digests and proofs, key files, backup digests,
// checkpoints). Plain POSIX calls, so each step reports its own error.
//
// What happens depends on what `path` is when the writer opens it:
//   "-"                 standard output, written in place (never closed).
//   /dev/stdout,        the descriptor they name in this process (1, 2, N),
//   /dev/stderr,        written in place where it stands, never resolved to
//   /dev/fd/N,          a path (a file behind it is not replaced: the shell
//   /proc/self/fd/N     may have written to it, or opened it for append; a
//                       pipe has no path). A closed or read-only descriptor
//                       is refused. Also /proc/thread-self/fd/N and
//                       /proc/<own pid>/fd/N.
//   missing             a new file: the bytes go to a temporary file in the
//                       same directory ("<dir>/.<name>.tmp-<pid>-<n>", created
//                       with the final mode), which Commit fsyncs, renames to
//                       `path` and makes durable with an fsync of the
//                       directory. Until Commit, `path` does
//                       not exist; a writer destroyed without Commit removes
//                       its temporary file, so nothing is left behind.
//   regular file        replaced the same way, atomically: a reader sees the
//                       old or the new bytes, never a mix. The new file keeps
//                       the old one's permission bits. (Other hard links keep
//                       the old bytes.) With ExistingFile::kRefuse it is not
//                       touched: InvalidArgument "exists; refusing to overwrite".
//   symbolic link       resolved (every link of the chain); its final target
//                       is then written as above: a regular target replaced
//                       atomically in its own directory, a device written in
//                       place. The link itself is never replaced. A dangling
//                       link is refused: it would create a file somewhere the
//                       user did not name.
//   character device,   written in place (open without O_CREAT or O_TRUNC;
//   FIFO                no temporary file, no rename, nothing created), so
//                       `--out /dev/null` or a named pipe work and stay what
//                       they are.
//   directory, block    refused, naming what it is. A block device is a disk,
//   device, socket      never an output file.
// Every refusal and failure to open is IOError naming the path (a missing or
// unwritable directory: the directory and the errno text), with nothing
// created, except an existing file under kRefuse: InvalidArgument.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "events/base/status.h"

namespace ccl::events {

enum class ExistingFile {
  kReplace,  // replace an existing regular file atomically
  kRefuse,   // never replace one (published digests, proofs, key files)
};

struct FileWriteOptions {
  ExistingFile existing = ExistingFile::kReplace;
  // Permission bits of a newly created file (less the umask). A replaced file
  // keeps its own; a device or FIFO is never changed.
  mode_t mode = 0644;
};

class DurableFileWriter {
 public:
  // Opens `path` as described at the top of this file: IOError for a target
  // that must not or cannot be written, InvalidArgument for an existing file
  // under kRefuse.
  [[nodiscard]] static Status Open(const std::string& path, const FileWriteOptions& options,
                                   std::unique_ptr<DurableFileWriter>* out);

  // An open descriptor (not owned, never closed), written in place like a
  // device; `name` is used in messages.
  static std::unique_ptr<DurableFileWriter> OnDescriptor(int fd, std::string name);

  // Without Commit: removes the temporary file (if any); closes what it opened.
  ~DurableFileWriter();
  DurableFileWriter(const DurableFileWriter&) = delete;
  DurableFileWriter& operator=(const DurableFileWriter&) = delete;

  // Writes all of `data` (unbuffered: one write(2) loop per call, so callers
  // buffer). IOError naming the output.
  [[nodiscard]] Status Append(std::string_view data);
  // Makes the bytes durable and visible: fsync, rename over the target and
  // fsync of its directory for a file; fsync of a regular file behind "-";
  // nothing more for a device or FIFO. REQUIRES: not committed yet.
  [[nodiscard]] Status Commit();

  // The name used in messages: `path` as given ("stdout" for "-").
  const std::string& name() const { return name_; }
  // True when the bytes go straight to the target (stdout, device, FIFO).
  bool in_place() const { return temp_.empty(); }

 private:
  DurableFileWriter() = default;

  int fd_ = -1;
  bool owns_fd_ = false;
  bool committed_ = false;
  bool refuse_existing_ = false;
  bool replacing_ = false;    // an existing regular file is being replaced
  std::string name_;          // for messages
  std::string target_;        // the file finally written (symlinks resolved)
  std::string temp_;          // the temporary file; empty when in place
  mode_t final_mode_ = 0644;  // of a replaced file: the old one's bits
};

// Open + Append + Commit of a whole text.
[[nodiscard]] Status WriteFileDurably(const std::string& path, std::string_view data,
                                      const FileWriteOptions& options = FileWriteOptions());

// write(2) of all of `data`, retrying on EINTR and short writes. IOError
// "write NAME: <errno text>".
[[nodiscard]] Status WriteAll(int fd, std::string_view data, const std::string& name);

// fsyncs the directory `dir`, making the entries created, renamed or
// removed in it durable. IOError naming the directory.
[[nodiscard]] Status SyncDirectory(const std::string& dir);

// fsyncs the directory holding `path`, making a rename into it durable.
[[nodiscard]] Status SyncParentDirectory(const std::string& path);

// OK when `path` is a folder, or does not exist and could be made one;
// else InvalidArgument saying why, in the words of the path given:
// "<path> exists and is not a folder", "<path>: <part> is not a folder" (a
// part of it is a file), "<path> is a symbolic link to <target>, which does
// not exist". A user who named a file for a folder gets exit 1, not an I/O
// error about a name below it. Changes nothing.
[[nodiscard]] Status CheckFolderPath(const std::string& path);

// Total size in bytes of the regular files under directory `path` (links not
// followed); what cannot be read counts as nothing, so a size shown beside
// other figures never fails them.
uint64_t DirectoryBytes(const std::string& path);

// Whether `path` is `folder` or lies inside it, both resolved (made
// absolute; symlinks, "." and ".." resolved as far as the path exists) and
// compared by path elements, so "db2" is not inside "db". False when either
// cannot be resolved: whoever then opens the path reports what is wrong.
bool IsSameOrInside(const std::string& path, const std::string& folder);

// Whether `a` and `b` name one file: the same path resolved as IsSameOrInside
// resolves it, or, both existing, the same inode (a hard link).
bool IsSameFile(const std::string& a, const std::string& b);

}  // namespace ccl::events
