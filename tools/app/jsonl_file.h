// Parsing a whole JSON Lines file at once on several threads: the path an
// import (tools/app/import.h) takes when a file is one atomic append. Parsing is the
// part of an import that scales with cores, and at a million events even
// constructing the Event objects is worth splitting (they are ~600 bytes
// each), so every thread constructs and fills its own range of one array.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"

namespace ccl::app {

struct ImportProgress;

// Events in one allocation, constructed range by range (by the threads that
// fill them) and destroyed with the array. Not copyable.
class EventArray {
 public:
  EventArray() = default;
  ~EventArray() { Reset(); }
  EventArray(const EventArray&) = delete;
  EventArray& operator=(const EventArray&) = delete;

  // Destroys what was constructed and allocates room for `n` events in
  // `ranges` ranges, none constructed yet.
  void Allocate(size_t n, size_t ranges);
  // Default-constructs [begin, end) and records it as range `range`.
  // Different ranges may be constructed concurrently.
  void Construct(size_t range, size_t begin, size_t end);
  void Reset();

  events::Event* data() { return data_; }
  const events::Event* data() const { return data_; }

 private:
  events::Event* data_ = nullptr;
  std::vector<std::pair<size_t, size_t>> constructed_;  // one [begin, end) per range
};

struct JsonlFile {
  EventArray events;            // events[0..count) hold the parsed events
  std::vector<uint64_t> lines;  // lines[i]: the 1-based line of events[i]
  size_t count = 0;
};

// Reads `path` and parses every non-blank line (a UTF-8 BOM at the start and
// "\r\n" line ends are accepted) into *out using up to `threads` threads.
// Errors: IOError reading; InvalidArgument "PATH:LINE: <parser message>" for
// the first bad line (in file order), or when the file has more lines than
// limits::kEventsPerBatchMax. Errors name `path` and the line as data
// (Status::WithLocation). `progress` (not null) hears the phases.
// Internal to ccl_app.
Status ParseJsonlFile(const std::string& path, size_t threads, const ImportProgress& progress,
                      JsonlFile* out);

}  // namespace ccl::app
