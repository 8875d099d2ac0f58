// GenerateJsonl: the generator's JSON Lines output. A separate object file so
// that users of the callback API (tests, benchmarks) do not pull in the JSON
// writer.
#include <memory>
#include <string>

#include "events/base/limits.h"
#include "events/model/json.h"
#include "tools/generator/generator.h"

namespace ccl::tools {

Status GenerateJsonl(const GeneratorOptions& options, events::DurableFileWriter* out,
                     GeneratorStats* stats) {
  constexpr size_t kFlushBytes = 1 << 20;
  std::string buffer;
  buffer.reserve(kFlushBytes + limits::kJsonLineBytesMax);
  events::JsonOutputOptions json;
  json.assigned_fields = false;
  auto flush = [&]() -> Status {
    Status s = out->Append(buffer);
    buffer.clear();
    return s;
  };
  EventSink sink = [&](const events::Event& e) -> Status {
    events::AppendEventJson(e, json, &buffer);
    buffer.push_back('\n');
    if (buffer.size() >= kFlushBytes) return flush();
    return Status::OK();
  };
  CCL_RETURN_IF_ERROR(GenerateEvents(options, sink, stats));
  return flush();
}

Status WriteGeneratedJsonl(const GeneratorOptions& options, const std::string& path,
                           const events::FileWriteOptions& file_options, GeneratorStats* stats) {
  std::unique_ptr<events::DurableFileWriter> out;
  CCL_RETURN_IF_ERROR(events::DurableFileWriter::Open(path, file_options, &out));
  CCL_RETURN_IF_ERROR(GenerateJsonl(options, out.get(), stats));
  // Destroyed without Commit on any failure: the temporary file goes with it.
  return out->Commit();
}

}  // namespace ccl::tools
