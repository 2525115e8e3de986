// Strict parsing of one RUSTOS.package.toml. toml++ does the TOML; this file
// checks the schema (docs/manifests.md): required keys, types, enum values,
// no unknown keys, and that strings bound for the tab-separated registries
// cannot break their rows.

#include "text.h"

#include <rustos/runtime_control/manifest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <initializer_list>

#include <toml++/toml.h>

namespace rustos::runtime_control {

bool Manifest::in_profile(std::string_view profile) const {
    return std::find(profiles.begin(), profiles.end(), profile) != profiles.end();
}

namespace {

SourcePos pos_of(const toml::source_region& region) {
    return SourcePos{region.begin.line, region.begin.column};
}

std::string_view type_name(toml::node_type type) {
    switch (type) {
    case toml::node_type::none:
        return "nothing";
    case toml::node_type::table:
        return "a table";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a float";
    case toml::node_type::boolean:
        return "a boolean";
    case toml::node_type::date:
        return "a date";
    case toml::node_type::time:
        return "a time";
    case toml::node_type::date_time:
        return "a date-time";
    }
    return "a value";
}

// What a string may contain, by where it ends up.
enum class StringRule {
    Any,      // not written to any registry (description)
    Field,    // a registry field: no tab, newline or other control character
    ListItem, // an element of a comma-separated list: Field, no ',', not empty
    EnvValue, // an env value in "K=V;K2=V2": Field, no ';'
};

class Parser {
public:
    explicit Parser(const std::string& file) : m_file(file) {}

    Error error_at(SourcePos pos, const std::string& reason) const {
        // The root table and implicit tables may have no position; point at
        // the start of the file rather than at line 0.
        uint32_t line = pos.line ? pos.line : 1;
        uint32_t column = pos.line ? pos.column : 1;
        return Error::formatted(EINVAL, "%s:%u:%u: %s", m_file.c_str(), line, column,
                                reason.c_str());
    }
    Error error_at(const toml::node& node, const std::string& reason) const {
        return error_at(pos_of(node.source()), reason);
    }

    // Unknown keys, reported in source order.
    ErrorOr<void> check_keys(const toml::table& table, const std::string& prefix,
                             std::initializer_list<std::string_view> allowed) const {
        const toml::key* first = nullptr;
        for (auto&& [key, node] : table) {
            (void)node;
            if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end())
                continue;
            auto before = [](const toml::key& a, const toml::key& b) {
                auto pa = a.source().begin, pb = b.source().begin;
                return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
            };
            if (!first || before(key, *first))
                first = &key;
        }
        if (!first)
            return {};
        std::string expected;
        for (auto name : allowed) {
            if (!expected.empty())
                expected += ", ";
            expected += name;
        }
        return error_at(pos_of(first->source()), "unknown key '" + prefix +
                                                     std::string(first->str()) +
                                                     "' (expected one of: " + expected + ")");
    }

    ErrorOr<void> check_string(const toml::node& node, const std::string& what,
                               const std::string& value, StringRule rule) const {
        if (rule == StringRule::Any)
            return {};
        if (value.find('\t') != std::string::npos)
            return error_at(node, what + " must not contain a tab (registry fields are "
                                         "tab-separated)");
        if (value.find('\n') != std::string::npos || value.find('\r') != std::string::npos)
            return error_at(node, what + " must not contain a line break (registry rows are "
                                         "one line)");
        if (text::has_control_char(value))
            return error_at(node, what + " must not contain control characters");
        if (rule == StringRule::ListItem) {
            if (value.empty())
                return error_at(node, what + " must not be empty");
            if (value.find(',') != std::string::npos)
                return error_at(node, what + " must not contain ',' (lists are comma-separated "
                                             "in the registries)");
        }
        if (rule == StringRule::EnvValue && value.find(';') != std::string::npos)
            return error_at(node, what + " must not contain ';' (environments are written as "
                                         "K=V;K2=V2 in the registries)");
        return {};
    }

    ErrorOr<std::string> string_node(const toml::node& node, const std::string& what,
                                     StringRule rule) const {
        auto* s = node.as_string();
        if (!s)
            return error_at(node,
                            what + " must be a string, not " + std::string(type_name(node.type())));
        std::string value = s->get();
        TRY(check_string(node, what, value, rule));
        return value;
    }

