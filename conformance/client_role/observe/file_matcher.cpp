#include "observe/file_matcher.h"

#include "marker/marker.h"

#include <algorithm>
#include <cstring>

namespace tpc3::observe {

namespace {

std::string key_of(std::span<const std::uint8_t> bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

std::string describe(const FileMatch& m) {
    const auto prefix = [&](const std::string& what) {
        return "the first " + std::to_string(m.prefix_bytes) + " of the " + std::to_string(m.full_bytes) +
               " bytes of " + what;
    };
    switch (m.kind) {
        case FileMatch::Kind::frame: return "frame " + std::to_string(m.seq);
        case FileMatch::Kind::poison: return "poison " + m.poison_id;
        case FileMatch::Kind::prefix_of_frame: return prefix("frame " + std::to_string(m.seq));
        case FileMatch::Kind::prefix_of_poison: return prefix("poison " + m.poison_id);
        case FileMatch::Kind::ambiguous_prefix:
            return "the first " + std::to_string(m.prefix_bytes) + " bytes of " + std::to_string(m.candidates) +
                   " different payloads";
        case FileMatch::Kind::empty: return "an empty file";
        case FileMatch::Kind::unknown:
            if (m.decoded) return "none of the payloads sent (an image showing " + marker::to_string(*m.decoded) + ")";
            return "none of the payloads sent";
    }
    return "?";
}

bool FileMatcher::add_frame(std::uint32_t seq, std::span<const std::uint8_t> bytes) {
    Payload p;
    p.seq = seq;
    return add(std::move(p), bytes);
}

bool FileMatcher::add_poison(const std::string& poison_id, std::span<const std::uint8_t> bytes) {
    Payload p;
    p.is_poison = true;
    p.poison_id = poison_id;
    return add(std::move(p), bytes);
}

bool FileMatcher::add(Payload p, std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return false;
    auto [it, inserted] = by_bytes_.try_emplace(key_of(bytes), payloads_.size());
    if (!inserted) {
        const Payload& old = payloads_[it->second];
        // Registering the same identity twice is harmless; a second identity is not.
        return old.is_poison == p.is_poison && old.seq == p.seq && old.poison_id == p.poison_id;
    }
    p.bytes = &it->first;
    payloads_.push_back(std::move(p));
    return true;
}

FileMatch FileMatcher::classify(std::span<const std::uint8_t> bytes, bool decode_unknown) const {
    FileMatch m;
    if (bytes.empty()) {
        m.kind = FileMatch::Kind::empty;
        return m;
    }
    if (const auto it = by_bytes_.find(key_of(bytes)); it != by_bytes_.end()) {
        const Payload& p = payloads_[it->second];
        m.kind = p.is_poison ? FileMatch::Kind::poison : FileMatch::Kind::frame;
        m.seq = p.seq;
        m.poison_id = p.poison_id;
        m.full_bytes = p.bytes->size();
        return m;
    }
    const Payload* only = nullptr;
    std::size_t count = 0;
    for (const auto& p : payloads_) {
        if (p.bytes->size() > bytes.size() && std::memcmp(p.bytes->data(), bytes.data(), bytes.size()) == 0) {
            only = &p;
            ++count;
        }
    }
    if (count == 1) {
        m.kind = only->is_poison ? FileMatch::Kind::prefix_of_poison : FileMatch::Kind::prefix_of_frame;
        m.seq = only->seq;
        m.poison_id = only->poison_id;
        m.prefix_bytes = bytes.size();
        m.full_bytes = only->bytes->size();
        return m;
    }
    if (count > 1) {
        m.kind = FileMatch::Kind::ambiguous_prefix;
        m.prefix_bytes = bytes.size();
        m.candidates = count;
        return m;
    }
    m.kind = FileMatch::Kind::unknown;
    if (decode_unknown) {
        const cv::Mat image = marker::decode_image(bytes);
        if (!image.empty()) m.decoded = marker::decode_single(image);
    }
    return m;
}

}  // namespace tpc3::observe
