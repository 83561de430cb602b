// One client run: a fresh copy of the submission in a private temp dir
// (TMPDIR inside it), a private Xvfb, the observers (files and screen), the
// runner's server on a free port playing the plan, the client command, then
// everything stopped and removed. Produces a ClientRun for the checks and the
// evidence files (poison screenshots, contact sheet, poison files written,
// the client's output).
//
// Order at the end (what each step relies on): the observers stop first (the
// screen observer before its Xvfb goes), the evidence images are written,
// then the client's process group is stopped (SIGTERM, SIGKILL after the
// grace), then the Xvfb, then the temp dir is removed.
//
// Thread use: call run_client() from a thread that lives until it returns
// (the client dies with the thread that spawned it). Several runs may go at
// once in separate threads: each has its own display, port and directory.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client_role/checks/observations.h"
#include "harness/xvfb_display.h"
#include "session/connection_observer.h"

namespace tpc3::conform::client {

struct ClientRunSettings {
    std::string command;             // the template: {host} {tcp_port} {udp_port} {file}
    std::filesystem::path workdir;   // copied fresh; empty: the client starts in an empty directory
    std::map<std::string, std::string> env;  // added to the client's environment
    std::chrono::milliseconds connect_timeout{10'000};  // for the client to connect
    std::chrono::milliseconds go_timeout{5'000};
    std::chrono::milliseconds settle{600};    // after the last datagram: the last frames reach screen and disk
    std::chrono::milliseconds grace{1'000};   // SIGTERM -> SIGKILL
    double refusal_exit_s = 4.0;              // the refusal run waits this long after -1 for the exit
    std::optional<std::filesystem::path> artifacts;  // evidence goes there (created); nullopt: none kept
    bool keep_workdir = false;                // leave the run's temp dir on disk
    server::ConnectionObserver* observer = nullptr;  // pcap: sees the runner's side of the traffic
    // Told the run's TCP port (the runner's server) and the client's UDP port
    // before the client starts (a live capture adds them). Thread-safe.
    std::function<void(std::uint16_t tcp_port, std::uint16_t udp_port)> on_ports;
    int screen_width = 800;
    int screen_height = 600;
    double grabs_per_second = 50;
};

struct ClientRunSpec {
    std::string label;  // "main run", "refusal run"
    std::string slug;   // "main", "refusal": prefix of artifact names
    std::string file;   // {file}
    InjectionPlan plan;
};

struct ClientRunOutcome {
    ClientRun run;
    std::map<std::string, std::string> artifacts;  // report name -> path ("main.contact_sheet")
    std::optional<std::filesystem::path> kept_workdir;
    // The runner itself failed (Xvfb would not start, no port): the parts it
    // could not observe are missing with this reason.
    std::string harness_problem;
    // Costs, for the report and the bench.
    double wall_s = 0;
    double observer_cpu_s = 0;  // grab + decode threads of the screen observer
    double xvfb_cpu_s = 0;
    bool left_nothing = true;   // no process of the client's family, nor the Xvfb, was left running
};

ClientRunOutcome run_client(const ClientRunSettings& settings, ClientRunSpec spec);

}  // namespace tpc3::conform::client