    ErrorOr<std::string> required_string(const toml::table& table, const std::string& prefix,
                                         std::string_view key, StringRule rule) const {
        auto* node = table.get(key);
        if (!node)
            return error_at(table, "missing required key '" + prefix + std::string(key) + "'");
        return string_node(*node, "'" + prefix + std::string(key) + "'", rule);
    }

    ErrorOr<std::optional<std::string>> optional_string(const toml::table& table,
                                                        const std::string& prefix,
                                                        std::string_view key,
                                                        StringRule rule) const {
        auto* node = table.get(key);
        if (!node)
            return std::optional<std::string>{};
        return std::optional<std::string>(
            TRY(string_node(*node, "'" + prefix + std::string(key) + "'", rule)));
    }

    template <typename E>
    ErrorOr<E> enum_node(const toml::node& node, const std::string& what,
                         std::optional<E> (*from_string)(std::string_view),
                         std::string_view choices) const {
        std::string s = TRY(string_node(node, what, StringRule::Any));
        auto value = from_string(s);
        if (!value)
            return error_at(node,
                            what + " must be one of " + std::string(choices) + ", not '" + s + "'");
        return *value;
    }

    template <typename E>
    ErrorOr<std::optional<E>> optional_enum(const toml::table& table, const std::string& prefix,
                                            std::string_view key,
                                            std::optional<E> (*from_string)(std::string_view),
                                            std::string_view choices) const {
        auto* node = table.get(key);
        if (!node)
            return std::optional<E>{};
        return std::optional<E>(
            TRY(enum_node(*node, "'" + prefix + std::string(key) + "'", from_string, choices)));
    }

    template <typename E>
    ErrorOr<E> required_enum(const toml::table& table, const std::string& prefix,
                             std::string_view key,
                             std::optional<E> (*from_string)(std::string_view),
                             std::string_view choices) const {
        auto value = TRY(optional_enum(table, prefix, key, from_string, choices));
        if (!value)
            return error_at(table, "missing required key '" + prefix + std::string(key) + "'");
        return *value;
    }

    struct StringList {
        std::vector<std::string> values;
        std::vector<SourcePos> positions;
    };

    // An array of strings; `unique` rejects repeated elements.
    ErrorOr<StringList> string_list(const toml::node& node, const std::string& what,
                                    StringRule rule, bool unique) const {
        auto* array = node.as_array();
        if (!array)
            return error_at(node, what + " must be an array of strings, not " +
                                      std::string(type_name(node.type())));
        StringList list;
        for (auto& element : *array) {
            std::string value = TRY(string_node(element, what + " elements", rule));
            if (unique &&
                std::find(list.values.begin(), list.values.end(), value) != list.values.end())
                return error_at(element, what + " lists '" + value + "' twice");
            list.values.push_back(std::move(value));
            list.positions.push_back(pos_of(element.source()));
        }
        return list;
    }

    ErrorOr<StringList> optional_list(const toml::table& table, const std::string& prefix,
                                      std::string_view key, StringRule rule, bool unique) const {
        auto* node = table.get(key);
        if (!node)
            return StringList{};
        return string_list(*node, "'" + prefix + std::string(key) + "'", rule, unique);
    }

    ErrorOr<StringList> required_list(const toml::table& table, const std::string& prefix,
                                      std::string_view key, StringRule rule, bool unique) const {
        if (!table.get(key))
            return error_at(table, "missing required key '" + prefix + std::string(key) + "'");
        return optional_list(table, prefix, key, rule, unique);
    }

    ErrorOr<std::optional<int64_t>> optional_integer(const toml::table& table,
                                                     const std::string& prefix,
                                                     std::string_view key, int64_t min) const {
        auto* node = table.get(key);
        if (!node)
            return std::optional<int64_t>{};
        std::string what = "'" + prefix + std::string(key) + "'";
        auto* i = node->as_integer();
        if (!i)
            return error_at(*node, what + " must be an integer, not " +
                                       std::string(type_name(node->type())));
        if (i->get() < min)
            return error_at(*node, what + " must be at least " + std::to_string(min) + ", not " +
                                       std::to_string(i->get()));
        return std::optional<int64_t>(i->get());
    }

    ErrorOr<bool> optional_bool(const toml::table& table, const std::string& prefix,
                                std::string_view key, bool fallback) const {
        auto* node = table.get(key);
        if (!node)
            return fallback;
        auto* b = node->as_boolean();
        if (!b)
            return error_at(*node, "'" + prefix + std::string(key) + "' must be a boolean, not " +
                                       std::string(type_name(node->type())));
        return b->get();
    }

