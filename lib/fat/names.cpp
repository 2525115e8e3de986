#include "names.h"

#include "layout.h"

#include <cstring>

namespace rustos::fat::detail {

namespace {

// Code page 850, bytes 0x80-0xFF (the default OEM code page of mtools and
// dosfstools).
constexpr char16_t kCp850[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF,
    0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA,
    0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0, 0x00A9, 0x2563, 0x2551, 0x2557,
    0x255D, 0x00A2, 0x00A5, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4, 0x00F0, 0x00D0, 0x00CA, 0x00CB,
    0x00C8, 0x0131, 0x00CD, 0x00CE, 0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,
    0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE, 0x00DE, 0x00DA, 0x00DB, 0x00D9,
    0x00FD, 0x00DD, 0x00AF, 0x00B4, 0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8,
    0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
};

bool valid_short_char(char16_t c) {
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c < 0x80 && c && std::strchr("!#$%&'()-@^_`{}~", char(c));
}

bool forbidden_long_char(char16_t c) {
    return c < 0x20 || (c < 0x80 && std::strchr("\"*/:<>?\\|", char(c)));
}

char16_t ascii_upper(char16_t c) { return c >= 'a' && c <= 'z' ? char16_t(c - 32) : c; }

// Splits an ASCII 8.3 candidate; false if it cannot be one.
bool split_83(std::u16string_view name, std::u16string_view& base, std::u16string_view& ext) {
    size_t dot = name.find(u'.');
    base = name.substr(0, dot);
    ext = dot == std::u16string_view::npos ? std::u16string_view() : name.substr(dot + 1);
    if (base.empty() || base.size() > 8 || ext.size() > 3)
        return false;
    if (dot != std::u16string_view::npos && ext.empty())
        return false;
    for (auto part : {base, ext})
        for (char16_t c : part)
            if (!valid_short_char(ascii_upper(c)))
                return false;
    return true;
}

} // namespace

std::optional<std::u16string> utf8_to_utf16(std::string_view s) {
    std::u16string out;
    for (size_t i = 0; i < s.size();) {
        uint8_t b = uint8_t(s[i]);
        uint32_t cp;
        size_t n;
        if (b < 0x80) {
            cp = b;
            n = 1;
        } else if ((b & 0xE0) == 0xC0) {
            cp = b & 0x1F;
            n = 2;
        } else if ((b & 0xF0) == 0xE0) {
            cp = b & 0x0F;
            n = 3;
        } else if ((b & 0xF8) == 0xF0) {
            cp = b & 0x07;
            n = 4;
        } else {
            return std::nullopt;
        }
        if (i + n > s.size())
            return std::nullopt;
        for (size_t k = 1; k < n; ++k) {
            uint8_t c = uint8_t(s[i + k]);
            if ((c & 0xC0) != 0x80)
                return std::nullopt;
            cp = cp << 6 | (c & 0x3F);
        }
        static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return std::nullopt;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out.push_back(char16_t(0xD800 + (cp >> 10)));
            out.push_back(char16_t(0xDC00 + (cp & 0x3FF)));
        } else {
            out.push_back(char16_t(cp));
        }
        i += n;
    }
    return out;
}

