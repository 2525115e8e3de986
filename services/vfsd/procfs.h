// procfs: /proc/<pid>/{stat,status,cmdline,comm,exe,cwd,fd/,maps,mounts},
// /proc/self, /proc/meminfo, /proc/uptime, /proc/mounts and a few more,
// generated when opened from the kernel's process list (PROCESS_LIST,
// PROCESS_MAPS, sysinfo) and vfsd's own tables (fds, cwd, program,
// command line; parent, group and session as procd reports them).
#pragma once

#include "vfs.h"

namespace vfsd {

NodePtr make_procfs(ProcessTable& procs, Namespace& ns);

// What /proc/<pid>/fd/<n> shows for an open file.
std::string describe_open_file(const OpenFile& f);

} // namespace vfsd
