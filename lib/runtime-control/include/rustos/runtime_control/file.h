// Reading whole files, through a function that tests can replace.
#pragma once

#include <rustos/base/error.h>

#include <functional>
#include <string>

namespace rustos::runtime_control {

// Reads a whole file; injectable so tests can count and fake reads.
using FileReader = std::function<ErrorOr<std::string>(const std::string& path)>;

// The default FileReader. Errors name the path and carry errno.
ErrorOr<std::string> read_text_file(const std::string& path);

} // namespace rustos::runtime_control
