// The tty ioctls and job control of the console line discipline. Errors and
// their errno values follow Linux's tty_io.c/tty_ioctl.c/tty_jobctrl.c.
#include <rustos/tty/line_discipline.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <map>
#include <string>

using namespace rustos;
using namespace rustos::tty;

namespace {

constexpr int32_t SID = 100;   // the shell's session (the shell is its leader)
constexpr int32_t SHELL = 100; // the shell's process group
constexpr int32_t JOB = 200;   // a job of the shell, in the same session
constexpr int32_t OTHER_SID = 300;

Caller shell() {
    Caller c;
    c.pid = SID;
    c.pgrp = SHELL;
    c.sid = SID;
    c.ctty = ControllingTty::This;
    c.session_of_pgrp = [](int32_t pgrp) -> std::optional<int32_t> {
        static const std::map<int32_t, int32_t> groups = {
            {SHELL, SID}, {JOB, SID}, {OTHER_SID, OTHER_SID}};
        auto it = groups.find(pgrp);
        if (it == groups.end())
            return std::nullopt;
        return it->second;
    };
    return c;
}

Caller job() {
    Caller c = shell();
    c.pid = JOB;
    c.pgrp = JOB;
    return c;
}

// A console whose controlling session is the shell's, the shell in front.
LineDiscipline owned() {
    LineDiscipline ld;
    ld.set_session(SID, SHELL);
    return ld;
}

template <typename T>
std::string bytes_of(const T& v) {
    return std::string(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <typename T>
T from_bytes(const std::string& s) {
    EXPECT_EQ(s.size(), sizeof(T));
    T v{};
    std::memcpy(&v, s.data(), std::min(s.size(), sizeof(T)));
    return v;
}

IoctlResult ok(ErrorOr<IoctlResult> r) {
    EXPECT_FALSE(r.is_error()) << (r.is_error() ? r.error().reason() : "");
    if (r.is_error())
        return {};
    return r.release_value();
}

Errno error_of(ErrorOr<IoctlResult> r) {
    EXPECT_TRUE(r.is_error());
    return r.is_error() ? r.error().code() : 0;
}

int32_t int_result(LineDiscipline& ld, const Caller& caller, uint32_t request) {
    return from_bytes<int32_t>(ok(ld.ioctl(caller, request, 0)).out);
}

} // namespace

// ---------------------------------------------------------------------------
// termios

TEST(TtyIoctl, TcgetsDefaultsAreLinuxConsoleDefaults) {
    LineDiscipline ld;
    IoctlResult r = ok(ld.ioctl(shell(), TCGETS, 0));
    // The 36 bytes of a Linux pty/console after `stty sane` (TCGETS on
    // Linux 6.18: iflag 0x500, oflag 0x5, cflag 0xbf, lflag 0x8a3b, line 0,
    // c_cc = INIT_C_CC).
    const unsigned char expected[36] = {
        0x00, 0x05, 0x00, 0x00,                                     // ICRNL | IXON
        0x05, 0x00, 0x00, 0x00,                                     // OPOST | ONLCR
        0xbf, 0x00, 0x00, 0x00,                                     // B38400 | CS8 | CREAD
        0x3b, 0x8a, 0x00, 0x00,                                     // ISIG ICANON ECHO ...
        0x00,                                                       // c_line
        0x03, 0x1c, 0x7f, 0x15, 0x04, 0x00, 0x01, 0x00, 0x11, 0x13, // c_cc
        0x1a, 0x00, 0x12, 0x0f, 0x17, 0x16, 0x00, 0x00, 0x00,
    };
    ASSERT_EQ(r.out.size(), 36u);
    EXPECT_EQ(std::memcmp(r.out.data(), expected, 36), 0);
    EXPECT_EQ(LineDiscipline::ioctl_shape(TCGETS)->out_size, 36u);
}

TEST(TtyIoctl, TcsetsRoundTrip) {
    LineDiscipline ld = owned();
    Termios t = ld.termios();
    t.c_lflag &= ~(ICANON | ECHO);
    t.c_iflag &= ~ICRNL;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 7;
    t.c_cc[VINTR] = 0x07;
    for (uint32_t request : {TCSETS, TCSETSW, TCSETSF}) {
        IoctlResult r = ok(ld.ioctl(shell(), request, 0, bytes_of(t)));
        EXPECT_TRUE(r.wake_readers);
        EXPECT_EQ(r.flushed_input, request == TCSETSF);
        IoctlResult got = ok(ld.ioctl(shell(), TCGETS, 0));
        EXPECT_EQ(got.out, bytes_of(t));
        t.c_cc[VTIME]++;
    }
    // Byte positions as the Linux ABI has them.
    std::string out = ok(ld.ioctl(shell(), TCGETS, 0)).out;
    EXPECT_EQ(uint8_t(out[17 + VINTR]), 0x07);
    EXPECT_EQ(uint8_t(out[17 + VTIME]), 9);
    EXPECT_EQ(uint8_t(out[17 + VMIN]), 0);
    EXPECT_EQ(uint8_t(out[12]), (0x8a3b & ~(ICANON | ECHO)) & 0xff);
}

TEST(TtyIoctl, TcsetsfFlushesInputTcsetsKeepsIt) {
    LineDiscipline ld = owned();
    ld.input("kept\r");
    ok(ld.ioctl(shell(), TCSETS, 0, bytes_of(ld.termios())));
    EXPECT_EQ(ld.readable(), 5u);
    ok(ld.ioctl(shell(), TCSETSW, 0, bytes_of(ld.termios())));
    EXPECT_EQ(ld.readable(), 5u);
    IoctlResult r = ok(ld.ioctl(shell(), TCSETSF, 0, bytes_of(ld.termios())));
    EXPECT_TRUE(r.flushed_input);
    EXPECT_EQ(ld.readable(), 0u);
}

TEST(TtyIoctl, Termios2CarriesSpeeds) {
    LineDiscipline ld = owned();
    Termios2 t = from_bytes<Termios2>(ok(ld.ioctl(shell(), TCGETS2, 0)).out);
    EXPECT_EQ(t.c_ispeed, 38400u);
    EXPECT_EQ(t.c_ospeed, 38400u);
    t.c_cflag = (t.c_cflag & ~CBAUD) | BOTHER;
    t.c_ospeed = t.c_ispeed = 250000;
    ok(ld.ioctl(shell(), TCSETS2, 0, bytes_of(t)));
    Termios2 got = from_bytes<Termios2>(ok(ld.ioctl(shell(), TCGETS2, 0)).out);
    EXPECT_EQ(got.c_ospeed, 250000u);
    EXPECT_EQ(got.c_ispeed, 250000u);
    EXPECT_EQ(ld.termios().c_cflag & CBAUD, BOTHER);
    // An old-style TCSETS with B115200 sets both speeds from the code.
    Termios old = ld.termios();
    old.c_cflag = (old.c_cflag & ~CBAUD) | B115200;
    ok(ld.ioctl(shell(), TCSETS, 0, bytes_of(old)));
    got = from_bytes<Termios2>(ok(ld.ioctl(shell(), TCGETS2, 0)).out);
    EXPECT_EQ(got.c_ospeed, 115200u);
    EXPECT_EQ(got.c_ispeed, 115200u);
}

TEST(TtyIoctl, ShortArgumentIsEfault) {
    LineDiscipline ld = owned();
    EXPECT_EQ(error_of(ld.ioctl(shell(), TCSETS, 0, "short")), EFAULT);
    EXPECT_EQ(error_of(ld.ioctl(shell(), TIOCSWINSZ, 0, "")), EFAULT);
    EXPECT_EQ(error_of(ld.ioctl(shell(), TIOCSPGRP, 0, "ab")), EFAULT);
}

// ---------------------------------------------------------------------------
// Window size, queues, flow

TEST(TtyIoctl, WindowSizeDefaultsTo80x24) {
    LineDiscipline ld = owned();
    IoctlResult r = ok(ld.ioctl(shell(), TIOCGWINSZ, 0));
    const unsigned char expected[8] = {24, 0, 80, 0, 0, 0, 0, 0}; // rows, cols, pixels
    ASSERT_EQ(r.out.size(), 8u);
    EXPECT_EQ(std::memcmp(r.out.data(), expected, 8), 0);

    LineDiscipline big(Winsize{50, 132, 0, 0});
    Winsize w = from_bytes<Winsize>(ok(big.ioctl(shell(), TIOCGWINSZ, 0)).out);
    EXPECT_EQ(w.ws_row, 50);
    EXPECT_EQ(w.ws_col, 132);
}

TEST(TtyIoctl, SettingTheWindowSizeSignalsSigwinch) {
    LineDiscipline ld = owned();
    Winsize w{40, 100, 0, 0};
    IoctlResult r = ok(ld.ioctl(shell(), TIOCSWINSZ, 0, bytes_of(w)));
    ASSERT_EQ(r.signals.size(), 1u);
    EXPECT_EQ(r.signals[0], (SignalTarget{SIGWINCH, SHELL}));
    EXPECT_EQ(ld.window_size().ws_col, 100);
    // The same size again: no signal (Linux tty_do_resize).
    r = ok(ld.ioctl(shell(), TIOCSWINSZ, 0, bytes_of(w)));
    EXPECT_TRUE(r.signals.empty());
}

TEST(TtyIoctl, Fionread) {
    LineDiscipline ld = owned();
    EXPECT_EQ(int_result(ld, shell(), FIONREAD), 0);
    ld.input("ab\r\x04"
             "cd");                                  // a line, an EOF mark, a partial line
    EXPECT_EQ(int_result(ld, shell(), FIONREAD), 3); // Linux: 3
    EXPECT_EQ(int_result(ld, shell(), TIOCOUTQ), 0);
    EXPECT_EQ(int_result(ld, shell(), TIOCGETD), N_TTY);
}

TEST(TtyIoctl, Tcflsh) {
    LineDiscipline ld = owned();
    ld.input("line\rpartial");
    IoctlResult r = ok(ld.ioctl(shell(), TCFLSH, TCOFLUSH));
    EXPECT_TRUE(r.flush_output);
    EXPECT_FALSE(r.flushed_input);
    EXPECT_EQ(ld.readable(), 5u);
    r = ok(ld.ioctl(shell(), TCFLSH, TCIFLUSH));
    EXPECT_TRUE(r.flushed_input);
    EXPECT_EQ(ld.readable(), 0u);
    ld.input("x\r"); // the partial line went too
    EXPECT_EQ(ld.read(100).data, "x\n");
    r = ok(ld.ioctl(shell(), TCFLSH, TCIOFLUSH));
    EXPECT_TRUE(r.flushed_input);
    EXPECT_TRUE(r.flush_output);
    EXPECT_EQ(error_of(ld.ioctl(shell(), TCFLSH, 3)), EINVAL);
}

TEST(TtyIoctl, Tcxonc) {
    LineDiscipline ld = owned();
    IoctlResult r = ok(ld.ioctl(shell(), TCXONC, TCOOFF));
    EXPECT_TRUE(r.flow_changed);
    EXPECT_TRUE(ld.output_stopped());
    ld.input("\x11"); // ^Q does not undo TCOOFF
    EXPECT_TRUE(ld.output_stopped());
    r = ok(ld.ioctl(shell(), TCXONC, TCOON));
    EXPECT_TRUE(r.flow_changed);
    EXPECT_FALSE(ld.output_stopped());
    EXPECT_EQ(ok(ld.ioctl(shell(), TCXONC, TCIOFF)).transmit, "\x13");
    EXPECT_EQ(ok(ld.ioctl(shell(), TCXONC, TCION)).transmit, "\x11");
    EXPECT_EQ(error_of(ld.ioctl(shell(), TCXONC, 9)), EINVAL);
    ok(ld.ioctl(shell(), TCSBRK, 1)); // tcdrain()
}

TEST(TtyIoctl, UnknownRequestIsEnotty) {
    LineDiscipline ld = owned();
    EXPECT_EQ(error_of(ld.ioctl(shell(), 0x5412 /* TIOCSTI */, 0)), ENOTTY);
    EXPECT_EQ(error_of(ld.ioctl(shell(), 0xdeadbeef, 0)), ENOTTY);
    EXPECT_FALSE(LineDiscipline::ioctl_shape(0xdeadbeef).has_value());
    EXPECT_TRUE(LineDiscipline::ioctl_shape(TCFLSH)->by_value);
    EXPECT_EQ(LineDiscipline::ioctl_shape(TIOCSPGRP)->in_size, 4u);
}

// ---------------------------------------------------------------------------
// Sessions and process groups

TEST(TtyJobControl, TiocscttyBySessionLeader) {
    LineDiscipline ld;
    Caller leader = shell();
    leader.ctty = ControllingTty::None;
    IoctlResult r = ok(ld.ioctl(leader, TIOCSCTTY, 0));
    EXPECT_EQ(r.ctty_change, CttyChange::Acquired);
    EXPECT_EQ(r.ctty_session, SID);
    EXPECT_EQ(ld.session(), SID);
    EXPECT_EQ(ld.foreground_pgrp(), SHELL);
    // Again from the same session: nothing to do.
    EXPECT_EQ(ok(ld.ioctl(shell(), TIOCSCTTY, 0)).ctty_change, CttyChange::None);
}

TEST(TtyJobControl, TiocscttyRefusals) {
    LineDiscipline ld;
    Caller member = job(); // not a session leader
    member.ctty = ControllingTty::None;
    EXPECT_EQ(error_of(ld.ioctl(member, TIOCSCTTY, 0)), EPERM);
    Caller has_one = shell();
    has_one.ctty = ControllingTty::Other;
    EXPECT_EQ(error_of(ld.ioctl(has_one, TIOCSCTTY, 0)), EPERM);
    Caller write_only = shell();
    write_only.ctty = ControllingTty::None;
    write_only.fd_readable = false;
    EXPECT_EQ(error_of(ld.ioctl(write_only, TIOCSCTTY, 0)), EPERM);

    ld.set_session(SID, SHELL);
    Caller other;
    other.pid = other.pgrp = other.sid = OTHER_SID;
    EXPECT_EQ(error_of(ld.ioctl(other, TIOCSCTTY, 0)), EPERM); // taken
    other.privileged = true;
    EXPECT_EQ(error_of(ld.ioctl(other, TIOCSCTTY, 0)), EPERM); // arg 0: no stealing
    IoctlResult r = ok(ld.ioctl(other, TIOCSCTTY, 1));
    EXPECT_EQ(r.stolen_from, SID);
    EXPECT_EQ(ld.session(), OTHER_SID);
}

TEST(TtyJobControl, OpenMakesTheTtyControllingForALeader) {
    LineDiscipline ld;
    Caller leader = shell();
    leader.ctty = ControllingTty::None;
    EXPECT_FALSE(ld.open(leader, true)); // O_NOCTTY
    EXPECT_FALSE(ld.open(job(), false));
    EXPECT_TRUE(ld.open(leader, false));
    EXPECT_EQ(ld.session(), SID);
    EXPECT_FALSE(ld.open(leader, false)); // already taken
}

TEST(TtyJobControl, TiocgpgrpAndTiocgsid) {
    LineDiscipline ld = owned();
    EXPECT_EQ(int_result(ld, shell(), TIOCGPGRP), SHELL);
    EXPECT_EQ(int_result(ld, job(), TIOCGSID), SID);
    Caller stranger;
    stranger.pid = stranger.pgrp = stranger.sid = OTHER_SID;
    EXPECT_EQ(error_of(ld.ioctl(stranger, TIOCGPGRP, 0)), ENOTTY);
    EXPECT_EQ(error_of(ld.ioctl(stranger, TIOCGSID, 0)), ENOTTY);
    LineDiscipline none;
    EXPECT_EQ(error_of(none.ioctl(shell(), TIOCGSID, 0)), ENOTTY);
}

TEST(TtyJobControl, TiocspgrpNamesAGroupOfTheSession) {
    LineDiscipline ld = owned();
    ok(ld.ioctl(shell(), TIOCSPGRP, 0, bytes_of(JOB)));
    EXPECT_EQ(ld.foreground_pgrp(), JOB);
    // The job, now in front, gives the terminal back.
    ok(ld.ioctl(job(), TIOCSPGRP, 0, bytes_of(SHELL)));
    EXPECT_EQ(ld.foreground_pgrp(), SHELL);

    EXPECT_EQ(error_of(ld.ioctl(shell(), TIOCSPGRP, 0, bytes_of(OTHER_SID))), EPERM);
    EXPECT_EQ(error_of(ld.ioctl(shell(), TIOCSPGRP, 0, bytes_of(int32_t(999)))), ESRCH);
    EXPECT_EQ(error_of(ld.ioctl(shell(), TIOCSPGRP, 0, bytes_of(int32_t(-1)))), EINVAL);
    Caller stranger;
    stranger.pid = stranger.pgrp = stranger.sid = OTHER_SID;
    EXPECT_EQ(error_of(ld.ioctl(stranger, TIOCSPGRP, 0, bytes_of(OTHER_SID))), ENOTTY);

    // Without a lookup only the caller's own group can be named.
    Caller blind = shell();
    blind.session_of_pgrp = nullptr;
    EXPECT_EQ(error_of(ld.ioctl(blind, TIOCSPGRP, 0, bytes_of(JOB))), EPERM);
    ok(ld.ioctl(blind, TIOCSPGRP, 0, bytes_of(SHELL)));
}

TEST(TtyJobControl, BackgroundChangesAreStoppedWithSigttou) {
    LineDiscipline ld = owned(); // the shell is in front, the job behind
    IoctlResult r = ok(ld.ioctl(job(), TIOCSPGRP, 0, bytes_of(JOB)));
    EXPECT_TRUE(r.restart);
    ASSERT_EQ(r.signals.size(), 1u);
    EXPECT_EQ(r.signals[0], (SignalTarget{SIGTTOU, JOB}));
    EXPECT_EQ(ld.foreground_pgrp(), SHELL); // unchanged

    r = ok(ld.ioctl(job(), TCSETS, 0, bytes_of(ld.termios())));
    EXPECT_TRUE(r.restart);
    r = ok(ld.ioctl(job(), TCFLSH, TCIFLUSH));
    EXPECT_TRUE(r.restart);

    // SIGTTOU ignored: allowed (this is how a shell takes the terminal back).
    Caller ignoring = job();
    ignoring.sigttou_ignored = true;
    r = ok(ld.ioctl(ignoring, TIOCSPGRP, 0, bytes_of(JOB)));
    EXPECT_FALSE(r.restart);
    EXPECT_EQ(ld.foreground_pgrp(), JOB);

    // An orphaned background group: EIO (ENOTTY for TIOCSPGRP).
    Caller orphan = shell();
    orphan.orphaned_pgrp = true;
    EXPECT_EQ(error_of(ld.ioctl(orphan, TCSETS, 0, bytes_of(ld.termios()))), EIO);
    EXPECT_EQ(error_of(ld.ioctl(orphan, TIOCSPGRP, 0, bytes_of(SHELL))), ENOTTY);

    // Reading the settings is never job-controlled.
    EXPECT_FALSE(ok(ld.ioctl(shell(), TCGETS, 0)).restart);
}

TEST(TtyJobControl, BackgroundReadsAndWrites) {
    LineDiscipline ld = owned();
    EXPECT_EQ(ld.check_read(shell()).access, Access::Allowed);
    AccessCheck read = ld.check_read(job());
    EXPECT_EQ(read.access, Access::Stop);
    EXPECT_EQ(read.signal, (SignalTarget{SIGTTIN, JOB}));
    Caller ignoring = job();
    ignoring.sigttin_ignored = true;
    EXPECT_EQ(ld.check_read(ignoring).access, Access::Denied); // EIO

    EXPECT_EQ(ld.check_write(job()).access, Access::Allowed); // TOSTOP off
    Termios t = ld.termios();
    t.c_lflag |= TOSTOP;
    ld.set_termios(t);
    EXPECT_TRUE(ld.tostop());
    AccessCheck write = ld.check_write(job());
    EXPECT_EQ(write.access, Access::Stop);
    EXPECT_EQ(write.signal, (SignalTarget{SIGTTOU, JOB}));

    // Not the controlling tty: no job control at all.
    Caller stranger;
    stranger.pid = stranger.pgrp = stranger.sid = OTHER_SID;
    EXPECT_EQ(ld.check_read(stranger).access, Access::Allowed);
}

TEST(TtyJobControl, Tiocnotty) {
    LineDiscipline ld = owned();
    IoctlResult r = ok(ld.ioctl(job(), TIOCNOTTY, 0)); // not the leader: only itself
    EXPECT_EQ(r.ctty_change, CttyChange::DetachedCaller);
    EXPECT_EQ(ld.session(), SID);

    ok(ld.ioctl(shell(), TIOCSPGRP, 0, bytes_of(JOB)));
    r = ok(ld.ioctl(shell(), TIOCNOTTY, 0));
    EXPECT_EQ(r.ctty_change, CttyChange::DetachedSession);
    EXPECT_EQ(r.ctty_session, SID);
    ASSERT_EQ(r.signals.size(), 2u);
    EXPECT_EQ(r.signals[0], (SignalTarget{SIGHUP, JOB}));
    EXPECT_EQ(r.signals[1], (SignalTarget{SIGCONT, JOB}));
    EXPECT_EQ(ld.session(), 0);
    EXPECT_EQ(ld.foreground_pgrp(), 0);

    Caller stranger;
    stranger.pid = stranger.pgrp = stranger.sid = OTHER_SID;
    EXPECT_EQ(error_of(ld.ioctl(stranger, TIOCNOTTY, 0)), ENOTTY);
}
