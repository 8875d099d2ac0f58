// Import of JSON Lines (and registered formats) as atomic batches, and the
// text helpers of the ledger commands. See ledger_io.h.
#include "tools/ledgerctl/ledger_io.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include "events/json.h"
#include "events/limits.h"
#include "events/money.h"
#include "events/time_format.h"
#include "events/uuid.h"
#include "tools/progress.h"

namespace ccl::tools {

using events::Event;
using events::EventType;

namespace {

std::vector<std::pair<std::string, EventReaderFactory>>& ImportReaders() {
  static auto* readers = new std::vector<std::pair<std::string, EventReaderFactory>>();
  return *readers;
}

bool EndsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    char a = s[s.size() - suffix.size() + i];
    char b = suffix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a | 0x20);
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b | 0x20);
    if (a != b) return false;
  }
  return true;
}

// JSON Lines through large reads: the file is read in 8 MiB chunks and split
// on '\n' in place, so a line is parsed straight out of the read buffer.
// Blank lines are skipped; a UTF-8 byte order mark at the start is skipped;
// "\r\n" line ends are accepted.
class JsonlReader final : public EventReader {
 public:
  static constexpr size_t kChunkBytes = 8u << 20;

  ~JsonlReader() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Status::IOError(path + ": " + std::strerror(errno));
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    buf_.resize(kChunkBytes + limits::kJsonLineBytesMax + 2);
    return Status::OK();
  }

  Status Next(Event* e, bool* done) override {
    for (;;) {
      const char* start = buf_.data() + begin_;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
      std::string_view text;
      if (nl == nullptr) {
        if (!eof_) {
          if (end_ - begin_ > limits::kJsonLineBytesMax + 1) return LineTooLong(next_line_);
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
      if (line_ == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.size() > limits::kJsonLineBytesMax) return LineTooLong(line_);
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
      CCL_RETURN_IF_ERROR(parser_.Parse(text, e));
      *done = false;
      return Status::OK();
    }
  }

  uint64_t line() const override { return line_; }

 private:
  Status LineTooLong(uint64_t line) {
    line_ = line;
    return Status::InvalidArgument("line longer than " + std::to_string(limits::kJsonLineBytesMax) +
                                   " bytes");
  }

  // Moves the unread tail to the front and reads the next chunk after it.
  Status Fill() {
    const size_t tail = end_ - begin_;
    if (begin_ > 0 && tail > 0) std::memmove(buf_.data(), buf_.data() + begin_, tail);
    begin_ = 0;
    end_ = tail;
    const size_t want = std::min(kChunkBytes, buf_.size() - end_);
    ssize_t n;
    do {
      n = ::read(fd_, buf_.data() + end_, want);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Status::IOError(std::string("read: ") + std::strerror(errno));
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
    return Status::OK();
  }

  int fd_ = -1;
  std::vector<char> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t line_ = 0;
  uint64_t next_line_ = 1;
  events::JsonEventParser parser_;
};

}  // namespace

void RegisterImportReader(std::string extension, EventReaderFactory factory) {
  ImportReaders().emplace_back(std::move(extension), std::move(factory));
}

Status OpenLedger(const GlobalOptions& g, OpenMode mode, std::unique_ptr<ledger::Ledger>* out) {
  ledger::Options options;
  options.read_only = mode == OpenMode::kReadOnly;
  options.create_if_missing = mode == OpenMode::kCreate;
  Status s = ledger::Ledger::Open(options, g.db_path, out);
  if (s.IsNotFound()) {
    return Status::NotFound("no ledger at " + g.db_path + " (create one with `ledgerctl --db " +
                            g.db_path + " init`)");
  }
  if (!s.ok()) return s.WithContext(g.db_path);
  return s;
}

std::string HexOf(const uint8_t* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

std::string Thousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

bool ShowProgress(const GlobalOptions& g) { return !g.quiet && ::isatty(STDERR_FILENO) == 1; }

namespace {

// Reads a whole file with large reads into *text.
Status ReadWholeFile(const std::string& path, std::string* text) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) text->reserve(static_cast<size_t>(st.st_size));
  constexpr size_t kChunkBytes = 8u << 20;
  Status s;
  for (;;) {
    const size_t old = text->size();
    text->resize(old + kChunkBytes);
    ssize_t n = ::read(fd, text->data() + old, kChunkBytes);
    if (n < 0 && errno == EINTR) n = 0;
    if (n < 0) {
      s = Status::IOError(path + ": read: " + std::strerror(errno));
      break;
    }
    text->resize(old + static_cast<size_t>(n));
    if (n == 0) break;
  }
  ::close(fd);
  return s;
}

// One contiguous range of lines of a JSONL text, parsed by one thread into
// its own slots of the batch (slot = line number - 1).
struct ParsePart {
  size_t begin = 0;  // byte offsets in the text
  size_t end = 0;
  uint64_t first_line = 1;
  Status status;  // the first error of the part
  uint64_t error_line = 0;
  size_t blank_lines = 0;
};

void ParseRange(std::string_view text, ParsePart* part, std::vector<Event>* batch,
                std::vector<uint64_t>* lines) {
  events::JsonEventParser parser;
  uint64_t line = part->first_line;
  for (size_t pos = part->begin; pos < part->end; ++line) {
    const char* start = text.data() + pos;
    const void* nl = std::memchr(start, '\n', part->end - pos);
    const size_t len =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) : part->end - pos;
    pos += len + 1;
    std::string_view l(start, len);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    const size_t slot = static_cast<size_t>(line - 1);
    if (l.find_first_not_of(" \t") == std::string_view::npos) {
      (*lines)[slot] = 0;  // blank: compacted away afterwards
      ++part->blank_lines;
      continue;
    }
    Status s = l.size() > limits::kJsonLineBytesMax
                   ? Status::InvalidArgument("line longer than " +
                                             std::to_string(limits::kJsonLineBytesMax) + " bytes")
                   : parser.Parse(l, &(*batch)[slot]);
    if (!s.ok()) {
      part->status = s;
      part->error_line = line;
      return;
    }
    (*lines)[slot] = line;
  }
}

