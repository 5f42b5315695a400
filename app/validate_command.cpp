#include <fmt/format.h>

#include <cstdio>

#include "app/commands.hpp"
#include "app/scenario.hpp"

namespace rb {

void add_validate_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "validate",
      "Check a scenario file without running it: JSON syntax, every field's type "
      "and range, ${NAME} variables, strategy and threshold names");
  auto file = std::make_shared<std::string>();
  command->add_option("scenario", *file, "Scenario file (JSON, comments allowed)")->required();
  command->callback([file, &exit_code] {
    try {
      const Scenario scenario = load_scenario(*file);
      std::printf(
          "%s: valid scenario \"%s\": %zu upstream(s), %zu strategy(ies), %zu "
          "threshold(s)\n",
          file->c_str(), scenario.name.c_str(), scenario.upstreams.size(),
          scenario.strategies.size(), scenario.thresholds.size());
      exit_code = kExitOk;
    } catch (const ConfigError& e) {
      std::fprintf(stderr, "retrybench validate: %s\n", e.what());
      exit_code = kExitInvalidInput;
    }
  });
}

}  // namespace rb
