// Bytes as printable text for error messages and reports. Shared by the movie
// errors and the control parsers so that both show odd bytes the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace tpc3::text {

// Printable ASCII as is, except \ and " which become \\ and \" (so the result
// can sit between double quotes unambiguously); \n \r \t; every other byte \xNN
// (lower-case hex). At most max_bytes bytes are shown, then "...(N more bytes)".
std::string escape_bytes(std::span<const std::uint8_t> bytes, std::size_t max_bytes = 256);

}  // namespace tpc3::text
