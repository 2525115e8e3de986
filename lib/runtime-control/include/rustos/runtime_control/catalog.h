// The launch catalog runtimed serves from: runtime-launch.tsv merged with
// desktop-programs.tsv, looked up by package id or desktop entry name.
#pragma once

#include <rustos/runtime_control/registry.h>
#include <rustos/runtime_control/types.h>

#include <optional>
#include <string_view>
#include <vector>

namespace rustos::runtime_control {

class Catalog {
public:
    Catalog() = default;
    Catalog(std::vector<LaunchSpec> specs, std::vector<DesktopEntry> entries);

    const std::vector<LaunchSpec>& launch_specs() const { return m_specs; }
    const std::vector<DesktopEntry>& desktop_entries() const { return m_entries; }

    // nullptr when absent.
    const LaunchSpec* find_package(std::string_view id) const;
    const DesktopEntry* find_entry(std::string_view name) const;
    std::vector<const DesktopEntry*> entries_of(std::string_view package) const;

    // What runtimed runs for a desktop entry: the entry's exec and args, its
    // package's [runtime] env overlaid with the entry's env (entry wins), and
    // its package's restart policy (the defaults if the package has no
    // launch spec). nullopt for an unknown entry.
    std::optional<LaunchSpec> launch_spec_for_entry(std::string_view name) const;

    // Packages with startup session or desktop, every runtime dependency
    // inside the catalog before its dependents (ties by id). Dependencies
    // outside the catalog (init services) are already running.
    std::vector<const LaunchSpec*> autostart_order() const;

private:
    std::vector<LaunchSpec> m_specs;     // sorted by id
    std::vector<DesktopEntry> m_entries; // sorted by name
};

Catalog build_catalog(const std::vector<LaunchSpec>& specs,
                      const std::vector<DesktopEntry>& entries);

} // namespace rustos::runtime_control
