// File names on FAT: UTF-8 <-> UTF-16, case-insensitive comparison, 8.3
// names (decoding, aliases for long names), VFAT long-name checksums.
// Internal to lib/fat.
#pragma once

#include <rustos/base/error.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rustos::fat::detail {

using ShortName = std::array<uint8_t, 11>; // "NAME    EXT"

// Malformed UTF-8 (overlong forms, surrogates, > U+10FFFF) gives nullopt.
std::optional<std::u16string> utf8_to_utf16(std::string_view utf8);
// Unpaired surrogates become U+FFFD.
std::string utf16_to_utf8(std::u16string_view utf16);

// Upper case for name comparison: ASCII, Latin-1, Latin Extended-A, Greek,
// Cyrillic and full-width Latin (a subset of the Windows up-case table).
char16_t fold_case(char16_t c);
bool same_name(std::u16string_view a, std::u16string_view b);

// A name for a new entry, in UTF-16. EINVAL for "", ".", "..", malformed
// UTF-8, characters FAT forbids (control characters and "*/:<>?\|) or a
// trailing dot or space; ENAMETOOLONG past 255 UTF-16 units.
ErrorOr<std::u16string> check_new_name(std::string_view utf8);

// How a plain 8.3 entry shows: "README.TXT", "readme.txt" with the NT
// lower-case flags; bytes >= 0x80 as code page 850.
std::u16string short_name_to_string(const uint8_t* raw, uint8_t nt_case);
// The 8.3 entry for a name that needs no long name: ASCII, base 1-8 and
// extension 0-3 valid characters, each part all upper or all lower case.
struct PlainShortName {
    ShortName raw;
    uint8_t nt_case;
};
std::optional<PlainShortName> plain_short_name(std::u16string_view name);

// The basis of a long name's 8.3 alias (FAT specification, "Basis-Name
// Generation Algorithm"): upper case, spaces and leading dots dropped,
// characters invalid in 8.3 (or not ASCII) replaced by '_'.
struct AliasBasis {
    std::string base; // 1-8 characters
    std::string ext;  // 0-3 characters
    bool needs_tail;  // lossy, or the name is not itself a valid 8.3 name
};
AliasBasis alias_basis(std::u16string_view name);
// "BASE~N  EXT" (n > 0), or the plain basis (n == 0).
ShortName alias_name(const AliasBasis& basis, uint32_t n);

uint8_t lfn_checksum(const uint8_t* raw11);

} // namespace rustos::fat::detail
