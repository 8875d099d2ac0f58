// Writing HTML text safely. Every string that comes from events (contract
// names, customers, reasons, actors, offerings...) is untrusted: it reaches
// the page only through these functions, so no event can add markup, close
// an element, open a script or break out of an attribute.
#pragma once

#include <string>
#include <string_view>

namespace ccl::report {

// Appends `text` escaped for HTML element content and for double- or
// single-quoted attribute values: & < > " ' become entities; control
// characters other than tab, LF and CR (which HTML forbids or browsers
// mangle) and any byte sequence that is not valid UTF-8 become U+FFFD.
void AppendEscaped(std::string_view text, std::string* out);
std::string Escaped(std::string_view text);

}  // namespace ccl::report
