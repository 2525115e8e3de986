// Building a process image from an ELF program through the process broker
// (PROCESS_CREATE/EXEC_PREPARE, MAP, WRITE): the main program, its
// interpreter when it has PT_INTERP, and the initial stack. Used for new
// processes (left suspended, so the caller can register them with procd
// and grant them capabilities first) and for execve (a new image built
// aside and committed over the old one).
#pragma once

#include <rustos/base/error.h>
#include <rustos/service/handle.h>

#include <functional>
#include <string>
#include <string_view>
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

// A file's bytes: read into memory, or a read-only mapping of its page
// cache (loaderd), which only the pages looked at cost anything.
class FileBytes {
public:
    FileBytes() = default;
    FileBytes(std::string owned) : m_owned(std::move(owned)) {}
    // Takes over a mapping of `map_len` bytes at `at` (munmap'ed when done).
    static FileBytes mapping(const void* at, size_t size, size_t map_len);
    ~FileBytes();
    FileBytes(FileBytes&& o) noexcept;
    FileBytes& operator=(FileBytes&& o) noexcept;
    FileBytes(const FileBytes&) = delete;
    FileBytes& operator=(const FileBytes&) = delete;

    const uint8_t* data() const {
        return m_map ? static_cast<const uint8_t*>(m_map)
                     : reinterpret_cast<const uint8_t*>(m_owned.data());
    }
    size_t size() const { return m_map ? m_size : m_owned.size(); }
    std::string_view view() const { return {reinterpret_cast<const char*>(data()), size()}; }

private:
    void release();
    std::string m_owned;
    const void* m_map = nullptr;
    size_t m_size = 0, m_map_len = 0;
};

using FileReader = std::function<ErrorOr<FileBytes>(const std::string& path)>;

// The files a program needs, read and checked before anything is built.
struct Files {
    FileBytes program;
    std::string interpreter_path; // empty for static programs
    FileBytes interpreter;
    // Memory objects holding the files (their page caches), if the reader
    // had them: segments are then mapped from them instead of copied. Not
    // owned; they must stay open while the image is built.
    service::handle_t program_object = 0;
    service::handle_t interpreter_object = 0;
};
ErrorOr<Files> read_files(const std::string& path, const FileReader& read_file);

struct Image {
    uint64_t entry = 0; // the first instruction (the interpreter's for dynamic programs)
    uint64_t rsp = 0;
    uint64_t brk = 0;
    bool dynamic = false;
};
// Maps the program (and interpreter) and builds the stack in `target`: a
// not-yet-started process or an address space from PROCESS_EXEC_PREPARE.
ErrorOr<Image> populate(service::handle_t target, const Files& files, const Program& program);

struct Built {
    service::Handle process; // every right
    uint32_t pid = 0;        // as proposed by the kernel
    uint64_t entry = 0;
    bool dynamic = false;
    std::string interpreter;
};

// Needs the PROCESS_BROKER capability.
ErrorOr<Built> build_process(const Program& program, const FileReader& read_file);
ErrorOr<Built> build_process(const Program& program, const Files& files);

std::string base_name(const std::string& path);

} // namespace rustos::loader
