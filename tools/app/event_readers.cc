// The import readers (tools/app/event_readers.h).
#include "tools/app/event_readers.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>

#include "events/base/limits.h"
#include "events/base/quote.h"

namespace ccl::app {

using events::Event;

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

Status LineTooLong() {
  return Status::InvalidArgument("line longer than " + std::to_string(limits::kJsonLineBytesMax) +
                                 " bytes");
}

}  // namespace

Status ParseJsonLine(events::JsonEventParser* parser, std::string_view text, uint64_t line,
                     Event* e, bool* blank, std::string_view default_actor) {
  assert(parser != nullptr && e != nullptr && blank != nullptr);
  if (line == 1 && text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.size() > limits::kJsonLineBytesMax) return LineTooLong();
  *blank = text.find_first_not_of(" \t") == std::string_view::npos;
  if (*blank) return Status::OK();
  return parser->Parse(text, e, default_actor);
}

Status CheckUtf8Input(std::string_view head) {
  const char* encoding =
      head.starts_with("\xFF\xFE")   ? "UTF-16 little-endian (byte order mark FF FE)"
      : head.starts_with("\xFE\xFF") ? "UTF-16 big-endian (byte order mark FE FF)"
                                     : nullptr;
  if (encoding == nullptr) return Status::OK();
  return Status::InvalidArgument(std::string("the input is encoded as ") + encoding +
                                 "; import reads UTF-8 only: convert it first (e.g. iconv -f "
                                 "UTF-16 -t UTF-8)");
}

Status CsvTypeOf(const std::string& name, std::optional<events::EventType>* type) {
  type->reset();
  if (name.empty()) return Status::OK();
  events::EventType t;
  if (!events::EventTypeFromName(name, &t)) {
    return Status::InvalidArgument("option '--type': unknown event type " +
                                   events::QuoteForMessage(name));
  }
  *type = t;
  return Status::OK();
}

// ---------------------------------------------------------------- JSON Lines, file

JsonlFileReader::~JsonlFileReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status JsonlFileReader::Open(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return Status::IOError(path + ": " + std::strerror(errno));
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  buf_size_ = kChunkBytes + limits::kJsonLineBytesMax + 2;
  buf_ = std::make_unique_for_overwrite<char[]>(buf_size_);
  return Status::OK();
}

Status JsonlFileReader::Next(Event* e, bool* done) {
  for (;;) {
    const char* start = buf_.get() + begin_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    std::string_view text;
    if (nl == nullptr) {
      if (!eof_) {
        if (end_ - begin_ > limits::kJsonLineBytesMax + 1) {
          line_ = next_line_;
          return LineTooLong();
        }
        CCL_RETURN_IF_ERROR(Fill());
        continue;
      }
      if (begin_ == end_) {
        *done = true;
        return Status::OK();
      }
      text = std::string_view(start, end_ - begin_);  // last line, no '\n'
      begin_ = end_;
    } else {
      text = std::string_view(start, static_cast<size_t>(nl - start));
      begin_ += text.size() + 1;
    }
    line_ = next_line_++;
    bool blank = false;
    CCL_RETURN_IF_ERROR(ParseJsonLine(&parser_, text, line_, e, &blank));
    if (blank) continue;
    *done = false;
    return Status::OK();
  }
}

