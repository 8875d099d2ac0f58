// FlatBuffers encode/decode of one stored event (schemas/events.fbs).
// Every decode runs the FlatBuffers Verifier first, then semantic checks.
#pragma once

#include <string>
#include <string_view>

#include "events/base/status.h"
#include "events/model/event.h"

namespace ccl::events {

// Serializes `e` (all fields, assigned ones included) into `out` (replaced).
// Deterministic: the same Event always gives the same bytes.
// REQUIRES: ValidateEvent(e).ok()
void EncodeEvent(const Event& e, std::string* out);

// Verifies `bytes` (file identifier "CCL1", Verifier with depth/table limits,
// size <= limits::kEventBytesMax, known union type) and decodes into `out`,
// reusing its capacity; then runs ValidateEvent. Returns Corruption (naming
// what is wrong) for bytes that fail any check; `out` is then unspecified.
Status DecodeEvent(std::string_view bytes, Event* out);

}  // namespace ccl::events
