// GenerateJsonl: the generator's JSON Lines output. A separate object file so
// that users of the callback API (tests, benchmarks) do not pull in the JSON
// writer.
#include <string>

#include "events/base/limits.h"
#include "events/model/json.h"
#include "tools/generator/generator.h"

namespace ccl::tools {

Status GenerateJsonl(const GeneratorOptions& options, std::FILE* out, GeneratorStats* stats) {
  constexpr size_t kFlushBytes = 1 << 20;
  std::string buffer;
  buffer.reserve(kFlushBytes + limits::kJsonLineBytesMax);
  events::JsonOutputOptions json;
  json.assigned_fields = false;
  auto flush = [&]() -> Status {
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
      return Status::IOError("writing generated events failed");
    }
    buffer.clear();
    return Status::OK();
  };
  EventSink sink = [&](const events::Event& e) -> Status {
    events::AppendEventJson(e, json, &buffer);
    buffer.push_back('\n');
    if (buffer.size() >= kFlushBytes) return flush();
    return Status::OK();
  };
  CCL_RETURN_IF_ERROR(GenerateEvents(options, sink, stats));
  CCL_RETURN_IF_ERROR(flush());
  if (std::fflush(out) != 0) return Status::IOError("writing generated events failed");
  return Status::OK();
}

}  // namespace ccl::tools
