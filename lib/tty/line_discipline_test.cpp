// Input, echo, reads and output of the console line discipline.
//
// The expected echo bytes were taken from Linux 6.18: a pseudo-terminal
// whose slave side has the console defaults (python3 pty + termios; typing =
// writing to the master, echo = reading the master, read() = reading the
// slave). "Matches Linux" below means exactly those bytes.
#include <rustos/tty/line_discipline.h>

#include <gtest/gtest.h>

#include <csignal>
#include <string>

using namespace rustos::tty;
using Status = ReadResult::Status;

namespace {

constexpr int32_t FG = 42; // foreground process group of the tests

struct Console {
    LineDiscipline ld;
    Console() { ld.set_session(40, FG); }

    // Types `bytes` in one go and returns the echo.
    std::string type(std::string_view bytes) {
        InputResult r = ld.input(bytes);
        EXPECT_EQ(r.consumed, bytes.size());
        return r.echo;
    }
    // The data of a read that must complete now.
    std::string read(size_t max = 65536) {
        ReadResult r = ld.read(max);
        EXPECT_EQ(r.status, Status::Ready);
        return r.data;
    }
    bool would_block(size_t max = 65536) {
        ReadResult r = ld.read(max);
        return r.status == Status::WouldBlock && r.data.empty();
    }
    void set(void (*change)(Termios&)) {
        Termios t = ld.termios();
        change(t);
        ld.set_termios(t);
    }
};

std::string letters(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; i++)
        s.push_back(char('a' + i % 26));
    return s;
}

} // namespace

// ---------------------------------------------------------------------------
// Canonical mode

TEST(TtyCanonical, TypingALineEchoesAndReadsIt) {
    Console c;
    EXPECT_EQ(c.type("ls -l"), "ls -l");
    EXPECT_TRUE(c.would_block()); // no line yet
    EXPECT_EQ(c.ld.readable(), 0u);
    EXPECT_FALSE(c.ld.poll_readable());
    InputResult r = c.ld.input("\r"); // Enter: ICRNL makes it '\n', echoed as "\r\n"
    EXPECT_EQ(r.echo, "\r\n");
    EXPECT_TRUE(r.wake_readers);
    EXPECT_TRUE(r.signals.empty());
    EXPECT_TRUE(c.ld.poll_readable());
    EXPECT_EQ(c.ld.readable(), 6u);
    EXPECT_EQ(c.read(), "ls -l\n");
    EXPECT_TRUE(c.would_block());
}

TEST(TtyCanonical, ReadReturnsOneLineAtATime) {
    Console c;
    c.type("one\rtwo\r");
    EXPECT_EQ(c.ld.readable(), 8u);
    EXPECT_EQ(c.read(), "one\n");
    EXPECT_EQ(c.read(), "two\n");
    EXPECT_TRUE(c.would_block());
}

TEST(TtyCanonical, EraseAtLineStartDoesNothing) {
    Console c;
    EXPECT_EQ(c.type("\x7f\x7f"), ""); // Linux neither echoes nor beeps
    EXPECT_EQ(c.type("a\x7f\x7f"), "a\b \b");
    c.type("\r");
    EXPECT_EQ(c.read(), "\n");
}

TEST(TtyCanonical, EraseOfAControlCharacterErasesTwoColumns) {
    Console c;
    // ^A is echoed as "^A", so erasing it takes "\b \b" twice. Matches Linux.
    EXPECT_EQ(c.type("abc\x7f\x7f\x7f\x7fx\x01\x7fy\r"), "abc\b \b\b \b\b \bx^A\b \b\b \by\r\n");
    EXPECT_EQ(c.read(), "xy\n");
}

TEST(TtyCanonical, CtrlHIsDataWhenVeraseIsDel) {
    Console c;
    EXPECT_EQ(c.type("a\b\r"), "a^H\r\n");
    EXPECT_EQ(c.read(), "a\b\n");
}

TEST(TtyCanonical, WordErase) {
    Console c;
    // The first ^W takes "baz", the second "bar  " (spaces, then the word).
    // Matches Linux.
    EXPECT_EQ(c.type("foo bar  baz\x17\x17x\r"),
              "foo bar  baz\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \bx\r\n");
    EXPECT_EQ(c.read(), "foo x\n");
}

