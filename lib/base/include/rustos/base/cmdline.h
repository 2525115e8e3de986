// Kernel command line parsing: "key=value" words, then " -- " and the
// arguments handed to the first user process (as on Linux).
#pragma once

#include <rustos/base/string_view.h>

namespace rustos::cmdline {

// Value of the first "key=value" word before "--" (empty when absent).
constexpr StringView value(StringView line, StringView key) {
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ')
            ++i;
        StringView word = line.substr(start, i - start);
        if (word == "--")
            break;
        if (word.size() > key.size() && word.starts_with(key) && word[key.size()] == '=')
            return word.substr(key.size() + 1);
    }
    return {};
}

// Everything after the first standalone "--" word.
constexpr StringView init_args(StringView line) {
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ')
            ++i;
        if (line.substr(start, i - start) == "--") {
            while (i < line.size() && line[i] == ' ')
                ++i;
            return line.substr(i);
        }
    }
    return {};
}

// Splits on spaces into at most `max` words; returns the count.
constexpr size_t split_words(StringView s, StringView* out, size_t max) {
    size_t n = 0, i = 0;
    while (i < s.size() && n < max) {
        while (i < s.size() && s[i] == ' ')
            ++i;
        size_t start = i;
        while (i < s.size() && s[i] != ' ')
            ++i;
        if (i > start)
            out[n++] = s.substr(start, i - start);
    }
    return n;
}

} // namespace rustos::cmdline
