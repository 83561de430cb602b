// Fuzz target: the RTP header parser (reference/core/rtp) on any datagram.
// Properties: parse never fails on 12+ bytes and fails with the exact size
// below; the payload view is the rest of the datagram; encode(parse(x)) gives
// back the 12 header bytes and parses to the same value; the profile
// deviations are exactly the fields that differ from 80 1A (and from the
// expected SSRC), in header order, with the values read from the raw bytes;
// describe() names the field and both values in decimal. The texts are
// checked on a sample of the inputs (1 in 256, chosen by a hash of the whole
// input): building them on every run would cost more than everything else the
// target does (fuzz/parsers/README.md, "Speed"); at 1 M runs/s the sample is
// still thousands of checked texts per second. Seed dev_all_described.bin is
// in the sample, so the corpus replay checks every field's text.

#include "fuzz_check.h"
#include "rtp/rtp_header.h"

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

using namespace tpc3::rtp;

namespace {

// The checks in this namespace are the oracle, not code under test: their branches are kept
// out of the coverage feedback (clang), which only cost time there (ranking
// features of the checker's own loops) and steered nothing in the parser.
#if defined(__clang__)
#define ORACLE_NOT_INSTRUMENTED __attribute__((no_sanitize("coverage"), noinline))
#else
#define ORACLE_NOT_INSTRUMENTED
#endif

// True when `text` is "<field name> was <seen>, expected <expected>" in decimal
// (formatted here by snprintf, independently of describe()).
ORACLE_NOT_INSTRUMENTED bool describes(const std::string& text, const Deviation& d) {
    char want[64];
    const int n = std::snprintf(want, sizeof want, "%s was %u, expected %u", field_name(d.field),
                                static_cast<unsigned>(d.seen), static_cast<unsigned>(d.expected));
    return n > 0 && text == want;
}

// FNV-1a of the whole input: which inputs get their texts checked. Any mutation
// changes it, so the sample stays about 1 in kDescribeEvery of the runs even
// when the fuzzer keeps mutating an input that was sampled.
ORACLE_NOT_INSTRUMENTED std::uint32_t input_hash(std::span<const std::uint8_t> input) {
    std::uint32_t hash = 2166136261u;
    for (const std::uint8_t b : input) hash = (hash ^ b) * 16777619u;
    return hash;
}

constexpr std::uint32_t kDescribeEvery = 256;

// The deviations are exactly the fields, read from the raw bytes (not from the
// parser), that differ from their profile value, in header order; on the
// sample, describe() gives each one's text.
ORACLE_NOT_INSTRUMENTED void check_deviations(std::span<const std::uint8_t> data,
                                              std::optional<std::uint32_t> expected_ssrc,
                                              const Deviations& deviations) {
    const std::uint32_t ssrc = (std::uint32_t{data[8]} << 24) | (std::uint32_t{data[9]} << 16) |
                               (std::uint32_t{data[10]} << 8) | std::uint32_t{data[11]};
    const Deviation fields[kFieldCount] = {
        {Field::Version, std::uint32_t{data[0]} >> 6, 2},
        {Field::Padding, (std::uint32_t{data[0]} >> 5) & 1u, 0},
        {Field::Extension, (std::uint32_t{data[0]} >> 4) & 1u, 0},
        {Field::CsrcCount, std::uint32_t{data[0]} & 0x0Fu, 0},
        {Field::Marker, std::uint32_t{data[1]} >> 7, 0},
        {Field::PayloadType, std::uint32_t{data[1]} & 0x7Fu, 26},
        {Field::Ssrc, ssrc, expected_ssrc.value_or(ssrc)},
    };
    std::size_t k = 0;
    for (const Deviation& f : fields) {
        if (f.seen == f.expected) continue;
        FUZZ_CHECK(k < deviations.size() && deviations[k] == f,
                   "the deviations are the differing fields in header order, with seen and expected values");
        ++k;
    }
    FUZZ_CHECK(k == deviations.size(), "no deviation for a field that matches the profile");

    if (input_hash(data) % kDescribeEvery == 0) {
        for (const Deviation& d : deviations) {
            FUZZ_CHECK(describes(describe(d), d), "describe() names the field and both values in decimal");
        }
    }
}

}  // namespace

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
    const Deviations deviations = profile_deviations(h, expected_ssrc);
    const bool in_profile = data[0] == 0x80 && data[1] == 0x1A && (!expected_ssrc || *expected_ssrc == h.ssrc);
    FUZZ_CHECK(deviations.empty() == in_profile, "deviations are empty exactly for a header in the profile");

    check_deviations(datagram, expected_ssrc, deviations);
    return 0;
}
