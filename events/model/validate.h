// Field validation of one event's writer-supplied content: per-type required
// and forbidden fields, ranges, lengths, character sets, UTF-8, dates.
// Messages name the field and the rule: "field 'minutes': must be 1..1440, got 1441".
#pragma once

#include <string_view>

#include "events/base/status.h"
#include "events/model/event.h"

namespace ccl::events {

// InvalidArgument naming the first bad field, or OK. The error carries the id
// of the field table the field belongs to (events/model/rules.h).
Status ValidateEvent(const Event& e);

// The id of the catalog's field table of type t (schemas/EVENTS.md "Payload
// fields, per type"), and of the line objects of a ContractOpened or
// ContractAmended: for parsers that check a field before ValidateEvent.
// REQUIRES: a known type.
std::string_view FieldTableRule(EventType t);
std::string_view LineTableRule(EventType t);

// True if s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Offset of the first byte of the first ill-formed sequence in s, or s.size()
// when s is valid UTF-8 (so error messages can say where).
size_t Utf8ErrorOffset(std::string_view s);

// True if s matches [A-Za-z0-9._-]{1,64}.
bool IsValidContractId(std::string_view s);

}  // namespace ccl::events
