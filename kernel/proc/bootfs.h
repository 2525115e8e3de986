// The boot bundle (cpio newc module from the boot loader), read-only.
#pragma once

#include <rustos/base/error.h>
#include <rustos/base/span.h>
#include <rustos/base/string_view.h>

namespace kernel {
struct BootInfo;
}

namespace kernel::bootfs {

// Finds and validates the bundle module. Returns false if absent/invalid.
bool init(const BootInfo& info);
rustos::ErrorOr<rustos::ReadonlyBytes> open(rustos::StringView path);
// The whole archive (read-only, in the direct map).
rustos::ReadonlyBytes bundle();

} // namespace kernel::bootfs
