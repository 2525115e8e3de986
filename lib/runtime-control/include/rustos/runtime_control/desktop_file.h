// freedesktop.org Desktop Entry files (system/share/applications/<name>.desktop).
//
// A generated file holds one [Desktop Entry] group of Type=Application with
// Name, Exec (program and arguments, quoted per the specification),
// NoDisplay, optional Comment and Categories, and the RustOS extensions
// X-RustOS-Package, X-RustOS-Env (K=V;K2=V2), X-RustOS-WeightMicros and
// X-RustOS-ConsoleHosted.
#pragma once

#include <rustos/base/error.h>
#include <rustos/runtime_control/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace rustos::runtime_control {

// Precondition: `entry` comes from a validated manifest.
std::string render_desktop_file(const DesktopEntry& entry);

// Parses any Desktop Entry file: comments, other groups, localized keys
// (Name[de]) and unknown keys are ignored; string escapes (\s \n \t \r \\)
// and Exec quoting are undone, field codes (%f, %U, ...) dropped. The entry's
// name is the file name without ".desktop". Without X-RustOS-ConsoleHosted,
// Terminal= decides console_hosted. Errors: "<file>:<line>: <reason>".
ErrorOr<DesktopEntry> parse_desktop_file(std::string_view text, const std::string& file);

// The Exec= value (before string escaping) for a program and its arguments,
// and its inverse (after unescaping). Exposed for tests and launchers.
std::string quote_exec(const std::string& program, const std::vector<std::string>& args);
ErrorOr<std::vector<std::string>> split_exec(std::string_view exec);

} // namespace rustos::runtime_control