// Moves the unread tail to the front and reads the next chunk after it.
Status JsonlFileReader::Fill() {
  const size_t tail = end_ - begin_;
  if (begin_ > 0 && tail > 0) std::memmove(buf_.get(), buf_.get() + begin_, tail);
  begin_ = 0;
  end_ = tail;
  const size_t want = std::min(kChunkBytes, buf_size_ - end_);
  ssize_t n;
  do {
    n = ::read(fd_, buf_.get() + end_, want);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Status::IOError(std::string("read: ") + std::strerror(errno));
  if (n == 0) eof_ = true;
  end_ += static_cast<size_t>(n);
  return Status::OK();
}

// ---------------------------------------------------------------- JSON Lines, memory

Status JsonlTextReader::Next(Event* e, bool* done) {
  while (pos_ < text_.size()) {
    const size_t nl = text_.find('\n', pos_);
    const size_t end = nl == std::string_view::npos ? text_.size() : nl;
    const std::string_view text = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    ++line_;
    bool blank = false;
    CCL_RETURN_IF_ERROR(ParseJsonLine(&parser_, text, line_, e, &blank, default_actor_));
    if (blank) continue;
    *done = false;
    return Status::OK();
  }
  *done = true;
  return Status::OK();
}

// ---------------------------------------------------------------- JSON array, memory

void JsonArrayReader::SkipSpace() {
  if (pos_ == 0 && text_.starts_with(kUtf8Bom)) pos_ = kUtf8Bom.size();
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '\n') {
      ++next_line_;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      return;
    }
    ++pos_;
  }
}

size_t JsonArrayReader::ObjectEnd() const {
  assert(pos_ < text_.size() && text_[pos_] == '{');
  const size_t end = events::JsonValueEnd(text_.substr(pos_, limits::kJsonLineBytesMax + 1));
  return end == std::string_view::npos ? end : pos_ + end;
}

Status JsonArrayReader::Next(Event* e, bool* done) {
  SkipSpace();
  line_ = next_line_;
  if (!opened_) {
    if (pos_ >= text_.size() || text_[pos_] != '[') {
      return Status::InvalidArgument("expected a JSON array of events ('[')");
    }
    opened_ = true;
    ++pos_;
    SkipSpace();
    line_ = next_line_;
    if (pos_ < text_.size() && text_[pos_] == ']') {
      closed_ = true;
      ++pos_;
    }
  } else if (!closed_) {
    if (pos_ < text_.size() && text_[pos_] == ']') {
      closed_ = true;
      ++pos_;
    } else if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      SkipSpace();
      line_ = next_line_;
    } else {
      return Status::InvalidArgument("expected ',' or ']' after an event of the array");
    }
  }
  if (closed_) {
    SkipSpace();
    if (pos_ < text_.size()) return Status::InvalidArgument("text after the end of the array");
    *done = true;
    return Status::OK();
  }
  if (pos_ >= text_.size() || text_[pos_] != '{') {
    return Status::InvalidArgument("expected an event object ('{') in the array");
  }
  const size_t end = ObjectEnd();
  if (end == std::string_view::npos) {
    return Status::InvalidArgument("event object not closed within " +
                                   std::to_string(limits::kJsonLineBytesMax) + " bytes");
  }
  const std::string_view object = text_.substr(pos_, end - pos_);
  for (char c : object) next_line_ += c == '\n';
  pos_ = end;
  ++elements_;
  CCL_RETURN_IF_ERROR(parser_.Parse(object, e, default_actor_)
                          .WithContext("event " + std::to_string(elements_) + " of the array"));
  *done = false;
  return Status::OK();
}

// ---------------------------------------------------------------- CSV

Status CsvTextReader::Open(std::string_view text, std::optional<events::EventType> type) {
  line_ = 1;
  return reader_.Open(text, type);
}

Status CsvTextReader::Next(Event* e, bool* done) {
  size_t line = line_;
  Status s = reader_.Next(e, &line, done);
  if (!s.ok() || !*done) line_ = line;
  return s;
}

CsvFileReader::~CsvFileReader() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

Status CsvFileReader::Open(const std::string& path, std::optional<events::EventType> type,
                           const std::string& name) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IOError(path + ": " + std::strerror(err));
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return Status::IOError(path + ": mmap: " + std::strerror(err));
    }
    data_ = p;
    ::madvise(p, size_, MADV_SEQUENTIAL);
  }
  ::close(fd);
  const std::string_view text(static_cast<const char*>(data_), data_ == nullptr ? 0 : size_);
  return csv_.Open(text, type).WithLocation(name.empty() ? path : name, 1);
}

}  // namespace ccl::app
