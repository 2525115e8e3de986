#include <rustos/runtime_control/types.h>

#include <array>

namespace rustos::runtime_control {

namespace {

template <typename E, size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<PackageKind, 3> kind_names{{
    {PackageKind::Service, "service"},
    {PackageKind::App, "app"},
    {PackageKind::KernelDriver, "kernel-driver"},
}};
constexpr Names<ExecutionDomain, 2> domain_names{{
    {ExecutionDomain::User, "user"},
    {ExecutionDomain::Kernel, "kernel"},
}};
constexpr Names<Startup, 4> startup_names{{
    {Startup::None, "none"},
    {Startup::Init, "init"},
    {Startup::Session, "session"},
    {Startup::Desktop, "desktop"},
}};
constexpr Names<Linkage, 2> linkage_names{{
    {Linkage::Static, "static"},
    {Linkage::Dynamic, "dynamic"},
}};
constexpr Names<RestartPolicy, 3> restart_names{{
    {RestartPolicy::OnFailure, "on-failure"},
    {RestartPolicy::Always, "always"},
    {RestartPolicy::Never, "never"},
}};
constexpr Names<AutoloadWhen, 3> when_names{{
    {AutoloadWhen::Boot, "boot"},
    {AutoloadWhen::Hotplug, "hotplug"},
    {AutoloadWhen::Demand, "demand"},
}};

template <typename E, size_t N>
std::string_view name_of(const Names<E, N>& names, E value) {
    for (auto& [e, name] : names)
        if (e == value)
            return name;
    return "?";
}

template <typename E, size_t N>
std::optional<E> value_of(const Names<E, N>& names, std::string_view s) {
    for (auto& [e, name] : names)
        if (name == s)
            return e;
    return std::nullopt;
}

} // namespace

std::string_view to_string(PackageKind v) { return name_of(kind_names, v); }
std::string_view to_string(ExecutionDomain v) { return name_of(domain_names, v); }
std::string_view to_string(Startup v) { return name_of(startup_names, v); }
std::string_view to_string(Linkage v) { return name_of(linkage_names, v); }
std::string_view to_string(RestartPolicy v) { return name_of(restart_names, v); }
std::string_view to_string(AutoloadWhen v) { return name_of(when_names, v); }

std::optional<PackageKind> package_kind_from_string(std::string_view s) {
    return value_of(kind_names, s);
}
std::optional<ExecutionDomain> execution_domain_from_string(std::string_view s) {
    return value_of(domain_names, s);
}
std::optional<Startup> startup_from_string(std::string_view s) {
    return value_of(startup_names, s);
}
std::optional<Linkage> linkage_from_string(std::string_view s) {
    return value_of(linkage_names, s);
}
std::optional<RestartPolicy> restart_policy_from_string(std::string_view s) {
    return value_of(restart_names, s);
}
std::optional<AutoloadWhen> autoload_when_from_string(std::string_view s) {
    return value_of(when_names, s);
}

} // namespace rustos::runtime_control
