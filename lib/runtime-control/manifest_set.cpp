// All manifests of a source tree: finding and loading them, and the checks
// that need more than one manifest (duplicates, dependencies, cycles).

#include <rustos/runtime_control/file.h>
#include <rustos/runtime_control/manifest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <system_error>

namespace fs = std::filesystem;

namespace rustos::runtime_control {

namespace {

std::string where(const Manifest& m, SourcePos pos) {
    uint32_t line = pos.line ? pos.line : 1;
    uint32_t column = pos.line ? pos.column : 1;
    return m.file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

// Collects every problem; the error joins them one per line.
class Problems {
public:
    void add(const Manifest& m, SourcePos pos, const std::string& reason) {
        m_lines.push_back(where(m, pos) + ": " + reason);
    }
    void add(std::string line) { m_lines.push_back(std::move(line)); }
    bool empty() const { return m_lines.empty(); }
    Error error() const {
        std::string message;
        for (auto& line : m_lines) {
            if (!message.empty())
                message += '\n';
            message += line;
        }
        return Error::with_message(EINVAL, std::move(message));
    }

private:
    std::vector<std::string> m_lines;
};

// Depth-first search for cycles in a graph given as node -> edges (only
// edges to known nodes). Calls `report` once per cycle found, with the path
// from the first node of the cycle back to itself.
void find_cycles(const std::map<std::string, std::vector<std::string>>& graph,
                 const std::function<void(const std::vector<std::string>&)>& report) {
    enum class Mark { New, Active, Done };
    std::map<std::string, Mark> marks;
    std::vector<std::string> stack;
    std::function<void(const std::string&)> visit = [&](const std::string& node) {
        marks[node] = Mark::Active;
        stack.push_back(node);
        for (auto& next : graph.at(node)) {
            if (!graph.contains(next))
                continue;
            Mark mark = marks.contains(next) ? marks[next] : Mark::New;
            if (mark == Mark::Active) {
                auto begin = std::find(stack.begin(), stack.end(), next);
                std::vector<std::string> cycle(begin, stack.end());
                cycle.push_back(next);
                report(cycle);
            } else if (mark == Mark::New) {
                visit(next);
            }
        }
        stack.pop_back();
        marks[node] = Mark::Done;
    };
    for (auto& [node, edges] : graph) {
        (void)edges;
        if (!marks.contains(node))
            visit(node);
    }
}

std::string cycle_text(const std::vector<std::string>& cycle) {
    std::string text;
    for (auto& node : cycle) {
        if (!text.empty())
            text += " -> ";
        text += node;
    }
    return text;
}

} // namespace

ErrorOr<std::vector<Manifest>> load_manifests(const std::string& source_root) {
    std::vector<std::string> files; // relative to source_root
    std::error_code ec;
    fs::path root(source_root);
    for (auto& entry : fs::directory_iterator(root / "services", ec)) {
        if (entry.is_directory() && fs::is_regular_file(entry.path() / manifest_file_name))
            files.push_back(
                (fs::path("services") / entry.path().filename() / manifest_file_name).string());
    }
    if (ec && ec != std::errc::no_such_file_or_directory)
        return Error::formatted(ec.value(), "%s/services: %s", source_root.c_str(),
                                ec.message().c_str());
    for (std::string_view top : {"apps", "drivers"}) {
        ec.clear();
        fs::recursive_directory_iterator it(root / top, ec), end;
        if (ec == std::errc::no_such_file_or_directory)
            continue;
        if (ec)
            return Error::formatted(ec.value(), "%s/%.*s: %s", source_root.c_str(), int(top.size()),
                                    top.data(), ec.message().c_str());
        for (; !ec && it != end; it.increment(ec)) {
            if (it->path().filename() == manifest_file_name && it->is_regular_file())
                files.push_back(fs::relative(it->path(), root).string());
        }
        if (ec)
            return Error::formatted(ec.value(), "%s/%.*s: %s", source_root.c_str(), int(top.size()),
                                    top.data(), ec.message().c_str());
    }
    std::sort(files.begin(), files.end());

    std::vector<Manifest> manifests;
    Problems problems;
    for (auto& relative : files) {
        std::string file = (root / relative).string();
        auto text = read_text_file(file);
        if (text.is_error()) {
            problems.add(text.error().reason());
            continue;
        }
        auto manifest = parse_manifest(*text, file);
        if (manifest.is_error()) {
            problems.add(manifest.error().reason());
            continue;
        }
        manifests.push_back(manifest.release_value());
    }
    if (!problems.empty())
        return problems.error();
    return manifests;
}

ErrorOr<void> validate_set(const std::vector<Manifest>& manifests) {
    Problems problems;

    // Unique ids, install paths, desktop entry names, driver names and
    // environment variables: the second definition is the error.
    std::map<std::string, const Manifest*> ids, paths, drivers;
    std::map<std::string, std::pair<const Manifest*, SourcePos>> entries, variables;
    for (auto& m : manifests) {
        if (auto [it, fresh] = ids.emplace(m.id, &m); !fresh)
            problems.add(m, m.positions.id,
                         "package id '" + m.id + "' is also used by " + it->second->file);
        if (auto [it, fresh] = paths.emplace(m.install_path, &m); !fresh)
            problems.add(m, m.positions.install_path,
                         "install path '" + m.install_path + "' is also used by " +
                             it->second->file);
        for (size_t i = 0; i < m.desktop_entries.size(); i++) {
            auto& name = m.desktop_entries[i].name;
            SourcePos pos = i < m.positions.desktop_entries.size() ? m.positions.desktop_entries[i]
                                                                   : m.positions.id;
            if (auto [it, fresh] = entries.emplace(name, std::pair{&m, pos}); !fresh)
                problems.add(m, pos,
                             "desktop entry '" + name + "' is also defined by " +
                                 where(*it->second.first, it->second.second));
        }
        for (size_t i = 0; i < m.environment.size(); i++) {
            auto& name = m.environment[i].first;
            SourcePos pos =
                i < m.positions.environment.size() ? m.positions.environment[i] : m.positions.id;
            if (auto [it, fresh] = variables.emplace(name, std::pair{&m, pos}); !fresh)
                problems.add(m, pos,
                             "environment variable '" + name + "' is also defined by " +
                                 where(*it->second.first, it->second.second));
        }
        if (m.autoload) {
            if (auto [it, fresh] = drivers.emplace(m.autoload->name, &m); !fresh)
                problems.add(m, m.positions.autoload_name,
                             "driver name '" + m.autoload->name + "' is also used by " +
                                 it->second->file);
        }
    }

    // Dependencies exist.
    std::map<std::string, std::vector<std::string>> package_graph, driver_graph;
    for (auto& m : manifests) {
        for (size_t i = 0; i < m.runtime_deps.size(); i++) {
            auto& dep = m.runtime_deps[i];
            if (!ids.contains(dep))
                problems.add(m,
                             i < m.positions.runtime_deps.size() ? m.positions.runtime_deps[i]
                                                                 : m.positions.id,
                             "runtime dependency '" + dep + "' is not a known package");
        }
        package_graph.emplace(m.id, m.runtime_deps);
        if (m.autoload) {
            auto& deps = m.autoload->deps;
            for (size_t i = 0; i < deps.size(); i++)
                if (!drivers.contains(deps[i]))
                    problems.add(m,
                                 i < m.positions.autoload_deps.size() ? m.positions.autoload_deps[i]
                                                                      : m.positions.autoload_name,
                                 "driver dependency '" + deps[i] + "' is not a known driver");
            driver_graph.emplace(m.autoload->name, deps);
        }
    }

    // No cycles; reported at the first edge of the cycle.
    auto report = [&](const std::map<std::string, const Manifest*>& owners, bool driver) {
        return [&, driver](const std::vector<std::string>& cycle) {
            const Manifest& m = *owners.at(cycle[0]);
            const auto& deps = driver ? m.autoload->deps : m.runtime_deps;
            const auto& positions = driver ? m.positions.autoload_deps : m.positions.runtime_deps;
            size_t i = std::find(deps.begin(), deps.end(), cycle[1]) - deps.begin();
            SourcePos pos = i < positions.size() ? positions[i] : m.positions.id;
            problems.add(m, pos,
                         std::string(driver ? "driver" : "runtime") +
                             " dependency cycle: " + cycle_text(cycle));
        };
    };
    find_cycles(package_graph, report(ids, false));
    find_cycles(driver_graph, report(drivers, true));

    if (!problems.empty())
        return problems.error();
    return {};
}

ErrorOr<std::vector<Manifest>> select_profile(const std::vector<Manifest>& manifests,
                                              std::string_view profile) {
    std::vector<Manifest> selected;
    std::set<std::string> ids, drivers;
    for (auto& m : manifests) {
        if (!m.in_profile(profile))
            continue;
        selected.push_back(m);
        ids.insert(m.id);
        if (m.autoload)
            drivers.insert(m.autoload->name);
    }
    Problems problems;
    for (auto& m : selected) {
        for (size_t i = 0; i < m.runtime_deps.size(); i++)
            if (!ids.contains(m.runtime_deps[i]))
                problems.add(m,
                             i < m.positions.runtime_deps.size() ? m.positions.runtime_deps[i]
                                                                 : m.positions.id,
                             "runtime dependency '" + m.runtime_deps[i] + "' is not in profile '" +
                                 std::string(profile) + "'");
        if (m.autoload)
            for (size_t i = 0; i < m.autoload->deps.size(); i++)
                if (!drivers.contains(m.autoload->deps[i]))
                    problems.add(m,
                                 i < m.positions.autoload_deps.size() ? m.positions.autoload_deps[i]
                                                                      : m.positions.autoload_name,
                                 "driver dependency '" + m.autoload->deps[i] +
                                     "' is not in profile '" + std::string(profile) + "'");
    }
    if (!problems.empty())
        return problems.error();
    return selected;
}

} // namespace rustos::runtime_control
