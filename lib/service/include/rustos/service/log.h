// Service logging: one line in the kernel log, "[time] I <process>: text",
// so service lines interleave with the kernel's in one timeline. On a host
// (unit tests) the lines go to stderr.
#pragma once

namespace rustos::service {

void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace rustos::service
