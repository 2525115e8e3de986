// The console tty (/dev/console, /dev/tty, /dev/ttyS0): bytes typed on the
// serial console arrive from the kernel (KERNEL_CONSOLE_INPUT), go through
// the line discipline (lib/tty: canonical/raw modes, echo, erase, ^C, ^Z and ^\ sent
// to the foreground process group), and are read by processes; what they
// write is output-processed and sent to the console (CONSOLE_WRITE).
#pragma once

#include "vfs.h"

#include <rustos/service/linux_call.h>
#include <rustos/tty/line_discipline.h>

#include <functional>

namespace vfsd {

class Console : public std::enable_shared_from_this<Console> {
public:
    using SignalGroup = std::function<void(uint32_t pgid, int signo)>;
    using Write = std::function<void(const char*, size_t)>;

    Console(SignalGroup signal_group, Write write, ProcessTable* procs);

    NodePtr node() { return m_node; }
    void input(std::string_view bytes);
    void process_exited(uint32_t pid);
    void session_left(uint32_t pid);
    // Makes `sid` the console's session with `pgrp` in the foreground.
    void set_session(uint32_t sid, uint32_t pgrp) { m_ld.set_session(int32_t(sid), int32_t(pgrp)); }
    ErrorOr<int64_t> ioctl(Process& p, uint32_t request, const rustos::service::LinuxCall& c,
                           rustos::service::LinuxReply& r);

    // For ConsoleFile.
    rustos::tty::LineDiscipline& ld() { return m_ld; }
    void write_out(std::string_view data);
    // Bumped whenever input becomes readable (edge-triggered epoll).
    uint64_t input_generation() const { return m_input_generation; }
    rustos::tty::Caller caller_for(uint32_t pid, uint32_t tid = 0);
    // A job-control verdict for the caller: Ok, or EIO, or kRestartCall
    // after stopping its process group.
    ErrorOr<void> access(const rustos::tty::AccessCheck& check);

    friend std::shared_ptr<Console> make_console(SignalGroup, Write, ProcessTable*);

private:
    void send_signals(const std::vector<rustos::tty::SignalTarget>& targets);

    rustos::tty::LineDiscipline m_ld;
    SignalGroup m_signal_group;
    Write m_write;
    ProcessTable* m_procs;
    NodePtr m_node;
    std::string m_backlog; // input the line discipline could not take yet
    uint64_t m_input_generation = 0;
};

std::shared_ptr<Console> make_console(Console::SignalGroup signal_group, Console::Write write,
                                      ProcessTable* procs = nullptr);

} // namespace vfsd
