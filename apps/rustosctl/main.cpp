// rustosctl: the command-line client of runtimed's RuntimeClient protocol
// (list, status, start, stop, restart of catalog entries). See
// `rustosctl --help` and docs/runtime-client.md.
#include "cli.h"

#include <csignal>
#include <cstdio>

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN); // runtimed going away is an error, not a signal death
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string out, err;
    int status = rustosctl::run(args, out, err);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    std::fputs(err.c_str(), stderr);
    return status;
}