TEST(TtyCanonical, KillLine) {
    Console c;
    // ECHOKE: each character is wiped. Matches Linux.
    EXPECT_EQ(c.type("abc\x15"
                     "d\r"),
              "abc\b \b\b \b\b \bd\r\n");
    EXPECT_EQ(c.read(), "d\n");
}

TEST(TtyCanonical, KillWithoutEchokeEchoesTheCharacter) {
    Console c;
    c.set([](Termios& t) { t.c_lflag &= ~(ECHOK | ECHOKE); });
    EXPECT_EQ(c.type("abc\x15xy\r"), "abc^Uxy\r\n"); // Linux
    EXPECT_EQ(c.read(), "xy\n");

    Console e;
    e.set([](Termios& t) { t.c_lflag &= ~(ECHOE | ECHOKE); });
    // Without ECHOE erase echoes "^?"; ECHOK adds a newline after "^U". Linux.
    EXPECT_EQ(e.type("abc\x7f\x15xy\r"), "abc^?^U\r\nxy\r\n");
    EXPECT_EQ(e.read(), "xy\n");
}

TEST(TtyCanonical, EraseOfATabGoesBackToTheTabStop) {
    Console c;
    EXPECT_EQ(c.type("ab\tc\x7f\x7f\x7f\r"), "ab\tc\b \b\b\b\b\b\b\b\b \b\r\n"); // Linux
    EXPECT_EQ(c.read(), "a\n");
    // After a previous tab, counted from that tab.
    EXPECT_EQ(c.type("abcdefghij\tx\tc\x7f\x7f\x7f\x7f\r"),
              "abcdefghij\tx\tc\b \b\b\b\b\b\b\b\b\b \b\b\b\b\b\b\b\r\n"); // Linux
    EXPECT_EQ(c.read(), "abcdefghij\n");
}

TEST(TtyCanonical, TabEraseCountsFromWhereTheLineStarted) {
    Console c;
    // A prompt written by a process leaves the cursor at column 3; the line
    // typed after it starts there. Matches Linux.
    EXPECT_EQ(c.ld.output("abc"), "abc");
    EXPECT_EQ(c.type("\t\x7fx\t\x7f\r"), "\t\b\b\b\b\bx\t\b\b\b\b\r\n");
    EXPECT_EQ(c.read(), "x\n");
}

TEST(TtyCanonical, EofAtLineStartReadsAsEndOfFileOnce) {
    Console c;
    EXPECT_EQ(c.type("\x04"), ""); // ^D is not echoed
    EXPECT_TRUE(c.ld.poll_readable());
    EXPECT_EQ(c.ld.readable(), 0u); // FIONREAD does not count the EOF mark (Linux)
    ReadResult r = c.ld.read(100);
    EXPECT_EQ(r.status, Status::Ready);
    EXPECT_EQ(r.data, "");
    EXPECT_TRUE(c.would_block()); // reads continue after the EOF
    c.type("more\r");
    EXPECT_EQ(c.read(), "more\n");
}

TEST(TtyCanonical, EofMidLinePushesTheLineWithoutTheEof) {
    Console c;
    EXPECT_EQ(c.type("abc\x04"), "abc");
    EXPECT_EQ(c.ld.readable(), 3u);
    EXPECT_EQ(c.read(), "abc");
    EXPECT_TRUE(c.would_block());
}

TEST(TtyCanonical, EofMidLineReadInParts) {
    // Linux: read(2) gives "ab", then "c"; then it blocks (no 0-byte read).
    Console c;
    c.type("abc\x04");
    EXPECT_EQ(c.read(2), "ab");
    EXPECT_EQ(c.read(2), "c");
    EXPECT_TRUE(c.would_block());
    // A buffer filled exactly by the line takes the EOF mark with it
    // (canon_skip_eof): again no 0-byte read afterwards.
    c.type("xyz\x04");
    EXPECT_EQ(c.read(3), "xyz");
    EXPECT_TRUE(c.would_block());
}

TEST(TtyCanonical, LongLinePartialReads) {
    Console c;
    std::string line = letters(100);
    c.type(line + "\r");
    EXPECT_EQ(c.read(30), line.substr(0, 30));
    EXPECT_EQ(c.ld.readable(), 71u);
    EXPECT_EQ(c.read(30), line.substr(30, 30));
    EXPECT_EQ(c.read(30), line.substr(60, 30));
    EXPECT_EQ(c.read(30), line.substr(90) + "\n");
    EXPECT_TRUE(c.would_block());
}

