// Driver brokers (SYS_RUSTOS_DRIVER_*), gated on DRIVER_BROKER: driverd.
// FIXME: the .ko module loader and PCI device enumeration for userspace
// arrive with the drivers; until then the holder of the capability is told
// so plainly instead of getting a fake success.
#include "log.h"
#include "proc/process.h"
#include "syscall.h"

namespace kernel::syscalls {

int64_t sys_rustos_DRIVER_LOAD_MODULE_BROKER(Args&) {
    proc::Process* p = proc::current_process();
    LOG_INFO(
        "driver",
        "pid %d (%s): DRIVER_LOAD_MODULE_BROKER: no module loader in this kernel yet -> ENOSYS",
        p->pid, p->name);
    return fail(rustos::Error(ENOSYS, "no module loader yet"));
}

int64_t sys_rustos_DRIVER_DEVICE_LIST_BROKER(Args&) {
    proc::Process* p = proc::current_process();
    LOG_INFO(
        "driver",
        "pid %d (%s): DRIVER_DEVICE_LIST_BROKER: device enumeration not exported yet -> ENOSYS",
        p->pid, p->name);
    return fail(rustos::Error(ENOSYS, "no device list yet"));
}

} // namespace kernel::syscalls
