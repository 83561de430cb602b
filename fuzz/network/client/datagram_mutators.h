// Mutated datagrams for a client under test. A datagram case is
//
//   valid frame (seq = first_slot(i))            "lead-in: valid frame seq N"
//   the mutator's datagram(s) (seq slot first_slot(i) + 1 when it has one)
//   [valid frames walking the sequence back, after a mutator that moved it]
//   valid frames (seq = first_slot(i) + 12, + 13) "after: valid frame seq N"
//
// (see client_datagrams.h for the timestamp offsets and sequence slots), and
// every step carries a note saying what it is. Building a case does no I/O;
// case i depends only on (seed, i) and the mutator drawn from them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/fuzz_case.h"
#include "core/rng.h"

namespace tpc3::fuzz::net {

struct DatagramSlot {
    std::uint32_t ssrc = 0;      // the session's SessionID
    std::uint16_t lead_seq = 0;  // the valid frame just before (the last one a client accepted)
    std::uint16_t seq = 0;       // the slot of the mutated datagram (lead_seq + 1)
};

struct DatagramMutator {
    std::string_view name;  // "header.version", "length.eleven", ...
    // The mutator moves the sequence number far from the case's slots: the
    // case then walks it back (valid frames in steps under 32,768) before
    // its two trailing frames, so the next case of the launch still plays.
    bool moves_sequence = false;
    void (*mutate)(Rng& rng, const DatagramSlot& slot, std::vector<WireStep>& out) = nullptr;
};

// Every datagram mutator, in a fixed order (the draw depends on it).
std::span<const DatagramMutator> datagram_mutators();
// nullptr when no mutator has that name.
const DatagramMutator* find_datagram_mutator(std::string_view name);

// Case `iteration` of a run with `seed`, its mutator drawn with `rng`
// (Rng::for_case(seed, iteration) or a generator already advanced by the
// caller's own draws). Role "client", mutator "datagram.<name>".
FuzzCase make_datagram_case(std::uint64_t seed, std::uint64_t iteration, Rng& rng);
FuzzCase make_datagram_case(std::uint64_t seed, std::uint64_t iteration, const DatagramMutator& mutator, Rng& rng);

// Whether the case is a "datagram.<name>" case.
bool is_datagram_case(const FuzzCase& c);

}  // namespace tpc3::fuzz::net
