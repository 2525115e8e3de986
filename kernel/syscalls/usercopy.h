// Copies between kernel memory and the current process's user memory.
// Every user pointer a syscall receives goes through here: the range is
// checked against the process's mappings first, so a wild pointer yields
// EFAULT (and a log line), never a kernel fault.
#pragma once

#include <rustos/base/error.h>
#include <stddef.h>
#include <stdint.h>

namespace kernel::syscalls {

rustos::ErrorOr<void> copy_from_user(void* dst, uint64_t user_src, size_t len);
rustos::ErrorOr<void> copy_to_user(uint64_t user_dst, const void* src, size_t len);
// Copies a NUL-terminated string of at most cap-1 bytes; ENAMETOOLONG past that.
rustos::ErrorOr<size_t> copy_string_from_user(char* dst, size_t cap, uint64_t user_src);

} // namespace kernel::syscalls
