#include "console.h"

#include "devfs.h"
#include "pipe.h"

namespace vfsd {

namespace {

class ConsoleFile final : public OpenFile {
public:
    ConsoleFile(NodePtr node, int flags, std::shared_ptr<Console> console)
        : OpenFile(std::move(node), flags), m_console(std::move(console)) {}

    ErrorOr<size_t> read(char* buf, size_t n) override {
        if (g_current_pid) {
            auto caller = m_console->caller_for(g_current_pid, g_current_tid);
            caller.fd_readable = true;
            TRY(m_console->access(m_console->ld().check_read(caller)));
        }
        if (n == 0)
            return size_t(0);
        auto r = m_console->ld().read(n, nonblocking());
        if (!r.ready())
            return Error(EAGAIN, "no input yet");
        __builtin_memcpy(buf, r.data.data(), r.data.size());
        g_state_changed = true; // the backlog may fit now
        return r.data.size();
    }
    ErrorOr<size_t> write(const char* data, size_t n) override {
        if (g_current_pid)
            TRY(m_console->access(
                m_console->ld().check_write(m_console->caller_for(g_current_pid, g_current_tid))));
        m_console->write_out(m_console->ld().output(std::string_view(data, n)));
        return n;
    }
    ErrorOr<size_t> pread(uint64_t, char*, size_t) override {
        return Error(ESPIPE, "illegal seek");
    }
    ErrorOr<size_t> pwrite(uint64_t, const char*, size_t) override {
        return Error(ESPIPE, "illegal seek");
    }
    ErrorOr<int64_t> seek(int64_t, int) override { return Error(ESPIPE, "illegal seek"); }
    uint32_t poll() override { return (m_console->ld().poll_readable() ? kPollIn : 0) | kPollOut; }
    uint64_t generation() const override { return m_console->input_generation(); }
    bool is_stream() const override { return true; }
    bool is_tty() const override { return true; }

private:
    std::shared_ptr<Console> m_console;
};

class ConsoleNode final : public DeviceNode {
public:
    explicit ConsoleNode(std::weak_ptr<Console> console)
        : DeviceNode(5, 1, 0620), m_console(std::move(console)) {}
    ErrorOr<std::shared_ptr<OpenFile>> open(int flags) override {
        auto console = m_console.lock();
        if (!console)
            return Error(ENXIO, "no console");
        if (g_current_pid)
            console->ld().open(console->caller_for(g_current_pid), flags & kNoCtty);
        return FilePtr(std::make_shared<ConsoleFile>(shared_from_this(), flags, console));
    }

private:
    std::weak_ptr<Console> m_console;
};

} // namespace

Console::Console(SignalGroup signal_group, Write write, ProcessTable* procs)
    : m_signal_group(std::move(signal_group)), m_write(std::move(write)), m_procs(procs) {}

std::shared_ptr<Console> make_console(Console::SignalGroup signal_group, Console::Write write,
                                      ProcessTable* procs) {
    auto c = std::make_shared<Console>(std::move(signal_group), std::move(write), procs);
    c->m_node = std::make_shared<ConsoleNode>(c);
    return c;
}

void Console::write_out(std::string_view data) {
    if (!data.empty())
        m_write(data.data(), data.size());
}

void Console::send_signals(const std::vector<rustos::tty::SignalTarget>& targets) {
    for (auto& t : targets)
        if (t.pgrp > 0 && t.signal > 0)
            m_signal_group(uint32_t(t.pgrp), t.signal);
}

void Console::input(std::string_view bytes) {
    m_backlog.append(bytes);
    while (!m_backlog.empty()) {
        auto r = m_ld.input(m_backlog);
        write_out(r.echo);
        send_signals(r.signals);
        if (r.wake_readers) {
            ++m_input_generation;
            g_state_changed = true;
        }
        m_backlog.erase(0, r.consumed);
        if (r.consumed == 0)
            break; // the buffer is full: keep the rest until a read frees room
    }
}

ErrorOr<void> Console::access(const rustos::tty::AccessCheck& check) {
    switch (check.access) {
    case rustos::tty::Access::Allowed:
        return {};
    case rustos::tty::Access::Denied:
        return Error(EIO, "background process group may not use the terminal");
    case rustos::tty::Access::Stop:
        send_signals({check.signal});
        return Error(rustos::kRestartCall, "stopped for job control");
    }
    return {};
}

namespace {

// POSIX: a process group is orphaned when no member has a parent in
// another group of the same session.
bool orphaned(ProcessTable& procs, uint32_t pgid, uint32_t sid) {
    for (auto& [pid, p] : procs.all()) {
        if ((p.pgid ? p.pgid : pid) != pgid || p.exited)
            continue;
        Process* parent = procs.find(p.ppid);
        if (parent && !parent->exited && (parent->pgid ? parent->pgid : parent->pid) != pgid &&
            (parent->sid ? parent->sid : parent->pid) == sid)
            return false;
    }
    return true;
}

} // namespace

rustos::tty::Caller Console::caller_for(uint32_t pid, uint32_t tid) {
    rustos::tty::Caller c;
    c.pid = int32_t(pid);
    Process* p = m_procs ? m_procs->find(pid) : nullptr;
    c.pgrp = p && p->pgid ? int32_t(p->pgid) : int32_t(pid);
    c.sid = p && p->sid ? int32_t(p->sid) : int32_t(pid);
    c.ctty = m_ld.session() && m_ld.session() == c.sid ? rustos::tty::ControllingTty::This
                                                       : rustos::tty::ControllingTty::None;
    c.privileged = true; // every process runs as root
    if (p) {
        auto bits = p->job_signals.find(tid ? tid : pid);
        if (bits != p->job_signals.end()) {
            c.sigttin_ignored = bits->second & 1;
            c.sigttou_ignored = bits->second & 2;
        }
        if (c.ctty == rustos::tty::ControllingTty::This && c.pgrp != m_ld.foreground_pgrp())
            c.orphaned_pgrp = orphaned(*m_procs, uint32_t(c.pgrp), uint32_t(c.sid));
    }
    ProcessTable* procs = m_procs;
    c.session_of_pgrp = [procs](int32_t pgrp) -> std::optional<int32_t> {
        if (!procs)
            return std::nullopt;
        for (auto& [pid, proc] : procs->all())
            if (int32_t(proc.pgid ? proc.pgid : proc.pid) == pgrp)
                return int32_t(proc.sid ? proc.sid : proc.pid);
        return std::nullopt;
    };
    return c;
}

void Console::process_exited(uint32_t pid) {
    if (m_ld.session() && uint32_t(m_ld.session()) == pid)
        send_signals(m_ld.release_session());
}

void Console::session_left(uint32_t pid) {
    // A process made its own session (setsid): it no longer has this tty.
    (void)pid;
}

ErrorOr<int64_t> Console::ioctl(Process& p, uint32_t request, const rustos::service::LinuxCall& c,
                                rustos::service::LinuxReply& reply) {
    auto shape = rustos::tty::LineDiscipline::ioctl_shape(request);
    if (!shape)
        return Error(ENOTTY, "not a tty ioctl");
    std::string_view in = c.input(2);
    if (in.size() < shape->in_size)
        return Error(EFAULT, "ioctl argument not readable");
    auto r =
        TRY(m_ld.ioctl(caller_for(p.pid, c.tid), request, c.args[2], in.substr(0, shape->in_size)));
    send_signals(r.signals);
    if (r.restart)
        return Error(rustos::kRestartCall, "stopped for job control");
    if (!r.out.empty())
        reply.out(2, r.out.data(), r.out.size());
    write_out(r.transmit);
    if (r.wake_readers)
        g_state_changed = true;
    if (r.flushed_input)
        m_backlog.clear();
    return int64_t(0);
}

} // namespace vfsd
