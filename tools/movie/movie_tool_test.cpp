// Runs the built tpc3-movie binary in a temporary directory, plus unit tests of
// its helpers.
#include "frame_pattern.h"
#include "frame_size.h"
#include "jpeg_dimensions.h"

#include "marker/marker.h"
#include "movie/movie_index.h"
#include "movie/movie_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace tpc3::movie_tool {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kTool = TPC3_BINARY_DIR "/tools/movie/tpc3-movie";

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "tpc3-movie-test-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    std::string operator/(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

struct ToolRun {
    int status = -1;
    std::string out;
    std::string err;
};

std::string quoted(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs tpc3-movie with args in dir, with a 60 s deadline (coreutils timeout).
ToolRun tool(const TempDir& dir, const std::vector<std::string>& args) {
    std::string cmd = "cd " + quoted(dir.path().string()) + " && timeout 60 " + quoted(kTool);
    for (const auto& a : args) cmd += " " + quoted(a);
    cmd += " >" + quoted(dir / ".stdout") + " 2>" + quoted(dir / ".stderr");
    const int raw = std::system(cmd.c_str());
    ToolRun r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = slurp(dir / ".stdout");
    r.err = slurp(dir / ".stderr");
    fs::remove(dir / ".stdout");
    fs::remove(dir / ".stderr");
    return r;
}

void truncate_file(const std::string& path, std::uintmax_t size) { fs::resize_file(path, size); }

// --- the binary -------------------------------------------------------------

TEST(MovieTool, MakeThenInfo) {
    TempDir dir;
    const ToolRun make = tool(dir, {"make", "m.mpeg", "--frames", "12", "--size", "256x144"});
    ASSERT_EQ(make.status, 0) << make.err;

    const ToolRun text = tool(dir, {"info", "m.mpeg"});
    EXPECT_EQ(text.status, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr("frames:      12\n"));
    EXPECT_THAT(text.out, HasSubstr("resolution:  256x144\n"));
    EXPECT_THAT(text.out, HasSubstr("duration:    0.60 s"));
    EXPECT_THAT(text.out, HasSubstr("total size:  " + std::to_string(fs::file_size(dir / "m.mpeg")) + " bytes"));

    const ToolRun json = tool(dir, {"info", "m.mpeg", "--json"});
    ASSERT_EQ(json.status, 0) << json.err;
    const auto j = nlohmann::json::parse(json.out);
    EXPECT_EQ(j["frames"], 12);
    EXPECT_EQ(j["width"], 256);
    EXPECT_EQ(j["height"], 144);
    EXPECT_EQ(j["valid"], true);
    EXPECT_TRUE(j["error"].is_null());
    EXPECT_EQ(j["file_bytes"], fs::file_size(dir / "m.mpeg"));
    EXPECT_EQ(j["frame_bytes"]["total"].get<std::uint64_t>() + 12 * 5, fs::file_size(dir / "m.mpeg"));
    EXPECT_LE(j["frame_bytes"]["min"].get<double>(), j["frame_bytes"]["mean"].get<double>());
    EXPECT_LE(j["frame_bytes"]["mean"].get<double>(), j["frame_bytes"]["max"].get<double>());
    EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 0.6);
}

TEST(MovieTool, MakeIsDeterministicAndTheSeedMattersWithNoise) {
    TempDir dir;
    ASSERT_EQ(tool(dir, {"make", "a.mpeg", "--frames", "3", "--noise", "10"}).status, 0);
    ASSERT_EQ(tool(dir, {"make", "b.mpeg", "--frames", "3", "--noise", "10"}).status, 0);
    ASSERT_EQ(tool(dir, {"make", "c.mpeg", "--frames", "3", "--noise", "10", "--seed", "2"}).status, 0);
    EXPECT_EQ(slurp(dir / "a.mpeg"), slurp(dir / "b.mpeg"));
    EXPECT_NE(slurp(dir / "a.mpeg"), slurp(dir / "c.mpeg"));
}

