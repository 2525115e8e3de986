// Input processing, echo, reads and output post-processing of the console
// line discipline. The structure follows Linux's drivers/tty/n_tty.c
// (n_tty_receive_char_special, eraser, canon_copy_from_read_buf,
// do_output_char) so that behaviour can be checked against it function by
// function; the tests compare the bytes with a Linux pseudo-terminal.
#include <rustos/tty/line_discipline.h>

#include <algorithm>
#include <csignal>

namespace rustos::tty {

namespace {

// The kernel's <linux/ctype.h> (Latin-1): only 0-31 and DEL are control
// characters; 0xc0-0xde and 0xdf-0xff (less the multiplication and division
// signs) are letters.
bool k_iscntrl(uint8_t c) { return c < 0x20 || c == 0x7f; }
bool k_isupper(uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7);
}
bool k_islower(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 0xdf && c != 0xf7); }
bool k_isalnum(uint8_t c) { return (c >= '0' && c <= '9') || k_isupper(c) || k_islower(c); }
uint8_t k_toupper(uint8_t c) { return k_islower(c) ? uint8_t(c - 0x20) : c; }
uint8_t k_tolower(uint8_t c) { return k_isupper(c) ? uint8_t(c + 0x20) : c; }

} // namespace

LineDiscipline::LineDiscipline(Winsize window) : m_termios(default_termios()), m_winsize(window) {
    // Linux n_tty_open applies the settings to an empty ring.
    apply_termios(m_termios);
}

// ---------------------------------------------------------------------------
// Settings

void LineDiscipline::apply_termios(const Termios& termios) {
    Termios old = m_termios;
    m_termios = termios;

    // Speeds as Linux's set_termios computes them: from the Bxxx code, or
    // from the given speed for BOTHER; input B0 means "as output".
    uint32_t ospeed =
        (termios.c_cflag & CBAUD) == BOTHER ? m_ospeed : baud_rate_of(termios.c_cflag);
    uint32_t icode = (termios.c_cflag >> IBSHIFT) & CBAUD;
    uint32_t ispeed = icode == B0 ? ospeed : icode == BOTHER ? m_ispeed : baud_rate_of(icode);
    m_ospeed = ospeed;
    m_ispeed = ispeed;

    // n_tty_set_termios: switching ICANON drops the line boundaries. Into
    // canonical mode, everything unread becomes one line (readable at once);
    // out of it, the partial line becomes readable too.
    if ((old.c_lflag ^ termios.c_lflag) & (ICANON | EXTPROC)) {
        m_line_end.reset();
        if (!(termios.c_lflag & ICANON) || m_read_head == m_read_tail) {
            m_canon_head = m_read_tail;
        } else {
            m_line_end.set((m_read_head - 1) & MASK);
            m_canon_head = m_read_head;
        }
        m_erasing = false;
        m_lnext = false;
    }
    m_icanon = (termios.c_lflag & ICANON) != 0;

    // The characters that need more than "echo and queue".
    m_char_map.reset();
    if (iflag(IGNCR) || iflag(ICRNL))
        m_char_map.set('\r');
    if (iflag(INLCR))
        m_char_map.set('\n');
    if (lflag(ICANON)) {
        m_char_map.set(cc(VERASE));
        m_char_map.set(cc(VKILL));
        m_char_map.set(cc(VEOF));
        m_char_map.set('\n');
        m_char_map.set(cc(VEOL));
        if (lflag(IEXTEN)) {
            m_char_map.set(cc(VWERASE));
            m_char_map.set(cc(VLNEXT));
            m_char_map.set(cc(VEOL2));
            if (lflag(ECHO))
                m_char_map.set(cc(VREPRINT));
        }
    }
    if (iflag(IXON)) {
        m_char_map.set(cc(VSTART));
        m_char_map.set(cc(VSTOP));
    }
    if (lflag(ISIG)) {
        m_char_map.set(cc(VINTR));
        m_char_map.set(cc(VQUIT));
        m_char_map.set(cc(VSUSP));
    }
    m_char_map.reset(DISABLED_CHAR);

    // Turning IXON off restarts output stopped by ^S.
    if (!iflag(IXON) && (old.c_iflag & IXON) && !m_tco_stopped)
        start_output();
}

bool LineDiscipline::set_termios(const Termios& termios) {
    apply_termios(termios);
    return true;
}