// The whole-file import path for JSON Lines: the file is read at once and its
// lines are parsed by two threads (one per core), each into its own range of
// the batch, since parsing is the part of an import that scales. On success
// *n events fill batch[0..n) with their lines in lines[0..n).
Status ParseJsonlFile(const std::string& path, Progress* bar, std::vector<Event>* batch,
                      std::vector<uint64_t>* lines, size_t* n) {
  std::string text;
  bar->SetLabel(path + ": reading");
  bar->Update(0);
  CCL_RETURN_IF_ERROR(ReadWholeFile(path, &text));
  size_t begin = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  uint64_t line_count = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
  if (!text.empty() && text.back() != '\n') ++line_count;
  if (line_count > limits::kEventsPerBatchMax) {
    return Status::InvalidArgument(
        path + ": more than " + Thousands(limits::kEventsPerBatchMax) +
        " lines: one atomic append cannot hold them; split it with --batch N");
  }
  if (batch->size() < line_count) batch->resize(line_count);
  lines->resize(line_count);

  // Split at the newline after the middle; small files stay on one thread.
  constexpr size_t kParallelBytesMin = 1u << 20;
  std::vector<ParsePart> parts(1);
  parts[0].begin = begin;
  parts[0].end = text.size();
  if (text.size() - begin >= kParallelBytesMin) {
    const char* mid = static_cast<const char*>(std::memchr(
        text.data() + (begin + text.size()) / 2, '\n', text.size() - (begin + text.size()) / 2));
    if (mid != nullptr && static_cast<size_t>(mid - text.data()) + 1 < text.size()) {
      const size_t split = static_cast<size_t>(mid - text.data()) + 1;
      parts.resize(2);
      parts[0].end = split;
      parts[1].begin = split;
      parts[1].end = text.size();
      parts[1].first_line =
          1 + static_cast<uint64_t>(std::count(text.data(), text.data() + split, '\n'));
    }
  }
  bar->SetLabel(path + ": parsing");
  bar->SetTotal(line_count);
  bar->Update(0);
  std::thread helper;
  if (parts.size() == 2) {
    helper = std::thread(ParseRange, std::string_view(text), &parts[1], batch, lines);
  }
  ParseRange(text, &parts[0], batch, lines);
  if (helper.joinable()) helper.join();
  for (const ParsePart& p : parts) {
    if (!p.status.ok()) return p.status.WithContext(path + ":" + std::to_string(p.error_line));
  }

  size_t blank_lines = 0;
  for (const ParsePart& p : parts) blank_lines += p.blank_lines;
  *n = static_cast<size_t>(line_count);
  if (blank_lines > 0) {
    size_t j = 0;
    for (size_t i = 0; i < line_count; ++i) {
      if ((*lines)[i] == 0) continue;
      if (i != j) {
        std::swap((*batch)[i], (*batch)[j]);
        (*lines)[j] = (*lines)[i];
      }
      ++j;
    }
    *n = j;
  }
  return Status::OK();
}

