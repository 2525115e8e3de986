#include <rustos/runtime_control/file.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace rustos::runtime_control {

ErrorOr<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int code = errno ? errno : ENOENT;
        return Error::formatted(code, "%s: %s", path.c_str(), std::strerror(code));
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    if (in.bad())
        return Error::formatted(EIO, "%s: read error", path.c_str());
    return contents.str();
}

} // namespace rustos::runtime_control
