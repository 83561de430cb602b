#include "report/catalogue.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tpc3::report {
namespace {

CheckInfo server(const char* id, Severity severity, const char* title, const char* requirement)
{
    return CheckInfo{id, title, severity, requirement, Role::Server};
}

CheckInfo client(const char* id, Severity severity, const char* title, const char* requirement)
{
    return CheckInfo{id, title, severity, requirement, Role::Client};
}

constexpr Severity req = Severity::Required;
constexpr Severity adv = Severity::Advisory;

const std::vector<CheckInfo>& catalogue()
{
    static const std::vector<CheckInfo> checks = {
        // Server under test (the runner plays the client).
        server("S-SETUP-01", req, "SessionID for a file the server has",
               "a request for a file the server has gets a SessionID: an integer in 0..2^32-1, "
               "not -1 (PROTOCOL.md 3)"),
        server("S-SETUP-02", req, "-1 for a missing file, and no datagram",
               "a request for a file the server lacks gets -1, and no datagram follows (PROTOCOL.md 3)"),
        server("S-SETUP-03", req, "no datagram before Go",
               "no datagram arrives between the SessionID reply and \"Go\"; the runner waits at least "
               "0.5 s before sending Go (PROTOCOL.md 3)"),
        server("S-SETUP-04", req, "distinct SessionIDs",
               "three sessions get three different SessionIDs (PROTOCOL.md 3)"),
        server("S-RTP-01", req, "version is 2", "every packet has V=2 (PROTOCOL.md 4)"),
        server("S-RTP-02", req, "padding bit is 0", "every packet has P=0 (PROTOCOL.md 4)"),
        server("S-RTP-03", req, "extension bit is 0", "every packet has X=0 (PROTOCOL.md 4)"),
        server("S-RTP-04", req, "CSRC count is 0", "every packet has CC=0 (PROTOCOL.md 4)"),
        server("S-RTP-05", req, "marker bit is 0", "every packet has M=0 (PROTOCOL.md 4)"),
        server("S-RTP-06", req, "payload type is 26", "every packet has PT=26 (PROTOCOL.md 4)"),
        server("S-RTP-07", req, "first sequence number is 1",
               "the first packet has sequence number 1 (PROTOCOL.md 4)"),
        server("S-RTP-08", req, "sequence numbers go up by 1",
               "each next packet's sequence number is the previous + 1 (PROTOCOL.md 4)"),
        server("S-RTP-09", req, "timestamps track wall-clock seconds",
               "timestamps are int(time.time()) mod 2^32: non-decreasing, advancing at 1 Hz, within a "
               "few seconds of the runner's clock (PROTOCOL.md 4, 6)"),
        server("S-RTP-10", req, "SSRC is the SessionID",
               "every packet's SSRC equals the session's SessionID (PROTOCOL.md 3, 4)"),
        server("S-PAY-01", req, "payload is one complete JPEG",
               "every payload is exactly one complete JPEG that decodes (PROTOCOL.md 4)"),
        server("S-PAY-02", req, "payload is the file's frame",
               "payload k is byte for byte frame k of the file, without the 5 length digits "
               "(PROTOCOL.md 2, 4)"),
        server("S-PAY-03", req, "every frame, in order",
               "every frame arrives, in order, none missing, none extra (PROTOCOL.md 4)"),
        server("S-TIME-01", req, "mean rate is 20 datagrams/s",
               "the mean rate is 20 datagrams/s within 5% (PROTOCOL.md 4, 6)"),
        server("S-TIME-02", req, "even pacing",
               "pacing is even: inter-arrival times stay near 50 ms, no bursts (PROTOCOL.md 4, 6)"),
        server("S-ROB-01", req, "survives malformed requests",
               "after malformed requests (garbage, empty, one word, non-numeric port, a 64 KiB line, "
               "non-UTF-8) the server still serves a valid session (PROTOCOL.md 3)"),
        server("S-ROB-02", req, "survives a client that vanishes",
               "after a client vanishes mid-stream (UDP port closed, TCP reset) the server still "
               "serves a valid session"),
        server("S-ROB-03", req, "serves a second session",
               "the server serves a second session after the first one"),
        server("S-ROB-04", adv, "serves two sessions at once",
               "two sessions at the same time are both served correctly"),
        server("S-SEC-01", adv, "refuses files outside its directory",
               "a request for a file that exists outside the served directory (../name, an absolute "
               "path) gets -1 (PROTOCOL.md 1)"),
        server("S-BIG-01", adv, "large frames arrive whole",
               "frames of up to about 64,000 bytes arrive whole, in one datagram (PROTOCOL.md 4)"),

        // Client under test (the runner plays the server).
        client("C-SETUP-01", req, "sends file name and UDP port",
               "the client sends the file name and UDP port it was given, in the dialect's format "
               "(PROTOCOL.md 3)"),
        client("C-SETUP-02", req, "sends Go after a SessionID",
               "after a SessionID the client sends \"Go\" (PROTOCOL.md 3)"),
        client("C-SETUP-03", req, "after -1: no Go, exits on its own",
               "after -1 the client sends no \"Go\" and exits on its own: no hang, no traceback "
               "(PROTOCOL.md 3)"),
        client("C-PLAY-01", req, "shows and writes the valid frames",
               "the client shows (and writes) the valid frames, in order, at least 90% of them "
               "(PROTOCOL.md 1, 5)"),
        client("C-REJ-01", req, "drops V other than 2",
               "a packet with V other than 2 is dropped: never written nor shown (PROTOCOL.md 5)"),
        client("C-REJ-02", req, "drops P=1",
               "a packet with P=1 is dropped: never written nor shown (PROTOCOL.md 5)"),
        client("C-REJ-03", req, "drops X=1",
               "a packet with X=1 is dropped: never written nor shown (PROTOCOL.md 5)"),
        client("C-REJ-04", req, "drops CC other than 0",
               "a packet with CC other than 0 is dropped: never written nor shown (PROTOCOL.md 5)"),
        client("C-REJ-05", req, "drops M=1",
               "a packet with M=1 is dropped: never written nor shown (PROTOCOL.md 5)"),
        client("C-REJ-06", req, "drops PT other than 26",
               "a packet with PT other than 26 is dropped: never written nor shown (PROTOCOL.md 5)"),
        client("C-REJ-07", req, "drops a foreign SSRC",
               "a packet whose SSRC is not the SessionID is dropped: never written nor shown "
               "(PROTOCOL.md 5)"),
        client("C-REJ-08", req, "drops an older sequence number",
               "a packet older than the last accepted one (lower seq) is dropped: never written nor "
               "shown (PROTOCOL.md 5)"),
        client("C-REJ-09", req, "drops a repeated sequence number",
               "a packet repeating the last accepted seq is dropped: never written nor shown "
               "(PROTOCOL.md 5)"),
        client("C-REJ-10", req, "drops an unreasonable timestamp",
               "a packet with an unreasonable timestamp (0, a day off) is dropped: never written nor "
               "shown (PROTOCOL.md 5)"),
        client("C-ROB-01", req, "survives a datagram under 12 bytes",
               "a datagram shorter than 12 bytes does not stop playback (PROTOCOL.md 5)"),
        client("C-ROB-02", req, "survives random bytes",
               "a datagram of random bytes does not stop playback (PROTOCOL.md 5)"),
        client("C-ROB-03", adv, "survives a corrupt JPEG payload",
               "a valid header with a corrupt JPEG payload does not stop playback (PROTOCOL.md 5)"),
        client("C-ROB-04", req, "plays on after rejected packets",
               "valid frames after rejected packets are still shown (PROTOCOL.md 5)"),
        client("C-BIG-01", adv, "shows a 60,000-byte frame whole",
               "a 60,000-byte frame is shown whole (PROTOCOL.md 4)"),
    };
    return checks;
}

struct GroupTitle {
    std::string_view group;
    std::string_view title;
};

constexpr GroupTitle group_titles[] = {
    {"S-SETUP", "control exchange"},
    {"S-RTP", "RTP header"},
    {"S-PAY", "payload"},
    {"S-TIME", "timing"},
    {"S-ROB", "robustness"},
    {"S-SEC", "security"},
    {"S-BIG", "large frames"},
    {"C-SETUP", "control exchange"},
    {"C-PLAY", "playback"},
    {"C-REJ", "rejection of bad packets"},
    {"C-ROB", "robustness"},
    {"C-BIG", "large frames"},
};

}  // namespace

