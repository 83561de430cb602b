#include "report/xml_escape.h"

#include <string>

#include <gtest/gtest.h>

namespace tpc3::report {
namespace {

using namespace std::string_literals;

TEST(XmlEscape, SpecialCharactersInText)
{
    EXPECT_EQ(xml_escape_text("a<b & c>d"), "a&lt;b &amp; c&gt;d");
    EXPECT_EQ(xml_escape_text("say \"hi\" 'x'"), "say \"hi\" 'x'");
    EXPECT_EQ(xml_escape_text("line1\nline2\ttab\r"), "line1\nline2\ttab&#13;");
}

TEST(XmlEscape, SpecialCharactersInAttributes)
{
    EXPECT_EQ(xml_escape_attribute("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
    EXPECT_EQ(xml_escape_attribute("a\nb\tc\rd"), "a&#10;b&#9;c&#13;d");
}

TEST(XmlEscape, ControlCharactersXmlForbidsBecomeVisibleEscapes)
{
    EXPECT_EQ(xml_escape_text("a\x01z"), "a\\x01z");
    EXPECT_EQ(xml_escape_text("\x1b[31m"), "\\x1B[31m");
    EXPECT_EQ(xml_escape_text("nul:"s + '\0' + "!"), "nul:\\x00!");
    EXPECT_EQ(xml_escape_attribute("\x0b\x0c\x1f"), "\\x0B\\x0C\\x1F");
    EXPECT_EQ(xml_escape_text("\xEF\xBF\xBE\xEF\xBF\xBF"), "\\uFFFE\\uFFFF");
}

TEST(XmlEscape, ValidUtf8IsKeptInvalidBytesAreEscaped)
{
    EXPECT_EQ(xml_escape_text("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\xA5"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\xA5");
    EXPECT_EQ(xml_escape_text("\xFF\xD8\xFF"), "\\xFF\\xD8\\xFF");        // a JPEG start
    EXPECT_EQ(xml_escape_text("a\xC3"), "a\\xC3");                         // truncated sequence
    EXPECT_EQ(xml_escape_text("\xC0\xAF"), "\\xC0\\xAF");                  // overlong '/'
    EXPECT_EQ(xml_escape_text("\xED\xA0\x80"), "\\xED\\xA0\\x80");         // a surrogate
    EXPECT_EQ(xml_escape_text("\xF4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80"); // beyond U+10FFFF
}

}  // namespace
}  // namespace tpc3::report