Termios2 LineDiscipline::termios2() const {
    Termios2 t{};
    t.c_iflag = m_termios.c_iflag;
    t.c_oflag = m_termios.c_oflag;
    t.c_cflag = m_termios.c_cflag;
    t.c_lflag = m_termios.c_lflag;
    t.c_line = m_termios.c_line;
    std::copy(m_termios.c_cc, m_termios.c_cc + NCCS, t.c_cc);
    t.c_ispeed = m_ispeed;
    t.c_ospeed = m_ospeed;
    return t;
}

bool LineDiscipline::set_termios2(const Termios2& termios) {
    Termios t{};
    t.c_iflag = termios.c_iflag;
    t.c_oflag = termios.c_oflag;
    t.c_cflag = termios.c_cflag;
    t.c_lflag = termios.c_lflag;
    t.c_line = termios.c_line;
    std::copy(termios.c_cc, termios.c_cc + NCCS, t.c_cc);
    // BOTHER takes the speeds given; apply_termios reads them from here.
    m_ispeed = termios.c_ispeed;
    m_ospeed = termios.c_ospeed;
    apply_termios(t);
    return true;
}

bool LineDiscipline::set_window_size(const Winsize& window) {
    bool changed = window.ws_row != m_winsize.ws_row || window.ws_col != m_winsize.ws_col ||
                   window.ws_xpixel != m_winsize.ws_xpixel ||
                   window.ws_ypixel != m_winsize.ws_ypixel;
    m_winsize = window;
    return changed;
}

void LineDiscipline::reset_buffer() {
    // Linux reset_buffer_flags.
    m_read_head = m_canon_head = m_read_tail = 0;
    m_line_end.reset();
    m_erasing = false;
}

void LineDiscipline::flush_input() {
    reset_buffer();
    // The caller drops its backlog with the flush, so nothing was looked at.
    m_lookahead_count = 0;
}

// ---------------------------------------------------------------------------
// Input

InputResult LineDiscipline::input(std::string_view bytes) {
    InputResult result;
    m_input = &result;
    size_t i = 0;
    for (; i < bytes.size(); i++) {
        // n_tty_receive_buf_common: room for one more byte, keeping one slot
        // free. A canonical line that fills the whole buffer keeps taking
        // characters (so erase and newline still work) by overwriting its
        // last one; otherwise the byte waits.
        ptrdiff_t room = ptrdiff_t(BUFFER_SIZE) - ptrdiff_t(m_read_head - m_read_tail);
        if (iflag(PARMRK))
            room = (room + 2) / 3;
        room--;
        if (room <= 0) {
            bool overflow = m_icanon && m_canon_head == m_read_tail;
            if (!overflow)
                break;
            if (room < 0)
                m_read_head--;
        }
        bool lookahead_done = m_lookahead_count > 0;
        if (lookahead_done)
            m_lookahead_count--;
        receive(uint8_t(bytes[i]), lookahead_done);
    }
    result.consumed = i;
    if (i < bytes.size())
        lookahead(bytes.substr(i));
    m_input = nullptr;
    return result;
}

// Linux n_tty_lookahead_flow_ctrl: ^S/^Q act even while the bytes before
// them wait for room; they are skipped when finally received.
void LineDiscipline::lookahead(std::string_view rest) {
    size_t seen = std::min(m_lookahead_count, rest.size());
    if (iflag(IXON)) {
        for (size_t i = seen; i < rest.size(); i++)
            flow_control(uint8_t(rest[i]));
    }
    m_lookahead_count = rest.size();
}

void LineDiscipline::receive(uint8_t c, bool lookahead_done) {
    bool literal = m_lnext;
    m_lnext = false;
    if (iflag(ISTRIP))
        c &= 0x7f;
    if (iflag(IUCLC) && lflag(IEXTEN))
        c = k_tolower(c);
    if (!literal && m_char_map.test(c)) {
        receive_special(c, lookahead_done);
        return;
    }
    receive_plain(c);
}

void LineDiscipline::receive_plain(uint8_t c) {
    if (m_stopped && !m_tco_stopped && iflag(IXON) && iflag(IXANY))
        start_output();
    if (lflag(ECHO)) {
        finish_erasing();
        if (m_canon_head == m_read_head)
            m_canon_column = m_column;
        echo_char(c);
    }
    if (c == 0xff && iflag(PARMRK))
        put(c);
    put(c);
}

void LineDiscipline::flow_control(uint8_t c) {
    if (c == DISABLED_CHAR)
        return;
    if (c == cc(VSTART))
        start_output();
    else if (c == cc(VSTOP))
        stop_output();
}

