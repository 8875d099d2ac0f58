// Import of JSON Lines (and registered formats) as atomic batches, and the
// text helpers of the ledger commands. See ledger_io.h.
#include "tools/ledgerctl/ledger_io.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
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

#include "events/display.h"
#include "events/durable_file.h"
#include "events/json.h"
#include "events/limits.h"
#include "events/money.h"
#include "events/quote.h"
#include "events/time_format.h"
#include "events/uuid.h"
#include "tools/ledgerctl/jsonl_file.h"
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

void RegisterImportReader(std::string format, EventReaderFactory factory) {
  ImportReaders().emplace_back(std::move(format), std::move(factory));
}

Status OpenLedger(const GlobalOptions& g, OpenMode mode, std::unique_ptr<ledger::Ledger>* out) {
  ledger::Options options;
  options.read_only = mode == OpenMode::kReadOnly;
  options.create_if_missing = mode == OpenMode::kCreate;
  Status s = ledger::Ledger::Open(options, g.db_path, out);
  // Another writer's lock: wait a bounded while for it (it is often a report
  // saving its checkpoints), then say who holds it.
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(g.writer_lock_wait_ms);
  while (s.IsBusy() && !options.read_only && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kWriterLockPollMs));
    s = ledger::Ledger::Open(options, g.db_path, out);
  }
  if (s.IsNotFound()) {
    return Status::NotFound("no ledger at " + g.db_path + " (create one with `ledgerctl --db " +
                            g.db_path + " init`)");
  }
  // Busy names the ledger and who holds it already.
  if (s.IsBusy()) return s;
  if (!s.ok()) return s.WithContext(g.db_path);
  return s;
}

bool LedgerFolderWritable(const std::string& path) {
  // access() answers for this process's real ids and reports EROFS for a
  // read-only mount, which permission bits (and root) do not show.
  return ::access(path.c_str(), W_OK | X_OK) == 0;
}

