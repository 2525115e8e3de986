// procfs: /proc/<pid>/{stat,status,cmdline,comm,exe,cwd,fd/,maps,mounts},
// /proc/self, /proc/meminfo, /proc/uptime, /proc/mounts and a few more,
// generated when opened from the kernel's process list (PROCESS_LIST,
// PROCESS_MAPS, sysinfo) and vfsd's own tables (fds, cwd, program,
// command line; parent, group and session as procd reports them).
#pragma once

#include "vfs.h"

#include <rustos/abi/native.h>

namespace vfsd {

NodePtr make_procfs(ProcessTable& procs, Namespace& ns);

// What /proc/<pid>/fd/<n> shows for an open file.
std::string describe_open_file(const OpenFile& f);

// /proc/<pid>/stat and /proc/<pid>/status of a process from the kernel's
// entry for it and vfsd's state (null when vfsd has none).
std::string stat_text(const rustos::abi::ProcessInfo& info, const Process* p);
std::string status_text(const rustos::abi::ProcessInfo& info, const Process* p);

// /proc/stat from the kernel's CPU statistics (USER_HZ 100 units) and the
// boot time in Unix seconds; /proc/loadavg from the same and the process
// list (count, newest pid); /proc/cpuinfo from what CPUID says about the
// CPU this runs on.
std::string proc_stat_text(const rustos::abi::CpuStats& s, int64_t boot_time);
std::string loadavg_text(const rustos::abi::CpuStats& s, size_t processes, uint32_t newest_pid);
std::string cpuinfo_text();

} // namespace vfsd