bool LineDiscipline::receive_special(uint8_t c, bool lookahead_done) {
    if (iflag(IXON) && (c == cc(VSTART) || c == cc(VSTOP))) {
        if (!lookahead_done)
            flow_control(c);
        return true;
    }

    if (lflag(ISIG)) {
        if (c == cc(VINTR)) {
            receive_signal(SIGINT, c);
            return true;
        }
        if (c == cc(VQUIT)) {
            receive_signal(SIGQUIT, c);
            return true;
        }
        if (c == cc(VSUSP)) {
            receive_signal(SIGTSTP, c);
            return true;
        }
    }

    if (m_stopped && !m_tco_stopped && iflag(IXON) && iflag(IXANY))
        start_output();

    if (c == '\r') {
        if (iflag(IGNCR))
            return true;
        if (iflag(ICRNL))
            c = '\n';
    } else if (c == '\n' && iflag(INLCR)) {
        c = '\r';
    }

    if (m_icanon) {
        if (c == cc(VERASE) || c == cc(VKILL) || (c == cc(VWERASE) && lflag(IEXTEN))) {
            eraser(c);
            return true;
        }
        if (c == cc(VLNEXT) && lflag(IEXTEN)) {
            m_lnext = true;
            if (lflag(ECHO)) {
                finish_erasing();
                if (lflag(ECHOCTL)) {
                    // "^" then back over it: the next character overwrites it.
                    echo_raw('^');
                    echo_raw('\b');
                }
            }
            return true;
        }
        if (c == cc(VREPRINT) && lflag(ECHO) && lflag(IEXTEN)) {
            finish_erasing();
            echo_char(c);
            echo_raw('\n');
            for (size_t p = m_canon_head; p != m_read_head; p++)
                echo_char(at(p));
            return true;
        }
        if (c == '\n') {
            if (lflag(ECHO) || lflag(ECHONL))
                echo_raw('\n');
            end_line(c);
            return true;
        }
        if (c == cc(VEOF)) {
            // Not echoed; ends the line with a mark that reads drop.
            end_line(DISABLED_CHAR);
            return true;
        }
        if (c == cc(VEOL) || (c == cc(VEOL2) && lflag(IEXTEN))) {
            if (lflag(ECHO)) {
                if (m_canon_head == m_read_head)
                    m_canon_column = m_column;
                echo_char(c);
            }
            if (c == 0xff && iflag(PARMRK))
                put(c);
            end_line(c);
            return true;
        }
    }

    if (lflag(ECHO)) {
        finish_erasing();
        if (c == '\n') {
            echo_raw('\n');
        } else {
            if (m_canon_head == m_read_head)
                m_canon_column = m_column;
            echo_char(c);
        }
    }
    if (c == 0xff && iflag(PARMRK))
        put(c);
    put(c);
    return true;
}

void LineDiscipline::receive_signal(int signal, uint8_t c) {
    // Linux isig + n_tty_receive_signal_char: signal the foreground group;
    // unless NOFLSH, discard unread input and pending output; echo "^C".
    m_input->signals.push_back({signal, m_pgrp});
    if (!lflag(NOFLSH)) {
        reset_buffer();
        m_input->flush_output = true;
    }
    if (iflag(IXON))
        start_output();
    if (lflag(ECHO))
        echo_char(c);
}

void LineDiscipline::put(uint8_t c) {
    at(m_read_head) = c;
    m_line_end.reset(m_read_head & MASK);
    m_read_head++;
    if (!m_icanon)
        m_input->wake_readers = true;
}

void LineDiscipline::end_line(uint8_t c) {
    m_line_end.set(m_read_head & MASK);
    at(m_read_head) = c;
    m_read_head++;
    m_canon_head = m_read_head;
    m_input->wake_readers = true;
}