TEST(TtyCanonical, LineIsLimitedTo4095Characters) {
    Console c;
    std::string line = letters(5000);
    // Every character is echoed (Linux does too), but the line keeps the
    // first 4095 and its newline.
    EXPECT_EQ(c.type(line), line);
    EXPECT_EQ(c.type("\r"), "\r\n");
    std::string got = c.read();
    EXPECT_EQ(got.size(), 4096u);
    EXPECT_EQ(got, line.substr(0, 4095) + "\n");

    // Erase still works on a full line: the overflowing character and one
    // more go (Linux: 4094 characters remain).
    c.type(line);
    EXPECT_EQ(c.type("\x7f\r"), "\b \b\r\n");
    EXPECT_EQ(c.read(), line.substr(0, 4094) + "\n");
}

TEST(TtyCanonical, InputWaitsWhenUnreadLinesFillTheBuffer) {
    Console c;
    std::string line = std::string(99, 'x') + "\r";
    std::string all;
    for (int i = 0; i < 100; i++)
        all += line;
    InputResult r = c.ld.input(all);
    // 40 lines and 95 characters of the 41st fit (one slot stays free); the
    // echo is what Linux echoes before anyone reads: 4135 bytes.
    EXPECT_EQ(r.consumed, 40 * 100u + 95);
    EXPECT_EQ(r.echo.size(), 4135u);
    // Reads free room; the caller offers the rest again.
    std::string backlog = all.substr(r.consumed);
    size_t total = 0;
    while (true) {
        ReadResult rd = c.ld.read(65536);
        if (!rd.ready())
            break;
        total += rd.data.size();
        if (!backlog.empty()) {
            InputResult more = c.ld.input(backlog);
            backlog.erase(0, more.consumed);
        }
    }
    EXPECT_TRUE(backlog.empty());
    EXPECT_EQ(total, 100 * 100u);
}

TEST(TtyCanonical, FlowControlActsEvenWhenInputWaits) {
    Console c;
    c.set([](Termios& t) { t.c_lflag &= ~ICANON; });
    std::string full(LineDiscipline::BUFFER_SIZE - 1, 'x');
    EXPECT_EQ(c.ld.input(full).consumed, full.size());
    InputResult r = c.ld.input("ab\x13");
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_TRUE(r.flow_changed);
    EXPECT_TRUE(c.ld.output_stopped()); // ^S seen by lookahead (Linux)
    c.read(10);
    r = c.ld.input("ab\x13");
    EXPECT_EQ(r.consumed, 3u);
    EXPECT_FALSE(r.flow_changed); // the ^S is not applied twice
    EXPECT_EQ(r.echo, "ab");
}

// ---------------------------------------------------------------------------
// Signals

TEST(TtySignals, CtrlCSendsSigintAndFlushes) {
    Console c;
    c.type("done\r"); // an unread line is flushed too
    InputResult r = c.ld.input("abc\x03");
    // Typed byte by byte, Linux echoes "abc" then "^C"; the shell prints the
    // newline after it.
    EXPECT_EQ(r.echo, "abc^C");
    ASSERT_EQ(r.signals.size(), 1u);
    EXPECT_EQ(r.signals[0], (SignalTarget{SIGINT, FG}));
    EXPECT_EQ(SIGINT, 2);
    EXPECT_TRUE(r.flush_output);
    EXPECT_FALSE(c.ld.poll_readable());
    EXPECT_TRUE(c.would_block());
    c.type("def\r");
    EXPECT_EQ(c.read(), "def\n");
}

TEST(TtySignals, CtrlZAndCtrlBackslash) {
    Console c;
    InputResult r = c.ld.input("\x1a");
    EXPECT_EQ(r.echo, "^Z");
    ASSERT_EQ(r.signals.size(), 1u);
    EXPECT_EQ(r.signals[0], (SignalTarget{SIGTSTP, FG}));
    EXPECT_EQ(SIGTSTP, 20);
    r = c.ld.input("\x1c");
    EXPECT_EQ(r.echo, "^\\");
    ASSERT_EQ(r.signals.size(), 1u);
    EXPECT_EQ(r.signals[0], (SignalTarget{SIGQUIT, FG}));
    EXPECT_EQ(SIGQUIT, 3);
}

