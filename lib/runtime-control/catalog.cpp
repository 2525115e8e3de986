#include <rustos/runtime_control/catalog.h>

#include <algorithm>
#include <map>

namespace rustos::runtime_control {

Catalog::Catalog(std::vector<LaunchSpec> specs, std::vector<DesktopEntry> entries)
    : m_specs(std::move(specs)), m_entries(std::move(entries)) {
    std::stable_sort(m_specs.begin(), m_specs.end(), [](auto& a, auto& b) { return a.id < b.id; });
    std::stable_sort(m_entries.begin(), m_entries.end(),
                     [](auto& a, auto& b) { return a.name < b.name; });
}

const LaunchSpec* Catalog::find_package(std::string_view id) const {
    auto it =
        std::lower_bound(m_specs.begin(), m_specs.end(), id,
                         [](const LaunchSpec& s, std::string_view key) { return s.id < key; });
    return it != m_specs.end() && it->id == id ? &*it : nullptr;
}

const DesktopEntry* Catalog::find_entry(std::string_view name) const {
    auto it =
        std::lower_bound(m_entries.begin(), m_entries.end(), name,
                         [](const DesktopEntry& e, std::string_view key) { return e.name < key; });
    return it != m_entries.end() && it->name == name ? &*it : nullptr;
}

std::vector<const DesktopEntry*> Catalog::entries_of(std::string_view package) const {
    std::vector<const DesktopEntry*> out;
    for (auto& e : m_entries)
        if (e.package == package)
            out.push_back(&e);
    return out;
}

std::optional<LaunchSpec> Catalog::launch_spec_for_entry(std::string_view name) const {
    auto* entry = find_entry(name);
    if (!entry)
        return std::nullopt;
    LaunchSpec spec;
    if (auto* package = find_package(entry->package))
        spec = *package;
    spec.id = entry->package.empty() ? entry->name : entry->package;
    spec.exec = entry->exec;
    spec.args = entry->args;
    for (auto& [key, value] : entry->env) {
        auto it = std::find_if(spec.env.begin(), spec.env.end(),
                               [&](auto& kv) { return kv.first == key; });
        if (it != spec.env.end())
            it->second = value;
        else
            spec.env.emplace_back(key, value);
    }
    return spec;
}

std::vector<const LaunchSpec*> Catalog::autostart_order() const {
    // Kahn's algorithm over the autostart packages; among the ready ones the
    // smallest id goes first, so the order is reproducible.
    std::map<std::string_view, const LaunchSpec*> pending;
    for (auto& s : m_specs)
        if (s.startup == Startup::Session || s.startup == Startup::Desktop)
            pending.emplace(s.id, &s);
    std::vector<const LaunchSpec*> order;
    while (!pending.empty()) {
        const LaunchSpec* next = nullptr;
        for (auto& [id, spec] : pending) {
            bool ready =
                std::all_of(spec->runtime_deps.begin(), spec->runtime_deps.end(),
                            [&](const std::string& dep) { return !pending.contains(dep); });
            if (ready) {
                next = spec;
                break;
            }
        }
        // A cycle (validate_set rejects them): start the rest by id.
        if (!next)
            next = pending.begin()->second;
        order.push_back(next);
        pending.erase(next->id);
    }
    return order;
}

Catalog build_catalog(const std::vector<LaunchSpec>& specs,
                      const std::vector<DesktopEntry>& entries) {
    return Catalog(specs, entries);
}

} // namespace rustos::runtime_control
