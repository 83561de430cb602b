#include "client_role/suite/written_files.h"

#include <charconv>

namespace tpc3::conform::client {
namespace {

std::string identity(std::size_t index)
{
    return "d" + std::to_string(index);
}

bool looks_like_jpeg(const observe::ObservedFile& f)
{
    if (f.bytes.size() >= 2 && f.bytes[0] == 0xFF && f.bytes[1] == 0xD8) return true;
    std::string ext = f.path.extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".jpg" || ext == ".jpeg";
}

}  // namespace

observe::FileMatcher matcher_for(const InjectionPlan& plan)
{
    observe::FileMatcher m;
    for (const PlannedDatagram& d : plan.datagrams()) {
        if (d.payload.empty() || d.truncate_to) continue;  // short datagrams carry no payload
        if (d.is_valid_frame() && d.marker) {
            m.add_frame(d.marker->number, d.payload);
            continue;
        }
        if (d.kind == DatagramKind::RandomBytes) {
            if (d.payload.size() > 12)
                m.add_poison(identity(d.index), std::span(d.payload).subspan(12));
            continue;
        }
        m.add_poison(identity(d.index), d.payload);
        if (d.fault == Fault::CsrcCount && d.payload.size() > 4)
            m.add_poison(identity(d.index) + "+cc", std::span(d.payload).subspan(4));
    }
    return m;
}

std::optional<std::size_t> datagram_of(const observe::FileMatch& match, const InjectionPlan& plan)
{
    using Kind = observe::FileMatch::Kind;
    switch (match.kind) {
    case Kind::frame:
    case Kind::prefix_of_frame:
        return plan.find_marker(marker::MarkerValue::frame(match.seq));
    case Kind::poison:
    case Kind::prefix_of_poison: {
        const std::string& id = match.poison_id;
        if (id.size() < 2 || id[0] != 'd') return std::nullopt;
        std::size_t index = 0;
        const auto [end, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), index);
        if (ec != std::errc() || index >= plan.size()) return std::nullopt;
        (void)end;
        return index;
    }
    case Kind::unknown:
        if (match.decoded) return plan.find_marker(*match.decoded);
        return std::nullopt;
    default:
        return std::nullopt;
    }
}

std::vector<WrittenFile> classify_written(const std::vector<observe::ObservedFile>& records,
                                          const InjectionPlan& plan, const std::filesystem::path& workdir)
{
    const observe::FileMatcher matcher = matcher_for(plan);
    std::vector<WrittenFile> out;
    for (const observe::ObservedFile& r : records) {
        if (!r.has_content() || r.bytes.empty()) continue;
        const bool jpeg = looks_like_jpeg(r);
        observe::FileMatch match = matcher.classify(r.bytes, jpeg);
        if (match.kind == observe::FileMatch::Kind::unknown && !jpeg) continue;
        WrittenFile f;
        f.record = r.index;
        f.when = r.when;
        f.path = r.path.string();
        std::error_code ec;
        const auto rel = std::filesystem::relative(r.path, workdir, ec);
        f.name = !ec && !rel.empty() && rel.native().rfind("..", 0) != 0 ? rel.string() : r.path.string();
        f.how = observe::to_string(r.how);
        f.final = r.is_final();
        f.final_scan = r.how == observe::ObservedFile::How::final_scan;
        f.size = r.size;
        f.datagram = datagram_of(match, plan);
        f.match = std::move(match);
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace tpc3::conform::client
