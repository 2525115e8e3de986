#include "fat_test_util.h"

using namespace rustos;
using namespace rustos::fat;
using namespace rustos::fat::test;

TEST(FatBlockDevice, MemoryDeviceChecksRanges) {
    MemoryBlockDevice device(4);
    EXPECT_EQ(device.sector_size(), 512u);
    EXPECT_EQ(device.sector_count(), 4u);
    std::vector<uint8_t> data = pattern_bytes(1024, 1), back(1024);
    FAT_OK(device.write(2, 2, data.data()));
    FAT_OK(device.read(2, 2, back.data()));
    EXPECT_EQ(back, data);
    EXPECT_EQ(error_code(device.read(3, 2, back.data())), EIO);
    EXPECT_EQ(error_code(device.write(4, 1, data.data())), EIO);
    EXPECT_EQ(error_code(device.read(UINT64_MAX, 1, back.data())), EIO);
    // A trailing partial sector is not part of the device.
    EXPECT_EQ(MemoryBlockDevice(std::vector<uint8_t>(1000)).sector_count(), 1u);
}

TEST(FatBlockDevice, FileDeviceCoversAByteRange) {
    TempDir dir;
    std::string path = dir.file("disk.img");
    std::vector<uint8_t> disk = pattern_bytes(8192, 2);
    write_host_file(path, disk);
    auto device = FAT_OK(FileBlockDevice::open(path, 1024, 4096));
    EXPECT_EQ(device->sector_count(), 8u);
    std::vector<uint8_t> sector(512);
    FAT_OK(device->read(0, 1, sector.data()));
    EXPECT_TRUE(std::equal(sector.begin(), sector.end(), disk.begin() + 1024));
    std::vector<uint8_t> ones(512, 1);
    FAT_OK(device->write(7, 1, ones.data()));
    FAT_OK(device->flush());
    EXPECT_EQ(error_code(device->read(8, 1, sector.data())), EIO);
    std::vector<uint8_t> after = read_host_file(path);
    std::copy(ones.begin(), ones.end(), disk.begin() + 1024 + 7 * 512);
    EXPECT_EQ(after, disk); // nothing outside the range moved

    // To the end of the file; read-only; bad offsets and paths.
    EXPECT_EQ(FAT_OK(FileBlockDevice::open(path, 4096))->sector_count(), 8u);
    auto ro = FAT_OK(FileBlockDevice::open(path, 0, 0, true));
    EXPECT_EQ(error_code(ro->write(0, 1, ones.data())), EROFS);
    EXPECT_EQ(error_code(FileBlockDevice::open(path, 100)), EINVAL);
    EXPECT_EQ(FAT_OK(FileBlockDevice::open(path, 1 << 20))->sector_count(), 0u);
    EXPECT_EQ(error_code(FileBlockDevice::open(dir.file("missing"))), ENOENT);
}

TEST(FatBlockDevice, VolumeInsideADiskImage) {
    FAT_REQUIRE_TOOLS();
    // A 40 MiB FAT32 partition at 1 MiB inside a "disk", followed by more data.
    TempDir dir;
    std::string part = dir.file("part.img"), disk = dir.file("disk.img");
    std::string head = dir.file("head"), tail = dir.file("tail");
    ASSERT_TRUE(make_image(part, 40960, 1));
    write_host_file(head, pattern_bytes(1 << 20, 3));
    write_host_file(tail, pattern_bytes(4096, 4));
    ASSERT_EQ(
        run("cat " + quote(head) + " " + quote(part) + " " + quote(tail) + " > " + quote(disk))
            .status,
        0);
    {
        auto device = FAT_OK(FileBlockDevice::open(disk, 1 << 20, 40960 * 1024));
        auto v = FAT_OK(Volume::mount(*device, {.clock = fixed_clock}));
        NodeId f = FAT_OK(v->create(v->root(), "in a partition.txt", NodeKind::File));
        FAT_OK(write_all(*v, f, 0, pattern_bytes(100000, 5)));
        FAT_OK(v->sync());
    }
    // The bytes around the partition did not move.
    EXPECT_EQ(run("cmp -n 1048576 " + quote(disk) + " " + quote(head)).status, 0);
    EXPECT_EQ(run("tail -c 4096 " + quote(disk) + " | cmp - " + quote(tail)).status, 0);
    ASSERT_EQ(
        run("dd if=" + quote(disk) + " of=" + quote(part) + " bs=1M skip=1 count=40 status=none")
            .status,
        0);
    ASSERT_TRUE(fsck_clean(part));
    CommandResult r =
        run("mcopy -n -o -i " + quote(part) + " '::/in a partition.txt' " + quote(dir.file("out")));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(read_host_file(dir.file("out")), pattern_bytes(100000, 5));
}
