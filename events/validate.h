// Field validation of one event's writer-supplied content: per-type required
// and forbidden fields, ranges, lengths, character sets, UTF-8, dates.
// Messages name the field and the rule: "field 'minutes': must be 1..1440, got 1441".
#pragma once

#include <string_view>

#include "events/event.h"
#include "events/status.h"

namespace ccl::events {

// InvalidArgument naming the first bad field, or OK.
Status ValidateEvent(const Event& e);

// True if s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Offset of the first byte of the first ill-formed sequence in s, or s.size()
// when s is valid UTF-8 (so error messages can say where).
size_t Utf8ErrorOffset(std::string_view s);

// True if s matches [A-Za-z0-9._-]{1,64}.
bool IsValidContractId(std::string_view s);

}  // namespace ccl::events
