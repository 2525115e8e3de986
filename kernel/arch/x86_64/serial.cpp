#include "serial.h"

#include "cpu.h"

namespace kernel::serial {

namespace {
constexpr uint16_t COM1 = 0x3f8;

void put(char c) {
    // Bounded wait for the transmit holding register: a missing UART must
    // not hang the kernel.
    for (int i = 0; i < 100000 && !(arch::inb(COM1 + 5) & 0x20); ++i)
        arch::pause();
    arch::outb(COM1, uint8_t(c));
}
} // namespace

void init() {
    arch::outb(COM1 + 1, 0x00); // no interrupts yet
    arch::outb(COM1 + 3, 0x80); // DLAB
    arch::outb(COM1 + 0, 0x01); // 115200 baud
    arch::outb(COM1 + 1, 0x00);
    arch::outb(COM1 + 3, 0x03); // 8N1
    arch::outb(COM1 + 2, 0xC7); // FIFO on, cleared, 14-byte threshold
    arch::outb(COM1 + 4, 0x03); // DTR | RTS
}

void enable_receive_interrupt() {
    arch::outb(COM1 + 4, 0x0B); // DTR | RTS | OUT2 (routes the UART interrupt)
    arch::outb(COM1 + 1, 0x01); // interrupt when data arrives
}

bool receive(uint8_t* byte) {
    if (!(arch::inb(COM1 + 5) & 0x01))
        return false;
    *byte = arch::inb(COM1);
    return true;
}

void write_raw(const char* s, size_t len) {
    for (size_t i = 0; i < len; ++i)
        put(s[i]);
}

void write(const char* s, size_t len) {
    for (size_t i = 0; i < len; ++i) {
        if (s[i] == '\n')
            put('\r');
        put(s[i]);
    }
}

} // namespace kernel::serial
