// Vocabulary shared by manifests, registries and the launch catalog: the
// enumerations of RUSTOS.package.toml and the records that appear both in a
// manifest and in a generated registry (a desktop entry).
#pragma once

#include <rustos/base/error.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rustos::runtime_control {

// Environment variables in declaration order (TOML tables are unordered, so
// manifests yield them sorted by name).
using EnvList = std::vector<std::pair<std::string, std::string>>;

enum class PackageKind { Service, App, KernelDriver };
enum class ExecutionDomain { User, Kernel };
enum class Startup { None, Init, Session, Desktop };
enum class Linkage { Static, Dynamic };
enum class RestartPolicy { OnFailure, Always, Never };
enum class AutoloadWhen { Boot, Hotplug, Demand };

// The spelling used in manifests and registries ("kernel-driver", "on-failure", ...).
std::string_view to_string(PackageKind);
std::string_view to_string(ExecutionDomain);
std::string_view to_string(Startup);
std::string_view to_string(Linkage);
std::string_view to_string(RestartPolicy);
std::string_view to_string(AutoloadWhen);

// The inverse of to_string(); nullopt for anything else.
std::optional<PackageKind> package_kind_from_string(std::string_view);
std::optional<ExecutionDomain> execution_domain_from_string(std::string_view);
std::optional<Startup> startup_from_string(std::string_view);
std::optional<Linkage> linkage_from_string(std::string_view);
std::optional<RestartPolicy> restart_policy_from_string(std::string_view);
std::optional<AutoloadWhen> autoload_when_from_string(std::string_view);

// A program a desktop shell or runtimed can launch by name: one
// [[desktop.entries]] table, one row of desktop-programs.tsv, one
// system/share/applications/<name>.desktop file.
struct DesktopEntry {
    std::string name;    // unique across the image; also the .desktop file name
    std::string package; // id of the package that declares it
    std::string display_name;
    std::string exec; // absolute path
    std::vector<std::string> args;
    EnvList env;
    uint64_t weight_micros = 0;
    bool console_hosted = false;
    bool no_display = false;
    // Only in .desktop files (not in desktop-programs.tsv).
    std::string comment;
    std::vector<std::string> categories;

    bool operator==(const DesktopEntry&) const = default;
};

} // namespace rustos::runtime_control
