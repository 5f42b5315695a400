#pragma once

#include <CLI/CLI.hpp>

namespace rb {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitThresholdFailed = 1;  // a threshold or comparison failed
inline constexpr int kExitInvalidInput = 2;     // invalid input or usage
inline constexpr int kExitRunFailed = 3;        // the run itself failed
inline constexpr int kExitInterrupted = 130;    // a second signal stopped the process at once

// Each function adds one subcommand to `app`. Its callback stores the command's exit code
// in `exit_code`; main() returns it.
void add_run_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_validate_command(CLI::App& app, int& exit_code);
void add_compare_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_merge_command(CLI::App& app, int& exit_code);

}  // namespace rb
