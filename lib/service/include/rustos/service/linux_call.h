// An offloaded Linux system call as a service sees it (KERNEL_LINUX_SYSCALL
// from the kernel, see kernel/syscalls/offload.cpp): the number, the six
// raw arguments, the inputs the kernel copied from user memory, and the
// reply with the outputs the kernel copies back.
//
// Conventions of the marshalling (the spec table in offload.cpp):
//   - a path argument arrives as input bytes (no NUL);
//   - read-like calls get their count capped to what one message carries;
//   - readv/writev get the total byte count in place of iovcnt (args[2]),
//     writev's data as one input, readv's as one output;
//   - execve's argv/envp arrive as string vectors;
//   - sigaltstack gets the caller's user stack pointer in args[5].
#pragma once

#include <rustos/service/server.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rustos::service {

struct LinuxCall {
    uint32_t nr = 0;
    uint32_t flags = 0; // ipc::OffloadFlags
    uint64_t args[6] = {};
    uint32_t pid = 0, tid = 0; // the calling process and thread
    handle_t process = 0;      // with calls that pass it (memory, fork, exec); the callee closes it
    std::map<uint32_t, std::string> inputs; // copies: a parked call outlives its request

    static ErrorOr<LinuxCall> decode(Call& call);

    bool has_input(uint32_t arg) const { return inputs.count(arg); }
    std::string_view input(uint32_t arg) const {
        auto it = inputs.find(arg);
        return it == inputs.end() ? std::string_view() : std::string_view(it->second);
    }
    std::string path(uint32_t arg) const { return std::string(input(arg)); }
    // A fixed-size input as a struct; nullopt when absent or short.
    template <typename T>
    std::optional<T> input_as(uint32_t arg) const {
        auto in = input(arg);
        if (in.size() < sizeof(T))
            return std::nullopt;
        T v;
        __builtin_memcpy(&v, in.data(), sizeof v);
        return v;
    }
    ErrorOr<std::vector<std::string>> strings(uint32_t arg) const;

    int32_t arg_int(int i) const { return int32_t(args[i]); }
    // A later part of a large read: EAGAIN instead of waiting.
    bool no_wait() const { return flags & ipc::kOffloadNoWait; }
};

struct LinuxReply {
    int64_t result = 0;
    std::vector<std::pair<uint32_t, std::string>> outputs;

    LinuxReply() = default;
    explicit LinuxReply(int64_t r) : result(r) {}
    static LinuxReply error(Errno e) { return LinuxReply(-int64_t(e)); }
    static LinuxReply from(const Error& e) { return LinuxReply(-int64_t(e.code())); }

    LinuxReply& out(uint32_t arg, const void* data, size_t len) {
        outputs.emplace_back(arg, std::string(static_cast<const char*>(data), len));
        return *this;
    }
    template <typename T>
    LinuxReply& out(uint32_t arg, const T& value) {
        return out(arg, &value, sizeof value);
    }
    void write(MessageWriter& w) const;
    void write(Message& m) const;
};

} // namespace rustos::service
