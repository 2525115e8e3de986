// freedesktop.org Desktop Entry files, version 1.5 of the specification:
// https://specifications.freedesktop.org/desktop-entry-spec/latest/

#include "text.h"

#include <rustos/runtime_control/desktop_file.h>
#include <rustos/runtime_control/registry.h>

#include <cerrno>
#include <filesystem>
#include <map>

namespace rustos::runtime_control {

namespace {

// The string escapes of the specification: \s \n \t \r \\. A leading or
// trailing space is written as \s so that no reader trims it.
std::string escape_value(std::string_view value) {
    std::string out;
    for (size_t i = 0; i < value.size(); i++) {
        char c = value[i];
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        case ' ':
            out += (i == 0 || i + 1 == value.size()) ? "\\s" : " ";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// Undoes escape_value(). Unknown escapes are kept as they are (with their
// backslash): Exec= quoting and string lists give \", \$, \; ... their own
// meaning in a later step.
std::string unescape_value(std::string_view value) {
    std::string out;
    for (size_t i = 0; i < value.size(); i++) {
        if (value[i] != '\\' || i + 1 == value.size()) {
            out += value[i];
            continue;
        }
        char next = value[++i];
        switch (next) {
        case 's':
            out += ' ';
            break;
        case 'n':
            out += '\n';
            break;
        case 't':
            out += '\t';
            break;
        case 'r':
            out += '\r';
            break;
        case '\\':
            out += '\\';
            break;
        default:
            out += '\\';
            out += next;
        }
    }
    return out;
}

// A string list ("A;B;"): items separated by unescaped ';', "\;" is a
// literal ';'. Applied to the raw value, each item then unescaped.
std::vector<std::string> split_list(std::string_view raw) {
    std::vector<std::string> items;
    std::string current;
    for (size_t i = 0; i < raw.size(); i++) {
        if (raw[i] == '\\' && i + 1 < raw.size()) {
            if (raw[i + 1] == ';') {
                current += ';';
            } else {
                current += raw[i];
                current += raw[i + 1];
            }
            i++;
        } else if (raw[i] == ';') {
            items.push_back(unescape_value(current));
            current.clear();
        } else {
            current += raw[i];
        }
    }
    if (!current.empty())
        items.push_back(unescape_value(current));
    return items;
}

// Characters that force an Exec= argument into double quotes.
bool needs_quotes(std::string_view arg) {
    if (arg.empty())
        return true;
    for (char c : arg)
        if (std::string_view(" \t\n\"'\\><~|&;$*?#()`").find(c) != std::string_view::npos)
            return true;
    return false;
}

std::string quote_arg(std::string_view arg) {
    std::string escaped;
    for (char c : arg) {
        if (c == '%')
            escaped += "%%";
        else
            escaped += c;
    }
    if (!needs_quotes(arg))
        return escaped;
    std::string out = "\"";
    for (char c : escaped) {
        if (c == '"' || c == '`' || c == '$' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

struct KeyLine {
    size_t line = 0;
    std::string value; // raw (still escaped)
};

} // namespace

std::string quote_exec(const std::string& program, const std::vector<std::string>& args) {
    std::string out = quote_arg(program);
    for (auto& arg : args) {
        out += ' ';
        out += quote_arg(arg);
    }
    return out;
}

ErrorOr<std::vector<std::string>> split_exec(std::string_view exec) {
    std::vector<std::string> args;
    size_t i = 0;
    while (i < exec.size()) {
        if (exec[i] == ' ') {
            i++;
            continue;
        }
        std::string arg;
        bool quoted = exec[i] == '"';
        if (quoted) {
            i++;
            bool closed = false;
            while (i < exec.size()) {
                char c = exec[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < exec.size() &&
                    std::string_view("\"`$\\").find(exec[i]) != std::string_view::npos)
                    c = exec[i++];
                arg += c;
            }
            if (!closed)
                return Error(EINVAL, "unterminated quoted argument in Exec");
            if (i < exec.size() && exec[i] != ' ')
                return Error(EINVAL, "a quoted argument in Exec must be followed by a space");
        } else {
            while (i < exec.size() && exec[i] != ' ')
                arg += exec[i++];
        }
        // Field codes: %% is a literal '%'; the others expand to file names,
        // URLs, the icon ... which a launch without documents leaves out.
        std::string expanded;
        bool had_code = false;
        for (size_t k = 0; k < arg.size(); k++) {
            if (arg[k] != '%') {
                expanded += arg[k];
                continue;
            }
            if (k + 1 == arg.size())
                return Error(EINVAL, "a '%' at the end of an Exec argument (write %%)");
            char code = arg[++k];
            if (code == '%') {
                expanded += '%';
            } else if (std::string_view("fFuUdDnNickvm").find(code) != std::string_view::npos) {
                had_code = true;
            } else {
                return Error::formatted(EINVAL, "unknown field code '%%%c' in Exec", code);
            }
        }
        if (had_code && expanded.empty() && !quoted)
            continue;
        args.push_back(std::move(expanded));
    }
    if (args.empty())
        return Error(EINVAL, "Exec names no program");
    return args;
}

std::string render_desktop_file(const DesktopEntry& e) {
    std::string out(registry_header);
    out += "\n[Desktop Entry]\nType=Application\n";
    out += "Name=" + escape_value(e.display_name) + "\n";
    out += "Exec=" + escape_value(quote_exec(e.exec, e.args)) + "\n";
    out += "NoDisplay=" + std::string(text::bool_string(e.no_display)) + "\n";
    if (!e.comment.empty())
        out += "Comment=" + escape_value(e.comment) + "\n";
    if (!e.categories.empty()) {
        out += "Categories=";
        for (auto& category : e.categories) {
            for (char c : escape_value(category)) {
                if (c == ';')
                    out += '\\';
                out += c;
            }
            out += ';';
        }
        out += "\n";
    }
    out += "X-RustOS-Package=" + escape_value(e.package) + "\n";
    out += "X-RustOS-Env=" + escape_value(text::join_env(e.env)) + "\n";
    out += "X-RustOS-WeightMicros=" + std::to_string(e.weight_micros) + "\n";
    out += "X-RustOS-ConsoleHosted=" + std::string(text::bool_string(e.console_hosted)) + "\n";
    return out;
}

ErrorOr<DesktopEntry> parse_desktop_file(std::string_view text, const std::string& file) {
    auto error = [&](size_t line, const std::string& reason) {
        return Error::formatted(EINVAL, "%s:%zu: %s", file.c_str(), line, reason.c_str());
    };

    std::map<std::string, KeyLine> keys; // of [Desktop Entry]
    std::map<std::string, size_t> groups;
    std::string group;
    size_t line_no = 0;
    for (auto line : text::split(text, '\n')) {
        line_no++;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        size_t start = line.find_first_not_of(" \t");
        if (start == std::string_view::npos || line[start] == '#')
            continue;
        line.remove_prefix(start);
        if (line.front() == '[') {
            if (line.back() != ']' || line.size() < 3)
                return error(line_no, "malformed group header '" + std::string(line) + "'");
            group = std::string(line.substr(1, line.size() - 2));
            if (!groups.emplace(group, line_no).second)
                return error(line_no, "group [" + group + "] appears twice (first on line " +
                                          std::to_string(groups[group]) + ")");
            continue;
        }
        size_t eq = line.find('=');
        if (eq == std::string_view::npos)
            return error(line_no, "expected 'Key=Value', '[Group]' or a '#' comment");
        if (group.empty())
            return error(line_no, "key before the first group");
        std::string_view key = line.substr(0, eq);
        while (!key.empty() && (key.back() == ' ' || key.back() == '\t'))
            key.remove_suffix(1);
        std::string_view value = line.substr(eq + 1);
        value.remove_prefix(std::min(value.size(), value.find_first_not_of(" \t")));
        std::string_view base = key.substr(0, key.find('['));
        if (base.empty())
            return error(line_no, "empty key");
        for (char c : base)
            if (!text::is_alnum(c) && c != '-')
                return error(line_no, "invalid key '" + std::string(key) + "'");
        if (base.size() != key.size()) {
            // Localized key ("Name[de]"): checked for shape, otherwise ignored.
            if (key.back() != ']' || key.size() == base.size() + 2)
                return error(line_no, "invalid localized key '" + std::string(key) + "'");
            continue;
        }
        if (group != "Desktop Entry")
            continue;
        if (auto [it, fresh] = keys.emplace(std::string(key), KeyLine{line_no, std::string(value)});
            !fresh)
            return error(line_no, "key '" + std::string(key) + "' appears twice (first on line " +
                                      std::to_string(it->second.line) + ")");
    }

    if (!groups.contains("Desktop Entry"))
        return error(1, "no [Desktop Entry] group");
    size_t group_line = groups["Desktop Entry"];
    auto find = [&](const char* key) -> const KeyLine* {
        auto it = keys.find(key);
        return it == keys.end() ? nullptr : &it->second;
    };
    auto required = [&](const char* key) -> ErrorOr<const KeyLine*> {
        auto* k = find(key);
        if (!k)
            return error(group_line, std::string("[Desktop Entry] has no ") + key + "=");
        return k;
    };
    auto boolean = [&](const char* key, bool fallback) -> ErrorOr<bool> {
        auto* k = find(key);
        if (!k)
            return fallback;
        auto v = text::parse_bool(k->value);
        if (!v)
            return error(k->line,
                         std::string(key) + " must be true or false, not '" + k->value + "'");
        return *v;
    };

    auto* type = TRY(required("Type"));
    if (type->value != "Application")
        return error(type->line, "Type=" + type->value + " is not supported (only Application)");

    DesktopEntry e;
    e.name = std::filesystem::path(file).filename().string();
    if (e.name.ends_with(".desktop"))
        e.name.resize(e.name.size() - 8);
    e.display_name = unescape_value(TRY(required("Name"))->value);

    auto* exec = TRY(required("Exec"));
    auto argv = split_exec(unescape_value(exec->value));
    if (argv.is_error())
        return error(exec->line, argv.error().reason());
    e.exec = argv->front();
    e.args.assign(argv->begin() + 1, argv->end());

    e.no_display = TRY(boolean("NoDisplay", false));
    e.console_hosted = TRY(boolean("X-RustOS-ConsoleHosted", TRY(boolean("Terminal", false))));
    if (auto* k = find("Comment"))
        e.comment = unescape_value(k->value);
    if (auto* k = find("Categories"))
        e.categories = split_list(k->value);
    if (auto* k = find("X-RustOS-Package"))
        e.package = unescape_value(k->value);
    if (auto* k = find("X-RustOS-Env")) {
        std::string env = unescape_value(k->value);
        for (auto item : text::split(env, ';')) {
            if (item.empty())
                continue;
            size_t eq = item.find('=');
            if (eq == std::string::npos || eq == 0)
                return error(k->line,
                             "X-RustOS-Env entry '" + std::string(item) + "' is not NAME=VALUE");
            e.env.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
        }
    }
    if (auto* k = find("X-RustOS-WeightMicros")) {
        auto v = text::parse_int<uint64_t>(k->value);
        if (!v)
            return error(k->line,
                         "X-RustOS-WeightMicros must be an integer, not '" + k->value + "'");
        e.weight_micros = *v;
    }
    return e;
}

} // namespace rustos::runtime_control
