// Fuzz target: stored event bytes (events/model/codec.h DecodeEvent: FlatBuffers
// Verifier, then semantic checks). Properties: never crashes; what decodes is
// a valid event; re-encoding it gives bytes that decode to the same event and
// re-encode to themselves (the encoding is canonical); its JSON form parses
// back to the same writer-supplied content.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "events/model/codec.h"
#include "events/model/json.h"
#include "events/model/validate.h"
#include "tests/reliability/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ccl::events;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Event e;
  if (!FuzzAccepted(DecodeEvent(bytes, &e), &ccl::Status::IsCorruption)) return 0;
  const std::string encoded = FuzzCheckValidAndRoundTrips(e);
  Event again;
  FUZZ_CHECK(DecodeEvent(encoded, &again).ok());
  std::string encoded_again;
  EncodeEvent(again, &encoded_again);
  FUZZ_CHECK(encoded_again == encoded);
  // Assigned integers are at most INT64_MAX (DecodeEvent refuses more), so
  // every decodable event's JSON line imports back.
  FUZZ_CHECK(e.seq <= INT64_MAX && e.stream_version <= INT64_MAX);
  std::string json;
  AppendEventJson(e, JsonOutputOptions{}, &json);
  JsonEventParser parser;
  Event parsed;
  FUZZ_CHECK(parser.Parse(json, &parsed).ok());
  FUZZ_CHECK(SameContent(parsed, e));
  return 0;
}