TEST(MovieTool, EachFrameCarriesItsNumber) {
    TempDir dir;
    ASSERT_EQ(tool(dir, {"make", "m.mpeg", "--frames", "25", "--quality", "40"}).status, 0);
    movie::MovieReader reader(dir / "m.mpeg");
    std::uint32_t count = 0;
    while (auto frame = reader.next()) {
        const cv::Mat img = marker::decode_image(frame->data);
        ASSERT_EQ(img.cols, 320);
        ASSERT_EQ(img.rows, 240);
        const auto value = marker::decode_single(img);
        ASSERT_TRUE(value) << "frame " << frame->index;
        EXPECT_EQ(*value, marker::MarkerValue::frame(static_cast<std::uint32_t>(frame->index + 1)));
        ++count;
    }
    EXPECT_EQ(count, 25u);
}

TEST(MovieTool, MakeExtractPackGivesTheSameBytes) {
    TempDir dir;
    ASSERT_EQ(tool(dir, {"make", "m.mpeg", "--frames", "15", "--noise", "5"}).status, 0);
    const ToolRun extract = tool(dir, {"extract", "m.mpeg", "frames"});
    ASSERT_EQ(extract.status, 0) << extract.err;
    for (int n = 1; n <= 15; ++n) {
        char name[32];
        std::snprintf(name, sizeof name, "frame-%05d.jpg", n);
        EXPECT_TRUE(fs::exists(dir.path() / "frames" / name)) << name;
    }
    EXPECT_FALSE(fs::exists(dir.path() / "frames" / "frame-00016.jpg"));
    EXPECT_FALSE(fs::exists(dir.path() / "frames" / "frame-00000.jpg"));

    const ToolRun from_dir = tool(dir, {"pack", "copy.mpeg", "frames"});
    ASSERT_EQ(from_dir.status, 0) << from_dir.err;
    EXPECT_EQ(slurp(dir / "copy.mpeg"), slurp(dir / "m.mpeg"));

    // Files given one by one are taken in the order given.
    std::vector<std::string> args{"pack", "reversed.mpeg"};
    for (int n = 15; n >= 1; --n) {
        char name[40];
        std::snprintf(name, sizeof name, "frames/frame-%05d.jpg", n);
        args.emplace_back(name);
    }
    ASSERT_EQ(tool(dir, args).status, 0);
    movie::MovieReader original(dir / "m.mpeg");
    const auto index = movie::MovieIndex::build(dir / "reversed.mpeg");
    ASSERT_EQ(index.size(), 15u);
    while (auto frame = original.next()) EXPECT_EQ(index.read_frame(14 - frame->index), frame->data);
}

TEST(MovieTool, ExtractPatternIsAFileNamePattern) {
    TempDir dir;
    ASSERT_EQ(tool(dir, {"make", "m.mpeg", "--frames", "2"}).status, 0);
    ASSERT_EQ(tool(dir, {"extract", "m.mpeg", "out", "--pattern", "img%d-100%%.jpg"}).status, 0);
    EXPECT_TRUE(fs::exists(dir.path() / "out" / "img1-100%.jpg"));
    EXPECT_TRUE(fs::exists(dir.path() / "out" / "img2-100%.jpg"));
    for (const char* bad : {"frame.jpg", "%s.jpg", "%d-%d.jpg", "../%d.jpg", "%x"}) {
        const ToolRun r = tool(dir, {"extract", "m.mpeg", "out", "--pattern", bad});
        EXPECT_EQ(r.status, 2) << bad;
        EXPECT_THAT(r.err, HasSubstr("pattern")) << bad;
    }
}

