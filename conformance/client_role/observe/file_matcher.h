// Which of the payloads the runner sent a file the client wrote holds: the
// exact bytes of frame k or of poison p, a prefix of one (a write cut short or
// read while being written), or something else. As a hint for "something
// else", an image that decodes to a marker value (the client re-encoded the
// frame) is named too; only exact bytes count as "written".
#pragma once

#include "marker/marker_value.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace tpc3::observe {

struct FileMatch {
    enum class Kind {
        frame,             // exactly the payload of frame `seq`
        poison,            // exactly the payload of poison `poison_id`
        prefix_of_frame,   // the first bytes of frame `seq` (and of no other payload)
        prefix_of_poison,  // the first bytes of poison `poison_id` (and of no other payload)
        ambiguous_prefix,  // the first bytes of several payloads (`candidates` of them)
        empty,             // no bytes
        unknown,           // none of the above (see `decoded`)
    };
    Kind kind = Kind::unknown;
    std::uint32_t seq = 0;      // frame, prefix_of_frame
    std::string poison_id;      // poison, prefix_of_poison
    std::size_t prefix_bytes = 0;  // prefix_*: bytes matched; of `full_bytes`
    std::size_t full_bytes = 0;
    std::size_t candidates = 0;    // ambiguous_prefix
    std::optional<marker::MarkerValue> decoded;  // unknown: the marker the image shows, if any

    bool exact() const { return kind == Kind::frame || kind == Kind::poison; }
};

// "frame 7", "poison C-REJ-01", "first 512 of 20431 bytes of frame 7", ...
std::string describe(const FileMatch& m);

// Move-only (payloads point into the map's keys).
class FileMatcher {
public:
    FileMatcher() = default;
    FileMatcher(FileMatcher&&) noexcept = default;
    FileMatcher& operator=(FileMatcher&&) noexcept = default;
    FileMatcher(const FileMatcher&) = delete;
    FileMatcher& operator=(const FileMatcher&) = delete;

    // Registers a payload. Returns false (and keeps the first identity) when
    // the same bytes were already registered under another identity, or when
    // the bytes are empty.
    bool add_frame(std::uint32_t seq, std::span<const std::uint8_t> bytes);
    bool add_poison(const std::string& poison_id, std::span<const std::uint8_t> bytes);

    // decode_unknown: try to read a marker from bytes that match nothing (costs
    // a JPEG decode and a marker search).
    FileMatch classify(std::span<const std::uint8_t> bytes, bool decode_unknown = true) const;

    std::size_t size() const { return payloads_.size(); }

private:
    struct Payload {
        bool is_poison = false;
        std::uint32_t seq = 0;
        std::string poison_id;
        const std::string* bytes = nullptr;  // the key in by_bytes_ (node keys do not move)
    };
    bool add(Payload p, std::span<const std::uint8_t> bytes);

    std::vector<Payload> payloads_;
    std::unordered_map<std::string, std::size_t> by_bytes_;  // exact bytes -> index in payloads_
};

}  // namespace tpc3::observe
