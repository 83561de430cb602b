#include "client_role/checks/check_support.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace tpc3::conform::client {

bool Playback::was_sent(std::size_t i) const
{
    if (served == nullptr) return false;
    const SentDatagram* d = served->sent_for(i);
    return d != nullptr && d->sent;
}

double Playback::seconds(SteadyTime t) const
{
    if (!t0) return 0.0;
    return std::chrono::duration<double>(t - *t0).count();
}

Playback prepare_playback(const ClientObservations& obs)
{
    Playback pb;
    if (!obs.main) {
        pb.why_no_run = "the main run could not be observed: " + why_missing(obs.main, obs);
        return pb;
    }
    pb.run = &*obs.main;
    const ClientRun& run = *obs.main;
    const InjectionPlan& plan = run.plan;
    pb.shown.resize(plan.size());
    pb.written.resize(plan.size());
    pb.written_exact.resize(plan.size(), nullptr);

    if (!run.served) {
        pb.why_no_run = "the runner's server recorded nothing: " + why_missing(run.served, obs);
    } else {
        pb.served = &*run.served;
        for (const SentDatagram& d : pb.served->sent) {
            if (!d.sent) continue;
            ++pb.sent_count;
            if (!pb.t0 || d.sent_steady < *pb.t0) pb.t0 = d.sent_steady;
        }
    }

    if (run.screen) {
        pb.screen_observed = true;
        std::vector<observe::SentFrame> frames;
        if (pb.served != nullptr)
            for (std::size_t i : plan.expected_shown()) {
                const SentDatagram* d = pb.served->sent_for(i);
                const auto& m = plan.at(i).marker;
                if (d != nullptr && d->sent && m && m->kind == marker::MarkerValue::Frame)
                    frames.push_back({m->number, d->sent_steady});
            }
        pb.timeline = observe::build_screen_timeline(run.screen->grabs, frames);
        for (std::size_t i = 0; i < plan.size(); ++i) {
            const auto& m = plan.at(i).marker;
            if (!m) continue;
            const observe::ShownValue* v =
                m->kind == marker::MarkerValue::Frame ? pb.timeline.frame(m->number) : pb.timeline.poison(*m);
            if (v != nullptr) pb.shown[i] = *v;
        }
    } else {
        pb.why_no_screen = "the screen could not be observed: " + why_missing(run.screen, obs);
    }

    if (run.files) {
        pb.files_observed = true;
        for (const WrittenFile& f : *run.files) {
            if (!f.datagram || *f.datagram >= plan.size()) continue;
            pb.written[*f.datagram].push_back(&f);
            if (f.final && f.exact() && pb.written_exact[*f.datagram] == nullptr) pb.written_exact[*f.datagram] = &f;
        }
    } else {
        pb.why_no_files = "the files could not be observed: " + why_missing(run.files, obs);
    }
    return pb;
}

std::optional<report::CheckResult> playback_unjudgeable(const report::CheckInfo& info, const JudgeContext& ctx)
{
    const Playback& pb = ctx.main;
    if (pb.run == nullptr || pb.served == nullptr) return report::error(info, pb.why_no_run);
    const ServedSession& s = *pb.served;
    nlohmann::json evidence{{"served", to_string(s.end)}};
    const std::string note = process_note(pb.run->process);
    if (!note.empty()) evidence["process"] = process_evidence(pb.run->process);
    if (!s.connected_at)
        return report::error(info, "the client never connected to the runner's server, so playback could not be "
                                   "observed" + note,
                             evidence);
    if (pb.sent_count == 0) {
        std::string why = !s.reply_at       ? "the runner sent no SessionID (" + s.error + ")"
                          : s.go_received() ? "no datagram could be sent (" + s.error + ")"
                                            : "the client sent no Go, so the runner sent no datagram";
        return report::error(info, why + ": nothing to judge" + note, evidence);
    }
    return std::nullopt;
}

bool shown_before(const Playback& pb, std::size_t i)
{
    const auto before = pb.plan().valid_before(i);
    for (std::size_t k : before)
        if (pb.was_sent(k) && pb.is_shown(k)) return true;
    // Written but not caught on the screen (a stall of the screen): it counts
    // when the window did show valid frames before, so a client that never
    // shows anything never looks as if it played.
    bool written = false;
    for (std::size_t k : before) written = written || (pb.was_sent(k) && pb.written_exact[k] != nullptr);
    if (!written) return false;
    for (std::size_t k : pb.plan().expected_shown())
        if (k < i && pb.is_shown(k)) return true;
    return false;
}

std::vector<std::size_t> shown_after_list(const Playback& pb, std::size_t i)
{
    std::vector<std::size_t> out;
    for (std::size_t k : pb.plan().expected_shown())
        if (k > i && pb.was_sent(k) && pb.is_shown(k)) out.push_back(k);
    return out;
}

bool shown_after(const Playback& pb, std::size_t i)
{
    for (std::size_t k : pb.plan().expected_shown())
        if (k > i && pb.was_sent(k) && pb.is_shown(k)) return true;
    return false;
}

