// UUID text form: 8-4-4-4-12 hex digits; parsing accepts either case,
// formatting is lower case.
#pragma once

#include <string>
#include <string_view>

#include "events/model/event.h"

namespace ccl::events {

bool ParseUuid(std::string_view text, Uuid* out);
// The value 0..15 of one hex digit of either case; -1 for any other char.
int HexDigitValue(char c);
std::string FormatUuid(const Uuid& id);
// Appends the same 36 characters to *out (no temporary string).
void AppendUuid(const Uuid& id, std::string* out);

}  // namespace ccl::events
