// Mutated control replies for a client under test (tpc3 dialect text). The
// executor accepts the client's connection and reads its request, then plays
// the case's steps on that connection (connection 0):
//
//   valid-class replies (split, delayed, trailing newline, boundary values,
//   bytes or a close in the middle of the stream): the reply, an ExpectReply
//   step that waits for Go, then valid frames with SSRC = the SessionID
//   replied. The case ends with datagrams: the client must still be running
//   and reading at the end.
//
//   invalid replies (huge, negative, non-digits, empty, repeated, extra
//   lines, binary garbage, NUL, the connection closed or reset instead of a
//   reply): the bytes, a pause for the client to react, then the runner
//   closes the connection. Only a crash or a traceback is a finding: giving
//   up with a message is what a client should do.
//
// Each case is one client launch. Case i depends only on (seed, i).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/fuzz_case.h"
#include "core/rng.h"

namespace tpc3::fuzz::net {

struct ReplyMutator {
    std::string_view name;  // "reply.huge", ...
    bool valid = false;     // the reply is one a conformant client accepts (it must then play)
    void (*mutate)(Rng& rng, std::vector<WireStep>& out) = nullptr;
};

std::span<const ReplyMutator> reply_mutators();
const ReplyMutator* find_reply_mutator(std::string_view name);

// Role "client", mutator "reply.<name>".
FuzzCase make_reply_case(std::uint64_t seed, std::uint64_t iteration, Rng& rng);
FuzzCase make_reply_case(std::uint64_t seed, std::uint64_t iteration, const ReplyMutator& mutator, Rng& rng);

bool is_reply_case(const FuzzCase& c);

// How long a valid-class case waits for Go.
inline constexpr std::chrono::milliseconds kGoWait{3000};
// How long an invalid reply case leaves the client before closing.
inline constexpr std::chrono::milliseconds kReactPause{400};

}  // namespace tpc3::fuzz::net
