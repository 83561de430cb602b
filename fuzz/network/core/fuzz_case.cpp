#include "core/fuzz_case.h"

#include <fstream>
#include <sstream>

#include "control/control_message.h"

namespace tpc3::fuzz::net {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& why) {
    throw CaseFormatError(source + ": " + field + ": " + why);
}

const nlohmann::json& require(const nlohmann::json& obj, const char* key, const std::string& source,
                              const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) fail(source, where + key, "missing");
    return *it;
}

std::string require_string(const nlohmann::json& obj, const char* key, const std::string& source,
                           const std::string& where) {
    const auto& v = require(obj, key, source, where);
    if (!v.is_string()) fail(source, where + key, std::string("expected a string, got ") + v.type_name());
    return v.get<std::string>();
}

std::string optional_string(const nlohmann::json& obj, const char* key, const std::string& source,
                            const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) return {};
    if (!it->is_string()) fail(source, where + key, std::string("expected a string, got ") + it->type_name());
    return it->get<std::string>();
}

// Accepts an unsigned number, or a string of decimal digits (seeds above
// 2^53 survive tools that read JSON numbers as doubles).
std::uint64_t to_u64(const nlohmann::json& v, const std::string& source, const std::string& field) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer()) {
        auto x = v.get<std::int64_t>();
        if (x < 0) fail(source, field, "negative number " + std::to_string(x));
        return static_cast<std::uint64_t>(x);
    }
    if (v.is_string()) {
        const auto s = v.get<std::string>();
        if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos)
            fail(source, field, "\"" + s + "\" is not an unsigned decimal number");
        try {
            return std::stoull(s);
        } catch (const std::exception&) {
            fail(source, field, "\"" + s + "\" is out of range");
        }
    }
    fail(source, field, std::string("expected an unsigned number, got ") + v.type_name());
}

std::uint64_t optional_u64(const nlohmann::json& obj, const char* key, std::uint64_t fallback,
                           const std::string& source, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    return to_u64(*it, source, where + key);
}

}  // namespace

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out.push_back(kHexDigits[b >> 4]);
        out.push_back(kHexDigits[b & 0x0f]);
    }
    return out;
}

bool from_hex(const std::string& hex, std::vector<std::uint8_t>& out, std::size_t& bad_offset) {
    out.clear();
    if (hex.size() % 2 != 0) {
        bad_offset = hex.size();
        return false;
    }
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]);
        const int lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            bad_offset = hi < 0 ? i : i + 1;
            return false;
        }
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return true;
}

nlohmann::json to_json(const FuzzCase& c) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : c.steps) {
        nlohmann::json j;
        j["kind"] = std::string(kind_name(s.kind));
        j["connection"] = s.connection;
        if (!s.bytes.empty() || s.kind == WireStep::Kind::Send || s.kind == WireStep::Kind::Datagram) {
            j["hex"] = to_hex(s.bytes);
            // Escaped for a reader; the parser ignores it (JSON strings must be UTF-8).
            j["shown"] = control::escape(s.bytes, 512);
        }
        if (s.pause.count() != 0) j["pause_ms"] = s.pause.count();
        if (!s.note.empty()) j["note"] = s.note;
        steps.push_back(std::move(j));
    }
    nlohmann::json j;
    j["format"] = kCaseFormat;
    j["role"] = c.role;
    j["seed"] = c.seed;
    j["iteration"] = c.iteration;
    j["mutator"] = c.mutator;
    j["description"] = c.description;
    j["udp_ports"] = c.udp_ports;
    j["steps"] = std::move(steps);
    return j;
}

