#include "movie/jpeg.h"
#include "movie/movie_format.h"
#include "movie/movie_index.h"
#include "movie/movie_reader.h"
#include "movie/movie_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

namespace tpc3::movie {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using ::testing::HasSubstr;

// A fresh directory under TMPDIR, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "tpc3-movie-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

// A structurally valid JPEG of `size` bytes (>= 4): FF D8, filler, FF D9.
Bytes fake_jpeg(std::size_t size, std::uint8_t seed = 0) {
    Bytes b(size);
    for (std::size_t i = 0; i < size; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
    b[0] = 0xFF;
    b[1] = 0xD8;
    b[size - 2] = 0xFF;
    b[size - 1] = 0xD9;
    return b;
}

Bytes part(const Bytes& jpeg) {
    char digits[8];
    std::snprintf(digits, sizeof digits, "%05zu", jpeg.size());
    Bytes b(digits, digits + 5);
    b.insert(b.end(), jpeg.begin(), jpeg.end());
    return b;
}

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes concat(std::initializer_list<Bytes> pieces) {
    Bytes all;
    for (const auto& p : pieces) all.insert(all.end(), p.begin(), p.end());
    return all;
}

void write_file(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
}

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<Frame> read_all(const std::string& path, bool check_jpeg = true) {
    MovieReader reader(path);
    reader.set_check_jpeg(check_jpeg);
    std::vector<Frame> frames;
    while (auto f = reader.next()) frames.push_back(std::move(*f));
    return frames;
}

// Runs f, which must throw MovieError; returns it.
MovieError expect_movie_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const MovieError& e) {
        return e;
    }
    ADD_FAILURE() << "no MovieError thrown";
    return MovieError(MovieErrorKind::Io, "", 0, 0, "none");
}

// ---------------------------------------------------------------- round trip