// Linux eraser(): VERASE removes a character, VWERASE a word (alphanumerics
// and '_', after any other characters before them), VKILL the line.
void LineDiscipline::eraser(uint8_t c) {
    enum { Erase, WordErase, Kill } kind;

    if (m_read_head == m_canon_head)
        return; // nothing to erase: no echo either (Linux does not beep)
    if (c == cc(VERASE)) {
        kind = Erase;
    } else if (c == cc(VWERASE)) {
        kind = WordErase;
    } else {
        if (!lflag(ECHO)) {
            m_read_head = m_canon_head;
            return;
        }
        if (!lflag(ECHOK) || !lflag(ECHOKE) || !lflag(ECHOE)) {
            m_read_head = m_canon_head;
            finish_erasing();
            echo_char(cc(VKILL));
            // A newline after "^U" with ECHOK (and not ECHOKE).
            if (lflag(ECHOK))
                echo_raw('\n');
            return;
        }
        kind = Kill;
    }

    unsigned seen_alnums = 0;
    while (m_read_head != m_canon_head) {
        // One character, with its UTF-8 continuation bytes under IUTF8.
        size_t head = m_read_head;
        uint8_t ch;
        do {
            head--;
            ch = at(head);
        } while (is_continuation(ch) && head != m_canon_head);
        if (is_continuation(ch))
            break; // never erase part of a character

        if (kind == WordErase) {
            if (k_isalnum(ch) || ch == '_')
                seen_alnums++;
            else if (seen_alnums)
                break;
        }
        size_t count = m_read_head - head;
        m_read_head = head;
        if (lflag(ECHO)) {
            if (lflag(ECHOPRT)) {
                if (!m_erasing) {
                    echo_raw('\\');
                    m_erasing = true;
                }
                echo_char(ch);
                while (--count > 0) {
                    head++;
                    echo_raw(at(head));
                    if (m_column > 0)
                        m_column--;
                }
            } else if (kind == Erase && !lflag(ECHOE)) {
                echo_char(cc(VERASE));
            } else if (ch == '\t') {
                // Columns taken since the line start or the previous tab.
                unsigned chars = 0;
                bool after_tab = false;
                for (size_t tail = m_read_head; tail != m_canon_head;) {
                    tail--;
                    uint8_t prev = at(tail);
                    if (prev == '\t') {
                        after_tab = true;
                        break;
                    }
                    if (k_iscntrl(prev)) {
                        if (lflag(ECHOCTL))
                            chars += 2;
                    } else if (!is_continuation(prev)) {
                        chars++;
                    }
                }
                echo_erase_tab(chars, after_tab);
            } else {
                // "^X" takes two columns.
                if (k_iscntrl(ch) && lflag(ECHOCTL)) {
                    echo_raw('\b');
                    echo_raw(' ');
                    echo_raw('\b');
                }
                if (!k_iscntrl(ch) || lflag(ECHOCTL)) {
                    echo_raw('\b');
                    echo_raw(' ');
                    echo_raw('\b');
                }
            }
        }
        if (kind == Erase)
            break;
    }
    if (m_read_head == m_canon_head && lflag(ECHO))
        finish_erasing();
}

// ---------------------------------------------------------------------------
// Echo

void LineDiscipline::echo_raw(uint8_t c) {
    if (c == 0xff) {
        // Linux escapes 0xff in its echo queue and puts it out unprocessed.
        m_input->echo.push_back(char(c));
        m_column++;
        return;
    }
    output_char(c, m_input->echo);
}

void LineDiscipline::echo_char(uint8_t c) {
    if (c != 0xff && lflag(ECHOCTL) && k_iscntrl(c) && c != '\t') {
        m_input->echo.push_back('^');
        m_input->echo.push_back(char(c ^ 0x40)); // DEL shows as "^?"
        m_column += 2;
        return;
    }
    echo_raw(c);
}

void LineDiscipline::echo_erase_tab(unsigned chars, bool after_tab) {
    // Back to the tab stop: the columns after the previous tab, or after the
    // column where the line started.
    chars &= 7;
    if (!after_tab)
        chars += m_canon_column;
    unsigned backspaces = 8 - (chars & 7);
    while (backspaces--) {
        m_input->echo.push_back('\b');
        if (m_column > 0)
            m_column--;
    }
}

void LineDiscipline::finish_erasing() {
    if (m_erasing) {
        echo_raw('/');
        m_erasing = false;
    }
}

// ---------------------------------------------------------------------------
// Output

void LineDiscipline::output_char(uint8_t c, std::string& out) {
    if (!oflag(OPOST)) {
        out.push_back(char(c));
        return;
    }
    // Linux do_output_char.
    switch (c) {
    case '\n':
        if (oflag(ONLRET))
            m_column = 0;
        if (oflag(ONLCR)) {
            m_canon_column = m_column = 0;
            out += "\r\n";
            return;
        }
        m_canon_column = m_column;
        break;
    case '\r':
        if (oflag(ONOCR) && m_column == 0)
            return;
        if (oflag(OCRNL)) {
            c = '\n';
            if (oflag(ONLRET))
                m_canon_column = m_column = 0;
            break;
        }
        m_canon_column = m_column = 0;
        break;
    case '\t': {
        unsigned spaces = 8 - (m_column & 7);
        m_column += spaces;
        if ((m_termios.c_oflag & TABDLY) == XTABS) {
            out.append(spaces, ' ');
            return;
        }
        break;
    }
    case '\b':
        if (m_column > 0)
            m_column--;
        break;
    default:
        if (!k_iscntrl(c)) {
            if (oflag(OLCUC))
                c = k_toupper(c);
            if (!is_continuation(c))
                m_column++;
        }
        break;
    }
    out.push_back(char(c));
}

