// The body of POST /v1/events cut into one JSON text per event, each with the
// line of the body it starts on, before any event is parsed: a JSON array of
// objects (application/json) or JSON Lines (application/x-ndjson).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "tools/ledgerd/api_error.h"

namespace ccl::ledgerd {

enum class BodyFormat { kJsonArray, kJsonLines };

struct BodyEvent {
  std::string_view text;  // one JSON object (points into the body)
  uint64_t line = 0;      // 1-based line of the body where it starts
};

// Splits `body`. Blank lines of JSON Lines are skipped. Errors: 400
// invalid_argument naming the line for an array that is not `[` objects
// separated by commas `]` (the objects themselves are checked by the event
// parser later) or a body with no event; 413 limit_exceeded when there are
// more than `events_max` events. *out is filled only on success.
[[nodiscard]] std::optional<ApiError> SplitEventsBody(std::string_view body, BodyFormat format,
                                                      size_t events_max,
                                                      std::vector<BodyEvent>* out);

}  // namespace ccl::ledgerd
