// Every session record held in a run's observations, each once (the
// concurrency pair's first stream is the main stream's copy unless the main
// stream was asked again): for the report's list of sessions (which UDP port
// to decode as RTP in the capture) and for counting datagrams.
#pragma once

#include <functional>
#include <vector>

#include "checks/observations.h"

namespace tpc3::conform::server {

// Pointers into `obs`: valid while it lives unchanged.
std::vector<const SessionRecord*> observed_sessions(const Observations& obs);

}  // namespace tpc3::conform::server
