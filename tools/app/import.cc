// Import of events as atomic batches (tools/app/import.h).
#include "tools/app/import.h"

#include <fcntl.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "events/base/display.h"
#include "events/base/durable_file.h"
#include "events/base/enum_names.h"
#include "events/base/limits.h"
#include "events/model/json.h"
#include "events/model/rules.h"
#include "tools/app/event_readers.h"
#include "tools/app/import_internal.h"

namespace ccl::app {

// An empty export is almost always an upstream failure (a truncated
// transfer, a wrong redirect), and a scheduled import that "succeeds" with
// nothing would hide it. Nothing is written either way.
Status NoEvents(std::string_view source) {
  return Status::InvalidArgument(
             "no events in the input (an empty file, or only blank lines or a header); nothing "
             "imported")
      .WithLocation(source, 0);
}

using events::Event;

Status ParseJsonEvent(std::string_view text, std::string_view default_actor, events::Event* e) {
  assert(e != nullptr);
  CCL_RETURN_IF_ERROR(CheckUtf8Input(text));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  events::JsonEventParser parser;
  bool blank = false;
  CCL_RETURN_IF_ERROR(ParseJsonLine(&parser, text, 1, e, &blank, default_actor));
  // No event at all: the parser says what it expected.
  if (blank) return parser.Parse(text, e, default_actor);
  return Status::OK();
}

uint64_t EventsMax(const ImportOptions& options) {
  return options.events_max != 0
             ? std::min<uint64_t>(options.events_max, limits::kEventsPerBatchMax)
             : limits::kEventsPerBatchMax;
}

Status TooManyEvents(std::string_view source, uint64_t events_max) {
  return Status::InvalidArgument("more than " + events::FormatThousands(events_max) +
                                 " events in one atomic append; split the input into several "
                                 "appends")
      .WithRule(rules::kBatchEventsMax)
      .WithLocation(source, 0);
}

Status AddAppended(const Status& given, const ledger::AppendResult& appended, size_t n,
                   const uint64_t* lines, std::string_view source, ImportResult* result) {
  Status s = given;
  if (!s.ok()) {
    if (appended.failed_index >= n) return s.WithLocation(source, 0);
    // The ledger's message names the event (ledger.h Append); add its line.
    s = s.WithLocation(source, lines[appended.failed_index]);
    if (appended.first_use_index < n) {
      // The first use (of the id, of the reversal's target) is in this
      // batch, so it has no seq: name its line. Code and rule stay the ledger's.
      const std::string of = source.empty() ? "" : " of " + std::string(source);
      return s.WithDetail("(first used on line " + std::to_string(lines[appended.first_use_index]) +
                          of + ")");
    }
    return s;
  }
  result->events += n;
  result->appended += appended.appended;
  result->duplicates += appended.duplicates;
  ++result->batches;
  for (const ledger::EventOutcome& o : appended.outcomes) {
    if (result->lowest_seq == 0 || o.seq < result->lowest_seq) result->lowest_seq = o.seq;
    result->highest_seq = std::max(result->highest_seq, o.seq);
    if (o.duplicate) continue;
    if (result->first_seq == 0) result->first_seq = o.seq;
    result->last_seq = std::max(result->last_seq, o.seq);
  }
  return Status::OK();
}

Status ReadBatch(EventReader* reader, std::string_view source, uint64_t batch_max,
                 uint64_t done_before, const ImportProgress& progress, std::vector<Event>* batch,
                 std::vector<uint64_t>* lines, size_t* n, bool* done) {
  *n = 0;
  while (*n < batch_max) {
    if (*n == batch->size()) batch->emplace_back();
    Status s = reader->Next(&(*batch)[*n], done);
    if (!s.ok()) return s.WithLocation(source, reader->line());
    if (*done) break;
    if (lines->size() <= *n) lines->resize(*n + 1);
    (*lines)[*n] = reader->line();
    ++*n;
    if (progress.on_progress) progress.on_progress(done_before + *n);
  }
  return Status::OK();
}

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

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

// An input that is not a regular file (standard input or a named pipe, a
// FIFO, a terminal, a process substitution such as <(zcat in.jsonl.gz)) can
// be read once only, while an import reads the start of its input twice (for
// its format, then for its events). Such an input is first copied whole into
// an anonymous memory file, which the import opens as /proc/self/fd/N while
// `copy` keeps it open; a whole-input import is so still one atomic append of
// everything the input held. A regular file is opened by its own name.
class InputCopy {
 public:
  InputCopy() = default;
  InputCopy(const InputCopy&) = delete;
  InputCopy& operator=(const InputCopy&) = delete;
  ~InputCopy() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Sets *open_path to what the readers open for the input named `path`.
  Status Prepare(const std::string& path, std::string* open_path) {
    const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return Status::IOError(path + ": " + std::strerror(errno));
    struct stat st {};
    Status s;
    if (::fstat(in, &st) != 0) {
      s = Status::IOError(path + ": fstat: " + std::strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
      s = Status::InvalidArgument(path + ": is a folder; name a file of events");
    } else if (S_ISREG(st.st_mode)) {
      *open_path = path;
    } else {
      s = CopyAll(in, path);
      if (s.ok()) *open_path = "/proc/self/fd/" + std::to_string(fd_);
    }
    ::close(in);
    return s;
  }

 private:
  Status CopyAll(int in, const std::string& path) {
    fd_ = ::memfd_create("ccl-import-input", MFD_CLOEXEC);
    if (fd_ < 0) return Status::IOError(path + ": memfd_create: " + std::strerror(errno));
    std::vector<char> buf(1 << 20);
    // The copy ends early, for the reader to refuse what was copied as it
    // would in a file: at a line longer than any input line may be (an
    // endless stream without line ends: /dev/zero), or when its first whole
    // lines are no text (a NUL byte or invalid UTF-8: /dev/urandom).
    constexpr size_t kLineMax = std::max(limits::kJsonLineBytesMax, limits::kCsvRecordBytesMax);
    size_t line_bytes = 0;
    bool at_start = true;
    for (;;) {
      const ssize_t n = ::read(in, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError(path + ": read: " + std::strerror(errno));
      if (n == 0) return Status::OK();
      const std::string_view chunk(buf.data(), static_cast<size_t>(n));
      const size_t last_end = chunk.rfind('\n');
      line_bytes = last_end == std::string_view::npos ? line_bytes + chunk.size()
                                                      : chunk.size() - last_end - 1;
      CCL_RETURN_IF_ERROR(events::WriteAll(fd_, chunk, "copy of " + path));
      if (line_bytes > kLineMax) return Status::OK();
      const std::string_view lines = chunk.substr(0, last_end + 1);  // npos + 1 == 0
      if (at_start && (lines.find('\0') != std::string_view::npos ||
                       !simdjson::validate_utf8(lines.data(), lines.size()))) {
        return Status::OK();
      }
      at_start = false;
    }
  }

  int fd_ = -1;
};

// The first non-blank byte of `text` (after a UTF-8 byte order mark at its
// start), or 0.
char FirstNonBlank(std::string_view text, bool at_start) {
  if (at_start && text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  const size_t at = text.find_first_not_of(" \t\r\n");
  return at == std::string_view::npos ? 0 : text[at];
}

// Checks the encoding of the input read at `open_path` and, for kAuto, picks
// its format (import.h ImportFile); `path` is its name, in messages and for the
// name's suffix.
Status FileFormatOf(const std::string& open_path, const std::string& path, InputFormat given,
                    InputFormat* format) {
  const int fd = ::open(open_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  char buf[4096];
  char first = 0;
  Status s;
  for (bool at_start = true; first == 0;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const std::string_view text(buf, static_cast<size_t>(n));
    if (at_start) s = CheckUtf8Input(text);
    if (!s.ok() || given != InputFormat::kAuto) break;
    first = FirstNonBlank(text, at_start);
    at_start = false;
  }
  ::close(fd);
  CCL_RETURN_IF_ERROR(s.WithLocation(path, 0));
  if (given != InputFormat::kAuto) {
    *format = given;
    return Status::OK();
  }
  const bool json_name = EndsWithNoCase(path, ".jsonl") || EndsWithNoCase(path, ".ndjson") ||
                         EndsWithNoCase(path, ".json");
  const bool csv = first == '{' ? false : first != 0 ? !json_name : EndsWithNoCase(path, ".csv");
  *format = csv ? InputFormat::kCsv : InputFormat::kJsonLines;
  return Status::OK();
}

// Appends `batch` atomically and adds to *result (AddAppended).
Status AppendBatch(ledger::Ledger* ledger, std::string_view source, std::span<const Event> batch,
                   const uint64_t* lines, const ImportOptions& options,
                   std::chrono::steady_clock::time_point read_start, ImportResult* result) {
  const size_t n = batch.size();
  // One Append call: a display shows what is happening, not how far it is.
  if (options.progress.on_phase) options.progress.on_phase(source, "appending", 0);
  if (options.progress.on_progress) options.progress.on_progress(result->events + n);
  const auto append_start = std::chrono::steady_clock::now();
  ledger::AppendResult appended;
  CCL_RETURN_IF_ERROR(AddAppended(ledger->Append(batch, options.append, &appended), appended, n,
                                  lines, source, result));
  result->head = ledger->head();
  using Seconds = std::chrono::duration<double>;
  // A named input (a file) is a job worth a line per batch; an unnamed one (a
  // request body) is logged by its front end with the request, so only at
  // debug level here.
  spdlog::log(source.empty() ? spdlog::level::debug : spdlog::level::info,
              "{}: batch of {} events: read in {:.3f} s, appended in {:.3f} s", source, n,
              Seconds(append_start - read_start).count(),
              Seconds(std::chrono::steady_clock::now() - append_start).count());
  return Status::OK();
}

// The next atomic append's events of the input (ReadBatch; the whole input
// when options.batch_events is 0, refused past EventsMax), asked of
// options.check_batch when there are any (*n of them).
Status ReadAppendBatch(EventReader* reader, std::string_view source, const ImportOptions& options,
                       uint64_t done_before, std::vector<Event>* batch,
                       std::vector<uint64_t>* lines, size_t* n, bool* done) {
  const bool whole_input = options.batch_events == 0;
  const uint64_t events_max = EventsMax(options);
  const uint64_t batch_max = whole_input ? events_max : options.batch_events;
  CCL_RETURN_IF_ERROR(
      ReadBatch(reader, source, batch_max, done_before, options.progress, batch, lines, n, done));
  if (whole_input && !*done) {
    Event extra;
    Status s = reader->Next(&extra, done);
    if (s.ok() && !*done) return TooManyEvents(source, events_max);
  }
  if (*n == 0 || !options.check_batch) return Status::OK();
  return options.check_batch(std::span<const Event>(batch->data(), *n),
                             std::span<const uint64_t>(lines->data(), *n));
}

// The streaming import: one batch of at most options.batch_events events in
// memory at a time (the whole input when 0, up to kEventsPerBatchMax).
Status ImportStream(ledger::Ledger* ledger, std::string_view source, EventReader* reader,
                    const ImportOptions& options, ImportResult* result) {
  // Event objects are reused from batch to batch (their string capacity too);
  // `lines` maps a batch index back to its line for rule errors.
  std::vector<Event> batch;
  std::vector<uint64_t> lines;
  uint64_t events_read = 0;
  if (options.progress.on_phase) options.progress.on_phase(source, "reading", 0);
  for (bool done = false; !done;) {
    const auto read_start = std::chrono::steady_clock::now();
    size_t n = 0;
    CCL_RETURN_IF_ERROR(
        ReadAppendBatch(reader, source, options, result->events, &batch, &lines, &n, &done));
    if (n == 0) break;
    events_read += n;
    CCL_RETURN_IF_ERROR(AppendBatch(ledger, source, std::span<const Event>(batch.data(), n),
                                    lines.data(), options, read_start, result));
    if (!done && options.should_stop && options.should_stop()) {
      result->stopped = true;
      return Status::OK();
    }
    if (options.progress.on_phase) options.progress.on_phase(source, "reading", 0);
  }
  if (events_read == 0) return NoEvents(source);
  return Status::OK();
}

}  // namespace

bool ParseInputFormat(std::string_view text, InputFormat* format) {
  // Indexed by InputFormat; kAuto has no name.
  static constexpr std::string_view kNames[] = {"", "jsonl", "json", "csv"};
  return events::EnumFromName(kNames, text, format);
}

Status ImportFile(ledger::Ledger* ledger, const std::string& given_path,
                  const ImportOptions& options, ImportResult* result) {
  assert(ledger != nullptr && result != nullptr);
  // `path` names the input in messages; `open_path` is where it is read.
  const std::string path = given_path == "-" ? "/dev/stdin" : given_path;
  InputCopy copy;
  std::string open_path;
  CCL_RETURN_IF_ERROR(copy.Prepare(path, &open_path));
  InputFormat format = InputFormat::kAuto;
  CCL_RETURN_IF_ERROR(FileFormatOf(open_path, path, options.format, &format));
  if (format == InputFormat::kCsv) {
    std::optional<events::EventType> type;
    CCL_RETURN_IF_ERROR(CsvTypeOf(options.csv_type, &type));
    CsvFileReader csv;
    CCL_RETURN_IF_ERROR(csv.Open(open_path, type, path));
    if (options.batch_events == 0) return ImportWholeFile(ledger, path, &csv, options, result);
    return ImportStream(ledger, path, &csv, options, result);
  }
  if (format != InputFormat::kJsonLines) {
    return Status::InvalidArgument("a file is imported as JSON Lines or CSV").WithLocation(path, 0);
  }
  JsonlFileReader jsonl;
  CCL_RETURN_IF_ERROR(jsonl.Open(open_path));
  if (options.batch_events == 0) return ImportWholeFile(ledger, path, &jsonl, options, result);
  return ImportStream(ledger, path, &jsonl, options, result);
}

namespace {

// Calls `fn` with the reader of `body` in its format (ImportBody).
Status WithBodyReader(std::string_view body, std::string_view source, const ImportOptions& options,
                      const std::function<Status(EventReader*)>& fn) {
  CCL_RETURN_IF_ERROR(CheckUtf8Input(body).WithLocation(source, 0));
  InputFormat format = options.format;
  if (format == InputFormat::kAuto) {
    const char first = FirstNonBlank(body, true);
    // Nothing but blanks is JSON Lines without events (refused as such).
    format = first == '['                 ? InputFormat::kJsonArray
             : first == '{' || first == 0 ? InputFormat::kJsonLines
                                          : InputFormat::kCsv;
  }
  switch (format) {
    case InputFormat::kJsonArray: {
      JsonArrayReader reader(body, options.default_actor);
      return fn(&reader);
    }
    case InputFormat::kCsv: {
      std::optional<events::EventType> type;
      CCL_RETURN_IF_ERROR(CsvTypeOf(options.csv_type, &type));
      CsvTextReader reader;
      CCL_RETURN_IF_ERROR(reader.Open(body, type).WithLocation(source, 1));
      return fn(&reader);
    }
    case InputFormat::kAuto:
    case InputFormat::kJsonLines:
      break;
  }
  JsonlTextReader reader(body, options.default_actor);
  return fn(&reader);
}

}  // namespace

Status ImportBody(ledger::Ledger* ledger, std::string_view body, std::string_view source,
                  const ImportOptions& options, ImportResult* result) {
  assert(ledger != nullptr && result != nullptr);
  return WithBodyReader(body, source, options, [&](EventReader* reader) {
    return ImportStream(ledger, source, reader, options, result);
  });
}

Status ReadBodyBatch(std::string_view body, std::string_view source, const ImportOptions& options,
                     BodyBatch* out) {
  assert(out != nullptr && options.batch_events == 0);
  out->events.clear();
  out->lines.clear();
  return WithBodyReader(body, source, options, [&](EventReader* reader) {
    size_t n = 0;
    bool done = false;
    CCL_RETURN_IF_ERROR(
        ReadAppendBatch(reader, source, options, 0, &out->events, &out->lines, &n, &done));
    if (n == 0) return NoEvents(source);
    out->events.resize(n);
    out->lines.resize(n);
    return Status::OK();
  });
}

Status AddBodyAppended(const Status& s, const ledger::AppendResult& appended,
                       std::span<const uint64_t> lines, std::string_view source,
                       ImportResult* result) {
  assert(result != nullptr);
  return AddAppended(s, appended, lines.size(), lines.data(), source, result);
}

Status CsvAsJsonLines(std::string_view text, const std::string& csv_type, std::string_view source,
                      std::string_view default_actor, std::string* out) {
  assert(out != nullptr);
  std::optional<events::EventType> type;
  CCL_RETURN_IF_ERROR(CsvTypeOf(csv_type, &type));
  CsvTextReader reader{std::string(default_actor)};
  CCL_RETURN_IF_ERROR(reader.Open(text, type).WithLocation(source, 1));
  events::JsonOutputOptions json;
  json.assigned_fields = false;
  std::string lines;
  uint64_t line = 0;  // lines in `lines`
  events::Event e;
  for (;;) {
    bool done = false;
    Status s = reader.Next(&e, &done);
    if (!s.ok()) return s.WithLocation(source, reader.line());
    if (done) break;
    assert(reader.line() > line);
    lines.append(reader.line() - 1 - line, '\n');
    events::AppendEventJson(e, json, &lines);
    lines += '\n';
    line = reader.line();
  }
  out->append(lines);
  return Status::OK();
}

}  // namespace ccl::app
