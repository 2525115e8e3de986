// Building a process from an ELF program through the process broker
// (PROCESS_CREATE/MAP/WRITE/START): the main program, its interpreter when
// it has PT_INTERP, and the initial stack. The process is left suspended so
// the caller can register it with procd and grant it capabilities first.
#pragma once

#include <rustos/base/error.h>
#include <rustos/service/handle.h>

#include <functional>
#include <string>
#include <vector>

namespace rustos::loader {

struct Program {
    std::string path; // AT_EXECFN and the file to load
    std::string name; // process name (default: the path's last component)
    std::vector<std::string> argv;
    std::vector<std::string> envp;
    // Its Linux calls never go to services (the foundational services,
    // which rootd starts before the policy services exist).
    bool kernel_defaults = false;
};

struct Built {
    service::Handle process; // every right
    uint32_t pid = 0;        // as proposed by the kernel
    uint64_t entry = 0; // where the first instruction runs (interpreter's for dynamic programs)
    bool dynamic = false;
    std::string interpreter;
};

using FileReader = std::function<ErrorOr<std::string>(const std::string& path)>;

// Needs the PROCESS_BROKER capability.
ErrorOr<Built> build_process(const Program& program, const FileReader& read_file);

std::string base_name(const std::string& path);

} // namespace rustos::loader