    // A table of environment variables: names [A-Za-z_][A-Za-z0-9_]*, string
    // values without ';'. Sorted by name (toml++ keeps tables ordered).
    ErrorOr<EnvList> env_table(const toml::node& node, const std::string& what,
                               std::vector<SourcePos>* positions) const {
        auto* table = node.as_table();
        if (!table)
            return error_at(node, what + " must be a table of strings, not " +
                                      std::string(type_name(node.type())));
        EnvList env;
        for (auto&& [key, value] : *table) {
            std::string name(key.str());
            if (!text::is_env_name(name))
                return error_at(pos_of(key.source()),
                                what + ": '" + name +
                                    "' is not a valid environment variable name "
                                    "([A-Za-z_][A-Za-z0-9_]*)");
            std::string v =
                TRY(string_node(value, what + " value of '" + name + "'", StringRule::EnvValue));
            env.emplace_back(std::move(name), std::move(v));
            if (positions)
                positions->push_back(pos_of(key.source()));
        }
        return env;
    }

    ErrorOr<const toml::table*> sub_table(const toml::table& parent, std::string_view key,
                                          bool required, const std::string& what) const {
        auto* node = parent.get(key);
        if (!node) {
            if (required)
                return error_at(parent, "missing required table " + what);
            return static_cast<const toml::table*>(nullptr);
        }
        auto* table = node->as_table();
        if (!table)
            return error_at(*node,
                            what + " must be a table, not " + std::string(type_name(node->type())));
        return table;
    }

    ErrorOr<Manifest> parse(const toml::table& root);

private:
    ErrorOr<void> parse_build(const toml::table& root, Manifest& m) const;
    ErrorOr<void> parse_install(const toml::table& root, Manifest& m) const;
    ErrorOr<void> parse_runtime(const toml::table& root, Manifest& m) const;
    ErrorOr<void> parse_desktop(const toml::table& root, Manifest& m) const;
    ErrorOr<DesktopEntry> parse_desktop_entry(const toml::table& table, const Manifest& m) const;
    ErrorOr<void> parse_autoload(const toml::table& root, Manifest& m) const;

