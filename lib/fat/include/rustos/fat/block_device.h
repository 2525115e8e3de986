// The storage a FAT volume lives on: fixed-size sectors addressed by LBA.
#pragma once

#include <rustos/base/error.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rustos::fat {

class BlockDevice {
public:
    virtual ~BlockDevice() = default;

    // Bytes per device sector (512 for everything we have today).
    virtual uint32_t sector_size() const = 0;
    virtual uint64_t sector_count() const = 0;

    // Transfer `count` whole sectors starting at `lba`. A range that runs
    // past sector_count() fails with EIO and transfers nothing.
    virtual ErrorOr<void> read(uint64_t lba, uint32_t count, uint8_t* out) = 0;
    virtual ErrorOr<void> write(uint64_t lba, uint32_t count, const uint8_t* in) = 0;
    // Make completed writes durable.
    virtual ErrorOr<void> flush() = 0;
};

// A device held in memory (tests; images received whole).
class MemoryBlockDevice final : public BlockDevice {
public:
    static constexpr uint32_t kSectorSize = 512;

    // `sectors` zeroed sectors.
    explicit MemoryBlockDevice(uint64_t sectors);
    // An image; a trailing partial sector is dropped.
    explicit MemoryBlockDevice(std::vector<uint8_t> image);

    uint32_t sector_size() const override { return kSectorSize; }
    uint64_t sector_count() const override { return m_bytes.size() / kSectorSize; }
    ErrorOr<void> read(uint64_t lba, uint32_t count, uint8_t* out) override;
    ErrorOr<void> write(uint64_t lba, uint32_t count, const uint8_t* in) override;
    ErrorOr<void> flush() override { return {}; }

    std::vector<uint8_t>& bytes() { return m_bytes; }
    const std::vector<uint8_t>& bytes() const { return m_bytes; }

private:
    std::vector<uint8_t> m_bytes;
};

// A byte range of a host file: a whole FAT image, or the partition inside a
// GPT disk image (`offset` = first LBA * 512).
class FileBlockDevice final : public BlockDevice {
public:
    static constexpr uint32_t kSectorSize = 512;

    // `length` 0 means "to the end of the file". The device covers whole
    // sectors only; an offset that is not sector-aligned is EINVAL.
    static ErrorOr<std::unique_ptr<FileBlockDevice>>
    open(const std::string& path, uint64_t offset = 0, uint64_t length = 0, bool read_only = false);
    ~FileBlockDevice() override;
    FileBlockDevice(const FileBlockDevice&) = delete;
    FileBlockDevice& operator=(const FileBlockDevice&) = delete;

    uint32_t sector_size() const override { return kSectorSize; }
    uint64_t sector_count() const override { return m_sectors; }
    ErrorOr<void> read(uint64_t lba, uint32_t count, uint8_t* out) override;
    ErrorOr<void> write(uint64_t lba, uint32_t count, const uint8_t* in) override;
    ErrorOr<void> flush() override;

private:
    FileBlockDevice(int fd, std::string path, uint64_t offset, uint64_t sectors, bool read_only)
        : m_fd(fd), m_path(std::move(path)), m_offset(offset), m_sectors(sectors),
          m_read_only(read_only) {}

    int m_fd;
    std::string m_path;
    uint64_t m_offset;
    uint64_t m_sectors;
    bool m_read_only;
};

} // namespace rustos::fat
