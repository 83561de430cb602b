#include "output_file.h"

#include "command.h"

#include <system_error>

namespace tpc3::movie_tool {

OutputFile::OutputFile(std::filesystem::path final_path)
    : final_(std::move(final_path)), partial_(final_.string() + ".partial") {
    const auto dir = final_.parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        throw InputError(final_.string() + ": cannot create: " + dir.string() + " is not a directory");
    if (std::filesystem::is_directory(final_, ec))
        throw InputError(final_.string() + ": cannot create: is a directory");
}

OutputFile::~OutputFile() {
    if (committed_) return;
    std::error_code ignored;
    std::filesystem::remove(partial_, ignored);
}

void OutputFile::commit() {
    std::error_code ec;
    std::filesystem::rename(partial_, final_, ec);
    if (ec) throw InputError(final_.string() + ": cannot create: " + ec.message());
    committed_ = true;
}

}  // namespace tpc3::movie_tool
