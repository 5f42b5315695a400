#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "app/commands.hpp"
#include "common/log.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "retrybench: load-testing and resilience benchmarking for retry, backoff and endpoint "
      "strategies"};
  app.set_version_flag("--version", std::string("retrybench ") + RETRYBENCH_VERSION);
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "Log level on stderr: debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  int exit_code = rb::kExitOk;
  rb::add_run_command(app, exit_code);
  rb::add_serve_command(app, exit_code);
  rb::add_validate_command(app, exit_code);
  rb::add_compare_command(app, exit_code);
  rb::add_report_command(app, exit_code);
  rb::add_merge_command(app, exit_code);
  app.parse_complete_callback([&] { rb::init_logging(log_level); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? rb::kExitOk : rb::kExitInvalidInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "retrybench: %s\n", e.what());
    return rb::kExitRunFailed;
  }
  return exit_code;
}
