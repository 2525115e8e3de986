#include <rustos/runtime_control/desktop_entry_cache.h>
#include <rustos/runtime_control/registry.h>

namespace rustos::runtime_control {

DesktopEntryCache::DesktopEntryCache(std::string path, FileReader reader)
    : m_path(std::move(path)), m_reader(std::move(reader)) {}

const ErrorOr<std::vector<DesktopEntry>>& DesktopEntryCache::entries() {
    return m_cache.get([this]() -> ErrorOr<std::vector<DesktopEntry>> {
        auto text = TRY(m_reader(m_path));
        return parse_desktop_programs(text, m_path);
    });
}

ErrorOr<DesktopEntry> DesktopEntryCache::find(const std::string& name) {
    auto& all = entries();
    if (all.is_error())
        return all.error();
    for (auto& entry : *all)
        if (entry.name == name)
            return entry;
    return Error::formatted(ENOENT, "%s: no desktop entry '%s'", m_path.c_str(), name.c_str());
}

ErrorOr<Catalog> load_catalog(const std::string& runtime_launch_path, DesktopEntryCache& desktop,
                              const FileReader& reader) {
    auto text = TRY(reader(runtime_launch_path));
    auto specs = TRY(parse_runtime_launch(text, runtime_launch_path));
    auto& entries = desktop.entries();
    if (entries.is_error())
        return entries.error();
    return build_catalog(specs, *entries);
}

} // namespace rustos::runtime_control
