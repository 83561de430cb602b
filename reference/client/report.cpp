#include "client/report.h"

#include <cstdio>
#include <fstream>
#include <ostream>
#include <stdexcept>

namespace tpc3::client {

namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

template <typename T>
std::string opt_text(const std::optional<T>& v) {
    return v ? std::to_string(*v) : "-";
}

}  // namespace

nlohmann::json to_json(const SessionReport& r) {
    const StreamStats& s = r.stream;
    nlohmann::json by_reason = nlohmann::json::object();
    for (DropReason reason : kAllDropReasons) by_reason[drop_reason_name(reason)] = s.dropped_for(reason);
    nlohmann::json gaps = nlohmann::json::array();
    for (const GapRange& g : s.gaps) gaps.push_back({g.first, g.last});

    nlohmann::json movie = nullptr;
    if (r.movie) {
        const MovieComparison& m = *r.movie;
        nlohmann::json first = nullptr;
        if (m.first_mismatch)
            first = {{"seq", m.first_mismatch->seq},
                     {"byte_offset", m.first_mismatch->byte_offset},
                     {"message", m.first_mismatch->message}};
        movie = {{"path", m.path},           {"frames", m.movie_frames},
                 {"identical", m.identical}, {"different", m.different},
                 {"extra", m.extra},         {"missing", m.missing},
                 {"first_missing_seq", or_null(m.first_missing_seq)},
                 {"first_mismatch", first},  {"matched", m.matched()}};
    }

    return {
        {"server", r.server},
        {"file", r.file},
        {"udp_port", r.udp_port},
        {"session_id", or_null(r.session_id)},
        {"refused", r.refused},
        {"received", s.received},
        {"accepted", s.accepted},
        {"dropped", s.dropped},
        {"dropped_by_reason", by_reason},
        {"undecodable", s.undecodable},
        {"first_seq", or_null(s.first_seq)},
        {"last_seq", or_null(s.last_seq)},
        {"missing", s.missing},
        {"gaps", gaps},
        {"duration_s", r.duration_s},
        {"stream_duration_s", s.stream_duration_s},
        {"mean_rate_fps", or_null(s.mean_rate)},
        {"inter_arrival_ms",
         {{"count", s.inter_arrival_ms.count},
          {"p50", s.inter_arrival_ms.p50},
          {"p95", s.inter_arrival_ms.p95},
          {"p99", s.inter_arrival_ms.p99},
          {"max", s.inter_arrival_ms.max}}},
        {"jitter_ms", or_null(s.jitter_ms)},
        {"kernel_timestamps", s.kernel_timestamps},
        {"end_reason", r.end_reason},
        {"server_closed_control", r.server_closed_control},
        {"frames_written", r.frames_written},
        {"frames_shown", r.frames_shown},
        {"movie", movie},
        {"exit_status", r.exit_status},
        {"error", r.error},
    };
}

void print_report(std::ostream& out, const SessionReport& r) {
    const StreamStats& s = r.stream;
    auto row = [&out](const std::string& name, const std::string& value) {
        char label[48];
        std::snprintf(label, sizeof label, "  %-31s ", name.c_str());
        out << label << value << '\n';
    };
    out << "tpc3-client: " << r.file << " from " << r.server << ", UDP port " << r.udp_port << '\n';
    row("session id", opt_text(r.session_id));
    row("datagrams received", std::to_string(s.received));
    row("frames accepted", std::to_string(s.accepted));
    row("datagrams dropped", std::to_string(s.dropped));
    for (DropReason reason : kAllDropReasons)
        if (s.dropped_for(reason) > 0) row(std::string("  ") + drop_reason_name(reason), std::to_string(s.dropped_for(reason)));
    row("undecodable (accepted)", std::to_string(s.undecodable));
    row("first / last seq", opt_text(s.first_seq) + " / " + opt_text(s.last_seq));
    std::string missing = std::to_string(s.missing);
    if (!s.gaps.empty()) {
        missing += " (";
        for (std::size_t k = 0; k < s.gaps.size() && k < 5; ++k) {
            if (k) missing += ", ";
            const GapRange& g = s.gaps[k];
            missing += g.first == g.last ? std::to_string(g.first)
                                         : std::to_string(g.first) + "-" + std::to_string(g.last);
        }
        if (s.gaps.size() > 5) missing += ", ...";
        missing += ")";
    }
    row("missing seqs", missing);
    row("duration", fixed(r.duration_s, 3) + " s (stream " + fixed(s.stream_duration_s, 3) + " s)");
    row("mean rate", s.mean_rate ? fixed(*s.mean_rate, 2) + " frames/s" : "-");
    if (s.inter_arrival_ms.count > 0)
        row("inter-arrival p50/p95/p99/max",
            fixed(s.inter_arrival_ms.p50, 2) + " / " + fixed(s.inter_arrival_ms.p95, 2) + " / " +
                fixed(s.inter_arrival_ms.p99, 2) + " / " + fixed(s.inter_arrival_ms.max, 2) + " ms" +
                (s.kernel_timestamps ? "" : " (user-space times)"));
    else
        row("inter-arrival p50/p95/p99/max", "-");
    row("jitter (RFC 3550, nominal)", s.jitter_ms ? fixed(*s.jitter_ms, 3) + " ms" : "-");
    row("frames written / shown", std::to_string(r.frames_written) + " / " + std::to_string(r.frames_shown));
    row("end", r.end_reason);
    if (r.movie) row("movie", r.movie->summary());
    if (!r.error.empty()) row("error", r.error);
    row("exit status", std::to_string(r.exit_status));
}

void write_json(const std::filesystem::path& path, const SessionReport& r) {
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << to_json(r).dump(2) << '\n';
        out.close();
        if (!out) throw std::runtime_error("cannot write " + tmp.string());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw std::runtime_error("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
}

}  // namespace tpc3::client
