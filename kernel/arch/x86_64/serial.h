// COM1 16550 UART: the kernel log and the console for now.
#pragma once

#include <stddef.h>

namespace kernel::serial {

void init();
// Precondition: caller serialises (log.cpp holds the console lock).
void write(const char* s, size_t len);

} // namespace kernel::serial
