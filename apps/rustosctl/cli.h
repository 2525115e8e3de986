// rustosctl's logic: arguments, one RuntimeClient call, the output. Kept
// apart from main.cpp so the unit tests run it against a server on a
// temporary socket.
#pragma once

#include <rustos/runtime_client/protocol.h>

#include <string>
#include <vector>

namespace rustosctl {

std::string usage();

// The catalog as a table: ID STATE PID RESTARTS STARTUP LAST EXIT.
std::string format_list(const std::vector<rustos::runtime_client::EntryInfo>& entries);
// One entry: "netd: running (pid 9)" and its details.
std::string format_status(const rustos::runtime_client::EntryInfo& entry);

// Runs rustosctl with `args` (without argv[0]); what it prints goes to
// out and err. Returns the exit status: 0, 1 when runtimed cannot be
// reached or reports a failure, 2 for a usage error.
int run(const std::vector<std::string>& args, std::string& out, std::string& err);

} // namespace rustosctl
