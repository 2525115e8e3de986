// The Linux x86_64 terminal ABI, byte-exact: the termios structure the
// kernel's TCGETS/TCSETS copy (not glibc's, which appends speeds), termios2
// (TCGETS2), winsize, the flag and c_cc index constants and the tty ioctl
// numbers. Values are Linux's <asm-generic/termbits.h> and <asm/ioctls.h>;
// termios_abi_test.cpp checks every one of them against those headers.
//
// The names are Linux's own (ICANON, VMIN, TCGETS, ...) so code reads like
// the man pages. The C library's <termios.h>, <sys/ioctl.h> and the kernel's
// <asm/termbits.h> define the same names as macros: a translation unit uses
// either this header or those, not both.
#pragma once

#if defined(ICANON) || defined(TCGETS) || defined(VMIN)
#error "<rustos/tty/termios.h> cannot be mixed with <termios.h>/<sys/ioctl.h>/<asm/termbits.h>"
#endif

#include <stddef.h>
#include <stdint.h>

namespace rustos::tty {

inline constexpr size_t NCCS = 19;

// struct termios as TCGETS/TCSETS copy it on x86_64 (36 bytes).
struct Termios {
    uint32_t c_iflag;
    uint32_t c_oflag;
    uint32_t c_cflag;
    uint32_t c_lflag;
    uint8_t c_line;
    uint8_t c_cc[NCCS];
};
static_assert(sizeof(Termios) == 36);

// struct termios2 (TCGETS2/TCSETS2): termios followed by the speeds (44 bytes).
struct Termios2 {
    uint32_t c_iflag;
    uint32_t c_oflag;
    uint32_t c_cflag;
    uint32_t c_lflag;
    uint8_t c_line;
    uint8_t c_cc[NCCS];
    uint32_t c_ispeed;
    uint32_t c_ospeed;
};
static_assert(sizeof(Termios2) == 44);

struct Winsize {
    uint16_t ws_row;
    uint16_t ws_col;
    uint16_t ws_xpixel;
    uint16_t ws_ypixel;
};
static_assert(sizeof(Winsize) == 8);

// c_cc indices.
inline constexpr size_t VINTR = 0;
inline constexpr size_t VQUIT = 1;
inline constexpr size_t VERASE = 2;
inline constexpr size_t VKILL = 3;
inline constexpr size_t VEOF = 4;
inline constexpr size_t VTIME = 5;
inline constexpr size_t VMIN = 6;
inline constexpr size_t VSWTC = 7;
inline constexpr size_t VSTART = 8;
inline constexpr size_t VSTOP = 9;
inline constexpr size_t VSUSP = 10;
inline constexpr size_t VEOL = 11;
inline constexpr size_t VREPRINT = 12;
inline constexpr size_t VDISCARD = 13;
inline constexpr size_t VWERASE = 14;
inline constexpr size_t VLNEXT = 15;
inline constexpr size_t VEOL2 = 16;

// A c_cc entry of this value is disabled (_POSIX_VDISABLE on Linux).
inline constexpr uint8_t DISABLED_CHAR = 0;

// c_iflag
inline constexpr uint32_t IGNBRK = 0x001;
inline constexpr uint32_t BRKINT = 0x002;
inline constexpr uint32_t IGNPAR = 0x004;
inline constexpr uint32_t PARMRK = 0x008;
inline constexpr uint32_t INPCK = 0x010;
inline constexpr uint32_t ISTRIP = 0x020;
inline constexpr uint32_t INLCR = 0x040;
inline constexpr uint32_t IGNCR = 0x080;
inline constexpr uint32_t ICRNL = 0x100;
inline constexpr uint32_t IUCLC = 0x200;
inline constexpr uint32_t IXON = 0x400;
inline constexpr uint32_t IXANY = 0x800;
inline constexpr uint32_t IXOFF = 0x1000;
inline constexpr uint32_t IMAXBEL = 0x2000;
inline constexpr uint32_t IUTF8 = 0x4000;

// c_oflag
inline constexpr uint32_t OPOST = 0x01;
inline constexpr uint32_t OLCUC = 0x02;
inline constexpr uint32_t ONLCR = 0x04;
inline constexpr uint32_t OCRNL = 0x08;
inline constexpr uint32_t ONOCR = 0x10;
inline constexpr uint32_t ONLRET = 0x20;
inline constexpr uint32_t OFILL = 0x40;
inline constexpr uint32_t OFDEL = 0x80;
inline constexpr uint32_t TABDLY = 0x1800;
inline constexpr uint32_t TAB0 = 0x0000;
inline constexpr uint32_t TAB3 = 0x1800;
inline constexpr uint32_t XTABS = 0x1800;

// c_cflag
inline constexpr uint32_t CBAUD = 0x0000100f;
inline constexpr uint32_t B0 = 0x0;
inline constexpr uint32_t B9600 = 0xd;
inline constexpr uint32_t B38400 = 0xf;
inline constexpr uint32_t B115200 = 0x1002;
inline constexpr uint32_t CSIZE = 0x30;
inline constexpr uint32_t CS5 = 0x00;
inline constexpr uint32_t CS6 = 0x10;
inline constexpr uint32_t CS7 = 0x20;
inline constexpr uint32_t CS8 = 0x30;
inline constexpr uint32_t CSTOPB = 0x40;
inline constexpr uint32_t CREAD = 0x80;
inline constexpr uint32_t PARENB = 0x100;
inline constexpr uint32_t PARODD = 0x200;
inline constexpr uint32_t HUPCL = 0x400;
inline constexpr uint32_t CLOCAL = 0x800;
inline constexpr uint32_t CBAUDEX = 0x1000;
inline constexpr uint32_t BOTHER = 0x1000;
inline constexpr uint32_t CIBAUD = 0x100f0000;
inline constexpr uint32_t IBSHIFT = 16;
inline constexpr uint32_t CRTSCTS = 0x80000000;

// c_lflag
inline constexpr uint32_t ISIG = 0x00001;
inline constexpr uint32_t ICANON = 0x00002;
inline constexpr uint32_t XCASE = 0x00004;
inline constexpr uint32_t ECHO = 0x00008;
inline constexpr uint32_t ECHOE = 0x00010;
inline constexpr uint32_t ECHOK = 0x00020;
inline constexpr uint32_t ECHONL = 0x00040;
inline constexpr uint32_t NOFLSH = 0x00080;
inline constexpr uint32_t TOSTOP = 0x00100;
inline constexpr uint32_t ECHOCTL = 0x00200;
inline constexpr uint32_t ECHOPRT = 0x00400;
inline constexpr uint32_t ECHOKE = 0x00800;
inline constexpr uint32_t FLUSHO = 0x01000;
inline constexpr uint32_t PENDIN = 0x04000;
inline constexpr uint32_t IEXTEN = 0x08000;
inline constexpr uint32_t EXTPROC = 0x10000;

// TCFLSH arguments.
inline constexpr uint32_t TCIFLUSH = 0;
inline constexpr uint32_t TCOFLUSH = 1;
inline constexpr uint32_t TCIOFLUSH = 2;

// TCXONC arguments.
inline constexpr uint32_t TCOOFF = 0;
inline constexpr uint32_t TCOON = 1;
inline constexpr uint32_t TCIOFF = 2;
inline constexpr uint32_t TCION = 3;

// The line discipline TIOCGETD reports.
inline constexpr int32_t N_TTY = 0;

// ioctl requests.
inline constexpr uint32_t TCGETS = 0x5401;
inline constexpr uint32_t TCSETS = 0x5402;
inline constexpr uint32_t TCSETSW = 0x5403;
inline constexpr uint32_t TCSETSF = 0x5404;
inline constexpr uint32_t TCSBRK = 0x5409;
inline constexpr uint32_t TCXONC = 0x540A;
inline constexpr uint32_t TCFLSH = 0x540B;
inline constexpr uint32_t TIOCSCTTY = 0x540E;
inline constexpr uint32_t TIOCGPGRP = 0x540F;
inline constexpr uint32_t TIOCSPGRP = 0x5410;
inline constexpr uint32_t TIOCOUTQ = 0x5411;
inline constexpr uint32_t TIOCGWINSZ = 0x5413;
inline constexpr uint32_t TIOCSWINSZ = 0x5414;
inline constexpr uint32_t FIONREAD = 0x541B;
inline constexpr uint32_t TIOCINQ = FIONREAD;
inline constexpr uint32_t TIOCNOTTY = 0x5422;
inline constexpr uint32_t TIOCGETD = 0x5424;
inline constexpr uint32_t TCSBRKP = 0x5425;
inline constexpr uint32_t TIOCGSID = 0x5429;
inline constexpr uint32_t TCGETS2 = 0x802C542A;
inline constexpr uint32_t TCSETS2 = 0x402C542B;
inline constexpr uint32_t TCSETSW2 = 0x402C542C;
inline constexpr uint32_t TCSETSF2 = 0x402C542D;

// The settings of a freshly opened console, as `stty sane` leaves a Linux
// serial console: ICRNL IXON, OPOST ONLCR, CS8 CREAD at 38400 baud,
// ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN, and c_cc as the
// kernel's INIT_C_CC: ^C ^\ DEL ^U ^D 0 1 0 ^Q ^S ^Z 0 ^R ^O ^W ^V 0.
constexpr Termios default_termios() {
    Termios t{};
    t.c_iflag = ICRNL | IXON;
    t.c_oflag = OPOST | ONLCR;
    t.c_cflag = B38400 | CS8 | CREAD;
    t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    t.c_line = 0;
    const uint8_t cc[NCCS] = {0x03, 0x1c, 0x7f, 0x15, 0x04, 0,    1, 0, 0x11, 0x13,
                              0x1a, 0,    0x12, 0x0f, 0x17, 0x16, 0, 0, 0};
    for (size_t i = 0; i < NCCS; i++)
        t.c_cc[i] = cc[i];
    return t;
}

inline constexpr Winsize DEFAULT_WINSIZE = {24, 80, 0, 0};

// The baud rate a Bxxx code in CBAUD stands for (0 for B0 and unknown
// codes, and for BOTHER, whose speed is in c_ospeed/c_ispeed).
uint32_t baud_rate_of(uint32_t cbaud_code);

} // namespace rustos::tty