TEST(MovieTool, InfoOnATruncatedMovieReportsTheOffset) {
    TempDir dir;
    ASSERT_EQ(tool(dir, {"make", "m.mpeg", "--frames", "10"}).status, 0);
    const auto index = movie::MovieIndex::build(dir / "m.mpeg");
    const std::uint64_t part5 = index[5].offset - 5;  // where frame 5's length digits start
    truncate_file(dir / "m.mpeg", part5 + 5 + index[5].size / 2);

    const ToolRun text = tool(dir, {"info", "m.mpeg"});
    EXPECT_EQ(text.status, 1);
    EXPECT_THAT(text.out, HasSubstr("status:      INVALID"));
    EXPECT_THAT(text.out, HasSubstr("frames:      5 (read before the error)"));
    EXPECT_THAT(text.out, HasSubstr("resolution:  320x240"));
    EXPECT_THAT(text.out, HasSubstr("offset " + std::to_string(part5)));
    EXPECT_THAT(text.err, HasSubstr("offset " + std::to_string(part5)));

    const ToolRun json = tool(dir, {"info", "m.mpeg", "--json"});
    EXPECT_EQ(json.status, 1);
    const auto j = nlohmann::json::parse(json.out);
    EXPECT_EQ(j["valid"], false);
    EXPECT_EQ(j["frames"], 5);
    EXPECT_EQ(j["error"]["offset"], part5);
    EXPECT_EQ(j["error"]["frame_index"], 5);
    EXPECT_EQ(j["error"]["kind"], "truncated frame");

    // Cut inside a length field: trailing bytes, at the offset of that part.
    truncate_file(dir / "m.mpeg", part5 + 3);
    const auto k = nlohmann::json::parse(tool(dir, {"info", "m.mpeg", "--json"}).out);
    EXPECT_EQ(k["error"]["offset"], part5);
    EXPECT_EQ(k["frames"], 5);
}

TEST(MovieTool, InfoAndExtractOnMissingOrGarbageFiles) {
    TempDir dir;
    const ToolRun missing = tool(dir, {"info", "nope.mpeg"});
    EXPECT_EQ(missing.status, 1);
    EXPECT_THAT(missing.err, HasSubstr("nope.mpeg"));

    std::ofstream(dir / "garbage.mpeg") << "hello world, not a movie";
    const ToolRun garbage = tool(dir, {"info", "garbage.mpeg"});
    EXPECT_EQ(garbage.status, 1);
    EXPECT_THAT(garbage.out, HasSubstr("frames:      0"));
    EXPECT_THAT(garbage.err, HasSubstr("offset 0"));

    const ToolRun extract = tool(dir, {"extract", "garbage.mpeg", "out"});
    EXPECT_EQ(extract.status, 1);
    EXPECT_THAT(extract.err, HasSubstr("garbage.mpeg"));
}

