// RUSTOS.package.toml: parsing one manifest strictly (every error names
// file:line:col and the reason), loading all manifests of a source tree and
// validating them as a set. docs/manifests.md describes the schema.
#pragma once

#include <rustos/base/error.h>
#include <rustos/runtime_control/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rustos::runtime_control {

// Where a value was written in a manifest (1-based; 0 when unknown).
struct SourcePos {
    uint32_t line = 0;
    uint32_t column = 0;
};

// [runtime]: how runtimed launches and restarts the package.
struct RuntimeSection {
    std::vector<std::string> args;
    EnvList env;
    RestartPolicy restart = RestartPolicy::OnFailure;
    uint64_t restart_budget = 3;        // restarts allowed within the window
    uint64_t restart_window_ms = 10000; // > 0
    uint64_t backoff_ms = 200;          // doubled per consecutive restart
};

// [autoload]: how driverd loads a kernel-driver package.
struct Autoload {
    std::string name;
    std::string class_name; // "class" in the manifest
    std::string bus;
    int64_t priority = 0;
    AutoloadWhen when = AutoloadWhen::Boot;
    std::vector<std::string> aliases; // Linux modalias globs
    std::vector<std::string> deps;
    std::vector<std::string> softdeps;
    std::string provider_group; // empty: none
    bool fallback_only = false;
};

// Source positions kept for the errors validate_set() reports across files.
struct ManifestPositions {
    SourcePos id;
    std::vector<SourcePos> runtime_deps;    // parallel to Manifest::runtime_deps
    std::vector<SourcePos> environment;     // parallel to Manifest::environment
    std::vector<SourcePos> desktop_entries; // parallel to Manifest::desktop_entries
    SourcePos install_path;
    SourcePos autoload_name;
    std::vector<SourcePos> autoload_deps; // parallel to Autoload::deps
};

struct Manifest {
    std::string file; // as given to parse_manifest(), used in messages
    std::string id;
    PackageKind kind = PackageKind::Service;
    ExecutionDomain execution_domain = ExecutionDomain::User;
    std::vector<std::string> profiles;
    Startup startup = Startup::None;
    std::vector<std::string> runtime_deps;
    std::string description;
    std::string build_target;
    Linkage linkage = Linkage::Static;
    std::string install_path; // inside the boot volume, no leading '/'
    RuntimeSection runtime;
    EnvList environment; // [environment], sorted by name
    std::vector<DesktopEntry> desktop_entries;
    std::optional<Autoload> autoload; // present iff kind == KernelDriver
    ManifestPositions positions;

    // "/" + install_path: where the program is on the running system.
    std::string exec_path() const { return "/" + install_path; }
    bool in_profile(std::string_view profile) const;
};

inline constexpr std::string_view manifest_file_name = "RUSTOS.package.toml";

// Parses and validates one manifest. `file_name` is used in error messages
// ("<file>:<line>:<col>: <reason>"); when it has a directory part, the
// manifest's id must equal the name of that directory.
ErrorOr<Manifest> parse_manifest(std::string_view toml_text, const std::string& file_name);

// Reads and parses every RUSTOS.package.toml under <source_root>/services/*/,
// <source_root>/apps/** and <source_root>/drivers/** (missing directories are
// fine), sorted by path. File names in messages are <source_root>/<relative>.
// All files are parsed; the error lists every failing file, one per line.
ErrorOr<std::vector<Manifest>> load_manifests(const std::string& source_root);

// Checks the manifests as a set: unique ids, install paths, desktop entry
// names and driver names; runtime_deps and driver deps name existing
// packages/drivers and have no cycles; no environment variable is defined
// twice. Every problem found is reported, one per line.
ErrorOr<void> validate_set(const std::vector<Manifest>& manifests);

// The manifests whose profiles contain `profile`. Fails when one of them
// depends (runtime_deps or driver deps) on a package outside the profile.
ErrorOr<std::vector<Manifest>> select_profile(const std::vector<Manifest>& manifests,
                                              std::string_view profile);

} // namespace rustos::runtime_control
