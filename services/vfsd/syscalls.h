// vfsd's Linux system calls: one handler per call, given the decoded call
// and the caller's state. A handler either answers (a LinuxReply) or parks
// the call (a blocking read, accept, poll ...); parked calls are run again
// whenever some stream changed state, and with `timed_out` once their
// deadline passed.
#pragma once

#include "vfs.h"

#include <rustos/service/linux_call.h>

#include <functional>

namespace vfsd {

struct Outcome {
    rustos::service::LinuxReply reply;
    bool park = false;
    uint64_t deadline_ns = 0; // for parked calls with a timeout (poll, select, epoll_wait)
};

struct CallState {
    bool retry = false;     // run again after parking
    bool timed_out = false; // its deadline passed
    uint64_t deadline_ns = 0;
};

class Vfs {
public:
    Namespace ns;
    ProcessTable procs;
    NodePtr console; // /dev/console
    // The console tty's ioctls (TCGETS ...), answered by the console device.
    std::function<ErrorOr<int64_t>(Process&, uint32_t request, const rustos::service::LinuxCall&,
                                   rustos::service::LinuxReply&)>
        tty_ioctl;

    Outcome handle(const rustos::service::LinuxCall& call, CallState& state);

    // For loaderd: open and read a file as process `pid` would.
    ErrorOr<std::pair<std::string, FilePtr>> open_for(uint32_t pid, const std::string& path);
    ErrorOr<Resolved> resolve_at(Process& p, int dirfd, std::string_view path,
                                 ResolveOptions options);
};

} // namespace vfsd
