#include "bootfs.h"

#include "boot/boot_info.h"
#include "log.h"
#include "mm/memory.h"

#include <rustos/cpio/cpio.h>

namespace kernel::bootfs {

namespace {
rustos::ReadonlyBytes g_bundle;
}

bool init(const BootInfo& info) {
    for (size_t i = 0; i < info.module_count; ++i) {
        const BootModule& m = info.modules[i];
        rustos::ReadonlyBytes bytes(static_cast<const uint8_t*>(mm::phys_to_virt(m.start)),
                                    m.end - m.start);
        auto valid = rustos::cpio::validate(bytes);
        if (valid.is_error()) {
            LOG_ERROR("bootfs", "module %zu ('%s') is not a valid cpio bundle: %s", i, m.name,
                      valid.error().reason());
            continue;
        }
        size_t files = 0;
        rustos::cpio::Reader reader(bytes);
        rustos::cpio::Entry e;
        while (true) {
            auto more = reader.next(e);
            if (more.is_error() || !more.value())
                break;
            ++files;
        }
        g_bundle = bytes;
        LOG_INFO("bootfs", "boot bundle: %zu entries, %lu KiB at 0x%lx", files,
                 (m.end - m.start) / 1024, m.start);
        return true;
    }
    LOG_ERROR("bootfs", "no boot bundle module: nothing to run");
    return false;
}

rustos::ReadonlyBytes bundle() { return g_bundle; }

rustos::ErrorOr<rustos::ReadonlyBytes> open(rustos::StringView path) {
    auto entry = TRY(rustos::cpio::find(g_bundle, path));
    if ((entry.mode & 0170000) == 0040000)
        return rustos::Error(EISDIR, "is a directory");
    return entry.data;
}

} // namespace kernel::bootfs
