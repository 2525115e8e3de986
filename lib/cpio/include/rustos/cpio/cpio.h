// Reader for cpio "newc" archives (the boot bundle). Every header field is
// validated against the archive size before use.
#pragma once

#include <rustos/base/error.h>
#include <rustos/base/span.h>
#include <rustos/base/string_view.h>

namespace rustos::cpio {

struct Entry {
    StringView name; // as stored, without "./" or "/" prefix
    uint32_t mode = 0;
    uint32_t mtime = 0;
    ReadonlyBytes data;
};

inline constexpr uint32_t kTypeMask = 0170000;
inline constexpr uint32_t kTypeDirectory = 0040000;
inline constexpr uint32_t kTypeRegular = 0100000;
inline constexpr uint32_t kTypeSymlink = 0120000;

class Reader {
public:
    explicit Reader(ReadonlyBytes archive) : m_archive(archive) {}
    // Reads the next entry. false at the TRAILER!!! record; an error for a
    // malformed or truncated archive.
    ErrorOr<bool> next(Entry& out);

private:
    ReadonlyBytes m_archive;
    uint64_t m_offset = 0;
    bool m_done = false;
};

// Walks the whole archive; an error if any record is malformed or the
// trailer is missing.
ErrorOr<void> validate(ReadonlyBytes archive);
// Looks up `path` ("/a/b", "a/b" and "./a/b" are the same); ENOENT if absent.
ErrorOr<Entry> find(ReadonlyBytes archive, StringView path);
// Strips leading "/" and "./" components.
StringView normalize(StringView path);

} // namespace rustos::cpio