std::span<const CheckInfo> all_checks()
{
    return catalogue();
}

std::vector<CheckInfo> checks_for(Role role)
{
    std::vector<CheckInfo> out;
    for (const CheckInfo& c : catalogue())
        if (c.role == role) out.push_back(c);
    return out;
}

const CheckInfo* find_check(std::string_view id)
{
    const auto& all = catalogue();
    const auto it = std::find_if(all.begin(), all.end(), [&](const CheckInfo& c) { return c.id == id; });
    return it == all.end() ? nullptr : &*it;
}

const CheckInfo& lookup(std::string_view id)
{
    if (const CheckInfo* c = find_check(id)) return *c;
    throw std::out_of_range("no check with ID '" + std::string(id) + "' in the catalogue");
}

std::string_view group_title(std::string_view group)
{
    for (const GroupTitle& g : group_titles)
        if (g.group == group) return g.title;
    return {};
}

void print_list(std::ostream& out, std::span<const CheckInfo> checks, bool with_requirements)
{
    // Padding by hand rather than std::setw keeps the caller's stream flags untouched.
    const auto padded = [](std::string_view text, std::size_t width) {
        std::string s(text);
        s.resize(std::max(width, s.size()), ' ');
        return s;
    };
    std::size_t id_width = 0;
    for (const CheckInfo& c : checks) id_width = std::max(id_width, c.id.size());
    constexpr std::size_t severity_width = 8;  // "required", "advisory"
    for (const CheckInfo& c : checks) {
        out << padded(c.id, id_width) << "  " << padded(to_string(c.severity), severity_width) << "  "
            << c.title << '\n';
        if (with_requirements)
            out << std::string(id_width + 2 + severity_width + 2, ' ') << c.requirement << '\n';
    }
}

}  // namespace tpc3::report
