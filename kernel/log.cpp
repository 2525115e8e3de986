#include "log.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/serial.h"
#include "lib/format.h"
#include "sched/time.h"

namespace kernel {

namespace {
LogLevel g_min_level = LogLevel::Info;
// Whether the last console byte ended a line; log lines always start on a
// fresh line so user output without a newline does not swallow them.
bool g_at_line_start = true;

void emit(const char* s, size_t len) {
    serial::write(s, len);
    if (len)
        g_at_line_start = s[len - 1] == '\n';
}
} // namespace

void log_set_level(LogLevel min) { g_min_level = min; }

void klog(LogLevel level, const char* subsystem, const char* fmt, ...) {
    if (level < g_min_level)
        return;
    static const char kLevels[] = {'D', 'I', 'W', 'E'};
    char line[512];
    uint64_t ns = time::monotonic_ns();
    size_t n = format(line, sizeof line, "[%5lu.%06lu] %c %s: ", ns / 1000000000,
                      (ns / 1000) % 1000000, kLevels[int(level)], subsystem);
    va_list ap;
    va_start(ap, fmt);
    if (n < sizeof line)
        n += vformat(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    if (n > sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    arch::InterruptGuard guard;
    if (!g_at_line_start)
        emit("\n", 1);
    emit(line, n);
}

void console_write_raw(const char* s, size_t len) {
    arch::InterruptGuard guard;
    serial::write_raw(s, len);
    if (len)
        g_at_line_start = s[len - 1] == '\n';
}

void console_write(const char* s, size_t len) {
    arch::InterruptGuard guard;
    emit(s, len);
}

} // namespace kernel
