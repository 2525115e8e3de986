// Linux syscalls whose policy lives in a service: the kernel marshals the
// arguments (copying in what user pointers point to, per the spec below),
// calls the owning service as an IPC client on the caller's behalf, and
// copies the results back out — only into the pointer arguments the spec
// names as outputs, and only up to their declared sizes. Services never
// touch user memory.
//
// A process created before the owning service registered (and that service
// itself) gets the kernel default for the class instead: never a second
// copy of the policy, just the minimum (ECHILD for wait, the creator's pid
// for getppid).
#include "ipc/ipc.h"
#include "log.h"
#include "proc/process.h"
#include "syscall.h"
#include "usercopy.h"

#include <rustos/abi/syscalls.h>
#include <rustos/ipc/codec.h>

namespace kernel::syscalls {

using ipc::KMessage;
using rustos::Error;
using rustos::ErrorOr;
using rustos::abi::LinuxSyscall;

namespace {

struct OutputSpec {
    uint8_t arg;      // which argument is the user pointer
    uint32_t max_len; // the most the service may write there
};

struct OffloadSpec {
    LinuxSyscall nr;
    uint32_t service;
    uint32_t offload_class;
    OutputSpec outputs[2];
    uint8_t output_count;
};

constexpr uint32_t kSizeofRusage = 144;
constexpr uint32_t kSizeofSiginfo = 128;

constexpr OffloadSpec kSpecs[] = {
    {LinuxSyscall::wait4,
     rustos::ipc::service::PROCD,
     proc::OFFLOAD_PROC,
     {{1, 4}, {3, kSizeofRusage}},
     2},
    {LinuxSyscall::waitid,
     rustos::ipc::service::PROCD,
     proc::OFFLOAD_PROC,
     {{2, kSizeofSiginfo}, {4, kSizeofRusage}},
     2},
    {LinuxSyscall::getppid, rustos::ipc::service::PROCD, proc::OFFLOAD_PROC, {}, 0},
};

const OffloadSpec* spec_for(LinuxSyscall nr) {
    for (const auto& s : kSpecs)
        if (s.nr == nr)
            return &s;
    return nullptr;
}

// Sends the call to its service and applies the reply. Returns the
// syscall result.
int64_t offload(const OffloadSpec& spec, Args& a) {
    proc::Process* p = proc::current_process();
    RefPtr<ipc::Endpoint> ep(ipc::registered_endpoint(spec.service));
    if (!ep) {
        LOG_WARN("syscall", "pid %d (%s): %s: %s is not running -> EAGAIN", p->pid, p->name,
                 rustos::abi::linux_syscall_name(uint32_t(spec.nr)),
                 rustos::ipc::service_name(spec.service));
        return rustos::abi::syscall_error(EAGAIN);
    }
    uint64_t args[6] = {a.a0(), a.a1(), a.a2(), a.a3(), a.a4(), a.a5()};
    KMessage* request = KMessage::create(8 + sizeof args);
    if (!request)
        return rustos::abi::syscall_error(ENOMEM);
    request->header.op = rustos::ipc::op::KERNEL_LINUX_SYSCALL;
    rustos::ipc::Writer w(request->payload(), request->header.length);
    w.u32(uint32_t(spec.nr)).u32(0);
    for (uint64_t v : args)
        w.u64(v);

    KMessage* reply = nullptr;
    auto r = ep->call(request, &reply, 0, true);
    if (r.is_error())
        return fail(r.error());

    // Reply payload: i64 result, u32 block count, blocks of (u32 arg, bytes).
    rustos::ipc::Reader rd(reply->payload(), reply->header.length);
    int64_t result = rd.i64();
    uint32_t blocks = rd.u32();
    for (uint32_t i = 0; rd.ok() && i < blocks; ++i) {
        uint32_t arg = rd.u32();
        size_t len = 0;
        const uint8_t* data = rd.bytes(&len);
        if (!rd.ok())
            break;
        const OutputSpec* out = nullptr;
        for (uint8_t k = 0; k < spec.output_count; ++k)
            if (spec.outputs[k].arg == arg)
                out = &spec.outputs[k];
        if (!out || len > out->max_len || arg >= 6) {
            LOG_WARN("syscall",
                     "%s: reply from %s writes where it may not (arg %u, %zu bytes); ignored",
                     rustos::abi::linux_syscall_name(uint32_t(spec.nr)),
                     rustos::ipc::service_name(spec.service), arg, len);
            continue;
        }
        if (!args[arg])
            continue; // the caller passed NULL: it does not want this output
        auto copied = copy_to_user(args[arg], data, len);
        if (copied.is_error() && result >= 0)
            result = rustos::abi::syscall_error(EFAULT);
    }
    if (!rd.ok()) {
        LOG_WARN("syscall", "%s: malformed reply from %s -> EIO",
                 rustos::abi::linux_syscall_name(uint32_t(spec.nr)),
                 rustos::ipc::service_name(spec.service));
        result = rustos::abi::syscall_error(EIO);
    }
    KMessage::destroy(reply);
    return result;
}

bool offloaded(const OffloadSpec* spec) {
    return spec && (proc::current_process()->offload & spec->offload_class);
}

} // namespace

int64_t sys_wait4(Args& a) {
    const OffloadSpec* spec = spec_for(LinuxSyscall::wait4);
    if (offloaded(spec))
        return offload(*spec, a);
    return rustos::abi::syscall_error(ECHILD); // kernel default: no Linux children
}

int64_t sys_waitid(Args& a) {
    const OffloadSpec* spec = spec_for(LinuxSyscall::waitid);
    if (offloaded(spec))
        return offload(*spec, a);
    return rustos::abi::syscall_error(ECHILD);
}

int64_t sys_getppid(Args& a) {
    const OffloadSpec* spec = spec_for(LinuxSyscall::getppid);
    if (offloaded(spec))
        return offload(*spec, a);
    return proc::current_process()->creator_pid;
}

} // namespace kernel::syscalls
