// main() of a fuzz target in the normal (non-libFuzzer) build: runs
// LLVMFuzzerTestOneInput once over every file named on the command line, or
// found (recursively, in name order) in a directory named there. Hidden files
// (.gitkeep) are skipped. A crash, an abort or an exception names the file.
//
//   fuzz_rtp_header [--require-inputs] PATH...
//
// Exit status: 0 when every input ran, 1 on an exception or a missing path or
// (with --require-inputs) no input at all; a signal kills it as it would the
// libFuzzer binary, after the file name is printed.

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

namespace fs = std::filesystem;

// The input being run, for the signal handler (which may only call write()).
char g_current[4096];

void write_err(const char* s) {
    const ssize_t ignored = ::write(STDERR_FILENO, s, std::strlen(s));
    (void)ignored;
}

extern "C" void on_fatal_signal(int sig) {
    write_err("replay: crashed (signal ");
    write_err(sig == SIGABRT ? "SIGABRT" : sig == SIGSEGV ? "SIGSEGV" : sig == SIGILL ? "SIGILL"
              : sig == SIGFPE ? "SIGFPE" : sig == SIGBUS ? "SIGBUS" : "?");
    write_err(") on input: ");
    write_err(g_current);
    write_err("\n");
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

bool hidden(const fs::path& p) { return p.filename().string().starts_with("."); }

std::vector<fs::path> inputs_under(const fs::path& dir) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
        if (hidden(it->path())) {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file()) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::uint8_t> read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error(p.string() + ": cannot open");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    for (const int sig : {SIGABRT, SIGSEGV, SIGILL, SIGFPE, SIGBUS}) std::signal(sig, on_fatal_signal);

    bool require_inputs = false;
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--require-inputs") {
            require_inputs = true;
            continue;
        }
        const fs::path p(arg);
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            const auto found = inputs_under(p);
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::is_regular_file(p, ec)) {
            files.push_back(p);
        } else {
            std::fprintf(stderr, "replay: %s: no such file or directory\n", argv[i]);
            return 1;
        }
    }
    if (require_inputs && files.empty()) {
        std::fprintf(stderr, "replay: no input found (--require-inputs)\n");
        return 1;
    }
    for (const auto& f : files) {
        std::snprintf(g_current, sizeof g_current, "%s", f.c_str());
        try {
            // A buffer of exactly the input's size, as libFuzzer passes it.
            const auto bytes = read_all(f);
            LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
        } catch (const std::exception& e) {
            std::fprintf(stderr, "replay: uncaught exception on input %s: %s\n", f.c_str(), e.what());
            return 1;
        }
    }
    std::printf("replay: %zu input(s) ran without a failure\n", files.size());
    return 0;
}
