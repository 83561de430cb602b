#include "control/control_message.h"

#include "text/escape.h"

namespace tpc3::control {

std::string escape(const std::vector<std::uint8_t>& bytes, std::size_t max_bytes) {
    return text::escape_bytes(bytes, max_bytes);
}

std::string escape(const std::string& bytes, std::size_t max_bytes) {
    return text::escape_bytes(
        std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), max_bytes);
}

}  // namespace tpc3::control
