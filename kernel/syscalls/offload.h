// Linux system calls whose policy lives in a service (see offload.cpp).
#pragma once

#include "ipc/ipc.h"

#include <rustos/base/error.h>

namespace kernel::syscalls {

// Sends `request` (owned) to the service registered under `service`, as
// the current thread; returns the reply (the caller owns it).
rustos::ErrorOr<ipc::KMessage*> call_service(uint32_t service, ipc::KMessage* request);

// rt_sigreturn: tells syscalld the mask (and alternate-stack state) the
// signal frame restored.
rustos::ErrorOr<void> notify_sigreturn(uint64_t mask, int32_t altstack_flags);

// The offload dispatcher for a Linux number the spec table knows; false
// when the number is not offloaded for the current process (the caller
// uses the kernel default then).
bool try_offload(uint64_t number, struct Args& a, int64_t* result);

} // namespace kernel::syscalls
