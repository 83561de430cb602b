// The datagrams the runner sends to a client under test, in order: valid
// marker frames with injected faults ("poisons" and malformed datagrams)
// between them. A plan is a value; building it does no I/O. The only thing
// left open until send time is the RTP timestamp (int(time) at sending), so
// each datagram stores a timestamp rule and its bytes are made by bytes_at().
//
// Isolation rules (what every plan guarantees; injection_plan_test checks each):
//
//  I1 One fault per datagram. A poison (C-REJ-*) differs from the valid header
//     of its slot in exactly one field: V, P, X, CC, M, PT, SSRC, sequence
//     number or timestamp. Its payload is a poison marker frame (marker
//     library: Poison code = the check's number NN of C-REJ-NN, serial unique
//     in the plan), different from every other payload of the plan, so it is
//     recognisable on the screen and, byte for byte, in a written file.
//     C-ROB-03 keeps a valid header and corrupts only the payload.
//  I2 Slots. Valid frames carry strictly increasing sequence numbers, and
//     frame number = sequence number (marker convention). Every fault whose
//     sequence number is not under test takes the next slot (seq = last valid
//     + 1) and the next valid frame takes seq + 1: a client that wrongly
//     accepts it is not thereby made to drop later valid frames. Datagrams too
//     short to hold a sequence number (0, 1 bytes) take a slot as well, for
//     uniformity.
//  I3 Sequence faults. C-REJ-08 (older) uses seq = last valid - 3; C-REJ-09
//     (duplicate) repeats exactly the last valid seq, with a poison payload.
//     The next valid frame is last valid + 1 after both, so accepting either
//     poison does not make a later valid frame look old.
//  I4 Timestamp faults (C-REJ-10, two poisons): timestamp 0, and int(time) +
//     86,400 (a day ahead; 0 already covers "far in the past").
//  I5 Liveness around faults. The plan starts with lead_in valid frames (the
//     client may need a moment to map its window), puts at least
//     valid_between (>= 3) valid frames after every fault, and ends with tail
//     valid frames. So each fault has valid frames right before and after it.
//  I6 Order. Required checks first, advisory last; within the required ones,
//     rejections (which rarely crash a client) before the robustness faults
//     (short and random datagrams), so a client that dies on a crash-prone
//     datagram has already been observed on the earlier checks; valid frames
//     still follow every crash-prone datagram (C-ROB-01/02/04). Advisory:
//     C-BIG-01, then C-ROB-03 last.
//  I7 C-REJ-04 sets CC=1 but adds no CSRC word: the payload still starts at
//     byte 12. A client that (wrongly) accepts it and skips the CSRC list
//     writes the poison's JPEG without its first 4 bytes.
//  I8 C-ROB-02 random bytes: a fixed-seed draw of 1,000 bytes, except byte 0,
//     chosen with V != 2 (so a correct client drops it at its first check and
//     it is no plausible TPC3 header), bytes 2-3, its slot's sequence number
//     (I2), and bytes 8-11, redrawn until they differ from the SessionID.
//  I9 C-ROB-01 short datagrams: 0 bytes, 1 byte (0x80), and 11 bytes (the
//     valid header of its slot cut before its last byte: the most tempting
//     to parse without a length check).
//  I10 C-ROB-03: a valid header and SOI + seeded garbage (first byte not 0xFF,
//     so no JPEG marker follows SOI) + EOI: no decoder reads it, so it
//     carries no marker and is identified by its bytes only.
//  I11 C-BIG-01: a valid marker frame (it is in expected_shown()) padded to
//     big_frame_bytes of JPEG (default 60,000) with COM segments (FF FE)
//     right after SOI: still a valid JPEG showing the same marker.
//
// Determinism: the same options (SessionID, seed, sizes, faults) give the
// same plan, byte for byte apart from the timestamps. The seed only drives
// the random bytes (C-ROB-02) and the garbage of the corrupt JPEG (C-ROB-03).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "marker/marker_value.h"
#include "rtp/rtp_header.h"

