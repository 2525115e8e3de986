// COM1 16550 UART: the kernel log and the console for now.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::serial {

void init();
// Precondition: caller serialises (log.cpp holds the console lock).
// Writes text, turning "\n" into "\r\n".
void write(const char* s, size_t len);
// Writes bytes as they are.
void write_raw(const char* s, size_t len);
void enable_receive_interrupt();
// The next received byte, if any.
bool receive(uint8_t* byte);

} // namespace kernel::serial
