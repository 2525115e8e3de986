#include "script.h"

namespace loaderd {

using rustos::Error;
using rustos::ErrorOr;

namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

} // namespace

ErrorOr<Shebang> parse_shebang(std::string_view file) {
    if (file.size() < 2 || file[0] != '#' || file[1] != '!')
        return Error(ENOEXEC, "no #! line");
    std::string_view rest = file.substr(2);
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl);
    if (line.size() > kMaxShebangLine) {
        // Linux accepts an overlong line only when the interpreter (and
        // its argument) end before the cut; refuse it rather than guess.
        return Error(ENOEXEC, "#! line longer than 255 bytes");
    }
    size_t i = 0;
    while (i < line.size() && blank(line[i]))
        ++i;
    size_t start = i;
    while (i < line.size() && !blank(line[i]) && line[i] != '\0')
        ++i;
    Shebang s;
    s.interpreter.assign(line.substr(start, i - start));
    if (s.interpreter.empty())
        return Error(ENOEXEC, "#! line names no interpreter");
    while (i < line.size() && blank(line[i]))
        ++i;
    size_t end = line.size();
    while (end > i && (blank(line[end - 1]) || line[end - 1] == '\r' || line[end - 1] == '\0'))
        --end;
    if (end > i) {
        s.argument.assign(line.substr(i, end - i));
        s.has_argument = true;
    }
    return s;
}

std::vector<std::string> script_argv(const Shebang& line, const std::string& script_path,
                                     const std::vector<std::string>& argv) {
    std::vector<std::string> out{line.interpreter};
    if (line.has_argument)
        out.push_back(line.argument);
    out.push_back(script_path);
    for (size_t i = 1; i < argv.size(); ++i)
        out.push_back(argv[i]);
    return out;
}

} // namespace loaderd
