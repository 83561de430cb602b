#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/fuzz_case.h"
#include "server/server_mutators.h"

using namespace tpc3::fuzz::net;

namespace {
const ServerCaseContext kCtx{"tpc3conform-live.mpeg"};

std::chrono::milliseconds longest_wait(const FuzzCase& c) {
    std::chrono::milliseconds total{0};
    for (const auto& s : c.steps)
        if (s.kind == WireStep::Kind::Pause || s.kind == WireStep::Kind::ExpectReply) total += s.pause;
    return total;
}
}  // namespace

TEST(ServerMutators, CaseDependsOnlyOnSeedAndIteration) {
    for (std::uint64_t i = 0; i < 200; ++i) {
        const auto a = make_server_case(77, i, kCtx);
        (void)make_server_case(78, i + 1, kCtx);  // unrelated work in between changes nothing
        const auto b = make_server_case(77, i, kCtx);
        ASSERT_EQ(a, b) << "iteration " << i;
        EXPECT_EQ(a.seed, 77u);
        EXPECT_EQ(a.iteration, i);
        EXPECT_EQ(a.role, "server");
    }
    int differing = 0;
    for (std::uint64_t i = 0; i < 50; ++i)
        if (!(make_server_case(1, i, kCtx) == make_server_case(2, i, kCtx))) ++differing;
    EXPECT_GT(differing, 40);
}

TEST(ServerMutators, PinnedCasesStayTheSameAcrossBuilds) {
    // If this changes, saved seeds no longer name the same cases: bump the
    // reproducer format or keep the old order.
    const auto c = make_server_case(1, 0, kCtx);
    const auto d = make_server_case(1, 1, kCtx);
    EXPECT_EQ(c.mutator + " | " + d.mutator, "stream.garbage_after_go | stream.many_connections");
}

TEST(ServerMutators, EveryMutatorIsReachedAndEveryCaseIsBounded) {
    std::map<std::string, int> seen;
    for (std::uint64_t i = 0; i < 2000; ++i) {
        const auto c = make_server_case(3, i, kCtx);
        ++seen[c.mutator];
        ASSERT_FALSE(c.steps.empty()) << c.mutator;
        EXPECT_FALSE(c.description.empty()) << c.mutator;
        EXPECT_EQ(c.steps.front().kind, WireStep::Kind::Connect) << c.mutator;
        EXPECT_LE(longest_wait(c), std::chrono::milliseconds(4000)) << c.mutator << " " << i;
        std::set<int> connections;
        std::size_t sent = 0;
        bool has_note = false;
        for (const auto& s : c.steps) {
            connections.insert(s.connection);
            sent += s.bytes.size();
            has_note = has_note || !s.note.empty();
        }
        EXPECT_TRUE(has_note) << c.mutator;
        EXPECT_LE(connections.size(), kMaxConnectionsPerCase) << c.mutator;
        EXPECT_LE(sent, kHugeMessageBytes + 4096) << c.mutator;
        // Every case that names a port keeps it bound (Go first and an early half-close may name none).
        if (c.mutator != "order.go_first" && c.mutator != "stream.half_close") {
            EXPECT_FALSE(c.udp_ports.empty()) << c.mutator;
        }
        // Every case survives its reproducer format.
        if (i % 10 == 0) {
            ASSERT_EQ(case_from_json(nlohmann::json::parse(to_json(c).dump())), c) << c.mutator;
        }
    }
    for (const auto& m : server_mutators()) EXPECT_GT(seen[std::string(m.name)], 20) << m.name;
    EXPECT_EQ(seen.size(), server_mutators().size());
}

TEST(ServerMutators, PortMutatorCoversTheListedValues) {
    std::set<std::string> notes;
    for (std::uint64_t i = 0; i < 3000; ++i) {
        const auto c = make_server_case(9, i, kCtx);
        if (c.mutator != "request.port") continue;
        notes.insert(c.steps[1].note);
    }
    auto has = [&](const std::string& part) {
        for (const auto& n : notes)
            if (n.find(part) != std::string::npos) return true;
        return false;
    };
    EXPECT_TRUE(has("port field -> \"0\""));
    EXPECT_TRUE(has("port field -> \"65536\""));
    EXPECT_TRUE(has("port field -> \"-1\""));
    EXPECT_TRUE(has("port field -> \"abc\""));
    EXPECT_TRUE(has("port field missing"));
}
