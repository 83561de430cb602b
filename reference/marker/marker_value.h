// The value a marker frame carries, and its encoding as two ArUco ids.
// This header is the single place that defines the encoding; nothing else
// computes marker ids.
//
// A marker frame shows two DICT_4X4_1000 markers side by side (ids 0..999):
//
//   value                         left id          right id
//   Frame  n   (1 .. 899,999)     n / 1000         n % 1000
//   Poison c,s (c 0..99, s 0..999) 900 + c         s
//
// Frame n is the 1-based frame number, i.e. the RTP sequence number the frame
// is sent with. A Poison value marks an injected bad packet: c is the fault
// code (which check it belongs to), s a serial number that tells apart several
// poisons of one code. For a Poison, `number` holds c * 1000 + s, so that for
// both kinds left = number / 1000 (+ 900 for a poison) and right = number % 1000.
// Frame 0 (ids 0,0) is not a value: it is rejected on both sides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tpc3::marker {

struct MarkerIds {
    int left = 0;
    int right = 0;
    friend constexpr bool operator==(const MarkerIds&, const MarkerIds&) = default;
};

struct MarkerValue {
    enum Kind { Frame, Poison };

    static constexpr std::uint32_t kMaxFrame = 899'999;
    static constexpr std::uint32_t kMaxPoisonCode = 99;
    static constexpr std::uint32_t kMaxPoisonSerial = 999;

    Kind kind = Frame;
    std::uint32_t number = 0;  // Frame: the frame number; Poison: code * 1000 + serial

    static constexpr MarkerValue frame(std::uint32_t n) { return {Frame, n}; }
    static constexpr MarkerValue poison(std::uint32_t code, std::uint32_t serial) {
        return {Poison, code * 1000 + serial};
    }

    constexpr std::uint32_t code() const { return number / 1000; }    // Poison only
    constexpr std::uint32_t serial() const { return number % 1000; }  // Poison only

    constexpr bool valid() const {
        if (kind == Frame) return number >= 1 && number <= kMaxFrame;
        return code() <= kMaxPoisonCode && serial() <= kMaxPoisonSerial;
    }

    friend constexpr bool operator==(const MarkerValue&, const MarkerValue&) = default;
};

inline constexpr int kPoisonLeftBase = 900;
inline constexpr int kIdsPerMarker = 1000;  // DICT_4X4_1000

// The ids to draw for a valid value (nullopt for an invalid one).
constexpr std::optional<MarkerIds> encode_ids(const MarkerValue& v) {
    if (!v.valid()) return std::nullopt;
    const int high = static_cast<int>(v.number / 1000);
    const int low = static_cast<int>(v.number % 1000);
    return MarkerIds{v.kind == MarkerValue::Poison ? kPoisonLeftBase + high : high, low};
}

// The value two detected ids stand for (nullopt when they stand for none).
constexpr std::optional<MarkerValue> decode_ids(const MarkerIds& ids) {
    if (ids.left < 0 || ids.left >= kIdsPerMarker || ids.right < 0 || ids.right >= kIdsPerMarker)
        return std::nullopt;
    const auto low = static_cast<std::uint32_t>(ids.right);
    MarkerValue v;
    if (ids.left >= kPoisonLeftBase) {
        v = MarkerValue::poison(static_cast<std::uint32_t>(ids.left - kPoisonLeftBase), low);
    } else {
        v = MarkerValue::frame(static_cast<std::uint32_t>(ids.left) * 1000 + low);
    }
    if (!v.valid()) return std::nullopt;
    return v;
}

// "frame 17", "poison 5/123" (code/serial).
inline std::string to_string(const MarkerValue& v) {
    if (v.kind == MarkerValue::Frame) return "frame " + std::to_string(v.number);
    return "poison " + std::to_string(v.code()) + "/" + std::to_string(v.serial());
}

}  // namespace tpc3::marker
