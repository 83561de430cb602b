// The sequence numbers of a stream (PROTOCOL.md section 4: 1 for the first
// frame, +1 for each next one), step by step, with every fault named.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/packet_view.h"

namespace tpc3::conform::server::analysis {

enum class SequenceFaultKind {
    Gap,        // seq jumped forward by more than 1 (16-bit step 2..32767)
    Duplicate,  // seq repeated the previous one
    Backwards,  // seq went back (16-bit step 32768..65535): reordered or restarted
};

const char* to_string(SequenceFaultKind kind);

struct SequenceFault {
    SequenceFaultKind kind = SequenceFaultKind::Gap;
    std::size_t index = 0;          // the offending packet (arrival index)
    std::uint16_t seq = 0;          // its sequence number
    std::uint16_t previous = 0;     // the previous packet's
    std::size_t previous_index = 0;
    std::uint16_t expected = 0;     // previous + 1 (mod 2^16)
    std::size_t missing = 0;        // Gap: how many numbers were skipped

    // "packet 5 (seq 7): sequence number was 7, expected 6 (previous + 1): 1 number skipped"
    std::string describe() const;
};

struct SequenceAnalysis {
    std::size_t packets = 0;               // packets with a header (shorter datagrams are left out)
    std::optional<std::uint16_t> first_seq;
    std::size_t first_index = 0;           // arrival index of the first packet with a header
    std::size_t good_steps = 0;            // steps of exactly +1
    std::vector<SequenceFault> faults;     // every bad step, in arrival order
    std::size_t gaps = 0, duplicates = 0, backwards = 0;
    std::size_t missing = 0;               // total numbers skipped by gaps

    bool in_order() const { return faults.empty(); }
};

SequenceAnalysis analyse_sequence(const std::vector<PacketView>& packets);

}  // namespace tpc3::conform::server::analysis
