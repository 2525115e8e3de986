#include "fat_time.h"
#include "layout.h"
#include "names.h"

#include <rustos/base/civil_time.h>

#include <gtest/gtest.h>

#include <cstring>

using namespace rustos;
using namespace rustos::fat::detail;

namespace {

std::string alias(std::u16string_view name, uint32_t n) {
    ShortName raw = alias_name(alias_basis(name), n);
    return std::string(raw.begin(), raw.end());
}

} // namespace

TEST(FatNames, Utf8RoundTripsThroughUtf16) {
    for (std::string s : {"plain.txt", "Ünïcödé ñame.txt", "日本語のファイル", "emoji 😀.png"}) {
        auto u16 = utf8_to_utf16(s);
        ASSERT_TRUE(u16.has_value()) << s;
        EXPECT_EQ(utf16_to_utf8(*u16), s);
    }
    EXPECT_EQ(utf8_to_utf16("😀")->size(), 2u); // a surrogate pair
    EXPECT_EQ(utf8_to_utf16("é")->at(0), u'é');
}

TEST(FatNames, RejectsMalformedUtf8) {
    for (std::string bad :
         {std::string("\xC0\xAF"), std::string("\x80"), std::string("\xE2\x82"),
          std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"), std::string("\xFF")})
        EXPECT_FALSE(utf8_to_utf16(bad).has_value()) << bad.size();
    // A lone surrogate read from disk is shown as U+FFFD.
    EXPECT_EQ(utf16_to_utf8(std::u16string(1, char16_t(0xD800))), "\xEF\xBF\xBD");
}

TEST(FatNames, ComparesWithoutCase) {
    EXPECT_TRUE(same_name(u"ReadMe.TXT", u"readme.txt"));
    EXPECT_TRUE(same_name(u"ünïcode", u"ÜNÏCODE"));
    EXPECT_TRUE(same_name(u"Привет", u"ПРИВЕТ"));
    EXPECT_TRUE(same_name(u"ŁÓDŹ", u"łódź"));
    EXPECT_FALSE(same_name(u"a.txt", u"b.txt"));
    EXPECT_FALSE(same_name(u"a", u"a "));
}

TEST(FatNames, ChecksNewNames) {
    EXPECT_EQ(check_new_name("hello world.txt").value(), u"hello world.txt");
    for (const char* bad : {"", ".", "..", "a/b", "a:b", "what?", "star*", "pipe|", "t.", "t ",
                            "quote\"", "back\\slash", "ctl\x01"}) {
        auto r = check_new_name(bad);
        ASSERT_TRUE(r.is_error()) << bad;
        EXPECT_EQ(r.error().code(), EINVAL) << bad;
    }
    EXPECT_EQ(check_new_name(std::string(255, 'x')).is_error(), false);
    auto long_name = check_new_name(std::string(256, 'x'));
    ASSERT_TRUE(long_name.is_error());
    EXPECT_EQ(long_name.error().code(), ENAMETOOLONG);
    EXPECT_EQ(check_new_name("\xC0\xAF").error().code(), EINVAL);
}

TEST(FatNames, DecodesShortNames) {
    const uint8_t readme[11] = {'R', 'E', 'A', 'D', 'M', 'E', ' ', ' ', 'T', 'X', 'T'};
    EXPECT_EQ(short_name_to_string(readme, 0), u"README.TXT");
    EXPECT_EQ(short_name_to_string(readme, kCaseLowerBase | kCaseLowerExt), u"readme.txt");
    EXPECT_EQ(short_name_to_string(readme, kCaseLowerExt), u"README.txt");
    const uint8_t noext[11] = {'M', 'A', 'K', 'E', 'F', 'I', 'L', 'E', ' ', ' ', ' '};
    EXPECT_EQ(short_name_to_string(noext, 0), u"MAKEFILE");
    // 0x05 stands for 0xE5 (code page 850: 'Õ'); 0x9A is 'Ü'.
    const uint8_t kanji[11] = {0x05, 'A', ' ', ' ', ' ', ' ', ' ', ' ', 0x9A, ' ', ' '};
    EXPECT_EQ(short_name_to_string(kanji, 0), u"ÕA.Ü");
    // A path separator or a control character never comes back.
    const uint8_t evil[11] = {'A', '/', 'B', 0x01, ' ', ' ', ' ', ' ', ' ', ' ', ' '};
    EXPECT_EQ(short_name_to_string(evil, 0), u"A_B_");
}

TEST(FatNames, PlainShortNamesUseCaseFlags) {
    auto upper = plain_short_name(u"README.TXT");
    ASSERT_TRUE(upper.has_value());
    EXPECT_EQ(std::string(upper->raw.begin(), upper->raw.end()), "README  TXT");
    EXPECT_EQ(upper->nt_case, 0);
    auto lower = plain_short_name(u"readme.txt");
    ASSERT_TRUE(lower.has_value());
    EXPECT_EQ(lower->nt_case, kCaseLowerBase | kCaseLowerExt);
    EXPECT_EQ(plain_short_name(u"Makefile"), std::nullopt); // mixed case needs a long name
    EXPECT_EQ(plain_short_name(u"toolongname.txt"), std::nullopt);
    EXPECT_EQ(plain_short_name(u"a.b.c"), std::nullopt);
    EXPECT_EQ(plain_short_name(u"sp ace"), std::nullopt);
    EXPECT_EQ(plain_short_name(u"a+b"), std::nullopt);
    EXPECT_EQ(plain_short_name(u"ext.long"), std::nullopt);
    EXPECT_TRUE(plain_short_name(u"A1_$~!.{}").has_value());
}

TEST(FatNames, GeneratesAliasesLikeTheSpecification) {
    EXPECT_EQ(alias(u"A long file name.text", 1), "ALONGF~1TEX");
    EXPECT_EQ(alias(u"ReadMe.txt", 0), "README  TXT");
    EXPECT_FALSE(alias_basis(u"ReadMe.txt").needs_tail);
    EXPECT_TRUE(alias_basis(u"A long file name.text").needs_tail);
    EXPECT_EQ(alias(u"a.b.c", 1), "A~1     C  ");
    EXPECT_EQ(alias(u".bashrc", 1), "BASHRC~1   ");
    EXPECT_EQ(alias(u"x+y=z.tar.gz", 1), "X_Y_Z~1 GZ ");
    EXPECT_TRUE(alias_basis(u"x+y").needs_tail); // lossy
    EXPECT_EQ(alias(u"Ünïcödé ñame.txt", 2), "_N_C_D~2TXT");
    EXPECT_EQ(alias(u"verylongname", 123456), "V~123456   ");
}

TEST(FatNames, LongNameChecksum) {
    // Values from directories written by mtools.
    auto sum = [](const char* raw) { return lfn_checksum(reinterpret_cast<const uint8_t*>(raw)); };
    EXPECT_EQ(sum("ALONGF~1TEX"), 0x7D);
    EXPECT_EQ(sum("DIR1       "), 0xA8);
    EXPECT_EQ(sum("\x9A\x4E\xD8\x43\x99\x44\x7E\x31TXT"), 0x01);
}

TEST(FatTime, ConvertsBothWays) {
    // 2026-11-25 13:04:06, as mtools stored it.
    int64_t t = days_from_civil(2026, 11, 25) * 86400 + 13 * 3600 + 4 * 60 + 6;
    FatTime f = to_fat_time(t);
    EXPECT_EQ(f.date, 0x5D79);
    EXPECT_EQ(f.time, 0x6883);
    EXPECT_EQ(f.centis, 0);
    EXPECT_EQ(from_fat_time(f.date, f.time, f.centis), t);
    // Odd seconds: 2-second resolution, the creation time keeps them in 10 ms units.
    FatTime odd = to_fat_time(t + 1);
    EXPECT_EQ(odd.time, 0x6883);
    EXPECT_EQ(odd.centis, 100);
    EXPECT_EQ(from_fat_time(odd.date, odd.time), t);
    EXPECT_EQ(from_fat_time(odd.date, odd.time, odd.centis), t + 1);
}

TEST(FatTime, ClampsToTheRepresentableRange) {
    const int64_t min = days_from_civil(1980, 1, 1) * 86400;
    const int64_t max = days_from_civil(2107, 12, 31) * 86400 + 86398;
    EXPECT_EQ(from_fat_time(to_fat_time(0).date, to_fat_time(0).time), min);
    EXPECT_EQ(from_fat_time(to_fat_time(-5).date, to_fat_time(-5).time), min);
    FatTime late = to_fat_time(int64_t(1) << 40);
    EXPECT_EQ(from_fat_time(late.date, late.time), max);
    // Damaged fields read as something sane.
    EXPECT_EQ(from_fat_time(0, 0), min);
    EXPECT_EQ(from_fat_time(uint16_t(0x0000 | 13 << 5 | 0), 0),
              days_from_civil(1980, 12, 1) * 86400);
}

TEST(FatTime, RoundTripsEveryDayOfALeapYear) {
    for (int64_t day = days_from_civil(2024, 1, 1); day < days_from_civil(2025, 1, 1); ++day) {
        int64_t t = day * 86400 + 86398;
        FatTime f = to_fat_time(t);
        ASSERT_EQ(from_fat_time(f.date, f.time), t) << day;
    }
}
