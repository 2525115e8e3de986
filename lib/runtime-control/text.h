// Private string helpers shared by the manifest, registry and desktop file
// code of runtime-control.
#pragma once

#include <rustos/runtime_control/types.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rustos::runtime_control::text {

inline std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        size_t end = s.find(sep, start);
        if (end == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
}

inline std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); i++) {
        if (i)
            out += sep;
        out += items[i];
    }
    return out;
}

// "K=V;K2=V2".
inline std::string join_env(const EnvList& env) {
    std::string out;
    for (size_t i = 0; i < env.size(); i++) {
        if (i)
            out += ';';
        out += env[i].first;
        out += '=';
        out += env[i].second;
    }
    return out;
}

template <typename Int>
std::optional<Int> parse_int(std::string_view s) {
    Int v{};
    if (s.empty())
        return std::nullopt;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size())
        return std::nullopt;
    return v;
}

inline std::optional<bool> parse_bool(std::string_view s) {
    if (s == "true")
        return true;
    if (s == "false")
        return false;
    return std::nullopt;
}

inline std::string_view bool_string(bool b) { return b ? "true" : "false"; }

inline bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
inline bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

// [a-z0-9][a-z0-9-]*: package ids, profile names, driver classes.
inline bool is_package_id(std::string_view s) {
    if (s.empty() || !is_lower_alnum(s[0]))
        return false;
    for (char c : s)
        if (!is_lower_alnum(c) && c != '-')
            return false;
    return true;
}

// [a-z0-9][a-z0-9_-]*: driver (module) names, which may use '_' like Linux's.
inline bool is_driver_name(std::string_view s) {
    if (s.empty() || !is_lower_alnum(s[0]))
        return false;
    for (char c : s)
        if (!is_lower_alnum(c) && c != '-' && c != '_')
            return false;
    return true;
}

// [A-Za-z0-9][A-Za-z0-9._-]*: desktop entry names (also file names).
inline bool is_entry_name(std::string_view s) {
    if (s.empty() || !is_alnum(s[0]))
        return false;
    for (char c : s)
        if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
            return false;
    return true;
}

// [A-Za-z_][A-Za-z0-9_]*: environment variable names.
inline bool is_env_name(std::string_view s) {
    if (s.empty() || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (char c : s)
        if (!is_alnum(c) && c != '_')
            return false;
    return true;
}

inline bool has_control_char(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f)
            return true;
    return false;
}

} // namespace rustos::runtime_control::text
