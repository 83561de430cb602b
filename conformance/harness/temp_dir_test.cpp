#include "harness/temp_dir.h"

#include <fstream>

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using tpc3::harness::TempDir;

namespace {

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.good()) << p;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST(TempDir, CreatesDirectoryWithPrefixUnderBase) {
    TempDir base("tpc3-test-base-");
    TempDir dir("my-prefix-", base.path());
    EXPECT_TRUE(fs::is_directory(dir.path()));
    EXPECT_EQ(dir.path().parent_path(), base.path());
    EXPECT_EQ(dir.path().filename().string().rfind("my-prefix-", 0), 0u) << dir.path();
}

TEST(TempDir, RemovesWholeTreeIncludingReadOnlyParts) {
    fs::path where;
    {
        TempDir dir("tpc3-test-");
        where = dir.path();
        fs::create_directories(dir / "a/b/c");
        write_file(dir / "a/b/c/file.txt", "x");
        write_file(dir / "a/readonly.txt", "y");
        fs::permissions(dir / "a/readonly.txt", fs::perms::owner_read);
        fs::permissions(dir / "a/b/c", fs::perms::owner_read | fs::perms::owner_exec);
        fs::permissions(dir / "a/b", fs::perms::none);
    }
    EXPECT_FALSE(fs::exists(where)) << where;
}

TEST(TempDir, RemovesSymlinksWithoutFollowingThem) {
    TempDir outside("tpc3-test-outside-");
    write_file(outside / "precious.txt", "keep me");
    fs::path where;
    {
        TempDir dir("tpc3-test-");
        where = dir.path();
        fs::create_directory_symlink(outside.path(), dir / "link-to-dir");
        fs::create_symlink(outside / "precious.txt", dir / "link-to-file");
    }
    EXPECT_FALSE(fs::exists(where));
    EXPECT_EQ(read_file(outside / "precious.txt"), "keep me");
}

TEST(TempDir, KeepLeavesTreeOnDisk) {
    fs::path where;
    {
        TempDir dir("tpc3-test-");
        where = dir.path();
        write_file(dir / "f", "z");
        dir.keep();
    }
    EXPECT_TRUE(fs::exists(where / "f"));
    tpc3::harness::remove_tree(where);
    EXPECT_FALSE(fs::exists(where));
}

TEST(TempDir, MoveTransfersOwnership) {
    fs::path where;
    {
        TempDir a("tpc3-test-");
        where = a.path();
        TempDir b(std::move(a));
        EXPECT_TRUE(a.path().empty());  // NOLINT(bugprone-use-after-move): checking moved-from state
        EXPECT_EQ(b.path(), where);
        EXPECT_TRUE(fs::exists(where));
    }
    EXPECT_FALSE(fs::exists(where));
}

TEST(TempDir, CopyTreeCopiesFilesAndSubdirectories) {
    TempDir src("tpc3-test-src-");
    TempDir dst("tpc3-test-dst-");
    fs::create_directories(src / "sub");
    write_file(src / "top.txt", "top");
    write_file(src / "sub/inner.bin", std::string("\0\1\2", 3));
    tpc3::harness::copy_tree(src.path(), dst / "copy");
    EXPECT_EQ(read_file(dst / "copy/top.txt"), "top");
    EXPECT_EQ(read_file(dst / "copy/sub/inner.bin"), std::string("\0\1\2", 3));
}

TEST(TempDir, RemoveTreeOfMissingPathIsNotAnError) {
    TempDir dir("tpc3-test-");
    EXPECT_NO_THROW(tpc3::harness::remove_tree(dir / "does-not-exist"));
}