TEST(TtySignals, SeveralSignalsInOneInputInOrder) {
    Console c;
    InputResult r = c.ld.input("\x03x\x1c\x1a");
    EXPECT_EQ(r.echo, "^Cx^\\^Z");
    ASSERT_EQ(r.signals.size(), 3u);
    EXPECT_EQ(r.signals[0].signal, SIGINT);
    EXPECT_EQ(r.signals[1].signal, SIGQUIT);
    EXPECT_EQ(r.signals[2].signal, SIGTSTP);
}

TEST(TtySignals, NoForegroundGroupStillFlushes) {
    LineDiscipline ld;
    InputResult r = ld.input("ab\x03");
    ASSERT_EQ(r.signals.size(), 1u);
    EXPECT_EQ(r.signals[0], (SignalTarget{SIGINT, 0})); // nobody to send it to
    EXPECT_EQ(ld.read(10).status, Status::WouldBlock);
}

TEST(TtySignals, NoflshKeepsTheInput) {
    Console c;
    c.set([](Termios& t) { t.c_lflag |= NOFLSH; });
    InputResult r = c.ld.input("ab\rcd\x03"
                               "e\r");
    EXPECT_EQ(r.echo, "ab\r\ncd^Ce\r\n"); // Linux
    EXPECT_FALSE(r.flush_output);
    EXPECT_EQ(r.signals.size(), 1u);
    EXPECT_EQ(c.read(), "ab\n");
    EXPECT_EQ(c.read(), "cde\n");
}

TEST(TtySignals, FlushKeepsOnlyWhatFollows) {
    Console c;
    EXPECT_EQ(c.type("ab\rcd\x03"
                     "e\r"),
              "ab\r\ncd^Ce\r\n"); // Linux
    EXPECT_EQ(c.read(), "e\n");
    EXPECT_TRUE(c.would_block());
}

TEST(TtySignals, IsigOffMakesCtrlCData) {
    Console c;
    c.set([](Termios& t) { t.c_lflag &= ~ISIG; });
    InputResult r = c.ld.input("\x03\x1a\r");
    EXPECT_TRUE(r.signals.empty());
    EXPECT_EQ(r.echo, "^C^Z\r\n");
    EXPECT_EQ(c.read(), "\x03\x1a\n");
}

TEST(TtySignals, SignalCharacterRestartsStoppedOutput) {
    Console c;
    c.type("\x13");
    EXPECT_TRUE(c.ld.output_stopped());
    InputResult r = c.ld.input("x\x03");
    EXPECT_TRUE(r.flow_changed);
    EXPECT_FALSE(c.ld.output_stopped());
}

// ---------------------------------------------------------------------------
// Input modes and special characters

TEST(TtyInputModes, IcrnlTurnsEnterIntoNewline) {
    Console c;
    c.type("a\r");
    EXPECT_EQ(c.read(), "a\n");
    c.set([](Termios& t) { t.c_iflag &= ~ICRNL; });
    EXPECT_EQ(c.type("b\r"), "b^M"); // CR is now data, echoed with ECHOCTL
    EXPECT_TRUE(c.would_block());
    EXPECT_EQ(c.type("\n"), "\r\n");
    EXPECT_EQ(c.read(), "b\r\n");
}

TEST(TtyInputModes, IgncrAndInlcr) {
    Console c;
    c.set([](Termios& t) { t.c_iflag |= IGNCR | INLCR; });
    EXPECT_EQ(c.type("a\rb\n"), "ab^M"); // Linux
    EXPECT_TRUE(c.would_block());
}

TEST(TtyInputModes, IstripAndIuclc) {
    Console c;
    c.set([](Termios& t) { t.c_iflag |= ISTRIP | IUCLC; });
    // 0xc1 stripped is 'A', lowered; 0x83 stripped is ^C. Typed byte by byte
    // Linux echoes "ab^C\r\n" (pasted in one write, its flush also drops the
    // "ab" still queued for echo).
    InputResult r = c.ld.input("\xc1"
                               "B\x83\r");
    EXPECT_EQ(r.echo, "ab^C\r\n");
    ASSERT_EQ(r.signals.size(), 1u);
    EXPECT_EQ(r.signals[0].signal, SIGINT);
    EXPECT_EQ(c.read(), "\n"); // Linux
}

