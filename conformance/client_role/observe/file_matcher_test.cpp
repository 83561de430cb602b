#include "observe/file_matcher.h"

#include "marker/marker.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace tpc3::observe {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes jpeg_of(const marker::MarkerValue& v, int quality = 75) {
    return marker::encode_jpeg(marker::render_frame(320, 240, v, "caption"), quality);
}

class FileMatcherTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (std::uint32_t k = 1; k <= 20; ++k) {
            frames.push_back(jpeg_of(marker::MarkerValue::frame(k)));
            ASSERT_TRUE(m.add_frame(k, frames.back()));
        }
        poison = jpeg_of(marker::MarkerValue::poison(7, 1));
        ASSERT_TRUE(m.add_poison("C-REJ-07", poison));
    }
    FileMatcher m;
    std::vector<Bytes> frames;
    Bytes poison;
};

TEST_F(FileMatcherTest, ExactBytesNameTheFrameOrPoison) {
    for (std::uint32_t k = 1; k <= 20; ++k) {
        const auto r = m.classify(frames[k - 1]);
        EXPECT_EQ(r.kind, FileMatch::Kind::frame);
        EXPECT_EQ(r.seq, k);
        EXPECT_TRUE(r.exact());
    }
    const auto p = m.classify(poison);
    EXPECT_EQ(p.kind, FileMatch::Kind::poison);
    EXPECT_EQ(p.poison_id, "C-REJ-07");
    EXPECT_EQ(describe(p), "poison C-REJ-07");
}

TEST_F(FileMatcherTest, APartialWriteIsAPrefixOfOnePayload) {
    const Bytes& f = frames[4];
    const Bytes cut(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(f.size() - 100));
    const auto r = m.classify(cut);
    EXPECT_EQ(r.kind, FileMatch::Kind::prefix_of_frame);
    EXPECT_EQ(r.seq, 5u);
    EXPECT_EQ(r.prefix_bytes, f.size() - 100);
    EXPECT_EQ(r.full_bytes, f.size());
    EXPECT_FALSE(r.exact());
    EXPECT_EQ(describe(r), "the first " + std::to_string(f.size() - 100) + " of the " + std::to_string(f.size()) +
                               " bytes of frame 5");

    const Bytes pcut(poison.begin(), poison.end() - 1);
    EXPECT_EQ(m.classify(pcut).kind, FileMatch::Kind::prefix_of_poison);
}

TEST_F(FileMatcherTest, AShortCommonHeaderIsAmbiguous) {
    const Bytes header(frames[0].begin(), frames[0].begin() + 2);  // FF D8: every JPEG
    const auto r = m.classify(header);
    EXPECT_EQ(r.kind, FileMatch::Kind::ambiguous_prefix);
    EXPECT_EQ(r.candidates, 21u);
}

TEST_F(FileMatcherTest, OtherBytesAreUnknownAndAReencodedFrameIsNamedAsAHint) {
    EXPECT_EQ(m.classify(Bytes{1, 2, 3}).kind, FileMatch::Kind::unknown);
    EXPECT_EQ(m.classify(Bytes{}).kind, FileMatch::Kind::empty);

    // The client decoded frame 12 and saved it again at another quality.
    const Bytes reencoded = marker::encode_jpeg(marker::decode_image(frames[11]), 90);
    ASSERT_NE(reencoded, frames[11]);
    const auto r = m.classify(reencoded);
    EXPECT_EQ(r.kind, FileMatch::Kind::unknown);
    ASSERT_TRUE(r.decoded.has_value());
    EXPECT_EQ(*r.decoded, marker::MarkerValue::frame(12));
    EXPECT_FALSE(m.classify(reencoded, false).decoded.has_value());

    // One byte changed in the middle: not frame 3, not a prefix.
    Bytes flipped = frames[2];
    flipped[flipped.size() / 2] ^= 0x55;
    EXPECT_NE(m.classify(flipped, false).kind, FileMatch::Kind::frame);
}

TEST_F(FileMatcherTest, SameBytesUnderAnotherIdentityAreRefused) {
    EXPECT_FALSE(m.add_poison("C-REJ-01", frames[0]));
    EXPECT_TRUE(m.add_frame(1, frames[0]));  // same identity again: fine
    EXPECT_FALSE(m.add_frame(99, Bytes{}));
    EXPECT_EQ(m.classify(frames[0]).kind, FileMatch::Kind::frame);
    EXPECT_EQ(m.size(), 21u);
}

}  // namespace
}  // namespace tpc3::observe