std::string LineDiscipline::output(std::string_view data) {
    std::string out;
    out.reserve(data.size());
    for (char c : data)
        output_char(uint8_t(c), out);
    return out;
}

void LineDiscipline::start_output() {
    if (!m_stopped || m_tco_stopped)
        return;
    m_stopped = false;
    if (m_input)
        m_input->flow_changed = true;
}

void LineDiscipline::stop_output() {
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_input)
        m_input->flow_changed = true;
}

// ---------------------------------------------------------------------------
// Reads

ReadResult LineDiscipline::take(size_t count) {
    ReadResult r;
    r.status = ReadResult::Status::Ready;
    r.data.reserve(count);
    for (size_t i = 0; i < count; i++)
        r.data.push_back(char(at(m_read_tail + i)));
    m_read_tail += count;
    return r;
}

// Linux canon_copy_from_read_buf: at most one line, its end included (an
// EOF mark is not copied: a line of only EOF reads as 0 bytes).
ReadResult LineDiscipline::read_canonical(size_t max) {
    if (m_canon_head == m_read_tail)
        return {};
    size_t n = std::min(max, m_canon_head - m_read_tail);
    size_t eol = m_read_tail;
    bool found = false;
    for (; eol != m_read_tail + n; eol++) {
        if (m_line_end.test(eol & MASK)) {
            found = true;
            break;
        }
    }
    size_t count = eol - m_read_tail;
    bool copy_end = found && at(eol) != DISABLED_CHAR;
    ReadResult r = take(count + (copy_end ? 1 : 0));
    if (found) {
        m_line_end.reset(eol & MASK);
        if (!copy_end)
            m_read_tail++;
        return r;
    }
    // The caller's buffer filled before the line end. If only the line's EOF
    // mark is left, it goes with this read: the next read must not see an
    // end of file (Linux canon_skip_eof).
    if (m_read_tail != m_canon_head && m_line_end.test(m_read_tail & MASK) &&
        at(m_read_tail) == DISABLED_CHAR) {
        m_line_end.reset(m_read_tail & MASK);
        m_read_tail++;
    }
    return r;
}

ReadResult LineDiscipline::read(size_t max, bool nonblocking) {
    if (max == 0)
        return {ReadResult::Status::Ready, {}, {}};
    if (m_icanon)
        return read_canonical(max);

    // Non-canonical: POSIX VMIN/VTIME as Linux n_tty_read implements them.
    size_t available = m_read_head - m_read_tail;
    size_t vmin = cc(VMIN);
    uint32_t vtime_ms = uint32_t(cc(VTIME)) * 100;
    if (vmin == 0) {
        if (available > 0)
            return take(std::min(available, max));
        if (vtime_ms == 0)
            return {ReadResult::Status::Ready, {}, {}}; // polling read: 0 bytes, never EAGAIN
        if (nonblocking)
            return {};
        return {ReadResult::Status::WouldBlock, {}, vtime_ms}; // overall timer
    }
    if (available >= std::min(vmin, max) || (nonblocking && available > 0))
        return take(std::min(available, max));
    if (available == 0 || vtime_ms == 0 || nonblocking)
        return {};
    // Inter-byte timer: restarted whenever another byte arrives.
    return {ReadResult::Status::WouldBlock, {}, vtime_ms};
}

ReadResult LineDiscipline::read_timed_out(size_t max) {
    if (m_icanon)
        return read(max);
    return take(std::min(m_read_head - m_read_tail, max));
}

size_t LineDiscipline::readable() const {
    if (!m_icanon)
        return m_read_head - m_read_tail;
    // Linux inq_canon: complete lines, not counting EOF marks.
    size_t count = 0;
    for (size_t p = m_read_tail; p != m_canon_head; p++) {
        if (!(m_line_end.test(p & MASK) && at(p) == DISABLED_CHAR))
            count++;
    }
    return count;
}

bool LineDiscipline::poll_readable() const {
    if (m_icanon)
        return m_canon_head != m_read_tail;
    size_t needed = (cc(VTIME) == 0 && cc(VMIN) != 0) ? cc(VMIN) : 1;
    return m_read_head - m_read_tail >= needed;
}

} // namespace rustos::tty