nlohmann::json datagram_evidence(const Playback& pb, std::size_t i)
{
    const PlannedDatagram& d = pb.plan().at(i);
    nlohmann::json e{{"datagram", i}, {"what", d.description}, {"check", d.check_id}, {"size", d.size()}};
    if (d.marker) e["marker"] = marker::to_string(*d.marker);
    if (pb.served != nullptr) {
        if (const SentDatagram* s = pb.served->sent_for(i)) {
            const std::size_t n = std::min<std::size_t>(s->bytes.size(), 12);
            e["header_hex"] = report::hex_bytes(std::span<const std::uint8_t>(s->bytes.data(), n));
            e["sent_s"] = std::round(pb.seconds(s->sent_steady) * 1000.0) / 1000.0;
            if (!s->sent) e["send_error"] = s->error;
        } else {
            e["sent"] = false;
        }
    }
    return e;
}

nlohmann::json shown_evidence(const Playback& pb, std::size_t i)
{
    if (!pb.is_shown(i)) return nullptr;
    const observe::ShownValue& v = *pb.shown[i];
    nlohmann::json e{{"first_seen_s", std::round(pb.seconds(v.first_seen) * 1000.0) / 1000.0},
                     {"last_seen_s", std::round(pb.seconds(v.last_seen) * 1000.0) / 1000.0},
                     {"first_grab", v.first_grab},
                     {"grabs", v.grabs}};
    const auto& m = pb.plan().at(i).marker;
    if (m && m->kind == marker::MarkerValue::Poison && pb.run->screen) {
        const auto& shots = pb.run->screen->poison_screenshots;
        if (auto it = shots.find(m->number); it != shots.end()) e["screenshot"] = it->second;
    }
    return e;
}

nlohmann::json written_evidence(const Playback& pb, std::size_t i)
{
    if (!pb.is_written(i)) return nullptr;
    nlohmann::json files = nlohmann::json::array();
    for (const WrittenFile* f : pb.written[i]) {
        nlohmann::json e{{"name", f->name},
                         {"how", f->how},
                         {"at_s", std::round(pb.seconds(f->when) * 1000.0) / 1000.0},
                         {"size", f->size},
                         {"holds", observe::describe(f->match)}};
        if (!f->artifact.empty()) e["copy"] = f->artifact;
        files.push_back(std::move(e));
        if (files.size() >= 5) break;
    }
    return files;
}

std::string process_note(const Observed<ClientProcess>& process)
{
    if (!process) return {};
    const ClientProcess& p = *process;
    std::string note;
    if (p.ended_on_own) note = "; the client " + p.exit_status + " after " + fixed(p.lifetime_s, 1) + " s";
    if (p.has_traceback()) {
        std::string line = p.error_line.empty() ? std::string("a traceback") : p.error_line;
        note += (note.empty() ? "; the client printed a traceback: " : ", with a traceback: ") + line;
    }
    return note;
}

nlohmann::json process_evidence(const Observed<ClientProcess>& process)
{
    if (!process) return nullptr;
    const ClientProcess& p = *process;
    nlohmann::json e{{"command", p.command},
                     {"lifetime_s", std::round(p.lifetime_s * 1000.0) / 1000.0},
                     {"ended_on_own", p.ended_on_own},
                     {"exit_status", p.exit_status}};
    if (p.stopped_by_runner) e["stopped_by_runner"] = p.needed_sigkill ? "SIGTERM ignored, SIGKILL" : "SIGTERM";
    if (p.has_traceback()) e["traceback"] = p.traceback;
    else if (!p.stderr_tail.empty()) e["stderr_tail"] = p.stderr_tail;
    if (!p.stderr_path.empty()) e["stderr"] = p.stderr_path;
    return e;
}

std::string name_of(const Playback& pb, std::size_t i)
{
    const PlannedDatagram& d = pb.plan().at(i);
    return d.description + " (datagram " + std::to_string(i) + ")";
}

std::string frame_list(const Playback& pb, const std::vector<std::size_t>& indices, std::size_t shown_max)
{
    std::string out;
    const std::size_t n = std::min(indices.size(), shown_max);
    for (std::size_t k = 0; k < n; ++k) {
        if (k > 0) out += ", ";
        const auto& m = pb.plan().at(indices[k]).marker;
        out += m ? std::to_string(m->number) : "#" + std::to_string(indices[k]);
    }
    if (indices.size() > n) out += " and " + std::to_string(indices.size() - n) + " more";
    return out;
}

std::string fixed(double value, int decimals)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    std::string s = buffer;
    if (s.find_first_not_of("-0.") == std::string::npos && s.front() == '-') s.erase(0, 1);
    return s;
}

std::string count_of(std::size_t n, std::size_t total, const std::string& noun)
{
    return std::to_string(n) + " of " + std::to_string(total) + " " + noun;
}

Verdict worse(Verdict a, Verdict b)
{
    return static_cast<int>(a) > static_cast<int>(b) ? a : b;
}

}  // namespace tpc3::conform::client
