// Native RustOS system calls for user programs (services, tests). Linux
// calls go through glibc as usual; SYS_RUSTOS_* numbers through here. Each
// returns the kernel's value: >= 0 on success, -errno on failure.
#pragma once

#include <rustos/abi/native.h>
#include <rustos/abi/syscalls.h>
#include <rustos/ipc/message.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace rustos::user {

using ipc::handle_t;

inline int64_t raw_syscall(uint64_t n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                           uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
    int64_t ret;
    register uint64_t r10 asm("r10") = a3;
    register uint64_t r8 asm("r8") = a4;
    register uint64_t r9 asm("r9") = a5;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(n), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return ret;
}

// One line in the kernel log, prefixed with the caller's process name.
inline int64_t log(const char* msg) {
    return raw_syscall(abi::SYS_RUSTOS_LOG, uint64_t(msg), strlen(msg));
}
inline int64_t bootfs_stat(const char* path) {
    return raw_syscall(abi::SYS_RUSTOS_BOOTFS_STAT, uint64_t(path), strlen(path));
}
inline int64_t bootfs_read(const char* path, uint64_t offset, void* buf, size_t len) {
    return raw_syscall(abi::SYS_RUSTOS_BOOTFS_READ, uint64_t(path), strlen(path), offset,
                       uint64_t(buf), len);
}
inline int64_t kernel_cmdline(char* buf, size_t len) {
    return raw_syscall(abi::SYS_RUSTOS_KERNEL_CMDLINE, uint64_t(buf), len);
}
inline int64_t process_cpu_alarm(uint32_t pid, uint64_t at_ticks, handle_t endpoint) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_CPU_ALARM, pid, at_ticks, endpoint);
}
inline int64_t cpu_stats(abi::CpuStats* out) {
    return raw_syscall(abi::SYS_RUSTOS_CPU_STATS, uint64_t(out));
}

inline int64_t handle_close(handle_t h) { return raw_syscall(abi::SYS_RUSTOS_HANDLE_CLOSE, h); }
inline int64_t handle_duplicate(handle_t h, uint32_t rights) {
    return raw_syscall(abi::SYS_RUSTOS_HANDLE_DUPLICATE, h, rights);
}

inline int64_t ipc_endpoint_create() { return raw_syscall(abi::SYS_RUSTOS_IPC_ENDPOINT_CREATE); }
inline int64_t ipc_call(handle_t ep, const ipc::Message* req, ipc::Message* reply,
                        uint64_t timeout_ns) {
    return raw_syscall(abi::SYS_RUSTOS_IPC_CALL, ep, uint64_t(req), uint64_t(reply), timeout_ns);
}
inline int64_t ipc_receive(handle_t ep, ipc::Message* out, uint64_t timeout_ns) {
    return raw_syscall(abi::SYS_RUSTOS_IPC_RECEIVE, ep, uint64_t(out), timeout_ns);
}
inline int64_t ipc_reply(handle_t reply, const ipc::Message* msg) {
    return raw_syscall(abi::SYS_RUSTOS_IPC_REPLY, reply, uint64_t(msg));
}
inline int64_t ipc_reply_receive(handle_t reply, const ipc::Message* msg, handle_t ep,
                                 ipc::Message* out, uint64_t timeout_ns) {
    return raw_syscall(abi::SYS_RUSTOS_IPC_REPLY_RECEIVE, reply, uint64_t(msg), ep, uint64_t(out),
                       timeout_ns);
}

inline int64_t service_register(uint32_t id, handle_t ep, uint32_t flags = 0) {
    return raw_syscall(abi::SYS_RUSTOS_SERVICE_REGISTER, id, ep, flags);
}
inline int64_t service_lookup(uint32_t id, uint64_t timeout_ns) {
    return raw_syscall(abi::SYS_RUSTOS_SERVICE_LOOKUP, id, timeout_ns);
}
inline int64_t cap_grant(handle_t process, abi::Capability cap, uint32_t arg = 0) {
    return raw_syscall(abi::SYS_RUSTOS_CAP_GRANT, process, uint32_t(cap), arg);
}
inline int64_t cap_query(abi::Capability cap, uint32_t arg = 0) {
    return raw_syscall(abi::SYS_RUSTOS_CAP_QUERY, uint32_t(cap), arg);
}

