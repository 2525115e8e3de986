// The tab-separated registries: records from manifests, rendering, parsing.

#include "text.h"

#include <rustos/runtime_control/desktop_file.h>
#include <rustos/runtime_control/registry.h>

#include <algorithm>
#include <cerrno>
#include <span>

namespace rustos::runtime_control {

namespace {

template <typename T, typename Key>
void sort_by(std::vector<T>& v, Key key) {
    std::sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
}

// Builds one row: key=value fields joined by tabs.
class Row {
public:
    Row& field(std::string_view key, std::string_view value) {
        if (!m_text.empty())
            m_text += '\t';
        m_text += key;
        m_text += '=';
        m_text += value;
        return *this;
    }
    Row& field(std::string_view key, const std::vector<std::string>& list) {
        return field(key, text::join(list, ","));
    }
    Row& field(std::string_view key, const EnvList& env) { return field(key, text::join_env(env)); }
    Row& field(std::string_view key, bool value) { return field(key, text::bool_string(value)); }
    Row& number(std::string_view key, int64_t value) { return field(key, std::to_string(value)); }
    Row& number(std::string_view key, uint64_t value) { return field(key, std::to_string(value)); }
    std::string line() const { return m_text + "\n"; }

private:
    std::string m_text;
};

std::string render_rows(const std::vector<std::string>& lines) {
    std::string out(registry_header);
    out += '\n';
    for (auto& line : lines)
        out += line;
    return out;
}

// One parsed row: the values of the expected columns, in order.
class Fields {
public:
    Fields(const std::string& file, size_t line, std::vector<std::string_view> values)
        : m_file(file), m_line(line), m_values(std::move(values)) {}

    Error error(const std::string& reason) const {
        return Error::formatted(EINVAL, "%s:%zu: %s", m_file.c_str(), m_line, reason.c_str());
    }

    std::string string(size_t i) const { return std::string(m_values[i]); }

    ErrorOr<std::string> nonempty(size_t i, std::string_view key) const {
        if (m_values[i].empty())
            return error("'" + std::string(key) + "' must not be empty");
        return string(i);
    }

    std::vector<std::string> list(size_t i) const {
        std::vector<std::string> out;
        if (m_values[i].empty())
            return out;
        for (auto item : text::split(m_values[i], ','))
            out.emplace_back(item);
        return out;
    }

    ErrorOr<std::vector<std::string>> nonempty_list(size_t i, std::string_view key) const {
        auto out = list(i);
        for (auto& item : out)
            if (item.empty())
                return error("'" + std::string(key) + "' has an empty element");
        return out;
    }

    ErrorOr<EnvList> env(size_t i, std::string_view key) const {
        EnvList out;
        if (m_values[i].empty())
            return out;
        for (auto item : text::split(m_values[i], ';')) {
            size_t eq = item.find('=');
            if (eq == std::string_view::npos || eq == 0)
                return error("'" + std::string(key) + "' entry '" + std::string(item) +
                             "' is not NAME=VALUE");
            out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
        }
        return out;
    }

    template <typename Int>
    ErrorOr<Int> integer(size_t i, std::string_view key) const {
        auto v = text::parse_int<Int>(m_values[i]);
        if (!v)
            return error("'" + std::string(key) + "' must be an integer, not '" + string(i) + "'");
        return *v;
    }

    ErrorOr<bool> boolean(size_t i, std::string_view key) const {
        auto v = text::parse_bool(m_values[i]);
        if (!v)
            return error("'" + std::string(key) + "' must be true or false, not '" + string(i) +
                         "'");
        return *v;
    }