// Appends batch[0..n) atomically and adds to *counts; a rejected event is
// named by its file and line.
Status AppendBatch(ledger::Ledger* ledger, const std::string& path, const std::vector<Event>& batch,
                   const std::vector<uint64_t>& lines, size_t n, Progress* bar,
                   std::chrono::steady_clock::time_point read_start, ImportCounts* counts) {
  // One Append call: the bar shows what is happening, not how far it is.
  bar->SetLabel(path + ": appending");
  bar->SetTotal(0);
  bar->Update(counts->events + n);
  const auto append_start = std::chrono::steady_clock::now();
  ledger::AppendResult result;
  Status s =
      ledger->Append(std::span<const Event>(batch.data(), n), ledger::AppendOptions(), &result);
  if (!s.ok()) {
    if (result.failed_index < n) {
      const Event& bad = batch[result.failed_index];
      const std::string id = events::FormatUuid(bad.event_id);
      std::string where = path + ":" + std::to_string(lines[result.failed_index]);
      // The ledger may already name the event; name it once.
      if (s.message().find(id) == std::string::npos) where += ": event " + id;
      return s.WithContext(where);
    }
    return s.WithContext(path);
  }
  counts->events += n;
  counts->appended += result.appended;
  counts->duplicates += result.duplicates;
  using Seconds = std::chrono::duration<double>;
  spdlog::info("{}: batch of {} events: read in {:.3f} s, appended in {:.3f} s", path, n,
               Seconds(append_start - read_start).count(),
               Seconds(std::chrono::steady_clock::now() - append_start).count());
  return Status::OK();
}

}  // namespace

Status ImportFile(ledger::Ledger* ledger, const std::string& path, const po::variables_map& vm,
                  uint64_t batch_events, bool progress, ImportCounts* counts) {
  std::unique_ptr<EventReader> reader;
  for (const auto& [extension, factory] : ImportReaders()) {
    if (EndsWithNoCase(path, extension)) {
      CCL_RETURN_IF_ERROR(factory(path, vm, &reader));
      break;
    }
  }
  // Event objects are reused from batch to batch (their string capacity too);
  // `lines` maps a batch index back to its line for rule errors.
  std::vector<Event> batch;
  std::vector<uint64_t> lines;
  // Draws only on a terminal; erased when it goes out of scope, before the
  // caller prints the result or the error.
  Progress bar(path, 0, progress);
  if (reader == nullptr && batch_events == 0) {
    const auto read_start = std::chrono::steady_clock::now();
    size_t n = 0;
    CCL_RETURN_IF_ERROR(ParseJsonlFile(path, &bar, &batch, &lines, &n));
    if (n > 0) {
      CCL_RETURN_IF_ERROR(AppendBatch(ledger, path, batch, lines, n, &bar, read_start, counts));
    }
    return Status::OK();
  }

  // Streaming: one batch of at most batch_max events in memory at a time.
  if (reader == nullptr) {
    auto jsonl = std::make_unique<JsonlReader>();
    CCL_RETURN_IF_ERROR(jsonl->Open(path));
    reader = std::move(jsonl);
  }
  const bool whole_file = batch_events == 0;
  const uint64_t batch_max = whole_file ? limits::kEventsPerBatchMax : batch_events;
  for (bool done = false; !done;) {
    const auto read_start = std::chrono::steady_clock::now();
    size_t n = 0;
    while (n < batch_max) {
      if (n == batch.size()) batch.emplace_back();
      Status s = reader->Next(&batch[n], &done);
      if (!s.ok()) return s.WithContext(path + ":" + reader->location());
      if (done) break;
      if (lines.size() <= n) lines.resize(n + 1);
      lines[n] = reader->line();
      ++n;
      bar.Update(counts->events + n);
    }
    if (whole_file && !done) {
      Event extra;
      Status s = reader->Next(&extra, &done);
      if (s.ok() && !done) {
        return Status::InvalidArgument(
            path + ": more than " + Thousands(limits::kEventsPerBatchMax) +
            " events: one atomic append cannot hold them; split it with --batch N");
      }
    }
    if (n == 0) break;
    CCL_RETURN_IF_ERROR(AppendBatch(ledger, path, batch, lines, n, &bar, read_start, counts));
    bar.SetLabel(path + ": reading");
  }
  return Status::OK();
}

