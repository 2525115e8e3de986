// FAT32 volumes (lib/fat) as vfsd nodes, so one can be attached into the
// namespace and used through the Linux calls like any other file system.
// Linux's vfat driver is the model for what a FAT volume cannot hold
// (owners, modes, links, special files); docs/fat.md lists the choices.
#pragma once

#include "node.h"

#include <rustos/fat/block_device.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace vfsd {

inline constexpr uint64_t kMsdosMagic = 0x4d44; // MSDOS_SUPER_MAGIC, as Linux's vfat reports

struct FatOptions {
    bool read_only = false;
    // The time new timestamps get, in Unix seconds; empty means the clock
    // (tests inject a fixed one).
    std::function<int64_t()> clock;
    // FAT and directory sectors kept in memory (write-back).
    size_t cache_sectors = 4096;
};

// Mounts the FAT32 volume on `device` and returns its root directory.
// The nodes of the volume share its state (the device, the Volume and a
// device number): the volume is written back and released, and the device
// closed, when the last of them goes. A device that does not hold a FAT32
// volume is refused (EINVAL for a foreign format, EIO for damage).
ErrorOr<NodePtr> mount_fat(std::unique_ptr<rustos::fat::BlockDevice> device,
                           FatOptions options = {});

// sync(2): every mounted FAT volume writes what it holds back to its
// device. Errors are not reported, as sync(2) reports none.
void sync_fat_volumes();

} // namespace vfsd