namespace tpc3::conform::client {

enum class DatagramKind {
    ValidFrame,      // a marker frame a correct client shows and writes
    Poison,          // one header field wrong, poison marker payload (C-REJ-*)
    Short,           // fewer than 12 bytes (C-ROB-01)
    RandomBytes,     // fixed-seed random bytes (C-ROB-02)
    CorruptPayload,  // valid header, undecodable JPEG (C-ROB-03)
    BigFrame,        // valid frame padded to big_frame_bytes (C-BIG-01)
};
const char* to_string(DatagramKind k);

// Where the 4 timestamp bytes come from at send time.
enum class TimestampRule {
    Now,     // int(time) mod 2^32: the valid value
    Zero,    // 0
    DayOff,  // int(time) + 86,400
};
inline constexpr std::uint32_t kDayOffSeconds = 86'400;
std::uint32_t apply(TimestampRule rule, std::uint32_t now_seconds);

// One injected fault. Each serves exactly one check.
enum class Fault {
    VersionOne,        // C-REJ-01, V=1
    VersionThree,      // C-REJ-01, V=3
    Padding,           // C-REJ-02, P=1
    Extension,         // C-REJ-03, X=1
    CsrcCount,         // C-REJ-04, CC=1 (no CSRC word added, I7)
    Marker,            // C-REJ-05, M=1
    PayloadType,       // C-REJ-06, PT=96
    Ssrc,              // C-REJ-07, SSRC = SessionID ^ 0x5a5a5a5a
    OlderSeq,          // C-REJ-08, seq = last valid - 3
    DuplicateSeq,      // C-REJ-09, seq = last valid
    TimestampZero,     // C-REJ-10, timestamp 0
    TimestampDayOff,   // C-REJ-10, timestamp now + 1 day
    RandomBytes,       // C-ROB-02
    ShortEmpty,        // C-ROB-01, 0 bytes
    ShortOneByte,      // C-ROB-01, 1 byte
    ShortElevenBytes,  // C-ROB-01, 11 bytes
    BigFrame,          // C-BIG-01
    CorruptJpeg,       // C-ROB-03
};
inline constexpr std::uint32_t kWrongSsrcMask = 0x5a5a5a5a;
inline constexpr std::uint8_t kWrongPayloadType = 96;
inline constexpr std::uint16_t kOlderSeqDistance = 3;

const char* check_of(Fault f);      // "C-REJ-01"
const char* describe(Fault f);      // "V=1 (expected 2)"
DatagramKind kind_of(Fault f);

// Every fault, in the default order (rule I6).
std::vector<Fault> default_faults();
// The subsets a suite may serve in separate client runs.
std::vector<Fault> rejection_faults();   // C-REJ-01..10, default order
std::vector<Fault> robustness_faults();  // C-ROB-01/02/03, C-BIG-01, default order

// Marker poison code of a rejection check: NN of "C-REJ-NN" (1..10); nullopt
// for any other ID. And back: "C-REJ-05" for 5, "" when no check has the code.
std::optional<std::uint32_t> poison_code(const std::string& check_id);
std::string check_of_poison_code(std::uint32_t code);

// The check an ordinary valid frame serves.
inline constexpr const char* kPlayCheck = "C-PLAY-01";

struct PlannedDatagram {
    std::size_t index = 0;  // position in the plan, 0-based
    DatagramKind kind = DatagramKind::ValidFrame;
    std::optional<Fault> fault;  // every kind but ValidFrame
    std::string check_id;        // the check it serves (kPlayCheck for a ValidFrame)
    std::string description;     // for reports: "frame 7", "C-REJ-06: PT=96 (expected 26)"

    // Header fields used (timestamp: see timestamp_rule; the field here is 0).
    // Absent for RandomBytes, whose bytes are all in `payload`.
    std::optional<rtp::RtpHeader> header;
    TimestampRule timestamp_rule = TimestampRule::Now;
    // The sequence number a valid packet in this position carries: equal to
    // header->sequence except for C-REJ-08/09.
    std::uint16_t slot_seq = 0;
    // The bytes after the 12-byte header (RandomBytes: the whole datagram).
    std::vector<std::uint8_t> payload;
    // Short: the datagram is the first `truncate_to` bytes of header + payload.
    std::optional<std::size_t> truncate_to;
    // The marker value in the payload (frame number or poison code/serial);
    // absent for Short, RandomBytes and CorruptPayload.
    std::optional<marker::MarkerValue> marker;