TEST(MovieTool, FramesOver99999BytesAreRefused) {
    TempDir dir;
    // Noise defeats JPEG compression: every frame is well over 100 KB.
    const ToolRun r =
        tool(dir, {"make", "big.mpeg", "--frames", "3", "--size", "1280x720", "--quality", "95", "--noise", "40"});
    EXPECT_EQ(r.status, 1);
    EXPECT_THAT(r.err, HasSubstr("frame 0 (number 1)"));
    EXPECT_THAT(r.err, HasSubstr("99,999"));
    EXPECT_FALSE(fs::exists(dir / "big.mpeg"));
    EXPECT_FALSE(fs::exists(dir / "big.mpeg.partial"));

    // pack refuses such a JPEG too, naming it
    cv::Mat noise(480, 640, CV_8UC3);
    cv::randu(noise, cv::Scalar::all(0), cv::Scalar::all(256));
    const auto big = marker::encode_jpeg(noise, 95);
    ASSERT_GT(big.size(), 99'999u);
    std::ofstream(dir / "big.jpg", std::ios::binary).write(reinterpret_cast<const char*>(big.data()),
                                                           static_cast<std::streamsize>(big.size()));
    const ToolRun pack = tool(dir, {"pack", "p.mpeg", "big.jpg"});
    EXPECT_EQ(pack.status, 1);
    EXPECT_THAT(pack.err, HasSubstr("big.jpg"));
    EXPECT_THAT(pack.err, HasSubstr("99,999"));
    EXPECT_FALSE(fs::exists(dir / "p.mpeg"));
}

TEST(MovieTool, PackErrorsNameTheFile) {
    TempDir dir;
    ASSERT_EQ(tool(dir, {"poison", "good.jpg", "--code", "1", "--serial", "1"}).status, 0);
    std::ofstream(dir / "text.jpg") << "not a jpeg";
    const ToolRun bad = tool(dir, {"pack", "m.mpeg", "good.jpg", "text.jpg"});
    EXPECT_EQ(bad.status, 1);
    EXPECT_THAT(bad.err, HasSubstr("text.jpg"));
    EXPECT_THAT(bad.err, HasSubstr("not a JPEG"));
    EXPECT_FALSE(fs::exists(dir / "m.mpeg"));

    const ToolRun missing = tool(dir, {"pack", "m.mpeg", "good.jpg", "absent.jpg"});
    EXPECT_EQ(missing.status, 1);
    EXPECT_THAT(missing.err, HasSubstr("absent.jpg"));

    fs::create_directory(dir.path() / "empty");
    const ToolRun empty = tool(dir, {"pack", "m.mpeg", "empty"});
    EXPECT_EQ(empty.status, 1);
    EXPECT_THAT(empty.err, HasSubstr("empty"));

    // An existing movie is not clobbered by a failed pack.
    ASSERT_EQ(tool(dir, {"pack", "m.mpeg", "good.jpg"}).status, 0);
    const std::string before = slurp(dir / "m.mpeg");
    EXPECT_EQ(tool(dir, {"pack", "m.mpeg", "good.jpg", "text.jpg"}).status, 1);
    EXPECT_EQ(slurp(dir / "m.mpeg"), before);
}

TEST(MovieTool, UnwritableOutputIsInvalidInputNamingIt) {
    TempDir dir;
    const ToolRun r = tool(dir, {"make", "nodir/m.mpeg", "--frames", "2"});
    EXPECT_EQ(r.status, 1);
    EXPECT_THAT(r.err, HasSubstr("nodir/m.mpeg: cannot create"));
    fs::create_directory(dir.path() / "adir");
    const ToolRun d = tool(dir, {"make", "adir", "--frames", "2"});
    EXPECT_EQ(d.status, 1);
    EXPECT_THAT(d.err, HasSubstr("adir: cannot create"));
}

TEST(MovieTool, PoisonWritesADecodablePoisonFrame) {
    TempDir dir;
    const ToolRun r = tool(dir, {"poison", "p.jpg", "--code", "5", "--serial", "123", "--caption", "C-REJ-05", "--size",
                             "640x480"});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string bytes = slurp(dir / "p.jpg");
    const cv::Mat img = marker::decode_image(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    ASSERT_EQ(img.cols, 640);
    EXPECT_EQ(marker::decode_single(img), marker::MarkerValue::poison(5, 123));
}

TEST(MovieTool, UsageErrorsExitWith2) {
    TempDir dir;
    const std::vector<std::vector<std::string>> bad{
        {},
        {"frobnicate"},
        {"make"},
        {"make", "m.mpeg", "--size", "320"},
        {"make", "m.mpeg", "--size", "64x48"},
        {"make", "m.mpeg", "--quality", "0"},
        {"make", "m.mpeg", "--frames", "0"},
        {"make", "m.mpeg", "--frames", "900000"},
        {"make", "m.mpeg", "--bogus"},
        {"info"},
        {"pack", "m.mpeg"},
        {"poison", "p.jpg", "--code", "100", "--serial", "1"},
        {"poison", "p.jpg", "--code", "1"},
    };
    for (const auto& args : bad) {
        const ToolRun r = tool(dir, args);
        std::string joined;
        for (const auto& a : args) joined += a + " ";
        EXPECT_EQ(r.status, 2) << joined;
        EXPECT_FALSE(r.err.empty()) << joined;
    }
    EXPECT_FALSE(fs::exists(dir / "m.mpeg"));
}

TEST(MovieTool, HelpReadsLikeAManPage) {
    TempDir dir;
    const ToolRun top = tool(dir, {"--help"});
    EXPECT_EQ(top.status, 0);
    for (const char* s : {"DESCRIPTION", "EXAMPLES", "EXIT STATUS", "make", "info", "extract", "pack", "poison"})
        EXPECT_THAT(top.out, HasSubstr(s));
    for (const char* cmd : {"make", "info", "extract", "pack", "poison"}) {
        const ToolRun sub = tool(dir, {cmd, "--help"});
        EXPECT_EQ(sub.status, 0) << cmd;
        EXPECT_THAT(sub.out, HasSubstr("EXAMPLES")) << cmd;
        EXPECT_THAT(sub.out, HasSubstr("EXIT STATUS")) << cmd;
        EXPECT_THAT(sub.out, HasSubstr(std::string("tpc3-movie ") + cmd)) << cmd;
    }
    EXPECT_THAT(tool(dir, {"make", "--help"}).out, HasSubstr("--quality"));
}

// --- helpers ----------------------------------------------------------------

TEST(FramePattern, FormatsOneIntegerConversion) {
    EXPECT_EQ(FramePattern::parse("frame-%05d.jpg")->format(7), "frame-00007.jpg");
    EXPECT_EQ(FramePattern::parse("frame-%05d.jpg")->format(123456), "frame-123456.jpg");
    EXPECT_EQ(FramePattern::parse("%d")->format(42), "42");
    EXPECT_EQ(FramePattern::parse("a%3db")->format(5), "a  5b");
    EXPECT_EQ(FramePattern::parse("100%%-%d")->format(1), "100%-1");
    std::string why;
    EXPECT_FALSE(FramePattern::parse("%n", &why));
    EXPECT_THAT(why, HasSubstr("%n"));
    EXPECT_FALSE(FramePattern::parse("%", &why));
    EXPECT_FALSE(FramePattern::parse("%%", &why));
    EXPECT_FALSE(FramePattern::parse("%099999999999d", &why));
    EXPECT_FALSE(FramePattern::parse("dir/%d.jpg", &why));
}

TEST(FrameSize, ParsesWidthXHeight) {
    ASSERT_TRUE(parse_frame_size("320x240"));
    EXPECT_EQ(parse_frame_size("320x240")->width, 320);
    EXPECT_EQ(parse_frame_size("640X480")->height, 480);
    for (const char* bad : {"", "320", "x240", "320x", "320x240x1", "-320x240", "320x0", "3e2x240", "320 x240"})
        EXPECT_FALSE(parse_frame_size(bad)) << bad;
}

TEST(JpegDimensions, ReadsTheStartOfFrame) {
    const auto jpeg = marker::encode_jpeg(marker::render_frame(333, 111, marker::MarkerValue::frame(3), ""), 60);
    EXPECT_EQ(jpeg_dimensions(jpeg), (JpegDimensions{333, 111}));
    // cut before the SOF, or not a JPEG: nothing
    EXPECT_FALSE(jpeg_dimensions(std::span(jpeg).first(20)));
    const std::vector<std::uint8_t> junk{0xFF, 0xD8, 0x00, 0x01, 0x02};
    EXPECT_FALSE(jpeg_dimensions(junk));
    EXPECT_FALSE(jpeg_dimensions({}));
    // every prefix is safe to parse
    for (std::size_t n = 0; n < 700 && n < jpeg.size(); ++n) (void)jpeg_dimensions(std::span(jpeg).first(n));
}

}  // namespace
}  // namespace tpc3::movie_tool
