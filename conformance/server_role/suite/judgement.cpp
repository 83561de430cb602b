#include "suite/judgement.h"

#include <map>

#include "checks/judge.h"
#include "suite/questions.h"

namespace tpc3::conform::server {

namespace {

int badness(report::Status s)
{
    switch (s) {
    case report::Status::Fail: return 3;
    case report::Status::Error: return 2;
    case report::Status::Pass: return 1;
    case report::Status::Skip: return 0;
    }
    return 0;
}

report::CheckResult remake(const report::CheckResult& r, const std::string& message, const nlohmann::json& evidence)
{
    switch (r.status()) {
    case report::Status::Pass: return report::pass(r.info(), message, evidence);
    case report::Status::Fail: return report::fail(r.info(), message, evidence);
    case report::Status::Skip: return report::skip(r.info(), message, evidence);
    case report::Status::Error: break;
    }
    return report::error(r.info(), message, evidence);
}

report::CheckResult merge(const report::CheckResult& main, const report::CheckResult& full, const std::string& movie)
{
    const nlohmann::json summary{{"movie", movie},
                                 {"status", std::string(report::to_string(full.status()))},
                                 {"message", full.message()}};
    if (badness(full.status()) > badness(main.status())) {
        nlohmann::json evidence = full.evidence();
        evidence["long_movie"] = summary;
        evidence["main_movie"] = {{"status", std::string(report::to_string(main.status()))},
                                  {"message", main.message()}};
        return remake(full, "long movie " + movie + ": " + full.message(), evidence);
    }
    nlohmann::json evidence = main.evidence();
    evidence["long_movie"] = summary;
    report::CheckResult out = remake(main, main.message(), evidence);
    out.with_duration(main.duration_s() + full.duration_s());
    return out;
}

}  // namespace

std::vector<report::CheckResult> judge_run(const Observations& obs, const std::optional<LongStream>& long_stream,
                                           const report::Selection& selection)
{
    std::vector<report::CheckResult> results = judge_server(obs);
    if (long_stream) {
        Observations full = obs;
        full.main_stream = long_stream->session;
        full.movie = long_stream->movie;
        std::map<std::string, report::CheckResult> by_id;
        for (report::CheckResult& r : judge_server(full)) by_id.emplace(r.info().id, std::move(r));
        for (report::CheckResult& r : results) {
            if (!fed_by_main_stream(r.info().id)) continue;
            const auto it = by_id.find(r.info().id);
            if (it != by_id.end()) r = merge(r, it->second, long_stream->movie.name);
        }
    }
    for (report::CheckResult& r : results)
        if (!selection.selected(r.info().id)) r = report::skip(r.info(), "not selected (--only/--skip)");
    return results;
}

}  // namespace tpc3::conform::server
