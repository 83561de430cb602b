// Text made safe for an XML 1.0 document (the JUnit report). Besides the five
// special characters, XML 1.0 forbids most control characters even as
// character references, and a parser rejects invalid UTF-8; report messages
// and evidence can carry raw bytes from the implementation under test, so
// both are replaced with a visible "\xNN" per byte (U+FFFE and U+FFFF, also
// forbidden, become "\uFFFE" and "\uFFFF").
#pragma once

#include <string>
#include <string_view>

namespace tpc3::report {

// For element content: escapes & < > and carriage return.
std::string xml_escape_text(std::string_view text);

// For a double-quoted attribute value: also escapes " ' and tab/newline/CR
// (which a parser would otherwise normalise to spaces).
std::string xml_escape_attribute(std::string_view text);

}  // namespace tpc3::report
