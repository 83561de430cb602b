// Fuzz target: the control-message parsers of every registered dialect
// (reference/core/control; new dialects are picked up from dialect_names()).
// The input is what a peer sent on the control connection. For each dialect:
// parse_request, parse_reply, parse_go, recognises_first_message; then
// detect_dialect. Properties:
//  - a result is consistent: Complete has a value and consumes 1..size bytes,
//    Incomplete has no value and consumes 0, Invalid has no value and says why;
//  - round trip: a Complete value, encoded by the same dialect and parsed
//    again, is Complete with the same value and consumes the whole encoding;
//  - the bytes a Complete parse consumed, parsed alone, give the same message
//    (what follows a message does not change it);
//  - detect_dialect names a registered dialect, and a non-default choice
//    recognises the message.

#include "control/dialect.h"
#include "fuzz_check.h"

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

using namespace tpc3::control;

namespace {

template <typename T>
void check_consistent(const Parsed<T>& p, std::size_t size) {
    switch (p.status) {
        case ParseStatus::Complete:
            FUZZ_CHECK(p.value.has_value(), "Complete has a value");
            FUZZ_CHECK(p.consumed >= 1 && p.consumed <= size, "Complete consumes 1..size bytes");
            break;
        case ParseStatus::Incomplete:
            FUZZ_CHECK(!p.value.has_value(), "Incomplete has no value");
            FUZZ_CHECK(p.consumed == 0, "Incomplete consumes nothing");
            break;
        case ParseStatus::Invalid:
            FUZZ_CHECK(!p.value.has_value(), "Invalid has no value");
            FUZZ_CHECK(!p.problems.empty(), "Invalid says why");
            break;
    }
}

// Parses `bytes` as the message kind T with dialect d.
template <typename T>
Parsed<T> parse_as(const Dialect& d, std::span<const std::uint8_t> bytes);
template <>
Parsed<Request> parse_as<Request>(const Dialect& d, std::span<const std::uint8_t> bytes) {
    return d.parse_request(bytes);
}
template <>
Parsed<Reply> parse_as<Reply>(const Dialect& d, std::span<const std::uint8_t> bytes) {
    return d.parse_reply(bytes);
}
template <>
Parsed<Go> parse_as<Go>(const Dialect& d, std::span<const std::uint8_t> bytes) {
    return d.parse_go(bytes);
}

std::string describe(const Request& r) { return "request file \"" + escape(r.file) + "\" port " + std::to_string(r.udp_port); }
std::string describe(const Reply& r) { return "reply " + std::to_string(r.session_id); }
std::string describe(const Go&) { return "Go"; }

// Before a round-trip property fails: which dialect, which value, which bytes.
template <typename T>
void print_round_trip(const Dialect& d, const T& value, const Bytes& encoded, const Parsed<T>& again) {
    std::fprintf(stderr, "fuzz detail: dialect %s: %s encodes as \"%s\", which parses %s%s%s\n", std::string(d.name()).c_str(),
                 describe(value).c_str(), escape(encoded).c_str(),
                 again.status == ParseStatus::Complete     ? "Complete as "
                 : again.status == ParseStatus::Incomplete ? "Incomplete"
                                                           : "Invalid: ",
                 again.value ? describe(*again.value).c_str() : "",
                 again.problems.empty() ? "" : again.problems.front().c_str());
}

template <typename T>
void check_message(const Dialect& d, std::span<const std::uint8_t> input) {
    const Parsed<T> p = parse_as<T>(d, input);
    check_consistent(p, input.size());
    if (p.status != ParseStatus::Complete) return;
    const Bytes encoded = d.encode(*p.value);
    const Parsed<T> again = parse_as<T>(d, encoded);
    if (again.status != ParseStatus::Complete || !(*again.value == *p.value) || again.consumed != encoded.size()) {
        print_round_trip(d, *p.value, encoded, again);
    }
    FUZZ_CHECK(again.status == ParseStatus::Complete, "a Complete value, encoded, parses Complete again");
    FUZZ_CHECK(*again.value == *p.value, "a Complete value, encoded and parsed again, is the same value");
    FUZZ_CHECK(again.consumed == encoded.size(), "parsing an encoded message consumes all of it");

    // What follows a message does not change it: the consumed bytes alone parse the same.
    const Parsed<T> alone = parse_as<T>(d, input.first(p.consumed));
    if (alone.status != ParseStatus::Complete || !(*alone.value == *p.value) || alone.consumed != p.consumed) {
        std::fprintf(stderr, "fuzz detail: dialect %s: %s from %zu of %zu bytes; those %zu bytes alone parse %s\n",
                     std::string(d.name()).c_str(), describe(*p.value).c_str(), p.consumed, input.size(),
                     p.consumed, alone.status == ParseStatus::Complete ? describe(*alone.value).c_str()
                                 : alone.status == ParseStatus::Incomplete ? "Incomplete" : "Invalid");
    }
    FUZZ_CHECK(alone.status == ParseStatus::Complete && *alone.value == *p.value && alone.consumed == p.consumed,
               "the consumed bytes alone parse to the same message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::vector<std::string> names = dialect_names();
    const std::span<const std::uint8_t> input(data, size);
    for (const std::string& name : names) {
        const Dialect* d = find_dialect(name);
        FUZZ_CHECK(d != nullptr && d->name() == name, "every listed dialect is found by its name");
        check_message<Request>(*d, input);
        check_message<Reply>(*d, input);
        check_message<Go>(*d, input);
        (void)d->recognises_first_message(input);
    }
    const Dialect& detected = detect_dialect(input);
    FUZZ_CHECK(find_dialect(detected.name()) == &detected, "detect_dialect gives a registered dialect");
    if (&detected != &default_dialect()) {
        FUZZ_CHECK(detected.recognises_first_message(input), "a detected non-default dialect recognises the message");
    }
    return 0;
}
