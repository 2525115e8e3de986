#include <rustos/cpio/cpio.h>

namespace rustos::cpio {

namespace {

constexpr size_t kHeaderSize = 110;

Error bad(const char* reason) { return Error(EINVAL, reason); }

bool parse_hex8(const uint8_t* p, uint32_t* out) {
    uint32_t v = 0;
    for (int i = 0; i < 8; ++i) {
        uint8_t c = p[i];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = (v << 4) | d;
    }
    *out = v;
    return true;
}

} // namespace

StringView normalize(StringView path) {
    for (;;) {
        if (path.starts_with("/"))
            path = path.substr(1);
        else if (path.starts_with("./"))
            path = path.substr(2);
        else
            return path;
    }
}

ErrorOr<bool> Reader::next(Entry& out) {
    if (m_done)
        return false;
    if (!m_archive.contains_range(m_offset, kHeaderSize))
        return bad("cpio: truncated header (missing TRAILER!!!)");
    const uint8_t* h = m_archive.data() + m_offset;
    if (__builtin_memcmp(h, "070701", 6) != 0 && __builtin_memcmp(h, "070702", 6) != 0)
        return bad("cpio: bad magic (not a newc archive)");
    // Fields after the magic: ino mode uid gid nlink mtime filesize
    // devmajor devminor rdevmajor rdevminor namesize check.
    uint32_t fields[13];
    for (int i = 0; i < 13; ++i)
        if (!parse_hex8(h + 6 + i * 8, &fields[i]))
            return bad("cpio: header field is not hexadecimal");
    uint32_t mode = fields[1], mtime = fields[5], filesize = fields[6], namesize = fields[11];
    if (namesize == 0)
        return bad("cpio: empty name");
    uint64_t name_off = m_offset + kHeaderSize;
    if (!m_archive.contains_range(name_off, namesize))
        return bad("cpio: name runs past the end of the archive");
    const char* name = reinterpret_cast<const char*>(m_archive.data() + name_off);
    if (name[namesize - 1] != 0)
        return bad("cpio: name is not NUL-terminated");
    uint64_t data_off = align_up(name_off + namesize, 4);
    if (!m_archive.contains_range(data_off, filesize))
        return bad("cpio: file data runs past the end of the archive");
    StringView n(name, namesize - 1);
    if (n == "TRAILER!!!") {
        m_done = true;
        return false;
    }
    out.name = normalize(n);
    out.mode = mode;
    out.mtime = mtime;
    out.data = ReadonlyBytes(m_archive.data() + data_off, filesize);
    m_offset = align_up(data_off + filesize, 4);
    return true;
}

ErrorOr<void> validate(ReadonlyBytes archive) {
    Reader r(archive);
    Entry e;
    while (TRY(r.next(e))) {
    }
    return {};
}

ErrorOr<Entry> find(ReadonlyBytes archive, StringView path) {
    StringView want = normalize(path);
    Reader r(archive);
    Entry e;
    while (TRY(r.next(e)))
        if (e.name == want)
            return e;
    return Error(ENOENT, "no such file in the boot bundle");
}

} // namespace rustos::cpio
