#include "client_role/suite/client_sandbox.h"

#include "harness/temp_dir.h"

namespace tpc3::conform::client {

namespace fs = std::filesystem;

ClientSandbox prepare_client_sandbox(const fs::path& dir, const fs::path& submission)
{
    ClientSandbox s{dir / "work", dir / "work" / ".tmp", dir / "logs", dir / "xdg"};
    fs::create_directories(s.work);
    if (!submission.empty()) harness::copy_tree(submission, s.work);
    fs::create_directories(s.tmp);
    fs::create_directories(s.logs);
    fs::create_directories(s.xdg);
    fs::permissions(s.xdg, fs::perms::owner_all, fs::perm_options::replace);
    return s;
}

harness::ProcessOptions client_process_options(const std::string& command_line, const ClientSandbox& sandbox,
                                               const std::string& display,
                                               const std::map<std::string, std::string>& env, std::string label)
{
    harness::ProcessOptions po = harness::shell_command(command_line);
    po.cwd = sandbox.work;
    po.label = std::move(label);
    po.output_dir = sandbox.logs;
    po.max_file_bytes = 64ull << 20;
    po.set_env["DISPLAY"] = display;
    po.set_env["TMPDIR"] = sandbox.tmp.string();
    po.set_env["XDG_RUNTIME_DIR"] = sandbox.xdg.string();
    po.set_env["PYTHONDONTWRITEBYTECODE"] = "1";
    po.set_env["PYTHONUNBUFFERED"] = "1";
    po.set_env["QT_QPA_PLATFORM"] = "xcb";
    for (const auto& [k, v] : env) po.set_env[k] = v;
    return po;
}

}  // namespace tpc3::conform::client