TEST(TtyInputModes, EchoOffForPasswords) {
    Console c;
    c.set([](Termios& t) { t.c_lflag &= ~ECHO; });
    EXPECT_EQ(c.type("secret\r"), "");
    EXPECT_EQ(c.read(), "secret\n");
    // Erase and kill still edit, silently; ^R is data without ECHO (Linux).
    EXPECT_EQ(c.type("ab\x7f"
                     "c\x12\x15"
                     "de\r"),
              "");
    EXPECT_EQ(c.read(), "de\n");
}

TEST(TtyInputModes, EchonlEchoesOnlyTheNewline) {
    Console c;
    c.set([](Termios& t) {
        t.c_lflag &= ~ECHO;
        t.c_lflag |= ECHONL;
    });
    EXPECT_EQ(c.type("secret\r"), "\r\n"); // Linux
    EXPECT_EQ(c.read(), "secret\n");
}

TEST(TtyInputModes, LiteralNext) {
    Console c;
    // ^V shows "^" and backs over it; the next character is data whatever it
    // is. Matches Linux.
    EXPECT_EQ(c.type("ab\x16\x03\x16\x7f\x16\n\r"), "ab^\b^C^\b^?^\b^J\r\n");
    EXPECT_EQ(c.read(), "ab\x03\x7f\n\n");
}

TEST(TtyInputModes, Reprint) {
    Console c;
    EXPECT_EQ(c.type("ab\x12"), "ab^R\r\nab"); // Linux
    c.type("\r");
    EXPECT_EQ(c.read(), "ab\n");
}

TEST(TtyInputModes, Echoprt) {
    Console c;
    c.set([](Termios& t) { t.c_lflag |= ECHOPRT; });
    EXPECT_EQ(c.type("abc\x7f\x7f"
                     "d\r"),
              "abc\\cb/d\r\n"); // Linux
    EXPECT_EQ(c.read(), "ad\n");
}

TEST(TtyInputModes, EolAndEol2EndLines) {
    Console c;
    c.set([](Termios& t) {
        t.c_cc[VEOL] = 0x01;
        t.c_cc[VEOL2] = '%';
    });
    EXPECT_EQ(c.type("ab\x01"
                     "cd%e\x7f\x7f\r"),
              "ab^Acd%e\b \b\r\n"); // Linux
    EXPECT_EQ(c.read(), "ab\x01");
    EXPECT_EQ(c.read(), "cd%");
    EXPECT_EQ(c.read(), "\n");
}

TEST(TtyInputModes, DisabledCharactersAreData) {
    Console c;
    c.set([](Termios& t) { t.c_cc[VINTR] = DISABLED_CHAR; });
    InputResult r = c.ld.input(std::string("\x03\0\r", 3));
    EXPECT_TRUE(r.signals.empty());
    EXPECT_EQ(c.read(), std::string("\x03\0\n", 3));
}

TEST(TtyInputModes, HighBytesAreNotControlCharacters) {
    Console c;
    // Linux's ctype has no control characters above DEL: 0x82 echoes as is
    // and erases one column.
    EXPECT_EQ(c.type("\x82\x7f\x9f\x7f\xa0\x7f\r"), "\x82\b \b\x9f\b \b\xa0\b \b\r\n");
    EXPECT_EQ(c.type("\xff\x7f"
                     "a\x7f"),
              "\xff\b \ba\b \b");
}

TEST(TtyInputModes, Iutf8ErasesWholeCharacters) {
    Console c;
    c.set([](Termios& t) { t.c_iflag |= IUTF8; });
    EXPECT_EQ(c.type("a\xe2\x82\xac\x7f\r"), "a\xe2\x82\xac\b \b\r\n");
    EXPECT_EQ(c.read(), "a\n");
}

TEST(TtyInputModes, IxonStopsAndStartsOutput) {
    Console c;
    InputResult r = c.ld.input("ab\x13"
                               "cd");
    EXPECT_TRUE(r.flow_changed);
    EXPECT_TRUE(c.ld.output_stopped());
    r = c.ld.input("\x11\r");
    EXPECT_TRUE(r.flow_changed);
    EXPECT_FALSE(c.ld.output_stopped());
    EXPECT_EQ(c.read(), "abcd\n"); // ^S/^Q are not data (Linux)

    c.set([](Termios& t) { t.c_iflag |= IXANY; });
    c.type("\x13");
    EXPECT_TRUE(c.ld.output_stopped());
    c.type("x"); // IXANY: any character restarts
    EXPECT_FALSE(c.ld.output_stopped());

    c.type("\x13");
    c.set([](Termios& t) { t.c_iflag &= ~IXON; }); // turning IXON off restarts
    EXPECT_FALSE(c.ld.output_stopped());
}

