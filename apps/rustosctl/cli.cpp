#include "cli.h"

#include <rustos/runtime_client/connection.h>

#include <unistd.h>

#include <algorithm>
#include <optional>

namespace rustosctl {

namespace rtc = rustos::runtime_client;

namespace {

// A stop waits for the program to end (SIGTERM, then SIGKILL): allow for it.
constexpr int kCallTimeoutMs = 15'000;
constexpr const char* kShortUsage =
    "Usage: rustosctl [--socket PATH] COMMAND [ID]; rustosctl --help lists the commands\n";

struct Command {
    std::string socket = rtc::kSocketPath;
    std::string verb; // list, status, ..., version, help
    std::string id;
};

struct UsageError {
    std::string message;
};

std::optional<UsageError> parse(const std::vector<std::string>& args, Command& cmd) {
    std::vector<std::string> words;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            cmd.verb = "help";
            return std::nullopt;
        }
        if (a == "--socket") {
            if (i + 1 == args.size())
                return UsageError{"--socket needs a path"};
            cmd.socket = args[++i];
        } else if (a.rfind("--socket=", 0) == 0) {
            cmd.socket = a.substr(9);
        } else if (a.size() > 1 && a[0] == '-') {
            return UsageError{"unknown option '" + a + "'"};
        } else {
            words.push_back(a);
        }
    }
    if (words.empty())
        return UsageError{"no command given"};
    cmd.verb = words[0];
    if (cmd.verb == "help")
        return std::nullopt;
    auto op = rtc::op_from_name(cmd.verb);
    if (cmd.verb != "version" && (!op || *op == rtc::Op::Hello))
        return UsageError{"unknown command '" + cmd.verb + "'"};
    size_t wanted = op && rtc::op_takes_id(*op) ? 2 : 1;
    if (words.size() < wanted)
        return UsageError{cmd.verb + " needs the id of a catalog entry (see rustosctl list)"};
    if (words.size() > wanted)
        return UsageError{"too many arguments for " + cmd.verb};
    if (wanted == 2) {
        cmd.id = words[1];
        if (!rtc::valid_id(cmd.id))
            return UsageError{"'" + cmd.id + "' is not an entry id"};
    }
    return std::nullopt;
}

std::string dash_if_empty(const std::string& s) { return s.empty() ? "-" : s; }

std::string pid_text(uint32_t pid) { return pid ? std::to_string(pid) : "-"; }

} // namespace

std::string usage() {
    return "Usage: rustosctl [--socket PATH] COMMAND [ID]\n"
           "\n"
           "Asks runtimed, the RustOS service manager, about its catalog of services and\n"
           "apps, over the RuntimeClient protocol on /run/runtimed.sock.\n"
           "\n"
           "Commands:\n"
           "  list         every catalog entry with its state, pid and restarts\n"
           "  status ID    one entry in detail\n"
           "  start ID     start an entry that is not running (launched through loaderd)\n"
           "  stop ID      stop an entry: end its program, and do not restart it\n"
           "  restart ID   stop (if running), then start\n"
           "  version      the protocol versions of rustosctl and runtimed\n"
           "  help         this text (also -h, --help)\n"
           "\n"
           "Options:\n"
           "  --socket PATH   talk to runtimed at PATH instead of /run/runtimed.sock\n"
           "\n"
           "Exit status: 0 on success, 1 when runtimed cannot be reached or reports a\n"
           "failure (the reason goes to stderr), 2 for a usage error.\n";
}

std::string format_list(const std::vector<rtc::EntryInfo>& entries) {
    std::vector<std::vector<std::string>> rows = {
        {"ID", "STATE", "PID", "RESTARTS", "STARTUP", "LAST EXIT"}};
    for (const rtc::EntryInfo& e : entries)
        rows.push_back({e.id, e.state, pid_text(e.pid), std::to_string(e.restarts),
                        dash_if_empty(e.startup), dash_if_empty(e.last_exit)});
    std::vector<size_t> width(rows[0].size(), 0);
    for (auto& row : rows)
        for (size_t i = 0; i < row.size(); ++i)
            width[i] = std::max(width[i], row[i].size());
    std::string out;
    for (auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size())
                line += std::string(width[i] - row[i].size() + 2, ' ');
        }
        out += line + "\n";
    }
    return out;
}

std::string format_status(const rtc::EntryInfo& e) {
    std::string out = e.id + ": " + e.state;
    if (e.pid)
        out += " (pid " + std::to_string(e.pid) + ")";
    out += "\n";
    out += "  startup:   " + dash_if_empty(e.startup) + "\n";
    out += "  exec:      " + dash_if_empty(e.exec) + "\n";
    out += "  restarts:  " + std::to_string(e.restarts) + "\n";
    out += "  last exit: " + dash_if_empty(e.last_exit) + "\n";
    return out;
}

int run(const std::vector<std::string>& args, std::string& out, std::string& err) {
    Command cmd;
    if (auto bad = parse(args, cmd)) {
        err += "rustosctl: " + bad->message + "\n" + kShortUsage;
        return 2;
    }
    if (cmd.verb == "help") {
        out += usage();
        return 0;
    }
    auto fd = rtc::connect_to(cmd.socket);
    if (fd.is_error()) {
        err += "rustosctl: cannot connect to " + cmd.socket + ": " + fd.error().reason() + "\n";
        return 1;
    }
    rtc::Request request;
    request.op = cmd.verb == "version" ? rtc::Op::Hello : *rtc::op_from_name(cmd.verb);
    request.id = cmd.id;
    request.client = "rustosctl";
    auto reply = rtc::call(fd.value(), request, kCallTimeoutMs);
    ::close(fd.value());
    if (reply.is_error()) {
        err += "rustosctl: " + cmd.socket + ": " + reply.error().reason() + "\n";
        return 1;
    }
    if (reply->status != 0) {
        err += "rustosctl: " + reply->message + "\n";
        return 1;
    }
    switch (request.op) {
    case rtc::Op::Hello:
        out += "rustosctl speaks RuntimeClient protocol version " + std::to_string(rtc::kVersion) +
               "\n" + reply->server + " speaks versions " + std::to_string(reply->min_version) +
               " to " + std::to_string(reply->max_version) + "\n";
        break;
    case rtc::Op::List:
        out += format_list(reply->entries);
        if (!reply->message.empty())
            err += "rustosctl: " + reply->message + "\n";
        break;
    case rtc::Op::Status:
        out += format_status(reply->entries.at(0));
        break;
    case rtc::Op::Start:
    case rtc::Op::Stop:
    case rtc::Op::Restart:
        out += reply->message + "\n";
        break;
    }
    return 0;
}

} // namespace rustosctl
