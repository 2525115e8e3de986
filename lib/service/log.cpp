#include <rustos/service/log.h>
#include <rustos/user/syscall.h>

#include <cstdarg>
#include <cstdio>

namespace rustos::service {

void log(const char* fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (user::log(line) < 0)
        std::fprintf(stderr, "%s\n", line);
}

} // namespace rustos::service
