// The files a client wrote (FileWatcher records), classified against the
// payloads of the injection plan: which datagram's bytes each one holds.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "client_role/checks/observations.h"
#include "observe/file_matcher.h"
#include "observe/file_watcher.h"

namespace tpc3::conform::client {

// A FileMatcher that knows every payload of the plan: valid and big frames
// under their frame number, every other payload (poisons, the corrupt JPEG,
// the random bytes after byte 12) under the identity "d<plan index>". A CC
// poison is also known without its first 4 bytes (a client that skips a CSRC
// list it believes in writes that), as "d<plan index>+cc".
observe::FileMatcher matcher_for(const InjectionPlan& plan);

// The plan index a match points at (nullopt: none).
std::optional<std::size_t> datagram_of(const observe::FileMatch& match, const InjectionPlan& plan);

// WrittenFile for every record that holds content and is a JPEG or one of
// the payloads (other files, e.g. logs or .pyc, are left out), in record
// order. Names are relative to `workdir` when below it.
std::vector<WrittenFile> classify_written(const std::vector<observe::ObservedFile>& records,
                                          const InjectionPlan& plan, const std::filesystem::path& workdir);

}  // namespace tpc3::conform::client