std::string utf16_to_utf8(std::u16string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        uint32_t cp = s[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 &&
            s[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            ++i;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        if (cp < 0x80) {
            out.push_back(char(cp));
        } else if (cp < 0x800) {
            out.push_back(char(0xC0 | cp >> 6));
            out.push_back(char(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(char(0xE0 | cp >> 12));
            out.push_back(char(0x80 | (cp >> 6 & 0x3F)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(char(0xF0 | cp >> 18));
            out.push_back(char(0x80 | (cp >> 12 & 0x3F)));
            out.push_back(char(0x80 | (cp >> 6 & 0x3F)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        }
    }
    return out;
}

char16_t fold_case(char16_t c) {
    if (c < 0x80)
        return ascii_upper(c);
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
        return char16_t(c - 0x20);
    if (c == 0xFF)
        return 0x178;
    // Latin Extended-A: upper/lower pairs, odd or even lower case.
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return char16_t(c & ~1u);
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return c % 2 ? c : char16_t(c - 1);
    if ((c >= 0x3B1 && c <= 0x3C1) || (c >= 0x3C3 && c <= 0x3CB))
        return char16_t(c - 0x20);
    if (c == 0x3C2)
        return 0x3A3;
    if (c >= 0x430 && c <= 0x44F)
        return char16_t(c - 0x20);
    if (c >= 0x450 && c <= 0x45F)
        return char16_t(c - 0x50);
    if (c >= 0xFF41 && c <= 0xFF5A)
        return char16_t(c - 0x20);
    return c;
}

bool same_name(std::u16string_view a, std::u16string_view b) {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (fold_case(a[i]) != fold_case(b[i]))
            return false;
    return true;
}

ErrorOr<std::u16string> check_new_name(std::string_view utf8) {
    std::string shown(utf8.substr(0, 64));
    if (utf8.empty() || utf8 == "." || utf8 == "..")
        return Error::formatted(EINVAL, "fat: '%s' cannot name a new entry", shown.c_str());
    auto name = utf8_to_utf16(utf8);
    if (!name)
        return Error::formatted(EINVAL, "fat: name '%s' is not valid UTF-8", shown.c_str());
    if (name->size() > 255)
        return Error::formatted(ENAMETOOLONG,
                                "fat: name '%s...' has %zu UTF-16 units (at most 255)",
                                shown.c_str(), name->size());
    for (char16_t c : *name)
        if (forbidden_long_char(c))
            return Error::formatted(EINVAL, "fat: name '%s' has a character FAT forbids (%#x)",
                                    shown.c_str(), unsigned(c));
    if (name->back() == u'.' || name->back() == u' ')
        return Error::formatted(EINVAL, "fat: name '%s' ends with a dot or a space", shown.c_str());
    return std::move(*name);
}

std::u16string short_name_to_string(const uint8_t* raw, uint8_t nt_case) {
    auto part = [&](size_t from, size_t len, bool lower) {
        while (len && raw[from + len - 1] == ' ')
            --len;
        std::u16string s;
        for (size_t i = 0; i < len; ++i) {
            uint8_t b = raw[from + i];
            if (from + i == 0 && b == 0x05)
                b = 0xE5;
            char16_t c = b >= 0x80 ? kCp850[b - 0x80] : char16_t(b);
            if (lower && c >= 'A' && c <= 'Z')
                c = char16_t(c + 32);
            if (c < 0x20 || c == '/')
                c = '_'; // never hand a path separator or a control character up
            s.push_back(c);
        }
        return s;
    };
    std::u16string name = part(0, 8, nt_case & kCaseLowerBase);
    std::u16string ext = part(8, 3, nt_case & kCaseLowerExt);
    if (!ext.empty())
        name += u"." + ext;
    return name;
}

std::optional<PlainShortName> plain_short_name(std::u16string_view name) {
    std::u16string_view base, ext;
    if (!split_83(name, base, ext))
        return std::nullopt;
    PlainShortName out;
    out.raw.fill(' ');
    out.nt_case = 0;
    auto fill = [&](std::u16string_view part, size_t at, uint8_t lower_flag) {
        bool upper = false, lower = false;
        for (size_t i = 0; i < part.size(); ++i) {
            char16_t c = part[i];
            upper |= c >= 'A' && c <= 'Z';
            lower |= c >= 'a' && c <= 'z';
            out.raw[at + i] = uint8_t(ascii_upper(c));
        }
        if (lower)
            out.nt_case |= lower_flag;
        return !(upper && lower);
    };
    if (!fill(base, 0, kCaseLowerBase) || !fill(ext, 8, kCaseLowerExt))
        return std::nullopt;
    return out;
}

AliasBasis alias_basis(std::u16string_view name) {
    AliasBasis basis;
    bool lossy = false;
    std::u16string s;
    for (char16_t c : name)
        if (c != u' ')
            s.push_back(c);
    size_t lead = s.find_first_not_of(u'.');
    s.erase(0, lead == std::u16string::npos ? s.size() : lead);
    auto convert = [&](char16_t c) {
        c = ascii_upper(c);
        if (valid_short_char(c))
            return char(c);
        lossy = true;
        return '_';
    };
    for (size_t i = 0; i < s.size() && s[i] != u'.' && basis.base.size() < 8; ++i)
        basis.base.push_back(convert(s[i]));
    size_t last_dot = s.rfind(u'.');
    if (last_dot != std::u16string::npos)
        for (size_t i = last_dot + 1; i < s.size() && basis.ext.size() < 3; ++i)
            basis.ext.push_back(convert(s[i]));
    if (basis.base.empty())
        basis.base = "_";
    std::u16string_view b, e;
    basis.needs_tail = lossy || !split_83(name, b, e);
    return basis;
}

ShortName alias_name(const AliasBasis& basis, uint32_t n) {
    ShortName raw;
    raw.fill(' ');
    std::string base = basis.base;
    if (n) {
        std::string tail = "~" + std::to_string(n);
        base = base.substr(0, 8 - tail.size()) + tail;
    }
    std::memcpy(raw.data(), base.data(), base.size());
    std::memcpy(raw.data() + 8, basis.ext.data(), basis.ext.size());
    return raw;
}

uint8_t lfn_checksum(const uint8_t* raw) {
    uint8_t sum = 0;
    for (int i = 0; i < 11; ++i)
        sum = uint8_t(((sum & 1) << 7) + (sum >> 1) + raw[i]);
    return sum;
}

} // namespace rustos::fat::detail