    const std::string& m_file;
};

// A relative path without empty, "." or ".." components.
bool is_clean_relative_path(std::string_view path) {
    if (path.empty() || path.front() == '/' || path.back() == '/')
        return false;
    for (auto part : text::split(path, '/'))
        if (part.empty() || part == "." || part == "..")
            return false;
    return true;
}

ErrorOr<Manifest> Parser::parse(const toml::table& root) {
    TRY(check_keys(root, "",
                   {"id", "kind", "execution_domain", "profiles", "startup", "runtime_deps",
                    "description", "build", "install", "runtime", "environment", "desktop",
                    "autoload"}));
    Manifest m;
    m.file = m_file;

    m.id = TRY(required_string(root, "", "id", StringRule::Field));
    m.positions.id = pos_of(root.get("id")->source());
    if (!text::is_package_id(m.id))
        return error_at(*root.get("id"), "'id' must match [a-z0-9][a-z0-9-]*, not '" + m.id + "'");
    auto directory = std::filesystem::path(m_file).parent_path().filename().string();
    if (!directory.empty() && directory != m.id)
        return error_at(*root.get("id"), "'id' is '" + m.id +
                                             "' but the manifest is in directory '" + directory +
                                             "' (they must be equal)");

    m.kind = TRY(required_enum(root, "", "kind", package_kind_from_string,
                               "\"service\", \"app\", \"kernel-driver\""));
    m.execution_domain = TRY(required_enum(root, "", "execution_domain",
                                           execution_domain_from_string, "\"user\", \"kernel\""));
    bool driver = m.kind == PackageKind::KernelDriver;
    if ((m.execution_domain == ExecutionDomain::Kernel) != driver)
        return error_at(*root.get("execution_domain"),
                        driver ? "a kernel-driver must have execution_domain = \"kernel\""
                               : "execution_domain = \"kernel\" is only for kind = "
                                 "\"kernel-driver\"");

    auto profiles = TRY(required_list(root, "", "profiles", StringRule::ListItem, true));
    if (profiles.values.empty())
        return error_at(*root.get("profiles"), "'profiles' must not be empty");
    for (size_t i = 0; i < profiles.values.size(); i++)
        if (!text::is_package_id(profiles.values[i]))
            return error_at(profiles.positions[i],
                            "profile '" + profiles.values[i] + "' must match [a-z0-9][a-z0-9-]*");
    m.profiles = std::move(profiles.values);

    m.startup = TRY(required_enum(root, "", "startup", startup_from_string,
                                  "\"none\", \"init\", \"session\", \"desktop\""));
    if (driver && m.startup != Startup::None)
        return error_at(*root.get("startup"),
                        "a kernel-driver must have startup = \"none\" (driverd loads it "
                        "through [autoload])");

    auto deps = TRY(optional_list(root, "", "runtime_deps", StringRule::ListItem, true));
    for (size_t i = 0; i < deps.values.size(); i++) {
        if (!text::is_package_id(deps.values[i]))
            return error_at(deps.positions[i],
                            "runtime dependency '" + deps.values[i] + "' is not a package id");
        if (deps.values[i] == m.id)
            return error_at(deps.positions[i], "runtime dependency cycle: " + m.id + " -> " + m.id);
    }
    if (driver && !deps.values.empty())
        return error_at(*root.get("runtime_deps"),
                        "a kernel-driver has no 'runtime_deps' (use [autoload] deps)");
    m.runtime_deps = std::move(deps.values);
    m.positions.runtime_deps = std::move(deps.positions);

    m.description =
        TRY(optional_string(root, "", "description", StringRule::Any)).value_or(std::string());

    TRY(parse_build(root, m));
    TRY(parse_install(root, m));
    TRY(parse_runtime(root, m));

    if (auto* node = root.get("environment")) {
        if (driver)
            return error_at(*node, "a kernel-driver has no [environment]");
        m.environment = TRY(env_table(*node, "[environment]", &m.positions.environment));
    }

    TRY(parse_desktop(root, m));
    TRY(parse_autoload(root, m));
    return m;
}

ErrorOr<void> Parser::parse_build(const toml::table& root, Manifest& m) const {
    auto* build = TRY(sub_table(root, "build", true, "[build]"));
    TRY(check_keys(*build, "build.", {"target", "linkage"}));
    m.build_target = TRY(required_string(*build, "build.", "target", StringRule::Field));
    if (m.build_target.empty())
        return error_at(*build->get("target"), "'build.target' must not be empty");
    m.linkage = TRY(optional_enum(*build, "build.", "linkage", linkage_from_string,
                                  "\"static\", \"dynamic\""))
                    .value_or(Linkage::Static);
    return {};
}

ErrorOr<void> Parser::parse_install(const toml::table& root, Manifest& m) const {
    auto* install = TRY(sub_table(root, "install", true, "[install]"));
    TRY(check_keys(*install, "install.", {"path"}));
    m.install_path = TRY(required_string(*install, "install.", "path", StringRule::Field));
    auto& node = *install->get("path");
    m.positions.install_path = pos_of(node.source());
    if (m.install_path.starts_with('/'))
        return error_at(node, "'install.path' is relative to the boot volume: write '" +
                                  m.install_path.substr(m.install_path.find_first_not_of('/')) +
                                  "' without the leading '/'");
    if (!is_clean_relative_path(m.install_path))
        return error_at(node, "'install.path' must be a relative path without empty, '.' or "
                              "'..' components, not '" +
                                  m.install_path + "'");
    return {};
}

ErrorOr<void> Parser::parse_runtime(const toml::table& root, Manifest& m) const {
    auto* runtime = TRY(sub_table(root, "runtime", false, "[runtime]"));
    if (!runtime)
        return {};
    if (m.kind == PackageKind::KernelDriver)
        return error_at(*runtime, "a kernel-driver has no [runtime] (it is not a process)");
    TRY(check_keys(
        *runtime, "runtime.",
        {"args", "env", "restart", "restart_budget", "restart_window_ms", "backoff_ms"}));
    auto& r = m.runtime;
    r.args = TRY(optional_list(*runtime, "runtime.", "args", StringRule::ListItem, false)).values;
    if (auto* env = runtime->get("env"))
        r.env = TRY(env_table(*env, "'runtime.env'", nullptr));
    r.restart = TRY(optional_enum(*runtime, "runtime.", "restart", restart_policy_from_string,
                                  "\"on-failure\", \"always\", \"never\""))
                    .value_or(RestartPolicy::OnFailure);
    r.restart_budget = TRY(optional_integer(*runtime, "runtime.", "restart_budget", 0)).value_or(3);
    r.restart_window_ms =
        TRY(optional_integer(*runtime, "runtime.", "restart_window_ms", 1)).value_or(10000);
    r.backoff_ms = TRY(optional_integer(*runtime, "runtime.", "backoff_ms", 0)).value_or(200);
    return {};
}

ErrorOr<void> Parser::parse_desktop(const toml::table& root, Manifest& m) const {
    auto* desktop = TRY(sub_table(root, "desktop", false, "[desktop]"));
    if (!desktop)
        return {};
    if (m.kind == PackageKind::KernelDriver)
        return error_at(*desktop, "a kernel-driver has no desktop entries");
    TRY(check_keys(*desktop, "desktop.", {"entries"}));
    auto* node = desktop->get("entries");
    if (!node)
        return error_at(*desktop, "missing required key 'desktop.entries' (write "
                                  "[[desktop.entries]] tables)");
    auto* entries = node->as_array();
    if (!entries)
        return error_at(*node,
                        "'desktop.entries' must be an array of tables ([[desktop.entries]]), "
                        "not " +
                            std::string(type_name(node->type())));
    for (auto& element : *entries) {
        auto* table = element.as_table();
        if (!table)
            return error_at(element, "'desktop.entries' elements must be tables, not " +
                                         std::string(type_name(element.type())));
        m.desktop_entries.push_back(TRY(parse_desktop_entry(*table, m)));
        auto* name = table->get("name");
        m.positions.desktop_entries.push_back(pos_of(name ? name->source() : table->source()));
    }
    return {};
}

ErrorOr<DesktopEntry> Parser::parse_desktop_entry(const toml::table& table,
                                                  const Manifest& m) const {
    const std::string prefix = "desktop.entries.";
    TRY(check_keys(table, prefix,
                   {"name", "display_name", "exec", "args", "env", "weight_micros",
                    "console_hosted", "no_display", "comment", "categories"}));
    DesktopEntry e;
    e.package = m.id;
    e.name = TRY(optional_string(table, prefix, "name", StringRule::Field)).value_or(m.id);
    if (!text::is_entry_name(e.name))
        return error_at(table.get("name") ? *table.get("name")
                                          : static_cast<const toml::node&>(table),
                        "desktop entry name '" + e.name +
                            "' must match [A-Za-z0-9][A-Za-z0-9._-]* (it names the .desktop file)");
    e.display_name = TRY(required_string(table, prefix, "display_name", StringRule::Field));
    if (e.display_name.empty())
        return error_at(*table.get("display_name"), "'desktop.entries.display_name' must not be "
                                                    "empty");
    e.exec = TRY(required_string(table, prefix, "exec", StringRule::Field));
    if (!e.exec.starts_with('/'))
        return error_at(*table.get("exec"),
                        "'desktop.entries.exec' must be an absolute path, not '" + e.exec + "'");
    e.args = TRY(optional_list(table, prefix, "args", StringRule::ListItem, false)).values;
    if (auto* env = table.get("env"))
        e.env = TRY(env_table(*env, "'desktop.entries.env'", nullptr));
    e.weight_micros = TRY(optional_integer(table, prefix, "weight_micros", 0)).value_or(0);
    e.console_hosted = TRY(optional_bool(table, prefix, "console_hosted", false));
    e.no_display = TRY(optional_bool(table, prefix, "no_display", false));
    e.comment =
        TRY(optional_string(table, prefix, "comment", StringRule::Field)).value_or(std::string());
    auto categories = TRY(optional_list(table, prefix, "categories", StringRule::ListItem, true));
    for (size_t i = 0; i < categories.values.size(); i++)
        if (categories.values[i].find(';') != std::string::npos)
            return error_at(categories.positions[i],
                            "'desktop.entries.categories' elements must not contain ';' (the "
                            "Categories= separator)");
    e.categories = std::move(categories.values);
    return e;
}

ErrorOr<void> Parser::parse_autoload(const toml::table& root, Manifest& m) const {
    bool driver = m.kind == PackageKind::KernelDriver;
    auto* autoload =
        TRY(sub_table(root, "autoload", driver, "[autoload] (kind = \"kernel-driver\")"));
    if (!autoload)
        return {};
    if (!driver)
        return error_at(*autoload, "[autoload] is only for kind = \"kernel-driver\"");
    const std::string prefix = "autoload.";
    TRY(check_keys(*autoload, prefix,
                   {"name", "class", "bus", "priority", "when", "aliases", "deps", "softdeps",
                    "provider_group", "fallback_only"}));
    Autoload a;
    a.name = TRY(required_string(*autoload, prefix, "name", StringRule::Field));
    m.positions.autoload_name = pos_of(autoload->get("name")->source());
    if (!text::is_driver_name(a.name))
        return error_at(*autoload->get("name"),
                        "'autoload.name' must match [a-z0-9][a-z0-9_-]*, not '" + a.name + "'");
    a.class_name = TRY(required_string(*autoload, prefix, "class", StringRule::Field));
    if (!text::is_package_id(a.class_name))
        return error_at(*autoload->get("class"), "'autoload.class' must match [a-z0-9][a-z0-9-]* "
                                                 "(display, block, net, input, hid, bus, ...), "
                                                 "not '" +
                                                     a.class_name + "'");
    a.bus = TRY(required_string(*autoload, prefix, "bus", StringRule::Field));
    static constexpr std::string_view buses[] = {"pci",   "virtio",   "usb",
                                                 "serio", "platform", "hid"};
    if (std::find(std::begin(buses), std::end(buses), a.bus) == std::end(buses))
        return error_at(*autoload->get("bus"),
                        "'autoload.bus' must be one of \"pci\", \"virtio\", \"usb\", \"serio\", "
                        "\"platform\", \"hid\", not '" +
                            a.bus + "'");
    auto priority = TRY(optional_integer(*autoload, prefix, "priority", INT64_MIN));
    if (!priority)
        return error_at(*autoload, "missing required key 'autoload.priority'");
    a.priority = *priority;
    a.when = TRY(required_enum(*autoload, prefix, "when", autoload_when_from_string,
                               "\"boot\", \"hotplug\", \"demand\""));
    auto aliases = TRY(required_list(*autoload, prefix, "aliases", StringRule::ListItem, true));
    for (size_t i = 0; i < aliases.values.size(); i++) {
        auto& alias = aliases.values[i];
        if (alias.find(' ') != std::string::npos || alias.find(':') == std::string::npos ||
            alias.front() == ':')
            return error_at(aliases.positions[i],
                            "alias '" + alias +
                                "' is not a modalias glob (\"<bus>:<fields>\", no spaces, e.g. "
                                "\"virtio:d00000010v*\")");
    }
    a.aliases = std::move(aliases.values);
    auto deps = TRY(optional_list(*autoload, prefix, "deps", StringRule::ListItem, true));
    auto softdeps = TRY(optional_list(*autoload, prefix, "softdeps", StringRule::ListItem, true));
    for (auto* list : {&deps, &softdeps})
        for (size_t i = 0; i < list->values.size(); i++)
            if (!text::is_driver_name(list->values[i]))
                return error_at(list->positions[i],
                                "'" + list->values[i] + "' is not a driver name");
    a.deps = std::move(deps.values);
    m.positions.autoload_deps = std::move(deps.positions);
    a.softdeps = std::move(softdeps.values);
    a.provider_group = TRY(optional_string(*autoload, prefix, "provider_group", StringRule::Field))
                           .value_or(std::string());
    if (autoload->get("provider_group") && !text::is_driver_name(a.provider_group))
        return error_at(*autoload->get("provider_group"),
                        "'autoload.provider_group' must match [a-z0-9][a-z0-9_-]*, not '" +
                            a.provider_group + "'");
    a.fallback_only = TRY(optional_bool(*autoload, prefix, "fallback_only", false));

    std::string expected = "system/drivers/" + a.class_name + "/" + a.name + ".ko";
    if (m.install_path != expected) {
        SourcePos pos = m.positions.install_path;
        return error_at(pos, "a kernel-driver is installed at 'system/drivers/<class>/<name>.ko': "
                             "'install.path' must be '" +
                                 expected + "', not '" + m.install_path + "'");
    }
    m.autoload = std::move(a);
    return {};
}

} // namespace

ErrorOr<Manifest> parse_manifest(std::string_view toml_text, const std::string& file_name) {
    Parser parser(file_name);
#if TOML_EXCEPTIONS
    toml::table root;
    try {
        root = toml::parse(toml_text, std::string_view(file_name));
    } catch (const toml::parse_error& e) {
        return parser.error_at(pos_of(e.source()), std::string(e.description()));
    }
    return parser.parse(root);
#else
    auto result = toml::parse(toml_text, std::string_view(file_name));
    if (!result)
        return parser.error_at(pos_of(result.error().source()),
                               std::string(result.error().description()));
    return parser.parse(result.table());
#endif
}

} // namespace rustos::runtime_control
