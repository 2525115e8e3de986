// printf-style formatting into a fixed buffer (no allocation).
// Supports %d %i %u %x %X %p %s %c %% with l/ll/z length and width/zero pad,
// plus %S for a rustos::StringView passed by pointer.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace kernel {

size_t vformat(char* buf, size_t size, const char* fmt, va_list ap);
size_t format(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

} // namespace kernel
