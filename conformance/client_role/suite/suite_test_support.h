// Shared by the end-to-end tests of the client suite: a private TMPDIR for
// the runs (to prove they leave nothing there), options for a client
// command, and readable dumps of the results.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include "client_role/suite/client_suite.h"
#include "harness/temp_dir.h"

namespace tpc3::conform::client::testing {

namespace fs = std::filesystem;

inline const fs::path kGoodExample = TPC3_SOURCE_DIR "/conformance/examples/good";
inline const std::string kPythonClientCommand =
    std::string(TPC3_PYTHON) + " Client.py {host} {tcp_port} {udp_port} {file}";
inline const std::string kReferenceClientCommand =
    std::string(TPC3_BINARY_DIR) + "/reference/client/tpc3-client {host} {tcp_port} {udp_port} {file} --display "
                                   "--out frames";

// Points $TMPDIR at a fresh directory for the life of the object, so that
// every TempDir of the runs is made there; restores it afterwards.
class PrivateTmpdir {
public:
    PrivateTmpdir() : dir_("tpc3-csuite-test-")
    {
        if (const char* old = std::getenv("TMPDIR")) old_ = old;
        ::setenv("TMPDIR", dir_.path().c_str(), 1);
    }
    ~PrivateTmpdir()
    {
        if (old_) ::setenv("TMPDIR", old_->c_str(), 1);
        else ::unsetenv("TMPDIR");
    }
    const fs::path& path() const { return dir_.path(); }
    // Entries left in the directory, except `keep` (relative names).
    std::vector<std::string> leftovers(const std::vector<std::string>& keep = {}) const
    {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(dir_.path())) {
            const std::string name = e.path().filename().string();
            if (std::find(keep.begin(), keep.end(), name) == keep.end()) out.push_back(name);
        }
        return out;
    }

private:
    harness::TempDir dir_;
    std::optional<std::string> old_;
};

inline ClientSuiteOptions suite_options(const std::string& command, const fs::path& workdir,
                                        const fs::path& artifacts)
{
    ClientSuiteOptions o;
    o.command = command;
    o.workdir = workdir;
    o.artifacts = artifacts;
    return o;
}

inline std::string describe(const report::CheckResult& r)
{
    return r.info().id + " " + std::string(report::to_string(r.status())) + ": " + r.message();
}

inline std::string all_results(const report::Report& report)
{
    std::string out;
    for (const auto& r : report.checks) out += "\n  " + describe(r);
    if (!report.extra.is_null() && report.extra.contains("runs")) out += "\n  runs: " + report.extra["runs"].dump();
    return out;
}

}  // namespace tpc3::conform::client::testing
