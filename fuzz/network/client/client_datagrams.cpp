#include "client/client_datagrams.h"

#include <array>
#include <string>

#include "core/rng.h"
#include "marker/marker.h"

namespace tpc3::fuzz::net {

namespace {
constexpr int kFrameWidth = 128;
constexpr int kFrameHeight = 96;
constexpr int kFrameQuality = 60;
constexpr std::size_t kFramePool = 8;
}  // namespace

std::uint32_t client_session_id(std::uint64_t seed)
{
    std::uint64_t state = seed ^ 0xc11e47c11e47ULL;
    for (;;) {
        const auto id = static_cast<std::uint32_t>(splitmix64(state) >> 32);
        if (id != 0) return id;
    }
}

std::uint16_t first_slot(std::uint64_t iteration)
{
    return static_cast<std::uint16_t>((iteration * kSlotsPerCase + 1) & 0xFFFF);
}

const std::vector<std::uint8_t>& valid_jpeg(std::uint16_t seq)
{
    static const std::array<std::vector<std::uint8_t>, kFramePool> pool = [] {
        std::array<std::vector<std::uint8_t>, kFramePool> frames;
        for (std::size_t i = 0; i < kFramePool; ++i) {
            const auto n = static_cast<std::uint32_t>(i + 1);
            frames[i] = marker::encode_jpeg(
                marker::render_frame(kFrameWidth, kFrameHeight, marker::MarkerValue::frame(n),
                                     "fuzz " + std::to_string(n)),
                kFrameQuality);
        }
        return frames;
    }();
    return pool[seq % kFramePool];
}

rtp::RtpHeader valid_header(std::uint32_t ssrc, std::uint16_t seq)
{
    rtp::RtpHeader h;
    h.sequence = seq;
    h.ssrc = ssrc;
    h.timestamp = 0;
    return h;
}

std::vector<std::uint8_t> make_datagram(const rtp::RtpHeader& header, std::span<const std::uint8_t> payload)
{
    return rtp::encode_packet(header, payload);
}

std::vector<std::uint8_t> valid_datagram(std::uint32_t ssrc, std::uint16_t seq)
{
    return make_datagram(valid_header(ssrc, seq), valid_jpeg(seq));
}

std::vector<std::uint8_t> stamp_timestamp(std::span<const std::uint8_t> stored, std::uint32_t now_seconds)
{
    std::vector<std::uint8_t> out(stored.begin(), stored.end());
    if (out.size() < kTimestampOffsetAt + 4) return out;
    std::uint32_t offset = 0;
    for (std::size_t k = 0; k < 4; ++k) offset = (offset << 8) | out[kTimestampOffsetAt + k];
    const std::uint32_t ts = offset + now_seconds;  // mod 2^32
    for (std::size_t k = 0; k < 4; ++k)
        out[kTimestampOffsetAt + k] = static_cast<std::uint8_t>(ts >> (8 * (3 - k)));
    return out;
}

}  // namespace tpc3::fuzz::net
