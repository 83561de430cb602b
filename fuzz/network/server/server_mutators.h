// Grammar-aware mutators of the TPC3 control exchange, as seen by a server:
//   request  = <fileName> <sep> <UDPDataPort> [<terminator>]
//   reply    (read, not judged)
//   Go       = "Go"
// Each mutator changes one thing (a field of the request, how it is cut or
// paced, the order of the messages, or how the client behaves around the
// stream) and writes a human note into each WireStep it makes.
//
// Steps in a server-role case (see server_case_executor.h): Connect opens TCP
// connection k to the server; Send is one send() (TCP_NODELAY, so a Pause
// between two Sends puts them in separate segments); ExpectReply reads until
// some bytes came and the server was quiet for a short idle time, it closed,
// or the step's time passed; ShutdownWrite, Close, Reset end a connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/fuzz_case.h"
#include "core/rng.h"

namespace tpc3::fuzz::net {

struct ServerCaseContext {
    std::string file;  // a movie the server serves (a valid request names it)
};

using ServerMutatorFn = void (*)(Rng&, const ServerCaseContext&, FuzzCase&);

struct ServerMutator {
    std::string_view name;     // "request.port", "stream.reset", ...
    std::string_view summary;  // one line for --help and reports
    ServerMutatorFn build;
};

// Every mutator, in a fixed order (the order is part of determinism).
const std::vector<ServerMutator>& server_mutators();

// Case `iteration` of a run with `seed`: depends on (seed, iteration, ctx)
// only. Picks a mutator with Rng::for_case(seed, iteration) and lets it build
// the steps.
FuzzCase make_server_case(std::uint64_t seed, std::uint64_t iteration, const ServerCaseContext& ctx);

// Limits of what a case may do (also bounds the executor's work).
inline constexpr std::size_t kHugeMessageBytes = 1024 * 1024;
inline constexpr std::size_t kMaxConnectionsPerCase = 20;
inline constexpr int kMaxSlowBytes = 40;  // byte-by-byte sending stops after this many pauses

}  // namespace tpc3::fuzz::net
