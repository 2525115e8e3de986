// `#!` interpreter lines (the binfmt_script rules of Linux): the first
// line, at most 255 bytes after "#!", names the interpreter and at most
// one argument (the rest of the line, trimmed, spaces kept).
#pragma once

#include <rustos/base/error.h>

#include <string>
#include <string_view>
#include <vector>

namespace loaderd {

// How many `#!` interpreters execve follows before ELOOP.
inline constexpr int kMaxScriptDepth = 4;
inline constexpr size_t kMaxShebangLine = 255;

struct Shebang {
    std::string interpreter;
    std::string argument; // empty when none
    bool has_argument = false;
};

// `file` starts with "#!".
rustos::ErrorOr<Shebang> parse_shebang(std::string_view file);

// The interpreter's argv: interpreter [argument] script-path argv[1...].
std::vector<std::string> script_argv(const Shebang& line, const std::string& script_path,
                                     const std::vector<std::string>& argv);

} // namespace loaderd
