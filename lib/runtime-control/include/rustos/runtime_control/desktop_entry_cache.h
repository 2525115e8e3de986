// The desktop entries runtimed needs twice at boot: once synchronously for
// the uiserver bootstrap (its manifest env, e.g. RUSTOS_UI_PROFILE=1, must
// apply to the very first launch) and once on the catalog worker thread.
// Both read desktop-programs.tsv through this cache, which reads and parses
// it once (OnceCache).
#pragma once

#include <rustos/base/error.h>
#include <rustos/runtime_control/catalog.h>
#include <rustos/runtime_control/file.h>
#include <rustos/runtime_control/once_cache.h>
#include <rustos/runtime_control/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace rustos::runtime_control {

class DesktopEntryCache {
public:
    // `path`: desktop-programs.tsv on the running system
    // ("/system/registry/desktop-programs.tsv").
    explicit DesktopEntryCache(std::string path, FileReader reader = read_text_file);

    // All entries; the first call (from any thread) reads and parses the file.
    const ErrorOr<std::vector<DesktopEntry>>& entries();
    // The entry called `name`; ENOENT if the registry has none.
    ErrorOr<DesktopEntry> find(const std::string& name);
    // How many times the registry was read and parsed.
    size_t load_count() const { return m_cache.load_count(); }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    FileReader m_reader;
    OnceCache<std::vector<DesktopEntry>> m_cache;
};

// The catalog worker's load: runtime-launch.tsv read with `reader`, merged
// with the (shared) desktop entries from `desktop`.
ErrorOr<Catalog> load_catalog(const std::string& runtime_launch_path, DesktopEntryCache& desktop,
                              const FileReader& reader = read_text_file);

} // namespace rustos::runtime_control
