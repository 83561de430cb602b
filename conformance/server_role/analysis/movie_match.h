// The payloads of a stream against the frames of the movie it streamed
// (PROTOCOL.md sections 2 and 4): position by position (payload k vs frame k,
// byte for byte), and by content (which frame each payload carries), to say
// "frame 7 sent twice", "frames 3-5 missing", "frame 8 arrived before frame 7".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/packet_view.h"

namespace tpc3::conform::server::analysis {

using FrameBytes = std::vector<std::uint8_t>;

// How a payload carries a frame of the movie.
enum class Carriage {
    Exact,         // the frame's bytes, nothing else
    LengthDigits,  // the frame's 5 length digits, then its bytes (the movie file's part)
    Prefix,        // the frame's first bytes only (cut short)
    Concatenated,  // two consecutive frames in one payload
    None,          // no frame of the movie
};

const char* to_string(Carriage c);

struct PayloadIdentity {
    std::size_t position = 0;       // k: the k-th payload of the stream (0-based)
    std::size_t packet_index = 0;
    std::uint16_t seq = 0;
    std::size_t size = 0;
    Carriage carriage = Carriage::None;
    std::vector<std::size_t> frames;  // the frame(s) carried (0-based), empty for None
};

// Payload k that is not byte for byte frame k.
struct PositionMismatch {
    PayloadIdentity payload;
    std::size_t frame = 0;              // k
    std::size_t frame_size = 0;
    std::size_t first_difference = 0;   // first differing byte offset (min size when one is a prefix)
    std::optional<std::uint8_t> payload_byte, frame_byte;  // the bytes there, when both exist

    // "payload 7 (packet 7, seq 8) is frame 8 byte for byte, expected frame 7"
    std::string describe() const;
};

struct FrameRange {
    std::size_t first = 0, last = 0;  // inclusive, 0-based frame numbers
    std::string describe() const;     // "frame 3" or "frames 3-5"
    friend bool operator==(const FrameRange&, const FrameRange&) = default;
};

struct RepeatedFrame {
    std::size_t frame = 0;
    std::vector<std::size_t> packets;  // arrival indices of every payload carrying it
};

struct OutOfOrderFrame {
    PayloadIdentity payload;
    std::size_t frame = 0;           // the frame it carried
    std::size_t after_frame = 0;     // the highest frame carried before it
};

struct MovieComparison {
    std::size_t payloads = 0;   // datagrams with an RTP header
    std::size_t frames = 0;     // frames of the movie
    std::size_t compared = 0;   // min(payloads, frames)

    // Position by position (S-PAY-02).
    std::vector<PositionMismatch> mismatches;

    // By content (S-PAY-03).
    std::vector<PayloadIdentity> identities;  // one per payload, in arrival order
    std::vector<FrameRange> missing;          // frames no payload carried
    std::vector<RepeatedFrame> repeated;      // frames carried more than once
    std::vector<OutOfOrderFrame> out_of_order;// payloads carrying a frame older than one before them
    std::vector<PayloadIdentity> extra;       // payloads carrying no frame

    std::size_t missing_count() const;
    bool all_frames_in_order() const
    {
        return missing.empty() && repeated.empty() && out_of_order.empty() && extra.empty();
    }
};

MovieComparison compare_with_movie(const std::vector<PacketView>& packets, const std::vector<FrameBytes>& frames);

}  // namespace tpc3::conform::server::analysis
