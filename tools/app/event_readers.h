// The readers behind import.h, one event at a time: JSON Lines from a file
// descriptor or from memory, a JSON array in memory, CSV from memory or a
// mapped file. Internal to ccl_app (import.cc and its tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "events/model/csv.h"
#include "events/model/event.h"
#include "events/model/json.h"

namespace ccl::app {

class EventReader {
 public:
  virtual ~EventReader() = default;
  // Reads the next event into *e (cleared and refilled, capacity reused) and
  // sets *done = false; at the end of input sets *done = true. A bad record
  // is InvalidArgument (or the parser's code) naming the field and the rule
  // but not where it is: the caller adds its source and line(). A read
  // failure is IOError.
  virtual Status Next(events::Event* e, bool* done) = 0;
  // The line (1-based) where the record last read, or failed, starts.
  virtual uint64_t line() const = 0;
};

// What one line of JSON Lines holds: `text` without its line end, "\r" or
// (on line 1) UTF-8 byte order mark. *blank when it has only spaces and tabs
// (then *e is untouched). InvalidArgument when it is longer than
// limits::kJsonLineBytesMax, else the parser's error. `default_actor`: as
// JsonEventParser::Parse's (empty: `actor` is required).
Status ParseJsonLine(events::JsonEventParser* parser, std::string_view text, uint64_t line,
                     events::Event* e, bool* blank, std::string_view default_actor = {});

// The csv_type option of import.h: nullopt for "", else the type named;
// InvalidArgument "option '--type': unknown event type 'X'" otherwise.
Status CsvTypeOf(const std::string& name, std::optional<events::EventType>* type);

// The encoding check of every input: InvalidArgument naming the encoding
// when `head` (the first bytes) starts with a UTF-16 byte order mark, since
// import reads UTF-8 only. `head` may be any prefix of at least 2 bytes.
Status CheckUtf8Input(std::string_view head);

// JSON Lines through large reads of a file: read in 8 MiB chunks and split
// on '\n' in place, so a line is parsed straight out of the read buffer.
class JsonlFileReader final : public EventReader {
 public:
  static constexpr size_t kChunkBytes = 8u << 20;
  ~JsonlFileReader() override;
  Status Open(const std::string& path);
  Status Next(events::Event* e, bool* done) override;
  uint64_t line() const override { return line_; }

 private:
  Status Fill();

  int fd_ = -1;
  // Not zero-filled: only the pages a read reaches are touched, so a small
  // file costs a small buffer however large kChunkBytes is.
  std::unique_ptr<char[]> buf_;
  size_t buf_size_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t line_ = 0;
  uint64_t next_line_ = 1;
  events::JsonEventParser parser_;
};

// What the readers of JSON held in memory share: the text (which must
// outlive the reader), the actor filled into an event without `actor`
// (empty: required), the position read up to, the line and the parser.
// `line`: what line() is before the first Next.
class JsonMemoryReader : public EventReader {
 public:
  uint64_t line() const override { return line_; }

 protected:
  JsonMemoryReader(std::string_view text, std::string_view default_actor, uint64_t line)
      : text_(text), default_actor_(default_actor), line_(line) {}

  std::string_view text_;
  std::string_view default_actor_;
  size_t pos_ = 0;
  uint64_t line_;
  events::JsonEventParser parser_;
};

// JSON Lines held in memory.
class JsonlTextReader final : public JsonMemoryReader {
 public:
  explicit JsonlTextReader(std::string_view text, std::string_view default_actor = {})
      : JsonMemoryReader(text, default_actor, 0) {}
  Status Next(events::Event* e, bool* done) override;
};

// A JSON array of event objects held in memory: `[ {...}, {...} ]`, any
// whitespace between; each element at most limits::kJsonLineBytesMax bytes.
// An element that does not parse is named by its place as well as its line
// ("event 2 of the array"), as a whole array is often one line.
class JsonArrayReader final : public JsonMemoryReader {
 public:
  explicit JsonArrayReader(std::string_view text, std::string_view default_actor = {})
      : JsonMemoryReader(text, default_actor, 1) {}
  Status Next(events::Event* e, bool* done) override;

 private:
  // Skips whitespace, counting lines.
  void SkipSpace();
  // The end (one past '}') of the object starting at pos_, or npos.
  size_t ObjectEnd() const;

  uint64_t next_line_ = 1;  // the line at pos_
  uint64_t elements_ = 0;   // objects met so far, the current one included
  bool opened_ = false;     // '[' read
  bool closed_ = false;     // ']' read
};

// CSV (events/model/csv.h) held in memory (which must outlive the reader).
class CsvTextReader final : public EventReader {
 public:
  // `default_actor`: events::CsvReaderOptions::default_actor.
  explicit CsvTextReader(std::string default_actor = {})
      : reader_(events::CsvReaderOptions{.line_in_message = false,
                                         .default_actor = std::move(default_actor)}) {}
  // `type`: the type of every record (CsvTypeOf), or nullopt for a `type`
  // column. Errors of the header row are at line() 1.
  Status Open(std::string_view text, std::optional<events::EventType> type);
  Status Next(events::Event* e, bool* done) override;
  uint64_t line() const override { return line_; }

 private:
  events::CsvEventReader reader_;
  uint64_t line_ = 1;
};

// CSV from a file, mapped into memory (the reader needs the whole text;
// mapping it costs page cache, not a copy).
class CsvFileReader final : public EventReader {
 public:
  ~CsvFileReader() override;
  // Errors of the file are IOError "PATH: ..."; of its header row,
  // CsvTextReader's located at `name` (default PATH) line 1: the input as
  // the user named it when PATH is a copy of it (a pipe's).
  Status Open(const std::string& path, std::optional<events::EventType> type,
              const std::string& name = "");
  Status Next(events::Event* e, bool* done) override { return csv_.Next(e, done); }
  uint64_t line() const override { return csv_.line(); }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
  CsvTextReader csv_;
};

}  // namespace ccl::app