std::string PrettyJson(std::string_view compact) {
  std::string out;
  out.reserve(compact.size() * 2);
  int depth = 0;
  bool in_string = false;
  auto newline = [&](int d) {
    out += '\n';
    out.append(static_cast<size_t>(2 * d), ' ');
  };
  for (size_t i = 0; i < compact.size(); ++i) {
    const char c = compact[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < compact.size()) {
        out += compact[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        if (i + 1 < compact.size() && (compact[i + 1] == '}' || compact[i + 1] == ']')) {
          out += compact[++i];
        } else {
          newline(++depth);
        }
        break;
      case '}':
      case ']':
        newline(--depth);
        out += c;
        break;
      case ',':
        out += c;
        newline(depth);
        break;
      case ':':
        out += ": ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

// Cuts s to at most n bytes without splitting a UTF-8 sequence.
std::string Clip(std::string s, size_t n) {
  if (s.size() <= n) return s;
  size_t cut = n - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "...";
}

}  // namespace

std::string EventDetail(const Event& e) {
  std::string d;
  switch (e.type) {
    case EventType::kContractOpened:
      d = e.customer + ", " + e.currency + ", " + events::FormatDate(e.term_start_day) + ".." +
          (e.term_end_day ? events::FormatDate(*e.term_end_day) : std::string("?"));
      for (const events::ContractLine& l : e.lines) {
        d += ", " + std::string(events::ServiceLineName(l.service_line)) + " " +
             events::FormatHoursMinutes(l.funded_minutes);
      }
      break;
    case EventType::kContractAmended:
      d = e.reason;
      if (e.term_end_day) d += ", term_end " + events::FormatDate(*e.term_end_day);
      for (const events::ContractLine& l : e.lines) {
        d += ", " + std::string(events::ServiceLineName(l.service_line));
        if (l.funded_minutes_delta != 0) {
          d += (l.funded_minutes_delta > 0 ? " +" : " ") +
               events::FormatHoursMinutes(l.funded_minutes_delta);
        }
        if (l.bill_rate_minor) d += " rate " + std::to_string(*l.bill_rate_minor);
        if (l.overage != events::Overage::kUnset) {
          d += " overage " + std::string(events::OverageName(l.overage));
        }
      }
      break;
    case EventType::kHoursBooked:
      d = std::string(events::ServiceLineName(e.service_line)) + " " +
          events::FormatHoursMinutes(e.minutes) + " " + e.engineer;
      if (!e.reference.empty()) d += " ref " + e.reference;
      break;
    case EventType::kDeliveryCompleted:
      d = std::string(events::ServiceLineName(e.service_line)) + " " +
          events::FormatHoursMinutes(e.minutes) + " " + e.delivery + " " + e.offering;
      break;
    case EventType::kEscalationOpened:
      d = e.escalation + " sev " + std::string(events::SeverityName(e.severity)) + ": " + e.summary;
      break;
    case EventType::kEscalationSeverityChanged:
      d = e.escalation + " -> sev " + std::string(events::SeverityName(e.severity));
      break;
    case EventType::kEscalationResolved:
      d = e.escalation + ": " + e.resolution;
      break;
    case EventType::kEntryReversed:
      d = "reverses " + events::FormatUuid(e.target_event_id) + ": " + e.reason;
      break;
    case EventType::kContractClosed:
      d = e.reason;
      break;
  }
  return Clip(std::move(d), 100);
}

}  // namespace ccl::tools
