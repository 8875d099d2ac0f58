// Quoting untrusted input inside error messages: the text may be long, binary
// or invalid UTF-8, and a message is one line printed to a terminal.
#pragma once

#include <string>
#include <string_view>

namespace ccl::events {

// The one way a message echoes untrusted input: 's' in single quotes, cut
// after limits::kEchoedInputBytesMax bytes (then "... (N bytes)" follows the
// quote, N the whole input's size), with control bytes, quote, backslash and
// every byte >= 0x80 written as \xNN, so the result is printable ASCII and
// of bounded length whatever `s` holds.
std::string QuoteForMessage(std::string_view s);
// The same without the quotes (for a field name taken from input).
std::string EscapeForMessage(std::string_view s);

// The longest prefix of `s` of at most `bytes_max` bytes that does not split
// a UTF-8 sequence (text cut to a limit for display or a record).
std::string_view Utf8Prefix(std::string_view s, size_t bytes_max);

}  // namespace ccl::events
