// Where an export's bytes go, and the point at which they count as delivered.
// The feed advances its checkpoint only after Commit() returned OK, so every
// byte of a run is in the file (and on disk) or handed to the reading process
// before the consumer's place moves.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "events/base/status.h"

namespace ccl::feed {

class FeedOutput {
 public:
  // Writes to an open descriptor (stdout), not owned. Bytes go out as the
  // buffer fills; Commit writes the rest and, when `fd` is a regular file,
  // fsyncs it (a pipe or terminal has nothing to sync: once written, the
  // bytes belong to the reader).
  static std::unique_ptr<FeedOutput> ToDescriptor(int fd, std::string name);

  // Writes to `path` ("-": stdout) through events::DurableFileWriter: a
  // regular file (new, or the target of a symbolic link) is replaced
  // atomically at Commit and untouched until then; a character device or FIFO
  // is written in place; a directory or block device is refused. An output
  // destroyed without Commit leaves nothing behind. IOError naming the file
  // when it cannot or must not be written.
  static Status ToFile(const std::string& path, std::unique_ptr<FeedOutput>* out);

  virtual ~FeedOutput() = default;

  // Appends bytes (buffered; may write). IOError naming the output.
  virtual Status Append(std::string_view data) = 0;
  // Writes what is buffered (descriptors, devices and FIFOs: the reader sees
  // it now; regular files: still invisible until Commit). IOError naming the
  // output.
  virtual Status Flush() = 0;
  // Makes everything appended durable/delivered as described above. After
  // Commit the output takes no more bytes.
  virtual Status Commit() = 0;
  // Bytes appended so far.
  virtual uint64_t bytes() const = 0;
};

}  // namespace ccl::feed
