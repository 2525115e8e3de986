// Structured kernel log: "[ seconds.micros] L subsystem: message" on the
// serial console. Levels: D(ebug) I(nfo) W(arning) E(rror).
#pragma once

#include <stddef.h>

namespace kernel {

enum class LogLevel { Debug, Info, Warn, Error };

void log_set_level(LogLevel min);
void klog(LogLevel level, const char* subsystem, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
// Raw console output (user programs' stdout/stderr), serialised with the log.
void console_write(const char* s, size_t len);
// The same, bytes as they are (the tty already did output processing).
void console_write_raw(const char* s, size_t len);

} // namespace kernel

#define LOG_DEBUG(sub, ...) ::kernel::klog(::kernel::LogLevel::Debug, sub, __VA_ARGS__)
#define LOG_INFO(sub, ...) ::kernel::klog(::kernel::LogLevel::Info, sub, __VA_ARGS__)
#define LOG_WARN(sub, ...) ::kernel::klog(::kernel::LogLevel::Warn, sub, __VA_ARGS__)
#define LOG_ERROR(sub, ...) ::kernel::klog(::kernel::LogLevel::Error, sub, __VA_ARGS__)