TEST(TtyInputModes, BulkAndByteByByteInputAgree) {
    const char* inputs[] = {
        "hello\r",
        "abc\x7f\x7f\x7f\x7fx\x01\x7fy\r",
        "foo bar  baz\x17\x17x\r",
        "abc\x03"
        "def\r",
        "ab\tc\x7f\x7f\x7f\r",
        "ab\x16\x03\x16\x7f\x16\n\r",
        "ab\x12\x15xy\x04",
        "\x04\x04q\r",
        "a\x13"
        "b\x11\x1a"
        "c\r",
    };
    for (const char* in : inputs) {
        Console bulk, bytes;
        InputResult all = bulk.ld.input(in);
        std::string echo;
        std::vector<SignalTarget> signals;
        for (const char* p = in; *p; p++) {
            InputResult one = bytes.ld.input(std::string_view(p, 1));
            echo += one.echo;
            signals.insert(signals.end(), one.signals.begin(), one.signals.end());
        }
        EXPECT_EQ(all.echo, echo) << in;
        EXPECT_EQ(all.signals, signals) << in;
        while (true) {
            ReadResult a = bulk.ld.read(7);
            ReadResult b = bytes.ld.read(7);
            EXPECT_EQ(a.status, b.status) << in;
            EXPECT_EQ(a.data, b.data) << in;
            if (!a.ready() || !b.ready())
                break;
        }
    }
}

// ---------------------------------------------------------------------------
// Non-canonical mode

namespace {

void raw(Termios& t) { t.c_lflag &= ~ICANON; }

Console raw_console(uint8_t vmin, uint8_t vtime) {
    Console c;
    Termios t = c.ld.termios();
    raw(t);
    t.c_cc[VMIN] = vmin;
    t.c_cc[VTIME] = vtime;
    c.ld.set_termios(t);
    return c;
}

} // namespace

TEST(TtyNonCanonical, Vmin1Vtime0BlocksForOneByte) {
    Console c = raw_console(1, 0);
    ReadResult r = c.ld.read(100);
    EXPECT_EQ(r.status, Status::WouldBlock);
    EXPECT_FALSE(r.timeout_ms.has_value()); // no timer: wait for input
    EXPECT_FALSE(c.ld.poll_readable());
    InputResult in = c.ld.input("ab");
    EXPECT_TRUE(in.wake_readers); // bytes are readable at once
    EXPECT_EQ(in.echo, "ab");
    EXPECT_TRUE(c.ld.poll_readable());
    EXPECT_EQ(c.ld.readable(), 2u);
    EXPECT_EQ(c.read(100), "ab");
    EXPECT_EQ(c.ld.read(100, true).status, Status::WouldBlock); // O_NONBLOCK: EAGAIN
}

TEST(TtyNonCanonical, Vmin0Vtime5WaitsHalfASecondForTheFirstByte) {
    Console c = raw_console(0, 5);
    ReadResult r = c.ld.read(100);
    EXPECT_EQ(r.status, Status::WouldBlock);
    EXPECT_EQ(r.timeout_ms, 500u);
    // The timer fires: the read returns 0 bytes.
    r = c.ld.read_timed_out(100);
    EXPECT_EQ(r.status, Status::Ready);
    EXPECT_EQ(r.data, "");
    // A byte before the timer: the parked read completes with it.
    c.ld.input("x");
    EXPECT_EQ(c.read(100), "x");
    EXPECT_EQ(c.ld.read(100, true).status, Status::WouldBlock); // O_NONBLOCK: EAGAIN
}

TEST(TtyNonCanonical, Vmin0Vtime0NeverWaits) {
    Console c = raw_console(0, 0);
    ReadResult r = c.ld.read(100);
    EXPECT_EQ(r.status, Status::Ready);
    EXPECT_EQ(r.data, "");
    // Even with O_NONBLOCK Linux returns 0, not EAGAIN.
    EXPECT_EQ(c.ld.read(100, true).status, Status::Ready);
    c.ld.input("xyz");
    EXPECT_EQ(c.read(2), "xy");
    EXPECT_EQ(c.read(2), "z");
}

