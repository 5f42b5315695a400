#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace rb {

// Sets up the process-wide logger on stderr at `level` ("debug", "info", "warn", "error").
void init_logging(const std::string& level);

// Returns true for a header whose value must never be logged or written to a report.
bool is_secret_header(const std::string& name);

}  // namespace rb
