#include <rustos/fat/block_device.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rustos::fat {

namespace {

ErrorOr<void> check_range(uint64_t lba, uint32_t count, uint64_t sectors, const char* what) {
    if (lba > sectors || count > sectors - lba)
        return Error::formatted(EIO, "fat: %s of sectors %llu+%u is past the device's end (%llu)",
                                what, (unsigned long long)lba, count, (unsigned long long)sectors);
    return {};
}

} // namespace

MemoryBlockDevice::MemoryBlockDevice(uint64_t sectors) : m_bytes(sectors * kSectorSize) {}

MemoryBlockDevice::MemoryBlockDevice(std::vector<uint8_t> image) : m_bytes(std::move(image)) {
    m_bytes.resize(m_bytes.size() / kSectorSize * kSectorSize);
}

ErrorOr<void> MemoryBlockDevice::read(uint64_t lba, uint32_t count, uint8_t* out) {
    TRY(check_range(lba, count, sector_count(), "read"));
    std::memcpy(out, m_bytes.data() + lba * kSectorSize, size_t(count) * kSectorSize);
    return {};
}

ErrorOr<void> MemoryBlockDevice::write(uint64_t lba, uint32_t count, const uint8_t* in) {
    TRY(check_range(lba, count, sector_count(), "write"));
    std::memcpy(m_bytes.data() + lba * kSectorSize, in, size_t(count) * kSectorSize);
    return {};
}

ErrorOr<std::unique_ptr<FileBlockDevice>>
FileBlockDevice::open(const std::string& path, uint64_t offset, uint64_t length, bool read_only) {
    if (offset % kSectorSize)
        return Error::formatted(EINVAL, "fat: %s: offset %llu is not a multiple of %u",
                                path.c_str(), (unsigned long long)offset, kSectorSize);
    int fd = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        int code = errno;
        return Error::formatted(code, "fat: %s: %s", path.c_str(), std::strerror(code));
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int code = errno;
        ::close(fd);
        return Error::formatted(code, "fat: %s: %s", path.c_str(), std::strerror(code));
    }
    uint64_t size = uint64_t(st.st_size);
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        size = end > 0 ? uint64_t(end) : 0;
    }
    uint64_t available = offset < size ? size - offset : 0;
    if (length)
        available = available < length ? available : length;
    return std::unique_ptr<FileBlockDevice>(
        new FileBlockDevice(fd, path, offset, available / kSectorSize, read_only));
}

FileBlockDevice::~FileBlockDevice() { ::close(m_fd); }

ErrorOr<void> FileBlockDevice::read(uint64_t lba, uint32_t count, uint8_t* out) {
    TRY(check_range(lba, count, m_sectors, "read"));
    size_t length = size_t(count) * kSectorSize;
    uint64_t at = m_offset + lba * kSectorSize;
    for (size_t done = 0; done < length;) {
        ssize_t n = ::pread(m_fd, out + done, length - done, off_t(at + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int code = n < 0 ? errno : EIO;
            return Error::formatted(code, "fat: %s: read at byte %llu: %s", m_path.c_str(),
                                    (unsigned long long)(at + done),
                                    n < 0 ? std::strerror(code) : "unexpected end of file");
        }
        done += size_t(n);
    }
    return {};
}

ErrorOr<void> FileBlockDevice::write(uint64_t lba, uint32_t count, const uint8_t* in) {
    if (m_read_only)
        return Error::formatted(EROFS, "fat: %s is open read-only", m_path.c_str());
    TRY(check_range(lba, count, m_sectors, "write"));
    size_t length = size_t(count) * kSectorSize;
    uint64_t at = m_offset + lba * kSectorSize;
    for (size_t done = 0; done < length;) {
        ssize_t n = ::pwrite(m_fd, in + done, length - done, off_t(at + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int code = n < 0 ? errno : EIO;
            return Error::formatted(code, "fat: %s: write at byte %llu: %s", m_path.c_str(),
                                    (unsigned long long)(at + done), std::strerror(code));
        }
        done += size_t(n);
    }
    return {};
}

ErrorOr<void> FileBlockDevice::flush() {
    if (m_read_only)
        return {};
    if (::fdatasync(m_fd) < 0) {
        int code = errno;
        return Error::formatted(code, "fat: %s: fdatasync: %s", m_path.c_str(),
                                std::strerror(code));
    }
    return {};
}

} // namespace rustos::fat
