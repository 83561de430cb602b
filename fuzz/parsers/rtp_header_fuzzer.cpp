// Fuzz target: the RTP header parser (reference/core/rtp) on any datagram.
// Properties: parse never fails on 12+ bytes and fails with the exact size
// below; the payload view is the rest of the datagram; encode(parse(x)) gives
// back the 12 header bytes and parses to the same value; the profile
// deviations are empty exactly for 80 1A (and for the expected SSRC).

#include "fuzz_check.h"
#include "rtp/rtp_header.h"

#include <algorithm>
#include <cstdint>
#include <span>

using namespace tpc3::rtp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> datagram(data, size);
    const ParseResult r = parse(datagram);
    if (!r.ok()) {
        FUZZ_CHECK(size < kHeaderSize, "a datagram of 12+ bytes always parses");
        FUZZ_CHECK(r.error && r.error->size == size && !r.error->message.empty(), "a short datagram names its size");
        FUZZ_CHECK(r.payload.empty(), "no payload without a header");
        return 0;
    }
    FUZZ_CHECK(size >= kHeaderSize, "only 12+ bytes parse");
    FUZZ_CHECK(!r.error, "no error with a header");
    FUZZ_CHECK(r.payload.data() == data + kHeaderSize && r.payload.size() == size - kHeaderSize,
               "the payload is the rest of the datagram");

    const RtpHeader& h = *r.header;
    const auto bytes = encode(h);
    FUZZ_CHECK(std::equal(bytes.begin(), bytes.end(), data), "encode(parse(x)) gives back the 12 header bytes");
    const ParseResult again = parse(bytes);
    FUZZ_CHECK(again.ok() && *again.header == h, "encode then parse gives the same header");

    // The profile is exactly 80 1A; the SSRC is judged against the payload's
    // first 4 bytes (when there are 4), so both outcomes are reachable.
    std::optional<std::uint32_t> expected_ssrc;
    if (r.payload.size() >= 4) {
        expected_ssrc = (std::uint32_t{r.payload[0]} << 24) | (std::uint32_t{r.payload[1]} << 16) |
                        (std::uint32_t{r.payload[2]} << 8) | std::uint32_t{r.payload[3]};
    }
    const auto deviations = profile_deviations(h, expected_ssrc);
    const bool in_profile = data[0] == 0x80 && data[1] == 0x1A && (!expected_ssrc || *expected_ssrc == h.ssrc);
    FUZZ_CHECK(deviations.empty() == in_profile, "deviations are empty exactly for a header in the profile");
    for (const Deviation& d : deviations) {
        FUZZ_CHECK(d.seen != d.expected, "a deviation differs from its expected value");
    }
    return 0;
}
