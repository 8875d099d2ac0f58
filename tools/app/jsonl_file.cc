// See jsonl_file.h.
#include "tools/app/jsonl_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <thread>

#include "events/base/limits.h"
#include "events/model/json.h"
#include "tools/app/event_readers.h"
#include "tools/app/import.h"

namespace ccl::app {

using events::Event;

void EventArray::Allocate(size_t n, size_t ranges) {
  Reset();
  data_ = static_cast<Event*>(::operator new(std::max<size_t>(n, 1) * sizeof(Event)));
  constructed_.assign(ranges, {0, 0});
}

void EventArray::Construct(size_t range, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) new (&data_[i]) Event();
  constructed_[range] = {begin, end};
}

void EventArray::Reset() {
  if (data_ == nullptr) return;
  for (const auto& [begin, end] : constructed_) {
    for (size_t i = begin; i < end; ++i) data_[i].~Event();
  }
  ::operator delete(data_);
  data_ = nullptr;
  constructed_.clear();
}

namespace {

// The file's bytes, read with large reads into memory that is not zeroed
// first (a std::string would write every byte twice).
struct FileText {
  std::unique_ptr<char[]> data;
  size_t size = 0;
};

Status ReadWholeFile(const std::string& path, FileText* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  struct stat st;
  size_t capacity = (::fstat(fd, &st) == 0 && st.st_size > 0) ? st.st_size + 1 : 1 << 20;
  out->data.reset(new char[capacity]);
  out->size = 0;
  constexpr size_t kChunkBytes = 8u << 20;
  Status s;
  for (;;) {
    if (out->size == capacity) {  // the file grew while we read it
      capacity *= 2;
      std::unique_ptr<char[]> bigger(new char[capacity]);
      std::memcpy(bigger.get(), out->data.get(), out->size);
      out->data = std::move(bigger);
    }
    const ssize_t n =
        ::read(fd, out->data.get() + out->size, std::min(kChunkBytes, capacity - out->size));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      s = Status::IOError(path + ": read: " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    out->size += static_cast<size_t>(n);
  }
  ::close(fd);
  return s;
}

// One contiguous range of whole lines, handled by one thread.
struct Part {
  size_t begin = 0;  // byte offsets in the text
  size_t end = 0;
  uint64_t line_count = 0;  // lines in [begin, end), blank ones included
  uint64_t first_line = 1;
  Status status;  // the part's first error
  uint64_t error_line = 0;
  size_t blank_lines = 0;
};

uint64_t CountLines(std::string_view text) {
  uint64_t n = 0;
  for (const char *p = text.data(), *end = p + text.size(); p < end; ++n) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (nl == nullptr) return n + 1;  // last line without '\n'
    p = static_cast<const char*>(nl) + 1;
  }
  return n;
}

// Parses the lines of `part` into events[first_line - 1 ...]; a blank line's
// slot gets line 0 and is compacted away afterwards.
void ParsePart(std::string_view text, Part* part, JsonlFile* out) {
  events::JsonEventParser parser;
  uint64_t line = part->first_line;
  for (size_t pos = part->begin; pos < part->end; ++line) {
    const char* start = text.data() + pos;
    const void* nl = std::memchr(start, '\n', part->end - pos);
    const size_t len =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) : part->end - pos;
    pos += len + 1;
    const size_t slot = static_cast<size_t>(line - 1);
    bool blank = false;
    // The byte order mark is already skipped: the text starts after it.
    Status s =
        ParseJsonLine(&parser, std::string_view(start, len), 0, &out->events.data()[slot], &blank);
    if (!s.ok()) {
      part->status = s;
      part->error_line = line;
      return;
    }
    if (blank) {
      out->lines[slot] = 0;
      ++part->blank_lines;
      continue;
    }
    out->lines[slot] = line;
  }
}

// Runs fn(i) for every part, part 0 on this thread.
template <typename Fn>
void ForEachPart(std::vector<Part>* parts, const Fn& fn) {
  if (parts->empty()) return;
  std::vector<std::thread> helpers;
  for (size_t i = 1; i < parts->size(); ++i) helpers.emplace_back(fn, i);
  fn(0);
  for (std::thread& t : helpers) t.join();
}

// Blank lines leave empty slots (line 0) among the `total` parsed: moves the
// events after them down, so out->events[0..out->count) are the events.
void CloseBlankLineGaps(const std::vector<Part>& parts, size_t total, JsonlFile* out) {
  size_t blank_lines = 0;
  for (const Part& p : parts) blank_lines += p.blank_lines;
  out->count = total;
  if (blank_lines == 0) return;
  Event* events = out->events.data();
  size_t j = 0;
  for (size_t i = 0; i < total; ++i) {
    if (out->lines[i] == 0) continue;
    if (i != j) {
      std::swap(events[i], events[j]);
      out->lines[j] = out->lines[i];
    }
    ++j;
  }
  out->count = j;
}

}  // namespace

Status ParseJsonlFile(const std::string& path, size_t threads, const ImportProgress& progress,
                      JsonlFile* out) {
  if (progress.on_phase) progress.on_phase(path, "reading", 0);
  FileText file;
  CCL_RETURN_IF_ERROR(ReadWholeFile(path, &file));
  const std::string_view text(file.data.get(), file.size);
  const size_t begin = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;

  // Split into parts of about equal bytes at line ends; small files (where
  // a thread costs more than it saves) stay whole.
  constexpr size_t kBytesPerThreadMin = 512u << 10;
  const size_t n_parts =
      std::max<size_t>(1, std::min(threads, (text.size() - begin) / kBytesPerThreadMin));
  std::vector<Part> parts;
  size_t start = begin;
  for (size_t k = 1; k <= n_parts && start < text.size(); ++k) {
    size_t end = text.size();
    if (k < n_parts) {
      const size_t target = std::max(start, begin + (text.size() - begin) * k / n_parts);
      const size_t nl = text.find('\n', target);
      end = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    Part p;
    p.begin = start;
    p.end = end;
    parts.push_back(p);
    start = end;
  }

  // Count, number, allocate, then construct and parse: each in parallel.
  ForEachPart(&parts, [&](size_t i) {
    parts[i].line_count = CountLines(text.substr(parts[i].begin, parts[i].end - parts[i].begin));
  });
  uint64_t total = 0;
  for (Part& p : parts) {
    p.first_line = total + 1;
    total += p.line_count;
  }
  if (total > limits::kEventsPerBatchMax) {
    return Status::InvalidArgument("more than " + std::to_string(limits::kEventsPerBatchMax) +
                                   " lines: one atomic append cannot hold them; split it with "
                                   "--batch N")
        .WithLocation(path, 0);
  }
  out->events.Allocate(total, parts.size());
  out->lines.assign(total, 0);
  if (progress.on_phase) progress.on_phase(path, "parsing", total);
  ForEachPart(&parts, [&](size_t i) {
    const size_t first = static_cast<size_t>(parts[i].first_line - 1);
    out->events.Construct(i, first, first + parts[i].line_count);
    ParsePart(text, &parts[i], out);
  });
  if (progress.on_progress) progress.on_progress(total);
  for (const Part& p : parts) {
    if (!p.status.ok()) return p.status.WithLocation(path, p.error_line);
  }

  CloseBlankLineGaps(parts, static_cast<size_t>(total), out);
  return Status::OK();
}

}  // namespace ccl::app