    bool is_valid_frame() const { return kind == DatagramKind::ValidFrame || kind == DatagramKind::BigFrame; }
    // The header as sent at `now_seconds` (int(time) mod 2^32).
    std::optional<rtp::RtpHeader> header_at(std::uint32_t now_seconds) const;
    // The exact datagram sent at `now_seconds`.
    std::vector<std::uint8_t> bytes_at(std::uint32_t now_seconds) const;
    std::size_t size() const;  // bytes_at(...).size(), independent of time
};

struct PlanOptions {
    std::uint32_t session_id = 0;  // the SSRC of every valid packet
    std::uint64_t seed = 1;        // random bytes and corrupt JPEG garbage (see Determinism)
    int frame_width = 320;         // marker frame size (marker::kMinWidth..kMaxSide)
    int frame_height = 240;
    int jpeg_quality = 75;
    std::size_t lead_in = 20;       // valid frames before the first fault (>= 4: C-REJ-08 needs them)
    std::size_t valid_between = 3;  // valid frames after each fault (>= 3)
    std::size_t tail = 10;          // valid frames after the last fault's valid_between (>= 0)
    std::size_t big_frame_bytes = 60'000;  // JPEG size of the C-BIG-01 frame
    std::size_t random_bytes = 1'000;      // size of the C-ROB-02 datagram (>= 12)
    std::chrono::milliseconds interval{50};  // one datagram every interval (20/s)
    std::vector<Fault> faults = default_faults();  // in send order; repeats allowed
};

// A plan of datagrams, or (refusal) a reply of -1 and nothing to send.
class InjectionPlan {
public:
    // Throws std::invalid_argument for options that break a rule (lead_in < 4,
    // valid_between < 3, a frame size the marker library cannot draw, a big
    // frame too small to hold its frame or over 65,495 bytes, random_bytes < 12,
    // a plan whose sequence numbers would pass 65,535).
    static InjectionPlan build(const PlanOptions& options);
    // For C-SETUP-03: the runner replies -1 and sends no datagram.
    static InjectionPlan refusal();

    bool refuses() const { return !session_id_.has_value(); }
    // The SessionID to reply (nullopt: reply -1).
    std::optional<std::uint32_t> session_id() const { return session_id_; }
    std::chrono::milliseconds interval() const { return interval_; }
    std::uint64_t seed() const { return seed_; }
    const std::vector<PlannedDatagram>& datagrams() const { return datagrams_; }
    const PlannedDatagram& at(std::size_t index) const { return datagrams_.at(index); }
    std::size_t size() const { return datagrams_.size(); }
    // How long sending takes: (size - 1) * interval.
    std::chrono::milliseconds duration() const;

    // Indices of the valid frames (ValidFrame and BigFrame) a correct client
    // shows and writes, in send order.
    std::vector<std::size_t> expected_shown() const;
    // Indices of the datagrams that serve `check_id` (empty when none).
    std::vector<std::size_t> for_check(const std::string& check_id) const;
    // Every check ID served by a fault of this plan, in order of first use.
    std::vector<std::string> fault_checks() const;
    // The datagram whose payload carries `value` (nullopt when none does).
    std::optional<std::size_t> find_marker(const marker::MarkerValue& value) const;
    // The datagram whose JPEG payload is exactly `bytes` (nullopt when none).
    // Matching a whole datagram is not needed: payloads do not depend on time.
    std::optional<std::size_t> find_payload(std::span<const std::uint8_t> bytes) const;
    // The valid frames right before / right after datagram `index` (the run of
    // consecutive valid frames that touches it, nearest first).
    std::vector<std::size_t> valid_before(std::size_t index) const;
    std::vector<std::size_t> valid_after(std::size_t index) const;
    // The last valid frame sent (what a correct client shows at the end).
    std::optional<std::size_t> last_valid() const;

private:
    std::optional<std::uint32_t> session_id_;
    std::chrono::milliseconds interval_{50};
    std::uint64_t seed_ = 0;
    std::vector<PlannedDatagram> datagrams_;
};

// A SessionID for a plan, from std::random_device: 1 .. 2^32-1 (0 is a
// valid SessionID but reads like "missing" in a report).
std::uint32_t random_session_id();

// Bytes of a JPEG padded to exactly `size` bytes with COM segments inserted
// after SOI (rule I11). Throws std::invalid_argument when `jpeg` does not start
// with SOI or is already too large to pad (fewer than 4 bytes short).
std::vector<std::uint8_t> pad_jpeg(std::span<const std::uint8_t> jpeg, std::size_t size);

}  // namespace tpc3::conform::client