Status CheckContractExists(ledger::Ledger* ledger, const std::string& contract) {
  return ledger::CheckContractExists(ledger, contract);
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

int32_t TodayDay() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return events::DayOf(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

bool ShowProgress(const GlobalOptions& g) { return !g.quiet && ::isatty(STDERR_FILENO) == 1; }

namespace {

// "-": standard input, read as the file /dev/stdin. A pipe or terminal is
// first copied whole into an anonymous memory file that replaces fd 0, so it
// can be looked at, mapped and read from its start like any file (and a
// whole-input import is still one atomic append of everything it held).
Status StdinAsFile(std::string* path) {
  *path = "/dev/stdin";
  struct stat st {};
  if (::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) return Status::OK();
  const int mem = ::memfd_create("ccl-import-stdin", MFD_CLOEXEC);
  if (mem < 0) return Status::IOError(std::string("stdin: memfd_create: ") + std::strerror(errno));
  std::vector<char> buf(1 << 20);
  Status s;
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) s = Status::IOError(std::string("stdin: read: ") + std::strerror(errno));
    if (n <= 0) break;
    s = events::WriteAll(mem, std::string_view(buf.data(), static_cast<size_t>(n)), "stdin copy");
    if (!s.ok()) break;
  }
  if (s.ok() && ::dup2(mem, STDIN_FILENO) < 0) {
    s = Status::IOError(std::string("stdin: dup2: ") + std::strerror(errno));
  }
  ::close(mem);
  return s;
}

// An input without a single event is refused (InvalidArgument, exit 1):
// an empty export is almost always an upstream failure (a truncated
// transfer, a wrong redirect), and a scheduled import that "succeeds" with
// nothing would hide it. Nothing is written either way.
Status NoEvents(const std::string& path) {
  return Status::InvalidArgument(path + ": no events in the input (an empty file, or only blank " +
                                 "lines or a header); nothing imported");
}

// The format of an import: --format when given, else the content: a first
// non-blank byte '{' is JSON Lines; anything else is a CSV header unless the
// name ends with .jsonl, .ndjson or .json (then the JSON parser names what is
// wrong); a file of nothing but blanks goes by a ".csv" extension.
Status ImportFormatOf(const std::string& path, const po::variables_map& vm, std::string* format) {
  if (vm.count("format")) {
    *format = vm["format"].as<std::string>();
    if (*format == "jsonl" || *format == "csv") return Status::OK();
    return Status::InvalidArgument("option '--format': jsonl or csv, got " +
                                   events::QuoteForMessage(*format));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  char buf[4096];
  char first = 0;
  for (bool bom_checked = false; first == 0;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::string_view text(buf, static_cast<size_t>(n));
    if (!bom_checked && text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    bom_checked = true;
    const size_t at = text.find_first_not_of(" \t\r\n");
    if (at != std::string_view::npos) first = text[at];
  }
  ::close(fd);
  const bool json_name = EndsWithNoCase(path, ".jsonl") || EndsWithNoCase(path, ".ndjson") ||
                         EndsWithNoCase(path, ".json");
  const bool csv = first == '{' ? false : first != 0 ? !json_name : EndsWithNoCase(path, ".csv");
  *format = csv ? "csv" : "jsonl";
  return Status::OK();
}

// Resolves "-" in *path (StdinAsFile) and picks the format. *reader stays
// null for JSON Lines (ImportFile's own readers); otherwise it is the
// registered reader of the format, opened.
Status OpenImportInput(const po::variables_map& vm, std::string* path,
                       std::unique_ptr<EventReader>* reader) {
  if (*path == "-") CCL_RETURN_IF_ERROR(StdinAsFile(path));
  std::string format;
  CCL_RETURN_IF_ERROR(ImportFormatOf(*path, vm, &format));
  if (format == "jsonl") return Status::OK();
  for (const auto& [name, factory] : ImportReaders()) {
    if (name == format) return factory(*path, vm, reader);
  }
  return Status::InvalidArgument(*path + ": no reader for " + format);
}

// Appends `batch` atomically and adds to *counts; a rejected event is named
// by its file and line (lines[i] is the line of batch[i]).
Status AppendBatch(ledger::Ledger* ledger, const std::string& path, std::span<const Event> batch,
                   const uint64_t* lines, Progress* bar,
                   std::chrono::steady_clock::time_point read_start, ImportCounts* counts) {
  const size_t n = batch.size();
  // One Append call: the bar shows what is happening, not how far it is.
  bar->SetLabel(path + ": appending");
  bar->SetTotal(0);
  bar->Update(counts->events + n);
  const auto append_start = std::chrono::steady_clock::now();
  ledger::AppendResult result;
  Status s = ledger->Append(batch, ledger::AppendOptions(), &result);
  if (!s.ok()) {
    if (result.failed_index < n) {
      // The ledger's message names the event (ledger.h Append); add its line.
      s = s.WithContext(path + ":" + std::to_string(lines[result.failed_index]));
      if (result.first_use_index < n) {
        // The first use (of the id, of the reversal's target) is in this
        // batch, so it has no seq: name its line. Code and rule stay the ledger's.
        return s.WithDetail("(first used on line " + std::to_string(lines[result.first_use_index]) +
                            " of " + path + ")");
      }
      return s;
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

Status ImportFile(ledger::Ledger* ledger, const std::string& given_path,
                  const po::variables_map& vm, uint64_t batch_events, bool progress,
                  ImportCounts* counts) {
  std::string path = given_path;
  std::unique_ptr<EventReader> reader;
  CCL_RETURN_IF_ERROR(OpenImportInput(vm, &path, &reader));
  // Draws only on a terminal; erased when it goes out of scope, before the
  // caller prints the result or the error.
  Progress bar(path, 0, progress);
  if (reader == nullptr && batch_events == 0) {
    // One atomic append of the whole file: read it at once, parse on every core.
    const auto read_start = std::chrono::steady_clock::now();
    JsonlFile file;
    const size_t threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
    CCL_RETURN_IF_ERROR(ParseJsonlFile(path, threads, &bar, &file));
    if (file.count == 0) return NoEvents(path);
    return AppendBatch(ledger, path, std::span<const Event>(file.events.data(), file.count),
                       file.lines.data(), &bar, read_start, counts);
  }

  // Streaming: one batch of at most batch_max events in memory at a time.
  if (reader == nullptr) {
    auto jsonl = std::make_unique<JsonlReader>();
    CCL_RETURN_IF_ERROR(jsonl->Open(path));
    reader = std::move(jsonl);
  }
  // Event objects are reused from batch to batch (their string capacity too);
  // `lines` maps a batch index back to its line for rule errors.
  std::vector<Event> batch;
  std::vector<uint64_t> lines;
  const bool whole_file = batch_events == 0;
  const uint64_t batch_max = whole_file ? limits::kEventsPerBatchMax : batch_events;
  uint64_t events_read = 0;
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
            path + ": more than " + events::FormatThousands(limits::kEventsPerBatchMax) +
            " events: one atomic append cannot hold them; split it with --batch N");
      }
    }
    if (n == 0) break;
    events_read += n;
    CCL_RETURN_IF_ERROR(AppendBatch(ledger, path, std::span<const Event>(batch.data(), n),
                                    lines.data(), &bar, read_start, counts));
    bar.SetLabel(path + ": reading");
  }
  if (events_read == 0) return NoEvents(path);
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
  return events::TerminalText(Clip(std::move(d), 100));
}

}  // namespace ccl::tools
