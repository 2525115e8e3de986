// <rustos/tty/termios.h> against the Linux UAPI headers: every constant and
// the layout of termios, termios2 and winsize. The two cannot be visible at
// once (Linux defines the names as macros), so the values are captured first
// under other names, then the kernel headers are included and compared.
#include <rustos/tty/termios.h>

#include <gtest/gtest.h>

#include <cstddef>

// clang-format off
#define TTY_ABI_NAMES(X)                                                                           \
    X(NCCS) X(VINTR) X(VQUIT) X(VERASE) X(VKILL) X(VEOF) X(VTIME) X(VMIN) X(VSWTC) X(VSTART)       \
    X(VSTOP) X(VSUSP) X(VEOL) X(VREPRINT) X(VDISCARD) X(VWERASE) X(VLNEXT) X(VEOL2)                \
    X(IGNBRK) X(BRKINT) X(IGNPAR) X(PARMRK) X(INPCK) X(ISTRIP) X(INLCR) X(IGNCR) X(ICRNL)          \
    X(IUCLC) X(IXON) X(IXANY) X(IXOFF) X(IMAXBEL) X(IUTF8)                                         \
    X(OPOST) X(OLCUC) X(ONLCR) X(OCRNL) X(ONOCR) X(ONLRET) X(OFILL) X(OFDEL) X(TABDLY) X(TAB0)     \
    X(TAB3) X(XTABS)                                                                               \
    X(CBAUD) X(B0) X(B9600) X(B38400) X(B115200) X(CSIZE) X(CS5) X(CS6) X(CS7) X(CS8) X(CSTOPB)   \
    X(CREAD) X(PARENB) X(PARODD) X(HUPCL) X(CLOCAL) X(CBAUDEX) X(BOTHER) X(CIBAUD) X(IBSHIFT)      \
    X(CRTSCTS)                                                                                     \
    X(ISIG) X(ICANON) X(XCASE) X(ECHO) X(ECHOE) X(ECHOK) X(ECHONL) X(NOFLSH) X(TOSTOP) X(ECHOCTL)  \
    X(ECHOPRT) X(ECHOKE) X(FLUSHO) X(PENDIN) X(IEXTEN) X(EXTPROC)                                  \
    X(TCIFLUSH) X(TCOFLUSH) X(TCIOFLUSH) X(TCOOFF) X(TCOON) X(TCIOFF) X(TCION) X(N_TTY)            \
    X(TCGETS) X(TCSETS) X(TCSETSW) X(TCSETSF) X(TCSBRK) X(TCXONC) X(TCFLSH) X(TIOCSCTTY)           \
    X(TIOCGPGRP) X(TIOCSPGRP) X(TIOCOUTQ) X(TIOCGWINSZ) X(TIOCSWINSZ) X(FIONREAD) X(TIOCINQ)       \
    X(TIOCNOTTY) X(TIOCGETD) X(TCSBRKP) X(TIOCGSID) X(TCGETS2) X(TCSETS2) X(TCSETSW2) X(TCSETSF2)
// clang-format on

namespace {

#define CAPTURE(name) constexpr unsigned long long ours_##name = rustos::tty::name;
TTY_ABI_NAMES(CAPTURE)
#undef CAPTURE

constexpr rustos::tty::Termios ours_default = rustos::tty::default_termios();
constexpr size_t ours_termios_size = sizeof(rustos::tty::Termios);
constexpr size_t ours_termios2_size = sizeof(rustos::tty::Termios2);
constexpr size_t ours_winsize_size = sizeof(rustos::tty::Winsize);
constexpr size_t ours_offsets[] = {
    offsetof(rustos::tty::Termios, c_iflag), offsetof(rustos::tty::Termios, c_oflag),
    offsetof(rustos::tty::Termios, c_cflag), offsetof(rustos::tty::Termios, c_lflag),
    offsetof(rustos::tty::Termios, c_line),  offsetof(rustos::tty::Termios, c_cc),
};
constexpr size_t ours_offsets2[] = {
    offsetof(rustos::tty::Termios2, c_cc),
    offsetof(rustos::tty::Termios2, c_ispeed),
    offsetof(rustos::tty::Termios2, c_ospeed),
};
constexpr size_t ours_winsize_offsets[] = {
    offsetof(rustos::tty::Winsize, ws_row),
    offsetof(rustos::tty::Winsize, ws_col),
    offsetof(rustos::tty::Winsize, ws_xpixel),
    offsetof(rustos::tty::Winsize, ws_ypixel),
};

} // namespace

// From here on the names are Linux's macros.
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <asm/termios.h>
#include <linux/tty.h>

#define CHECK(name) static_assert(ours_##name == (unsigned long long)(name), #name);
TTY_ABI_NAMES(CHECK)
#undef CHECK

static_assert(ours_termios_size == sizeof(struct termios));
static_assert(ours_termios2_size == sizeof(struct termios2));
static_assert(ours_winsize_size == sizeof(struct winsize));
static_assert(ours_offsets[0] == offsetof(struct termios, c_iflag));
static_assert(ours_offsets[1] == offsetof(struct termios, c_oflag));
static_assert(ours_offsets[2] == offsetof(struct termios, c_cflag));
static_assert(ours_offsets[3] == offsetof(struct termios, c_lflag));
static_assert(ours_offsets[4] == offsetof(struct termios, c_line));
static_assert(ours_offsets[5] == offsetof(struct termios, c_cc));
static_assert(ours_offsets2[0] == offsetof(struct termios2, c_cc));
static_assert(ours_offsets2[1] == offsetof(struct termios2, c_ispeed));
static_assert(ours_offsets2[2] == offsetof(struct termios2, c_ospeed));
static_assert(ours_winsize_offsets[0] == offsetof(struct winsize, ws_row));
static_assert(ours_winsize_offsets[1] == offsetof(struct winsize, ws_col));
static_assert(ours_winsize_offsets[2] == offsetof(struct winsize, ws_xpixel));
static_assert(ours_winsize_offsets[3] == offsetof(struct winsize, ws_ypixel));

TEST(TtyAbi, MatchesTheLinuxHeaders) {
    // The static_asserts above are the test; this records that it ran.
    EXPECT_EQ(ours_termios_size, 36u);
    EXPECT_EQ(ours_termios2_size, 44u);
    EXPECT_EQ(ours_winsize_size, 8u);
}

TEST(TtyAbi, DefaultsAreStttySane) {
    // What `stty sane` leaves on a Linux console, in Linux's own constants.
    EXPECT_EQ(ours_default.c_iflag, unsigned(ICRNL | IXON));
    EXPECT_EQ(ours_default.c_oflag, unsigned(OPOST | ONLCR));
    EXPECT_EQ(ours_default.c_cflag, unsigned(B38400 | CS8 | CREAD));
    EXPECT_EQ(ours_default.c_lflag,
              unsigned(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN));
    // INIT_C_CC from <linux/tty.h> in the kernel source:
    // "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0".
    const unsigned char init_c_cc[] = "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0";
    for (size_t i = 0; i < NCCS; i++)
        EXPECT_EQ(ours_default.c_cc[i], i < sizeof(init_c_cc) - 1 ? init_c_cc[i] : 0) << i;
}
