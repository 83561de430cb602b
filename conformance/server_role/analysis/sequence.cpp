#include "analysis/sequence.h"

namespace tpc3::conform::server::analysis {

const char* to_string(SequenceFaultKind kind)
{
    switch (kind) {
    case SequenceFaultKind::Gap: return "gap";
    case SequenceFaultKind::Duplicate: return "duplicate";
    case SequenceFaultKind::Backwards: return "backwards";
    }
    return "?";
}

std::string SequenceFault::describe() const
{
    std::string out = "packet " + std::to_string(index) + " (seq " + std::to_string(seq) +
                      "): sequence number was " + std::to_string(seq) + ", expected " +
                      std::to_string(expected) + " (packet " + std::to_string(previous_index) +
                      " had " + std::to_string(previous) + ")";
    switch (kind) {
    case SequenceFaultKind::Gap:
        out += ": " + std::to_string(missing) + (missing == 1 ? " number" : " numbers") + " skipped";
        break;
    case SequenceFaultKind::Duplicate: out += ": a repeated number"; break;
    case SequenceFaultKind::Backwards: out += ": it went back"; break;
    }
    return out;
}

SequenceAnalysis analyse_sequence(const std::vector<PacketView>& packets)
{
    SequenceAnalysis a;
    const PacketView* previous = nullptr;
    for (const PacketView& p : packets) {
        if (!p.header) continue;
        ++a.packets;
        const std::uint16_t seq = p.header->sequence;
        if (!previous) {
            a.first_seq = seq;
            a.first_index = p.index;
            previous = &p;
            continue;
        }
        const std::uint16_t prev = previous->header->sequence;
        const auto step = static_cast<std::uint16_t>(seq - prev);
        if (step == 1) {
            ++a.good_steps;
        } else {
            SequenceFault f;
            f.index = p.index;
            f.seq = seq;
            f.previous = prev;
            f.previous_index = previous->index;
            f.expected = static_cast<std::uint16_t>(prev + 1);
            if (step == 0) {
                f.kind = SequenceFaultKind::Duplicate;
                ++a.duplicates;
            } else if (step < 0x8000) {
                f.kind = SequenceFaultKind::Gap;
                f.missing = step - 1u;
                a.missing += f.missing;
                ++a.gaps;
            } else {
                f.kind = SequenceFaultKind::Backwards;
                ++a.backwards;
            }
            a.faults.push_back(f);
        }
        previous = &p;
    }
    return a;
}

}  // namespace tpc3::conform::server::analysis
