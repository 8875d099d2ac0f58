// Fuzz target: the body of POST /v1/events as the service reads it, through
// the import readers of tools/app/event_readers.h (app::ImportBody's). The
// first byte chooses the format (even: JSON array, odd: JSON Lines).
// Properties: never crashes; reading ends (done or an error) within one
// event more than the body has lines; every event read is valid
// (events::ValidateEvent) and starts on a line of the body, in order; a
// rejection is InvalidArgument with a message, at a line of the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/model/validate.h"
#include "tests/reliability/fuzz/fuzz_check.h"
#include "tools/app/event_readers.h"

namespace {

void ReadAll(ccl::app::EventReader* reader, std::string_view body) {
  uint64_t lines = 1;
  for (char c : body) lines += c == '\n';
  uint64_t previous_line = 0;
  ccl::events::Event e;
  // An event needs at least "{}" and, in JSON Lines, a line of its own.
  for (size_t n = 0; n <= body.size() / 2 + 1; ++n) {
    bool done = false;
    ccl::Status s = reader->Next(&e, &done);
    if (!s.ok()) {
      FUZZ_CHECK(s.IsInvalidArgument() && !s.message().empty());
      FUZZ_CHECK(reader->line() >= 1 && reader->line() <= lines);
      return;
    }
    if (done) return;
    FUZZ_CHECK(ccl::events::ValidateEvent(e).ok());
    FUZZ_CHECK(reader->line() >= 1 && reader->line() <= lines);
    FUZZ_CHECK(reader->line() >= previous_line);
    previous_line = reader->line();
  }
  FUZZ_CHECK(false && "more events than the body can hold");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    ccl::app::JsonArrayReader reader(body);
    ReadAll(&reader, body);
  } else {
    ccl::app::JsonlTextReader reader(body);
    ReadAll(&reader, body);
  }
  return 0;
}
