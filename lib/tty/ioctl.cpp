// The tty ioctls and job control of the console line discipline, after
// Linux's drivers/tty/tty_io.c (tiocsctty, tiocspgrp, ...), tty_ioctl.c
// (set_termios, tty_perform_flush) and tty_jobctrl.c (__tty_check_change).
#include <rustos/tty/line_discipline.h>

#include <csignal>
#include <cstring>

namespace rustos::tty {

namespace {

template <typename T>
std::string bytes_of(const T& value) {
    return std::string(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
ErrorOr<T> value_from(std::string_view in, const char* what) {
    if (in.size() < sizeof(T))
        return Error::formatted(EFAULT, "%s: expected %zu argument bytes, got %zu", what, sizeof(T),
                                in.size());
    T value;
    std::memcpy(&value, in.data(), sizeof(T));
    return value;
}

IoctlResult stopped(const AccessCheck& check) {
    IoctlResult r;
    r.signals.push_back(check.signal);
    r.restart = true;
    return r;
}

} // namespace

// ---------------------------------------------------------------------------
// Job control

AccessCheck LineDiscipline::check_change(const Caller& caller, int signal) const {
    // Only a process whose controlling tty this is, in a process group other
    // than the foreground one, is job-controlled.
    if (caller.ctty != ControllingTty::This || m_pgrp == 0 || caller.pgrp == m_pgrp)
        return {};
    bool ignored = signal == SIGTTIN ? caller.sigttin_ignored : caller.sigttou_ignored;
    if (ignored) {
        // A background writer ignoring SIGTTOU may go ahead; a reader may not.
        if (signal == SIGTTIN)
            return {Access::Denied, {}};
        return {};
    }
    if (caller.orphaned_pgrp)
        return {Access::Denied, {}};
    return {Access::Stop, {signal, caller.pgrp}};
}

AccessCheck LineDiscipline::check_read(const Caller& caller) const {
    return check_change(caller, SIGTTIN);
}

AccessCheck LineDiscipline::check_write(const Caller& caller) const {
    if (!tostop())
        return {};
    return check_change(caller, SIGTTOU);
}

void LineDiscipline::set_session(int32_t sid, int32_t pgrp) {
    m_session = sid;
    m_pgrp = pgrp;
}

bool LineDiscipline::open(const Caller& caller, bool noctty) {
    // tty_open_proc_set_tty: a session leader with no controlling tty gets
    // this one if nobody has it and the file is open for reading.
    if (noctty || caller.pid != caller.sid || caller.ctty != ControllingTty::None ||
        m_session != 0 || !caller.fd_readable)
        return false;
    set_session(caller.sid, caller.pgrp);
    return true;
}

std::vector<SignalTarget> LineDiscipline::release_session() {
    std::vector<SignalTarget> signals;
    if (m_pgrp != 0) {
        signals.push_back({SIGHUP, m_pgrp});
        signals.push_back({SIGCONT, m_pgrp});
    }
    m_session = 0;
    m_pgrp = 0;
    return signals;
}

// ---------------------------------------------------------------------------
// ioctl

std::optional<IoctlShape> LineDiscipline::ioctl_shape(uint32_t request) {
    switch (request) {
    case TCGETS:
        return IoctlShape{0, sizeof(Termios), false};
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        return IoctlShape{sizeof(Termios), 0, false};
    case TCGETS2:
        return IoctlShape{0, sizeof(Termios2), false};
    case TCSETS2:
    case TCSETSW2:
    case TCSETSF2:
        return IoctlShape{sizeof(Termios2), 0, false};
    case TIOCGWINSZ:
        return IoctlShape{0, sizeof(Winsize), false};
    case TIOCSWINSZ:
        return IoctlShape{sizeof(Winsize), 0, false};
    case TIOCGPGRP:
    case TIOCGSID:
    case FIONREAD:
    case TIOCOUTQ:
    case TIOCGETD:
        return IoctlShape{0, sizeof(int32_t), false};
    case TIOCSPGRP:
        return IoctlShape{sizeof(int32_t), 0, false};
    case TCFLSH:
    case TCXONC:
    case TCSBRK:
    case TCSBRKP:
    case TIOCSCTTY:
        return IoctlShape{0, 0, true};
    case TIOCNOTTY:
        return IoctlShape{0, 0, false};
    default:
        return std::nullopt;
    }
}

ErrorOr<IoctlResult> LineDiscipline::ioctl(const Caller& caller, uint32_t request, uint64_t arg,
                                           std::string_view in) {
    IoctlResult r;
    switch (request) {
    case TCGETS:
        r.out = bytes_of(m_termios);
        return r;
    case TCGETS2:
        r.out = bytes_of(termios2());
        return r;

    case TCSETS:
    case TCSETSW:
    case TCSETSF:
    case TCSETS2:
    case TCSETSW2:
    case TCSETSF2: {
        // Linux set_termios: job control first (a background process is
        // stopped with SIGTTOU), then copy, then flush for the F variants.
        // The W variants wait for output to drain: output is synchronous here.
        AccessCheck check = check_change(caller, SIGTTOU);
        if (check.access == Access::Denied)
            return Error::formatted(EIO, "tty: TCSETS from an orphaned background process group");
        if (check.access == Access::Stop)
            return stopped(check);
        bool two = request == TCSETS2 || request == TCSETSW2 || request == TCSETSF2;
        Termios2 t2{};
        Termios t{};
        if (two)
            t2 = TRY(value_from<Termios2>(in, "TCSETS2"));
        else
            t = TRY(value_from<Termios>(in, "TCSETS"));
        if (request == TCSETSF || request == TCSETSF2) {
            flush_input();
            r.flushed_input = true;
        }
        bool was_stopped = output_stopped();
        if (two)
            set_termios2(t2);
        else
            set_termios(t);
        r.wake_readers = true;
        r.flow_changed = was_stopped != output_stopped();
        return r;
    }

    case TIOCGWINSZ:
        r.out = bytes_of(m_winsize);
        return r;
    case TIOCSWINSZ: {
        // tty_do_resize: SIGWINCH to the foreground group when it changed.
        Winsize window = TRY(value_from<Winsize>(in, "TIOCSWINSZ"));
        if (set_window_size(window))
            r.signals.push_back({SIGWINCH, m_pgrp});
        return r;
    }

    case FIONREAD:
        r.out = bytes_of(int32_t(readable()));
        return r;
    case TIOCOUTQ:
        // Output is handed to the console synchronously: nothing is queued.
        r.out = bytes_of(int32_t(0));
        return r;
    case TIOCGETD:
        r.out = bytes_of(N_TTY);
        return r;

    case TCFLSH: {
        AccessCheck check = check_change(caller, SIGTTOU);
        if (check.access == Access::Denied)
            return Error::formatted(EIO, "tty: TCFLSH from an orphaned background process group");
        if (check.access == Access::Stop)
            return stopped(check);
        switch (arg) {
        case TCIFLUSH:
        case TCIOFLUSH:
            flush_input();
            r.flushed_input = true;
            r.flush_output = arg == TCIOFLUSH;
            r.wake_readers = true;
            return r;
        case TCOFLUSH:
            r.flush_output = true;
            return r;
        default:
            return Error::formatted(EINVAL, "tty: TCFLSH: bad queue selector %llu",
                                    static_cast<unsigned long long>(arg));
        }
    }

    case TCXONC: {
        AccessCheck check = check_change(caller, SIGTTOU);
        if (check.access == Access::Denied)
            return Error::formatted(EIO, "tty: TCXONC from an orphaned background process group");
        if (check.access == Access::Stop)
            return stopped(check);
        bool was_stopped = output_stopped();
        switch (arg) {
        case TCOOFF:
            if (!m_tco_stopped)
                m_tco_stopped = m_stopped = true;
            break;
        case TCOON:
            // Output stopped by ^S stays stopped until ^Q.
            if (m_tco_stopped)
                m_tco_stopped = m_stopped = false;
            break;
        case TCIOFF:
            if (cc(VSTOP) != DISABLED_CHAR)
                r.transmit.push_back(char(cc(VSTOP)));
            break;
        case TCION:
            if (cc(VSTART) != DISABLED_CHAR)
                r.transmit.push_back(char(cc(VSTART)));
            break;
        default:
            return Error::formatted(EINVAL, "tty: TCXONC: bad action %llu",
                                    static_cast<unsigned long long>(arg));
        }
        r.flow_changed = was_stopped != output_stopped();
        return r;
    }

    case TCSBRK:
    case TCSBRKP: {
        // tcdrain() and tcsendbreak(): output is already drained, and a
        // break means nothing to the console.
        AccessCheck check = check_change(caller, SIGTTOU);
        if (check.access == Access::Denied)
            return Error::formatted(EIO, "tty: TCSBRK from an orphaned background process group");
        if (check.access == Access::Stop)
            return stopped(check);
        return r;
    }

    case TIOCGPGRP:
        if (caller.ctty != ControllingTty::This)
            return Error::formatted(ENOTTY, "tty: TIOCGPGRP: not the caller's controlling tty");
        r.out = bytes_of(m_pgrp);
        return r;

    case TIOCGSID:
        if (caller.ctty != ControllingTty::This)
            return Error::formatted(ENOTTY, "tty: TIOCGSID: not the caller's controlling tty");
        if (m_session == 0)
            return Error::formatted(ENOTTY, "tty: TIOCGSID: the tty has no session");
        r.out = bytes_of(m_session);
        return r;

    case TIOCSPGRP: {
        // tiocspgrp: job control (EIO becomes ENOTTY), the argument, then the
        // tty must be the caller's, and the group must be in its session.
        AccessCheck check = check_change(caller, SIGTTOU);
        if (check.access == Access::Denied)
            return Error::formatted(ENOTTY, "tty: TIOCSPGRP from an orphaned background group");
        if (check.access == Access::Stop)
            return stopped(check);
        int32_t pgrp = TRY(value_from<int32_t>(in, "TIOCSPGRP"));
        if (pgrp < 0)
            return Error::formatted(EINVAL, "tty: TIOCSPGRP: negative process group %d", pgrp);
        if (caller.ctty != ControllingTty::This || m_session != caller.sid)
            return Error::formatted(ENOTTY, "tty: TIOCSPGRP: not the caller's controlling tty");
        if (caller.session_of_pgrp) {
            std::optional<int32_t> sid = caller.session_of_pgrp(pgrp);
            if (!sid)
                return Error::formatted(ESRCH, "tty: TIOCSPGRP: no process group %d", pgrp);
            if (*sid != caller.sid)
                return Error::formatted(EPERM, "tty: TIOCSPGRP: group %d is in session %d, not %d",
                                        pgrp, *sid, caller.sid);
        } else if (pgrp != caller.pgrp) {
            return Error::formatted(EPERM, "tty: TIOCSPGRP: cannot check group %d", pgrp);
        }
        m_pgrp = pgrp;
        return r;
    }

    case TIOCSCTTY: {
        // tiocsctty.
        bool leader = caller.pid == caller.sid;
        if (leader && m_session != 0 && m_session == caller.sid)
            return r; // already ours
        if (!leader || caller.ctty != ControllingTty::None)
            return Error::formatted(EPERM, "tty: TIOCSCTTY: caller is not a session leader "
                                           "without a controlling tty");
        if (m_session != 0) {
            if (arg != 1 || !caller.privileged)
                return Error::formatted(EPERM, "tty: TIOCSCTTY: controlling tty of session %d",
                                        m_session);
            r.stolen_from = m_session;
        }
        if (!caller.fd_readable && !caller.privileged)
            return Error::formatted(EPERM, "tty: TIOCSCTTY: file not open for reading");
        set_session(caller.sid, caller.pgrp);
        r.ctty_change = CttyChange::Acquired;
        r.ctty_session = caller.sid;
        return r;
    }

    case TIOCNOTTY:
        if (caller.ctty != ControllingTty::This)
            return Error::formatted(ENOTTY, "tty: TIOCNOTTY: not the caller's controlling tty");
        if (caller.pid != caller.sid) {
            r.ctty_change = CttyChange::DetachedCaller;
            r.ctty_session = caller.sid;
            return r;
        }
        // A session leader gives the tty up for the whole session; its
        // foreground group is hung up and continued (disassociate_ctty).
        r.ctty_change = CttyChange::DetachedSession;
        r.ctty_session = m_session;
        r.signals = release_session();
        return r;

    default:
        return Error::formatted(ENOTTY, "tty: unknown ioctl 0x%x", request);
    }
}

} // namespace rustos::tty