    template <typename E>
    ErrorOr<E> enumeration(size_t i, std::string_view key,
                           std::optional<E> (*from_string)(std::string_view)) const {
        auto v = from_string(m_values[i]);
        if (!v)
            return error("'" + std::string(key) + "' has an unknown value '" + string(i) + "'");
        return *v;
    }

private:
    const std::string& m_file;
    size_t m_line;
    std::vector<std::string_view> m_values;
};

// Splits `text` into rows with exactly `columns` key=value fields in that
// order and hands each to `parse_row`.
template <typename Record, typename ParseRow>
ErrorOr<std::vector<Record>> parse_rows(std::string_view text, const std::string& file,
                                        std::span<const std::string_view> columns,
                                        ParseRow parse_row) {
    std::vector<Record> records;
    size_t line_no = 0;
    auto lines = text::split(text, '\n');
    if (!lines.empty() && lines.back().empty())
        lines.pop_back(); // the final newline
    for (auto line : lines) {
        line_no++;
        if (line.empty() || line.front() == '#')
            continue;
        auto raw = text::split(line, '\t');
        std::vector<std::string_view> values;
        for (size_t i = 0; i < raw.size(); i++) {
            if (i >= columns.size())
                return Error::formatted(
                    EINVAL, "%s:%zu: unexpected field %zu '%.*s' (a row has %zu)", file.c_str(),
                    line_no, i + 1, int(raw[i].size()), raw[i].data(), columns.size());
            size_t eq = raw[i].find('=');
            if (eq == std::string_view::npos || raw[i].substr(0, eq) != columns[i])
                return Error::formatted(EINVAL, "%s:%zu: field %zu must be '%.*s=...', not '%.*s'",
                                        file.c_str(), line_no, i + 1, int(columns[i].size()),
                                        columns[i].data(), int(raw[i].size()), raw[i].data());
            values.push_back(raw[i].substr(eq + 1));
        }
        if (values.size() != columns.size())
            return Error::formatted(EINVAL, "%s:%zu: missing field '%.*s' (a row has %zu)",
                                    file.c_str(), line_no, int(columns[values.size()].size()),
                                    columns[values.size()].data(), columns.size());
        Fields fields(file, line_no, std::move(values));
        records.push_back(TRY(parse_row(fields)));
    }
    return records;
}

constexpr std::string_view startup_columns[] = {"id", "startup", "kind", "path", "runtime_deps"};
constexpr std::string_view launch_columns[] = {
    "id",         "exec",        "args",           "env",
    "startup",    "restart",     "restart_budget", "restart_window_ms",
    "backoff_ms", "runtime_deps"};
constexpr std::string_view desktop_columns[] = {"name",          "package",        "display_name",
                                                "exec",          "args",           "env",
                                                "weight_micros", "console_hosted", "no_display"};
constexpr std::string_view env_columns[] = {"name", "value", "package"};
constexpr std::string_view driver_columns[] = {
    "name",    "class", "bus",      "priority",       "path",         "when",
    "aliases", "deps",  "softdeps", "provider_group", "fallback_only"};

ErrorOr<std::string> absolute_path(const Fields& f, size_t i, std::string_view key) {
    auto path = TRY(f.nonempty(i, key));
    if (path.front() != '/')
        return f.error("'" + std::string(key) + "' must be an absolute path, not '" + path + "'");
    return path;
}

} // namespace

std::vector<StartupRecord> startup_records(const std::vector<Manifest>& manifests) {
    std::vector<StartupRecord> out;
    for (auto& m : manifests)
        if (m.startup != Startup::None)
            out.push_back({m.id, m.startup, m.kind, m.exec_path(), m.runtime_deps});
    sort_by(out, [](auto& r) { return r.id; });
    return out;
}

std::vector<LaunchSpec> launch_specs(const std::vector<Manifest>& manifests) {
    std::vector<LaunchSpec> out;
    for (auto& m : manifests) {
        if (m.startup != Startup::Session && m.startup != Startup::Desktop &&
            m.kind != PackageKind::App)
            continue;
        auto& r = m.runtime;
        out.push_back({m.id, m.exec_path(), r.args, r.env, m.startup, r.restart, r.restart_budget,
                       r.restart_window_ms, r.backoff_ms, m.runtime_deps});
    }
    sort_by(out, [](auto& r) { return r.id; });
    return out;
}

std::vector<DesktopEntry> desktop_entries(const std::vector<Manifest>& manifests) {
    std::vector<DesktopEntry> out;
    for (auto& m : manifests)
        out.insert(out.end(), m.desktop_entries.begin(), m.desktop_entries.end());
    sort_by(out, [](auto& r) { return r.name; });
    return out;
}

std::vector<EnvRecord> env_records(const std::vector<Manifest>& manifests) {
    std::vector<EnvRecord> out;
    for (auto& m : manifests)
        for (auto& [name, value] : m.environment)
            out.push_back({name, value, m.id});
    sort_by(out, [](auto& r) { return r.name; });
    return out;
}

std::vector<DriverRecord> driver_records(const std::vector<Manifest>& manifests) {
    std::vector<DriverRecord> out;
    for (auto& m : manifests) {
        if (!m.autoload)
            continue;
        auto& a = *m.autoload;
        out.push_back({a.name, a.class_name, a.bus, a.priority, m.exec_path(), a.when, a.aliases,
                       a.deps, a.softdeps, a.provider_group, a.fallback_only});
    }
    sort_by(out, [](auto& r) { return r.name; });
    return out;
}

std::string render_startup(const std::vector<StartupRecord>& records) {
    std::vector<std::string> lines;
    for (auto& r : records)
        lines.push_back(Row()
                            .field("id", r.id)
                            .field("startup", to_string(r.startup))
                            .field("kind", to_string(r.kind))
                            .field("path", r.path)
                            .field("runtime_deps", r.runtime_deps)
                            .line());
    return render_rows(lines);
}

std::string render_runtime_launch(const std::vector<LaunchSpec>& specs) {
    std::vector<std::string> lines;
    for (auto& s : specs)
        lines.push_back(Row()
                            .field("id", s.id)
                            .field("exec", s.exec)
                            .field("args", s.args)
                            .field("env", s.env)
                            .field("startup", to_string(s.startup))
                            .field("restart", to_string(s.restart))
                            .number("restart_budget", s.restart_budget)
                            .number("restart_window_ms", s.restart_window_ms)
                            .number("backoff_ms", s.backoff_ms)
                            .field("runtime_deps", s.runtime_deps)
                            .line());
    return render_rows(lines);
}

std::string render_desktop_programs(const std::vector<DesktopEntry>& entries) {
    std::vector<std::string> lines;
    for (auto& e : entries)
        lines.push_back(Row()
                            .field("name", e.name)
                            .field("package", e.package)
                            .field("display_name", e.display_name)
                            .field("exec", e.exec)
                            .field("args", e.args)
                            .field("env", e.env)
                            .number("weight_micros", e.weight_micros)
                            .field("console_hosted", e.console_hosted)
                            .field("no_display", e.no_display)
                            .line());
    return render_rows(lines);
}

std::string render_runtime_env(const std::vector<EnvRecord>& records) {
    std::vector<std::string> lines;
    for (auto& r : records)
        lines.push_back(
            Row().field("name", r.name).field("value", r.value).field("package", r.package).line());
    return render_rows(lines);
}

std::string render_loadable_drivers(const std::vector<DriverRecord>& records) {
    std::vector<std::string> lines;
    for (auto& r : records)
        lines.push_back(Row()
                            .field("name", r.name)
                            .field("class", r.class_name)
                            .field("bus", r.bus)
                            .number("priority", r.priority)
                            .field("path", r.path)
                            .field("when", to_string(r.when))
                            .field("aliases", r.aliases)
                            .field("deps", r.deps)
                            .field("softdeps", r.softdeps)
                            .field("provider_group", r.provider_group)
                            .field("fallback_only", r.fallback_only)
                            .line());
    return render_rows(lines);
}

ErrorOr<std::vector<StartupRecord>> parse_startup(std::string_view text, const std::string& file) {
    return parse_rows<StartupRecord>(
        text, file, startup_columns, [](const Fields& f) -> ErrorOr<StartupRecord> {
            StartupRecord r;
            r.id = TRY(f.nonempty(0, "id"));
            r.startup = TRY(f.enumeration(1, "startup", startup_from_string));
            r.kind = TRY(f.enumeration(2, "kind", package_kind_from_string));
            r.path = TRY(absolute_path(f, 3, "path"));
            r.runtime_deps = TRY(f.nonempty_list(4, "runtime_deps"));
            return r;
        });
}

ErrorOr<std::vector<LaunchSpec>> parse_runtime_launch(std::string_view text,
                                                      const std::string& file) {
    return parse_rows<LaunchSpec>(
        text, file, launch_columns, [](const Fields& f) -> ErrorOr<LaunchSpec> {
            LaunchSpec s;
            s.id = TRY(f.nonempty(0, "id"));
            s.exec = TRY(absolute_path(f, 1, "exec"));
            s.args = TRY(f.nonempty_list(2, "args"));
            s.env = TRY(f.env(3, "env"));
            s.startup = TRY(f.enumeration(4, "startup", startup_from_string));
            s.restart = TRY(f.enumeration(5, "restart", restart_policy_from_string));
            s.restart_budget = TRY(f.integer<uint64_t>(6, "restart_budget"));
            s.restart_window_ms = TRY(f.integer<uint64_t>(7, "restart_window_ms"));
            if (s.restart_window_ms == 0)
                return f.error("'restart_window_ms' must be greater than 0");
            s.backoff_ms = TRY(f.integer<uint64_t>(8, "backoff_ms"));
            s.runtime_deps = TRY(f.nonempty_list(9, "runtime_deps"));
            return s;
        });
}

ErrorOr<std::vector<DesktopEntry>> parse_desktop_programs(std::string_view text,
                                                          const std::string& file) {
    return parse_rows<DesktopEntry>(
        text, file, desktop_columns, [](const Fields& f) -> ErrorOr<DesktopEntry> {
            DesktopEntry e;
            e.name = TRY(f.nonempty(0, "name"));
            e.package = f.string(1);
            e.display_name = f.string(2);
            e.exec = TRY(absolute_path(f, 3, "exec"));
            e.args = TRY(f.nonempty_list(4, "args"));
            e.env = TRY(f.env(5, "env"));
            e.weight_micros = TRY(f.integer<uint64_t>(6, "weight_micros"));
            e.console_hosted = TRY(f.boolean(7, "console_hosted"));
            e.no_display = TRY(f.boolean(8, "no_display"));
            return e;
        });
}

ErrorOr<std::vector<EnvRecord>> parse_runtime_env(std::string_view text, const std::string& file) {
    return parse_rows<EnvRecord>(text, file, env_columns,
                                 [](const Fields& f) -> ErrorOr<EnvRecord> {
                                     EnvRecord r;
                                     r.name = TRY(f.nonempty(0, "name"));
                                     r.value = f.string(1);
                                     r.package = f.string(2);
                                     return r;
                                 });
}

ErrorOr<std::vector<DriverRecord>> parse_loadable_drivers(std::string_view text,
                                                          const std::string& file) {
    return parse_rows<DriverRecord>(
        text, file, driver_columns, [](const Fields& f) -> ErrorOr<DriverRecord> {
            DriverRecord r;
            r.name = TRY(f.nonempty(0, "name"));
            r.class_name = TRY(f.nonempty(1, "class"));
            r.bus = TRY(f.nonempty(2, "bus"));
            r.priority = TRY(f.integer<int64_t>(3, "priority"));
            r.path = TRY(absolute_path(f, 4, "path"));
            r.when = TRY(f.enumeration(5, "when", autoload_when_from_string));
            r.aliases = TRY(f.nonempty_list(6, "aliases"));
            r.deps = TRY(f.nonempty_list(7, "deps"));
            r.softdeps = TRY(f.nonempty_list(8, "softdeps"));
            r.provider_group = f.string(9);
            r.fallback_only = TRY(f.boolean(10, "fallback_only"));
            return r;
        });
}

std::vector<GeneratedFile> render_registries(const std::vector<Manifest>& manifests) {
    std::vector<GeneratedFile> files;
    files.push_back(
        {std::string(startup_registry_path), render_startup(startup_records(manifests))});
    files.push_back({std::string(runtime_launch_registry_path),
                     render_runtime_launch(launch_specs(manifests))});
    auto entries = desktop_entries(manifests);
    files.push_back(
        {std::string(desktop_programs_registry_path), render_desktop_programs(entries)});
    files.push_back(
        {std::string(runtime_env_registry_path), render_runtime_env(env_records(manifests))});
    files.push_back({std::string(loadable_drivers_registry_path),
                     render_loadable_drivers(driver_records(manifests))});
    for (auto& e : entries)
        files.push_back(
            {std::string(applications_dir) + "/" + e.name + ".desktop", render_desktop_file(e)});
    sort_by(files, [](auto& f) { return f.path; });
    return files;
}

} // namespace rustos::runtime_control
