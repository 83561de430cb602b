#include "client/movie_match.h"

#include <algorithm>

namespace tpc3::client {

MovieMatcher::MovieMatcher(const std::string& path) : index_(movie::MovieIndex::build(path)) {
    seen_.assign(index_.size(), false);
    cmp_.path = path;
    cmp_.movie_frames = index_.size();
}

void MovieMatcher::on_accepted(std::uint64_t seq, std::span<const std::uint8_t> payload) {
    if (seq == 0 || seq > index_.size()) {
        ++cmp_.extra;
        if (!cmp_.first_mismatch)
            cmp_.first_mismatch = MovieMismatch{
                seq, 0,
                "seq " + std::to_string(seq) + " has no frame in " + cmp_.path + " (" +
                    std::to_string(index_.size()) + " frames, seqs 1.." + std::to_string(index_.size()) + ")"};
        return;
    }
    const std::size_t k = static_cast<std::size_t>(seq - 1);
    seen_[k] = true;
    const std::vector<std::uint8_t> frame = index_.read_frame(k);
    const std::size_t common = std::min(frame.size(), payload.size());
    const auto diff = std::mismatch(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(common),
                                    frame.begin());
    const auto offset = static_cast<std::uint64_t>(diff.first - payload.begin());
    if (offset == common && frame.size() == payload.size()) {
        ++cmp_.identical;
        return;
    }
    ++cmp_.different;
    if (cmp_.first_mismatch) return;
    std::string why = "seq " + std::to_string(seq) + ": payload of " + std::to_string(payload.size()) +
                      " bytes differs from frame " + std::to_string(seq) + " of " + cmp_.path + " (" +
                      std::to_string(frame.size()) + " bytes, file offset " +
                      std::to_string(index_[k].offset) + ") ";
    if (offset < common)
        why += "at byte " + std::to_string(offset);
    else
        why += "in length; identical up to byte " + std::to_string(offset);
    cmp_.first_mismatch = MovieMismatch{seq, offset, why};
}

MovieComparison MovieMatcher::result() const {
    MovieComparison c = cmp_;
    for (std::size_t k = 0; k < seen_.size(); ++k) {
        if (seen_[k]) continue;
        ++c.missing;
        if (!c.first_missing_seq) c.first_missing_seq = k + 1;
    }
    return c;
}

std::string MovieComparison::summary() const {
    if (matched())
        return "matched: " + std::to_string(identical) + " of " + std::to_string(movie_frames) +
               " frames identical to " + path;
    std::string s = "mismatch with " + path + ":";
    if (different) s += " " + std::to_string(different) + " different";
    if (extra) s += " " + std::to_string(extra) + " extra";
    if (missing)
        s += " " + std::to_string(missing) + " missing (first: seq " + std::to_string(*first_missing_seq) + ")";
    if (first_mismatch) s += "; first: " + first_mismatch->message;
    return s;
}

}  // namespace tpc3::client
