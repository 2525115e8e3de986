// Helpers of the Linux terminal ABI.
#include <rustos/tty/termios.h>

namespace rustos::tty {

// Linux tty_termios_baud_rate's table: B0..B38400, then the CBAUDEX codes.
uint32_t baud_rate_of(uint32_t code) {
    static constexpr uint32_t table[] = {
        0,       50,      75,      110,     134,     150,     200,     300,
        600,     1200,    1800,    2400,    4800,    9600,    19200,   38400,
        57600,   115200,  230400,  460800,  500000,  576000,  921600,  1000000,
        1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
    };
    code &= CBAUD;
    if (code == BOTHER)
        return 0; // the speed is in c_ospeed/c_ispeed
    if (code & CBAUDEX)
        code = (code & ~CBAUDEX) + 15;
    return code < sizeof(table) / sizeof(table[0]) ? table[code] : 0;
}

} // namespace rustos::tty