inline int64_t bootfs_map(uint64_t* size) {
    return raw_syscall(abi::SYS_RUSTOS_BOOTFS_MAP, uint64_t(size));
}
inline int64_t ipc_send(handle_t ep, const ipc::Message* msg) {
    return raw_syscall(abi::SYS_RUSTOS_IPC_SEND, ep, uint64_t(msg));
}
inline int64_t process_fork(handle_t parent, const abi::ForkArgs* args) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_FORK, parent, uint64_t(args));
}
inline int64_t process_exec_prepare(handle_t p) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_EXEC_PREPARE, p);
}
inline int64_t process_exec_commit(handle_t p, handle_t space, const abi::ExecCommit* args) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_EXEC_COMMIT, p, space, uint64_t(args));
}
inline int64_t process_maps(uint32_t pid, abi::VmaInfo* out, size_t max) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_MAPS, pid, uint64_t(out), max);
}
inline int64_t signal_deliver(uint32_t tid, const abi::SignalDelivery* d) {
    return raw_syscall(abi::SYS_RUSTOS_SIGNAL_DELIVER, tid, uint64_t(d));
}
inline int64_t signal_process(uint32_t pid, abi::SignalOp op, uint32_t signo) {
    return raw_syscall(abi::SYS_RUSTOS_SIGNAL_PROCESS, pid, uint32_t(op), signo);
}
inline int64_t console_events(handle_t ep) {
    return raw_syscall(abi::SYS_RUSTOS_CONSOLE_EVENTS, ep);
}
inline int64_t console_write(const void* data, size_t len) {
    return raw_syscall(abi::SYS_RUSTOS_CONSOLE_WRITE, uint64_t(data), len);
}

inline int64_t process_create(const char* name, uint32_t flags = 0) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_CREATE, uint64_t(name), strlen(name), flags);
}
inline int64_t process_map(handle_t p, uint64_t vaddr, uint64_t len, uint32_t prot,
                           abi::MapKind kind) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_MAP, p, vaddr, len, prot, uint32_t(kind));
}
inline int64_t process_write(handle_t p, uint64_t vaddr, const void* src, size_t len) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_WRITE, p, vaddr, uint64_t(src), len);
}
inline int64_t process_start(handle_t p, uint64_t entry, uint64_t rsp, uint64_t brk,
                             uint32_t flags) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_START, p, entry, rsp, brk, flags);
}
inline int64_t process_resume(handle_t p) { return raw_syscall(abi::SYS_RUSTOS_PROCESS_RESUME, p); }
inline int64_t process_set_pid(handle_t p, uint32_t pid) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_SET_PID, p, pid);
}
inline int64_t process_info(handle_t p, abi::ProcessInfo* out) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_INFO, p, uint64_t(out));
}
inline int64_t process_self() { return raw_syscall(abi::SYS_RUSTOS_PROCESS_SELF); }
inline int64_t process_events(handle_t ep) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_EVENTS, ep);
}
inline int64_t process_list(abi::ProcessInfo* out, size_t max) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_LIST, uint64_t(out), max);
}
inline int64_t process_find(uint32_t pid, abi::ProcessInfo* out) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_FIND, pid, uint64_t(out));
}
inline int64_t thread_owner(uint32_t tid) { return raw_syscall(abi::SYS_RUSTOS_THREAD_OWNER, tid); }
inline int64_t mm_map_object(handle_t process, handle_t object, uint64_t addr, uint64_t len,
                             uint64_t prot_flags, uint64_t offset) {
    return raw_syscall(abi::SYS_RUSTOS_MM_MAP_OBJECT, process, object, addr, len, prot_flags,
                       offset);
}
inline int64_t process_map_object(handle_t target, handle_t object, uint64_t vaddr, uint64_t len,
                                  uint32_t prot, uint64_t offset) {
    return raw_syscall(abi::SYS_RUSTOS_PROCESS_MAP_OBJECT, target, object, vaddr, len, prot,
                       offset);
}
inline int64_t memory_create(uint64_t size) {
    return raw_syscall(abi::SYS_RUSTOS_MEMORY_CREATE, size);
}
inline int64_t memory_resize(handle_t object, uint64_t size) {
    return raw_syscall(abi::SYS_RUSTOS_MEMORY_RESIZE, object, size);
}
inline int64_t memory_map(handle_t object, uint64_t addr, uint64_t len, uint64_t prot_flags,
                          uint64_t offset) {
    return raw_syscall(abi::SYS_RUSTOS_MEMORY_MAP, object, addr, len, prot_flags, offset);
}
inline int64_t mm_broker(abi::MmOp op, handle_t p, uint64_t addr, uint64_t len, uint64_t prot,
                         uint64_t flags) {
    return raw_syscall(abi::SYS_RUSTOS_MM_BROKER, uint32_t(op), p, addr, len, prot, flags);
}
inline int64_t driver_load_module(const void* image, size_t len, const char* name) {
    return raw_syscall(abi::SYS_RUSTOS_DRIVER_LOAD_MODULE_BROKER, uint64_t(image), len,
                       uint64_t(name), strlen(name));
}

} // namespace rustos::user