TEST(TtyNonCanonical, VminWithInterByteTimer) {
    Console c = raw_console(3, 2);
    ReadResult r = c.ld.read(100);
    EXPECT_EQ(r.status, Status::WouldBlock);
    EXPECT_FALSE(r.timeout_ms.has_value()); // the timer starts with the first byte
    c.ld.input("a");
    r = c.ld.read(100);
    EXPECT_EQ(r.status, Status::WouldBlock);
    EXPECT_EQ(r.timeout_ms, 200u);
    EXPECT_TRUE(c.ld.poll_readable()); // VTIME set: one byte makes POLLIN
    c.ld.input("bc");
    EXPECT_EQ(c.read(100), "abc");
    // The timer fires with fewer than VMIN bytes: the read takes them.
    c.ld.input("d");
    EXPECT_EQ(c.ld.read_timed_out(100).data, "d");
    // O_NONBLOCK takes what is there.
    c.ld.input("e");
    EXPECT_EQ(c.ld.read(100, true).data, "e");
}

TEST(TtyNonCanonical, VminIsCappedByTheReadSize) {
    Console c = raw_console(5, 0);
    c.ld.input("ab");
    EXPECT_FALSE(c.ld.poll_readable()); // VTIME 0: POLLIN at VMIN bytes
    EXPECT_EQ(c.read(2), "ab");         // read(2) needs only two
}

TEST(TtyNonCanonical, EchoOfControlCharacters) {
    Console c = raw_console(1, 0);
    // Erase, ^D, ^U are data; a typed LF echoes as "^J" while Enter (CR,
    // ICRNL) echoes a newline. Matches Linux.
    EXPECT_EQ(c.type("a\n\r\x7f\x04\x15"), "a^J\r\n^?^D^U");
    EXPECT_EQ(c.read(), "a\n\n\x7f\x04\x15");
}

TEST(TtyNonCanonical, SwitchingModesKeepsUnreadInput) {
    Console c;
    c.type("ab\r\x04"
           "cd");
    EXPECT_EQ(c.ld.readable(), 3u);
    c.set(raw);
    // Everything is readable now, the EOF mark as a NUL byte (Linux).
    EXPECT_EQ(c.ld.readable(), 6u);
    EXPECT_EQ(c.read(), std::string("ab\n\0cd", 6));

    c.type("x\ry\rz");
    c.set([](Termios& t) { t.c_lflag |= ICANON; });
    // Back in canonical mode the unread bytes form one line (Linux).
    EXPECT_EQ(c.ld.readable(), 5u);
    EXPECT_EQ(c.read(), "x\ny\nz");
    EXPECT_TRUE(c.would_block());
}

// ---------------------------------------------------------------------------
// Output

TEST(TtyOutput, OnlcrTurnsNewlineIntoCrLf) {
    LineDiscipline ld;
    EXPECT_EQ(ld.output("a\nb\n"), "a\r\nb\r\n");
}

TEST(TtyOutput, OpostOffWritesBytesAsIs) {
    LineDiscipline ld;
    Termios t = ld.termios();
    t.c_oflag &= ~OPOST;
    ld.set_termios(t);
    EXPECT_EQ(ld.output("a\nb\t\r"), "a\nb\t\r");
}

TEST(TtyOutput, OcrnlOlcucOnlret) {
    LineDiscipline ld;
    Termios t = ld.termios();
    t.c_oflag |= OCRNL | OLCUC | ONLRET;
    ld.set_termios(t);
    EXPECT_EQ(ld.output("ab\rc\td\n"), "AB\nC\tD\r\n"); // Linux
    EXPECT_EQ(ld.output("a\xe9\x85"), "A\xc9\x85");     // Latin-1 as Linux's toupper
}

TEST(TtyOutput, XtabsAndOnocr) {
    LineDiscipline ld;
    Termios t = ld.termios();
    t.c_oflag |= XTABS | ONOCR;
    ld.set_termios(t);
    EXPECT_EQ(ld.output("\rab\tc\r\r\n\t|"), "ab      c\r\r\n        |"); // Linux
}