TEST(MovieRoundTrip, WriterThenReaderGivesTheSameFrames) {
    TempDir dir;
    const std::string path = dir.file("movie.mpeg");
    const std::vector<Bytes> frames = {fake_jpeg(4), fake_jpeg(1000, 1), fake_jpeg(99'999, 2), fake_jpeg(8098, 3),
                                       fake_jpeg(10, 4)};
    MovieWriter writer(path);
    for (const auto& f : frames) writer.write(f);
    EXPECT_EQ(writer.frames_written(), frames.size());
    writer.close();

    const auto read = read_all(path);
    ASSERT_EQ(read.size(), frames.size());
    std::uint64_t offset = 0;
    for (std::size_t k = 0; k < frames.size(); ++k) {
        EXPECT_EQ(read[k].index, k);
        EXPECT_EQ(read[k].offset, offset);
        EXPECT_EQ(read[k].data, frames[k]) << "frame " << k;
        offset += 5 + frames[k].size();
    }
    EXPECT_EQ(fs::file_size(path), offset);
}

TEST(MovieWriter, WritesZeroPaddedFiveDigitsThenTheBytes) {
    TempDir dir;
    const std::string path = dir.file("m.mpeg");
    const Bytes a = fake_jpeg(6), b = fake_jpeg(12'345);
    {
        MovieWriter writer(path);
        writer.write(a);
        writer.write(b);
        writer.close();
    }
    const Bytes file = read_file(path);
    EXPECT_EQ(file, concat({bytes_of("00006"), a, bytes_of("12345"), b}));
}

TEST(MovieIndex, MatchesTheReader) {
    TempDir dir;
    const std::string path = dir.file("movie.mpeg");
    MovieWriter writer(path);
    for (std::size_t k = 0; k < 30; ++k) writer.write(fake_jpeg(4 + k * 311, static_cast<std::uint8_t>(k)));
    writer.close();

    const auto frames = read_all(path);
    const auto index = MovieIndex::build(path);
    EXPECT_EQ(index.path(), path);
    EXPECT_EQ(index.file_size(), fs::file_size(path));
    ASSERT_EQ(index.size(), frames.size());
    ASSERT_EQ(index.frames().size(), frames.size());
    for (std::size_t k = 0; k < frames.size(); ++k) {
        EXPECT_EQ(index[k].offset, frames[k].offset + 5);
        EXPECT_EQ(index[k].size, frames[k].data.size());
        EXPECT_EQ(index.read_frame(k), frames[k].data) << "frame " << k;
    }
    // Out of order, and from a copy of the index.
    const MovieIndex copy = index;
    EXPECT_EQ(copy.read_frame(17), frames[17].data);
    EXPECT_EQ(copy.read_frame(0), frames[0].data);
    EXPECT_THROW((void)index.read_frame(frames.size()), std::out_of_range);
}

TEST(MovieIndex, KeepsReadingAfterTheFileIsUnlinked) {
    TempDir dir;
    const std::string path = dir.file("movie.mpeg");
    write_file(path, concat({part(fake_jpeg(50, 1)), part(fake_jpeg(60, 2))}));
    const auto index = MovieIndex::build(path);
    fs::remove(path);
    EXPECT_EQ(index.read_frame(1), fake_jpeg(60, 2));
}

TEST(MovieIndex, ReportsAFileThatShrankSinceBuild) {
    TempDir dir;
    const std::string path = dir.file("movie.mpeg");
    write_file(path, concat({part(fake_jpeg(50, 1)), part(fake_jpeg(60, 2))}));
    const auto index = MovieIndex::build(path);
    fs::resize_file(path, 55 + 5 + 30);
    const auto e = expect_movie_error([&] { (void)index.read_frame(1); });
    EXPECT_EQ(e.kind(), MovieErrorKind::Io);
    EXPECT_EQ(e.frame_index(), 1u);
    EXPECT_EQ(e.offset(), 55u);
    EXPECT_THAT(e.what(), HasSubstr("read only 30 of 60 bytes"));
}

TEST(MovieEmpty, EmptyFileHasNoFrames) {
    TempDir dir;
    const std::string path = dir.file("empty.mpeg");
    write_file(path, {});
    MovieReader reader(path);
    EXPECT_FALSE(reader.next().has_value());
    EXPECT_FALSE(reader.next().has_value());
    const auto index = MovieIndex::build(path);
    EXPECT_EQ(index.size(), 0u);
    EXPECT_EQ(index.file_size(), 0u);
}

TEST(MovieOpen, MissingFileOrDirectoryIsAnIoError) {
    TempDir dir;
    const std::string missing = dir.file("nope.mpeg");
    for (const auto& path : {missing, dir.file("")}) {
        const auto r = expect_movie_error([&] { MovieReader reader(path); });
        EXPECT_EQ(r.kind(), MovieErrorKind::Io) << path;
        EXPECT_THAT(r.what(), HasSubstr(path + ": frame 0 at offset 0: cannot open"));
        const auto i = expect_movie_error([&] { (void)MovieIndex::build(path); });
        EXPECT_EQ(i.kind(), MovieErrorKind::Io) << path;
        EXPECT_THAT(i.what(), HasSubstr(path));
    }
    const auto w = expect_movie_error([&] { MovieWriter writer(dir.file("no/such/dir/out.mpeg")); });
    EXPECT_EQ(w.kind(), MovieErrorKind::Io);
    EXPECT_THAT(w.what(), HasSubstr("cannot open for writing"));
}

// ---------------------------------------------------------------- malformed files

struct Malformed {
    const char* name;
    Bytes bytes;
    MovieErrorKind kind;
    std::uint64_t offset;
    std::size_t frame_index;
    std::string detail;          // what() after "<path>: frame k at offset X: "
    std::size_t frames_before;  // good frames the reader delivers first
};

// Two good frames of 20 and 30 bytes take offsets 0..24 and 25..59; the bad part starts at 60.
Bytes two_good() { return concat({part(fake_jpeg(20, 1)), part(fake_jpeg(30, 2))}); }

std::vector<Malformed> malformed_cases() {
    Bytes not_soi = fake_jpeg(40);
    not_soi[0] = 0x12;
    not_soi[1] = 0x34;
    Bytes not_eoi = fake_jpeg(40);
    not_eoi[38] = 0x00;
    not_eoi[39] = 0xAB;
    Bytes neither = not_soi;
    neither[38] = 0x00;
    neither[39] = 0xAB;
    return {
        {"letter in the length field", concat({two_good(), bytes_of("12a45"), fake_jpeg(10)}),
         MovieErrorKind::BadLength, 60, 2, "length field \"12a45\" is not 5 decimal digits", 2},
        {"binary length field at the start", concat({Bytes{0xFF, 0xD8, 0xFF, 0xE0, 0x00}, fake_jpeg(10)}),
         MovieErrorKind::BadLength, 0, 0, "length field \"\\xff\\xd8\\xff\\xe0\\x00\" is not 5 decimal digits", 0},
        {"space-padded length field", concat({part(fake_jpeg(20, 1)), bytes_of("  100"), fake_jpeg(100)}),
         MovieErrorKind::BadLength, 25, 1, "length field \"  100\" is not 5 decimal digits", 1},
        {"signed length field", concat({bytes_of("+0010"), fake_jpeg(10)}), MovieErrorKind::BadLength, 0, 0,
         "length field \"+0010\" is not 5 decimal digits", 0},
        {"length 00000", concat({two_good(), bytes_of("00000"), part(fake_jpeg(10))}), MovieErrorKind::BadLength, 60,
         2, "length field \"00000\" declares an empty frame", 2},
        {"3 trailing digits", concat({two_good(), bytes_of("012")}), MovieErrorKind::TruncatedLength, 60, 2,
         "trailing bytes: 3 bytes \"012\" after the last frame do not form a part (the file ends inside a "
         "5-digit length field)",
         2},
        {"1 trailing newline", concat({two_good(), bytes_of("\n")}), MovieErrorKind::TruncatedLength, 60, 2,
         "trailing bytes: 1 byte \"\\n\" after the last frame do not form a part (the file ends inside a 5-digit "
         "length field)",
         2},
        {"file of 4 bytes", bytes_of("0001"), MovieErrorKind::TruncatedLength, 0, 0,
         "trailing bytes: 4 bytes \"0001\" do not form a part (the file ends inside a 5-digit length field)", 0},
        {"truncated frame", concat({two_good(), bytes_of("00100"), Bytes(40, 0x55)}), MovieErrorKind::TruncatedFrame,
         60, 2, "truncated frame: the length field declares 100 bytes but only 40 bytes remain", 2},
        {"frame with no byte at all", concat({two_good(), bytes_of("00001")}), MovieErrorKind::TruncatedFrame, 60, 2,
         "truncated frame: the length field declares 1 byte but only 0 bytes remain", 2},
        {"first frame one byte short", [] {
             Bytes b = part(fake_jpeg(99'999));
             b.pop_back();
             return b;
         }(),
         MovieErrorKind::TruncatedFrame, 0, 0,
         "truncated frame: the length field declares 99999 bytes but only 99998 bytes remain", 0},
        {"does not start FF D8", concat({two_good(), part(not_soi)}), MovieErrorKind::NotJpeg, 60, 2,
         "not a JPEG: the frame starts with 12 34 instead of FF D8", 2},
        {"does not end FF D9", concat({two_good(), part(not_eoi)}), MovieErrorKind::NotJpeg, 60, 2,
         "not a JPEG: the frame ends with 00 AB instead of FF D9", 2},
        {"neither end", concat({part(neither), two_good()}), MovieErrorKind::NotJpeg, 0, 0,
         "not a JPEG: the frame starts with 12 34 instead of FF D8 and ends with 00 AB instead of FF D9", 0},
        {"3-byte frame", concat({two_good(), bytes_of("00003"), Bytes{0xFF, 0xD8, 0xD9}}), MovieErrorKind::NotJpeg,
         60, 2, "not a JPEG: the frame of 3 bytes is too short to hold FF D8 ... FF D9", 2},
        {"1-byte frame", concat({bytes_of("00001"), Bytes{0xFF}}), MovieErrorKind::NotJpeg, 0, 0,
         "not a JPEG: the frame of 1 byte is too short to hold FF D8 ... FF D9", 0},
    };
}

TEST(MovieMalformed, ReaderReportsKindOffsetFrameAndMessage) {
    TempDir dir;
    for (const auto& c : malformed_cases()) {
        SCOPED_TRACE(c.name);
        const std::string path = dir.file("movie.mpeg");
        write_file(path, c.bytes);
        MovieReader reader(path);
        std::size_t good = 0;
        const auto e = expect_movie_error([&] {
            while (reader.next()) ++good;
        });
        EXPECT_EQ(good, c.frames_before);
        EXPECT_EQ(e.kind(), c.kind);
        EXPECT_EQ(e.path(), path);
        EXPECT_EQ(e.offset(), c.offset);
        EXPECT_EQ(e.frame_index(), c.frame_index);
        EXPECT_EQ(std::string(e.what()), path + ": frame " + std::to_string(c.frame_index) + " at offset " +
                                             std::to_string(c.offset) + ": " + c.detail);
        EXPECT_FALSE(reader.next().has_value()) << "a reader is at end after an error";
    }
}

TEST(MovieMalformed, IndexReportsExactlyWhatTheReaderReports) {
    TempDir dir;
    for (const auto& c : malformed_cases()) {
        SCOPED_TRACE(c.name);
        const std::string path = dir.file("movie.mpeg");
        write_file(path, c.bytes);
        const auto from_reader = expect_movie_error([&] { (void)read_all(path); });
        const auto from_index = expect_movie_error([&] { (void)MovieIndex::build(path); });
        EXPECT_EQ(from_index.kind(), c.kind);
        EXPECT_EQ(from_index.offset(), c.offset);
        EXPECT_EQ(from_index.frame_index(), c.frame_index);
        EXPECT_STREQ(from_index.what(), from_reader.what());
    }
}

TEST(MovieMalformed, NotJpegIsAcceptedWhenTheCheckIsOff) {
    TempDir dir;
    const std::string path = dir.file("movie.mpeg");
    const Bytes junk = bytes_of("not a jpeg at all");
    write_file(path, concat({part(junk), part(bytes_of("x")), part(fake_jpeg(9))}));
    const auto frames = read_all(path, /*check_jpeg=*/false);
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].data, junk);
    EXPECT_EQ(frames[1].data, bytes_of("x"));
    const auto index = MovieIndex::build(path, /*check_jpeg=*/false);
    ASSERT_EQ(index.size(), 3u);
    EXPECT_EQ(index.read_frame(0), junk);
    EXPECT_EQ(index[1].size, 1u);
    EXPECT_EQ(index[2].offset, 5u + junk.size() + 5 + 1 + 5);
}

TEST(MovieMalformed, StructuralErrorsRemainWithTheCheckOff) {
    TempDir dir;
    const std::string path = dir.file("movie.mpeg");
    write_file(path, concat({part(bytes_of("abc")), bytes_of("00")}));
    const auto e = expect_movie_error([&] { (void)read_all(path, false); });
    EXPECT_EQ(e.kind(), MovieErrorKind::TruncatedLength);
    EXPECT_EQ(e.offset(), 8u);
    EXPECT_EQ(e.frame_index(), 1u);
    EXPECT_EQ(expect_movie_error([&] { (void)MovieIndex::build(path, false); }).offset(), 8u);
}

// ---------------------------------------------------------------- writer refusals

TEST(MovieWriterRefuses, FrameOf100000BytesButAccepts99999) {
    TempDir dir;
    const std::string path = dir.file("out.mpeg");
    MovieWriter writer(path);
    writer.write(fake_jpeg(10));
    const auto e = expect_movie_error([&] { writer.write(fake_jpeg(100'000)); });
    EXPECT_EQ(e.kind(), MovieErrorKind::FrameTooLarge);
    EXPECT_EQ(e.offset(), 15u);
    EXPECT_EQ(e.frame_index(), 1u);
    EXPECT_EQ(std::string(e.what()), path + ": frame 1 at offset 15: frame of 100000 bytes refused: a 5-digit "
                                            "length field holds at most 99999");
    EXPECT_EQ(writer.frames_written(), 1u);
    writer.write(fake_jpeg(99'999, 9));
    writer.close();

    EXPECT_EQ(fs::file_size(path), 15u + 5 + 99'999) << "nothing written for the refused frame";
    const auto frames = read_all(path);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[1].data, fake_jpeg(99'999, 9));
    const Bytes file = read_file(path);
    ASSERT_EQ(file.size(), 15u + 5 + 99'999);
    EXPECT_EQ(Bytes(file.begin() + 15, file.begin() + 20), bytes_of("99999"));
}

TEST(MovieWriterRefuses, EmptyFrame) {
    TempDir dir;
    const std::string path = dir.file("out.mpeg");
    MovieWriter writer(path);
    const auto e = expect_movie_error([&] { writer.write({}); });
    EXPECT_EQ(e.kind(), MovieErrorKind::BadLength);
    EXPECT_EQ(e.offset(), 0u);
    EXPECT_THAT(e.what(), HasSubstr("empty frame refused"));
    writer.close();
    EXPECT_EQ(fs::file_size(path), 0u);
}

TEST(MovieWriterRefuses, NonJpegUnlessTheCheckIsOff) {
    TempDir dir;
    const std::string path = dir.file("out.mpeg");
    MovieWriter writer(path);
    const Bytes png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A};
    const auto e = expect_movie_error([&] { writer.write(png); });
    EXPECT_EQ(e.kind(), MovieErrorKind::NotJpeg);
    EXPECT_EQ(std::string(e.what()),
              path + ": frame 0 at offset 0: not a JPEG: the frame starts with 89 50 instead of FF D8 and ends "
                     "with 0D 0A instead of FF D9");
    Bytes cut = fake_jpeg(30);
    cut.pop_back();
    EXPECT_EQ(expect_movie_error([&] { writer.write(cut); }).kind(), MovieErrorKind::NotJpeg);
    EXPECT_EQ(writer.frames_written(), 0u);

    writer.set_check_jpeg(false);
    writer.write(png);
    writer.close();
    EXPECT_EQ(read_file(path), concat({bytes_of("00006"), png}));
}

TEST(MovieWriterRefuses, WritesAfterClose) {
    TempDir dir;
    MovieWriter writer(dir.file("out.mpeg"));
    writer.close();
    writer.close();
    EXPECT_EQ(expect_movie_error([&] { writer.write(fake_jpeg(8)); }).kind(), MovieErrorKind::Io);
}

TEST(MovieFormat, KindNames) {
    EXPECT_STREQ(kind_name(MovieErrorKind::Io), "i/o error");
    EXPECT_STREQ(kind_name(MovieErrorKind::BadLength), "bad length");
    EXPECT_STREQ(kind_name(MovieErrorKind::TruncatedLength), "trailing bytes");
    EXPECT_STREQ(kind_name(MovieErrorKind::TruncatedFrame), "truncated frame");
    EXPECT_STREQ(kind_name(MovieErrorKind::NotJpeg), "not a JPEG");
    EXPECT_STREQ(kind_name(MovieErrorKind::FrameTooLarge), "frame too large");
}

TEST(MovieFormat, ErrorMessageNamesPathFrameAndOffset) {
    const MovieError e(MovieErrorKind::BadLength, "movie.mpeg", 15234, 3,
                       "length field \"12a45\" is not 5 decimal digits");
    EXPECT_STREQ(e.what(), "movie.mpeg: frame 3 at offset 15234: length field \"12a45\" is not 5 decimal digits");
    EXPECT_EQ(e.path(), "movie.mpeg");
    EXPECT_EQ(e.offset(), 15234u);
    EXPECT_EQ(e.frame_index(), 3u);
}

TEST(MovieJpeg, StructuralTest) {
    EXPECT_TRUE(looks_like_jpeg(fake_jpeg(4)));
    EXPECT_FALSE(looks_like_jpeg(Bytes{0xFF, 0xD8, 0xD9}));
    EXPECT_FALSE(looks_like_jpeg(Bytes{0xFF, 0xD9, 0xFF, 0xD8}));
    EXPECT_TRUE(starts_with_soi(Bytes{0xFF, 0xD8}));
    EXPECT_TRUE(ends_with_eoi(Bytes{0xFF, 0xD9}));
}

}  // namespace
}  // namespace tpc3::movie
