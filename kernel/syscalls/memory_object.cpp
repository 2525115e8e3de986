// Memory objects (mm/memory_object.h): MEMORY_CREATE, MEMORY_RESIZE and
// MEMORY_MAP for any process holding a handle with the right rights, and
// MM_MAP_OBJECT, the MM broker's way to map one into another process
// (syscalld: file mmap).
#include "mm/memory_object.h"
#include "proc/process.h"
#include "syscall.h"

namespace kernel::syscalls {

using rustos::Error;
using rustos::ErrorOr;
using namespace rustos::abi;

namespace {

ErrorOr<RefPtr<mm::MemoryObject>> object_handle(uint64_t h, uint32_t rights) {
    return proc::current_process()->handles.get_as<mm::MemoryObject>(
        handle_t(h), ObjectType::MemoryObject, rights);
}

// Validates first (rights for the kind of mapping asked for), then maps.
int64_t map_into(proc::AddressSpace& as, uint64_t object, uint64_t addr, uint64_t len,
                 uint64_t prot_flags, uint64_t offset) {
    uint32_t prot = uint32_t(prot_flags);
    uint64_t flags = prot_flags >> 32;
    if (flags & ~(MM_FIXED | MM_NOREPLACE | MM_SHARED | MM_ZERO_PAST_END))
        return fail(Error(EINVAL, "unknown mapping flags"));
    bool shared = flags & MM_SHARED;
    uint32_t rights =
        RIGHT_MAP | (shared && (prot & proc::PROT_WRITE) ? uint32_t(RIGHT_WRITE) : 0u);
    auto obj = object_handle(object, rights);
    if (obj.is_error())
        return fail(obj.error());
    auto r = proc::map_object(as, *obj.value(), offset, addr, len, prot, flags & MM_FIXED,
                              flags & MM_NOREPLACE, shared, flags & MM_ZERO_PAST_END);
    return r.is_error() ? fail(r.error()) : int64_t(r.value());
}

} // namespace

int64_t sys_rustos_MEMORY_CREATE(Args& a) {
    auto obj = mm::MemoryObject::create(a.a0());
    if (obj.is_error())
        return fail(obj.error());
    mm::MemoryObject* raw = obj.value().leak(); // the handle takes this reference
    auto h = proc::current_process()->handles.install(raw, RIGHTS_ALL);
    if (h.is_error()) {
        raw->unref();
        return fail(h.error());
    }
    return int64_t(h.value());
}

int64_t sys_rustos_MEMORY_RESIZE(Args& a) {
    auto obj = object_handle(a.a0(), RIGHT_MANAGE);
    if (obj.is_error())
        return fail(obj.error());
    uint64_t old_size = obj.value()->size();
    auto r = obj.value()->resize(a.a1());
    if (r.is_error())
        return fail(r.error());
    if (a.a1() < old_size)
        proc::drop_object_pages(*obj.value(), a.a1());
    return 0;
}

int64_t sys_rustos_MEMORY_MAP(Args& a) {
    proc::Process* self = proc::current_process();
    if (!self->space)
        return fail(Error(ESRCH, "no address space"));
    return map_into(*self->space, a.a0(), a.a1(), a.a2(), a.a3(), a.a4());
}

int64_t sys_rustos_MM_MAP_OBJECT(Args& a) {
    auto p = proc::current_process()->handles.get_as<proc::Process>(
        handle_t(a.a0()), ObjectType::Process, RIGHT_MANAGE);
    if (p.is_error())
        return fail(p.error());
    proc::Process& target = *p.value();
    if (target.state == ProcessState::Exited || !target.space)
        return fail(Error(ESRCH, "the process has exited"));
    return map_into(*target.space, a.a1(), a.a2(), a.a3(), a.a4(), a.a5());
}

} // namespace kernel::syscalls