FuzzCase case_from_json(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object()) fail(source, "(top level)", std::string("expected an object, got ") + j.type_name());
    const auto format = require_string(j, "format", source, "");
    if (format != kCaseFormat) fail(source, "format", "\"" + format + "\" is not \"" + kCaseFormat + "\"");

    FuzzCase c;
    c.role = require_string(j, "role", source, "");
    if (c.role != "server" && c.role != "client")
        fail(source, "role", "\"" + c.role + "\" is neither \"server\" nor \"client\"");
    c.seed = to_u64(require(j, "seed", source, ""), source, "seed");
    c.iteration = to_u64(require(j, "iteration", source, ""), source, "iteration");
    c.mutator = optional_string(j, "mutator", source, "");
    c.description = optional_string(j, "description", source, "");

    if (auto it = j.find("udp_ports"); it != j.end()) {
        if (!it->is_array()) fail(source, "udp_ports", std::string("expected an array, got ") + it->type_name());
        for (std::size_t i = 0; i < it->size(); ++i) {
            const std::string field = "udp_ports[" + std::to_string(i) + "]";
            const auto port = to_u64((*it)[i], source, field);
            if (port == 0 || port > 65535) fail(source, field, std::to_string(port) + " is not a port (1..65535)");
            c.udp_ports.push_back(static_cast<std::uint16_t>(port));
        }
    }

    const auto& steps = require(j, "steps", source, "");
    if (!steps.is_array()) fail(source, "steps", std::string("expected an array, got ") + steps.type_name());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string where = "steps[" + std::to_string(i) + "].";
        const auto& sj = steps[i];
        if (!sj.is_object()) fail(source, "steps[" + std::to_string(i) + "]", "expected an object");
        WireStep s;
        const auto kind = require_string(sj, "kind", source, where);
        auto k = kind_from_name(kind);
        if (!k) fail(source, where + "kind", "unknown kind \"" + kind + "\"");
        s.kind = *k;
        const auto connection = optional_u64(sj, "connection", 0, source, where);
        if (connection > 1000) fail(source, where + "connection", std::to_string(connection) + " is above 1000");
        s.connection = static_cast<int>(connection);
        const auto pause = optional_u64(sj, "pause_ms", 0, source, where);
        if (pause > 3'600'000) fail(source, where + "pause_ms", std::to_string(pause) + " is above one hour");
        s.pause = std::chrono::milliseconds(static_cast<std::int64_t>(pause));
        s.note = optional_string(sj, "note", source, where);
        if (sj.contains("hex")) {
            const auto hex = require_string(sj, "hex", source, where);
            std::size_t bad = 0;
            if (!from_hex(hex, s.bytes, bad))
                fail(source, where + "hex",
                     hex.size() % 2 ? "odd number of hex digits (" + std::to_string(hex.size()) + ")"
                                    : "not a hex digit at character " + std::to_string(bad));
        } else if (sj.contains("text")) {
            const auto text = require_string(sj, "text", source, where);
            s.bytes.assign(text.begin(), text.end());
        } else if (s.kind == WireStep::Kind::Send || s.kind == WireStep::Kind::Datagram) {
            fail(source, where + "hex", "missing (a " + kind + " step needs \"hex\" or \"text\")");
        }
        c.steps.push_back(std::move(s));
    }
    return c;
}

FuzzCase load_case(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CaseFormatError(path.string() + ": cannot open the file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(buffer.str());
    } catch (const nlohmann::json::parse_error& e) {
        throw CaseFormatError(path.string() + ": not JSON (byte " + std::to_string(e.byte) + "): " + e.what());
    }
    return case_from_json(j, path.string());
}

void write_json_file(const nlohmann::json& j, const std::filesystem::path& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path.string() + ": cannot create the file");
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    out.close();
    if (!out) throw std::runtime_error(path.string() + ": write failed");
}

std::string case_file_stem(const FuzzCase& c) { return "case-" + std::to_string(c.iteration); }

std::string describe_steps(const FuzzCase& c, std::size_t max_bytes_shown) {
    std::ostringstream out;
    for (const auto& s : c.steps) {
        out << "  " << kind_name(s.kind);
        switch (s.kind) {
            case WireStep::Kind::Pause: out << " " << s.pause.count() << " ms"; break;
            case WireStep::Kind::Datagram:
                out << " " << s.bytes.size() << " B \"" << control::escape(s.bytes, max_bytes_shown) << "\"";
                break;
            case WireStep::Kind::Send:
                out << " #" << s.connection << " " << s.bytes.size() << " B \""
                    << control::escape(s.bytes, max_bytes_shown) << "\"";
                break;
            case WireStep::Kind::ExpectReply: out << " #" << s.connection << " up to " << s.pause.count() << " ms"; break;
            default: out << " #" << s.connection; break;
        }
        if (!s.note.empty()) out << " (" << s.note << ")";
        out << "\n";
    }
    return out.str();
}

}  // namespace tpc3::fuzz::net
