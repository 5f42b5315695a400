#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <memory>

#include "app/commands.hpp"
#include "app/live_runner.hpp"
#include "app/one_line.hpp"
#include "app/run_settings.hpp"
#include "app/scenario.hpp"
#include "app/signals.hpp"
#include "app/sim_runner.hpp"
#include "app/sweep.hpp"
#include "engine/strategy/presets.hpp"
#include "reports/atomic_file.hpp"
#include "reports/threshold.hpp"
#include "reports/writers.hpp"

namespace rb {

namespace {

// Keeps only the strategies named with --strategy; a name that is not in the scenario but is
// a preset runs that preset.
void select_strategies(Scenario& scenario, const std::vector<std::string>& names) {
  if (names.empty()) {
    return;
  }
  std::vector<StrategyConfig> chosen;
  for (const auto& name : names) {
    bool found = false;
    for (const auto& strategy : scenario.strategies) {
      if (strategy.name == name) {
        chosen.push_back(strategy);
        found = true;
      }
    }
    if (!found) {
      auto preset = find_preset(name);
      if (!preset) {
        std::string known;
        for (const auto& strategy : scenario.strategies) {
          known += (known.empty() ? "" : ", ") + strategy.name;
        }
        throw ConfigError("<command line>", std::nullopt, "--strategy",
                          fmt::format("unknown strategy \"{}\" (the scenario has: {}; presets: {})",
                                      name, known, preset_names()));
      }
      preset->timeouts = scenario.timeouts;
      chosen.push_back(*preset);
    }
  }
  scenario.strategies = std::move(chosen);
}

// Writes the flags that changed the scenario into its stored copy, so that result.json shows
// what ran and merge can tell shards run with different flags apart.
void record_overrides(Scenario& scenario, const RunSettings& settings) {
  if (!scenario.source.is_object()) {
    return;
  }
  nlohmann::json& load = scenario.source["load"];
  if (!load.is_object()) {
    load = nlohmann::json::object();
  }
  if (settings.duration_s) {
    load["duration"] = fmt::format("{}s", *settings.duration_s);
  }
  if (settings.rate) {
    load["rate"] = *settings.rate;
  }
  if (settings.seed) {
    scenario.source["seed"] = *settings.seed;
  }
  if (!settings.strategies.empty()) {
    nlohmann::json names = nlohmann::json::array();
    for (const StrategyConfig& strategy : scenario.strategies) {
      names.push_back(strategy.name);
    }
    scenario.source["selected_strategies"] = names;
  }
}

void apply_overrides(Scenario& scenario, const RunSettings& settings) {
  if (settings.duration_s) {
    if (!std::isfinite(*settings.duration_s) || *settings.duration_s <= 0 ||
        *settings.duration_s > 1e7) {
      throw ConfigError("<command line>", std::nullopt, "--duration",
                        fmt::format("expected seconds above 0 and at most 10000000, found {}",
                                    *settings.duration_s));
    }
    scenario.load.duration = from_seconds(*settings.duration_s);
    if (scenario.load.kind == LoadProfile::Kind::kSteps) {
      // Stretch or shrink the stages in proportion so the shape stays the same.
      Duration total{0};
      for (const auto& step : scenario.load.steps) {
        total += step.duration;
      }
      for (auto& step : scenario.load.steps) {
        step.duration = Duration(static_cast<std::int64_t>(
            static_cast<double>(step.duration.count()) * *settings.duration_s * 1e9 /
            static_cast<double>(total.count())));
      }
    }
  }
  if (settings.rate) {
    const bool fixed_rate = scenario.load.kind == LoadProfile::Kind::kConstant ||
                            scenario.load.kind == LoadProfile::Kind::kPoisson;
    if (!std::isfinite(*settings.rate) || *settings.rate <= 0 || *settings.rate > 1e7 ||
        !fixed_rate) {
      throw ConfigError("<command line>", std::nullopt, "--rate",
                        "expected a rate above 0 and at most 10000000 requests per second, for "
                        "an open-loop (constant or poisson) load");
    }
    scenario.load.rate = *settings.rate;
  }
  if (settings.seed) {
    scenario.seed = *settings.seed;
  }
  select_strategies(scenario, settings.strategies);
  record_overrides(scenario, settings);
}

[[noreturn]] void flag_error(const std::string& flag, const std::string& message) {
  throw ConfigError("<command line>", std::nullopt, flag, message);
}

// Reads a seed as plain decimal digits. CLI11 would take "-1" as 2^64 - 1, clamp a number
// past 2^64 - 1, and read "0010" as octal 8; a seed that is not what it looks like would make
// a run irreproducible from its own command line.
std::uint64_t parse_seed(const std::string& text) {
  std::uint64_t seed = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, seed, 10);
  const bool digits_only =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits_only || stop != end || error != std::errc()) {
    flag_error("--seed", fmt::format("expected a whole number from 0 to {}, found \"{}\"",
                                     std::numeric_limits<std::uint64_t>::max(), text));
  }
  return seed;
}

// Reads "INDEX/COUNT", or JOB_COMPLETION_INDEX and RETRYBENCH_SHARD_COUNT the way a
// Kubernetes Indexed Job passes them when --shard is not given.
ShardSpec parse_shard(const std::string& text) {
  std::string spec = text;
  std::string source = "--shard";
  if (spec.empty()) {
    const char* index = std::getenv("JOB_COMPLETION_INDEX");
    const char* count = std::getenv("RETRYBENCH_SHARD_COUNT");
    if (index == nullptr || count == nullptr) {
      return {};
    }
    spec = std::string(index) + "/" + count;
    source = "JOB_COMPLETION_INDEX/RETRYBENCH_SHARD_COUNT";
  }
  const auto slash = spec.find('/');
  ShardSpec shard;
  try {
    std::size_t used_index = 0;
    std::size_t used_count = 0;
    shard.index = std::stoll(spec.substr(0, slash), &used_index);
    shard.count = std::stoll(spec.substr(slash + 1), &used_count);
    if (slash == std::string::npos || used_index != slash ||
        used_count != spec.size() - slash - 1) {
      throw std::invalid_argument("trailing text");
    }
  } catch (const std::exception&) {
    flag_error(source, fmt::format("expected INDEX/COUNT such as 0/4, found \"{}\"", spec));
  }
  if (shard.count < 1 || shard.count > 100000 || shard.index < 0 || shard.index >= shard.count) {
    flag_error(source, fmt::format("expected 0 <= INDEX < COUNT <= 100000, found \"{}\"", spec));
  }
  return shard;
}

// Reads a wall-clock time: Unix seconds, or an ISO 8601 UTC time such as
// 2026-12-03T23:00:00Z.
double parse_start_at(const std::string& text) {
  try {
    std::size_t used = 0;
    const double seconds = std::stod(text, &used);
    if (used == text.size() && seconds > 0) {
      return seconds;
    }
  } catch (const std::exception&) {
    // Not a number: try the ISO form below.
  }
  std::tm parts{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
  if (end == nullptr || (std::string(end) != "Z" && std::string(end) != "+00:00")) {
    flag_error("--start-at", fmt::format("expected Unix seconds or a UTC time such as "
                                         "2026-12-03T23:00:00Z, found \"{}\"",
                                         text));
  }
  // strptime takes 2026-02-30 and timegm rolls it over to March 2; a date that does not
  // survive the round trip was not a real date.
  const std::tm requested = parts;
  const std::time_t seconds = timegm(&parts);
  std::tm back{};
  gmtime_r(&seconds, &back);
  if (back.tm_year != requested.tm_year || back.tm_mon != requested.tm_mon ||
      back.tm_mday != requested.tm_mday || back.tm_hour != requested.tm_hour ||
      back.tm_min != requested.tm_min || back.tm_sec != requested.tm_sec) {
    flag_error("--start-at", fmt::format("\"{}\" is not a valid UTC date and time", text));
  }
  return static_cast<double>(seconds);
}

// Rejects a start more than a day ahead, which is almost always milliseconds given as
// seconds or a wrong date. Warns about one in the past, because that shard starts at once
// and no longer lines up with the others.
void check_start_at(double at_unix) {
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  constexpr double kMaxAheadS = 24 * 3600;
  if (at_unix - now > kMaxAheadS) {
    flag_error("--start-at", fmt::format("{:.0f} s from now is more than a day ahead; give Unix "
                                         "seconds (not milliseconds) or a UTC time",
                                         at_unix - now));
  }
  if (at_unix < now - 1) {
    std::fprintf(stderr,
                 "retrybench: warning: --start-at is %.0f s in the past; starting now, not in "
                 "step with shards that started on time\n",
                 now - at_unix);
  }
}

// A shard runs its share of a closed-loop profile: users and request limits split as evenly
// as whole numbers allow, the first shards taking one more.
void apply_shard_to_users(LoadProfile& load, const ShardSpec& shard) {
  auto share = [&shard](std::int64_t total) {
    return total / shard.count + (shard.index < total % shard.count ? 1 : 0);
  };
  if (!load.open_loop()) {
    load.users = share(load.users);
    if (load.max_requests > 0) {
      load.max_requests = share(load.max_requests);
    }
  }
}

std::vector<SweepAxis> parse_sweeps(const std::vector<std::string>& texts) {
  std::vector<SweepAxis> axes;
  for (const auto& text : texts) {
    axes.push_back(parse_sweep(text));
  }
  return axes;
}

std::string default_out_dir(const Scenario& scenario) {
  std::string name;
  for (char c : scenario.name) {
    name.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  }
  return "retrybench-out/" + (name.empty() ? std::string("run") : name);
}

void print_threshold_failures(const RunResult& result) {
  for (const auto& threshold : result.thresholds) {
    if (!threshold.passed) {
      std::printf("threshold failed: %s: %s (actual %.6g, limit %.6g, off by %.6g)\n",
                  threshold.strategy.c_str(), threshold.expression.c_str(), threshold.actual,
                  threshold.limit, threshold.actual - threshold.limit);
    }
  }
}

int execute(RunSettings settings, const std::vector<std::string>& sweeps) {
  Scenario scenario;
  std::vector<SweepAxis> axes;
  try {
    scenario = settings.url.empty() ? load_scenario(settings.scenario_file)
                                    : scenario_from_flags(settings);
    if (settings.seed_given) {
      settings.seed = parse_seed(settings.seed_text);
    }
    apply_overrides(scenario, settings);
    axes = parse_sweeps(sweeps);
    settings.shard = parse_shard(settings.shard_text);
    if (settings.start_at_given) {
      settings.start_at_unix = parse_start_at(settings.start_at_text);
      check_start_at(*settings.start_at_unix);
    }
    apply_shard_to_users(scenario.load, settings.shard);
    if (!scenario.load.open_loop() && scenario.load.users == 0) {
      flag_error("--shard", fmt::format("{} users cannot be split into {} shards; use fewer "
                                        "shards",
                                        scenario.load.users, settings.shard.count));
    }
    scenario.strategies = expand_sweep(scenario.strategies, axes);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "retrybench run: %s\n", e.what());
    return kExitInvalidInput;
  }
  if (settings.out_dir.empty()) {
    settings.out_dir = default_out_dir(scenario);
  }

  settings.stop_requested = &install_stop_signals();
  RunResult result;
  try {
    if (settings.mode == "sim") {
      result = run_scenario_sim(scenario, settings);
    } else {
      result = run_scenario_live(scenario, settings);
    }
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "retrybench run: %s\n", e.what());
    return kExitInvalidInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "retrybench run: the run failed: %s\n", e.what());
    return kExitRunFailed;
  }

  result.thresholds = evaluate_thresholds(scenario.thresholds, result);
  std::vector<std::string> written;
  try {
    written = write_reports(result, settings.out_dir);
    if (!axes.empty()) {
      const std::string path = settings.out_dir + "/sweep.csv";
      write_file_atomically(path, sweep_csv(result, axes));
      written.push_back(path);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "retrybench run: %s\n", e.what());
    return kExitRunFailed;
  }

  std::fputs(format_comparison_table(result, settings.color).c_str(), stdout);
  print_threshold_failures(result);
  std::printf("reports written to %s/ (%zu files)%s\n", settings.out_dir.c_str(), written.size(),
              result.partial ? "; the run was cut short, so they are marked partial" : "");
  std::fflush(stdout);

  if (result.partial) {
    return kExitRunFailed;
  }
  for (const auto& threshold : result.thresholds) {
    if (!threshold.passed) {
      return kExitThresholdFailed;
    }
  }
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto settings = std::make_shared<RunSettings>();
  auto sweeps = std::make_shared<std::vector<std::string>>();
  auto* command = app.add_subcommand(
      "run",
      "Run a scenario file's strategies against its upstreams and write result.json, CSV and "
      "HTML reports; or, with --url, load-test one URL without a file");
  command->add_option("scenario", settings->scenario_file,
                      "Scenario file (JSON, comments allowed)");
  command->add_option("--out", settings->out_dir,
                      "Folder for the report files (default: retrybench-out/SCENARIO_NAME)");
  command
      ->add_option("--mode", settings->mode,
                   "live: real sockets in real time; sim: virtual time against the fake "
                   "upstreams' fault models")
      ->check(CLI::IsMember({"live", "sim"}))
      ->capture_default_str();
  command->add_option("--strategy", settings->strategies,
                      "Run only this strategy (a scenario strategy name or a preset); repeatable");
  command->add_option("--duration", settings->duration_s, "Load phase length in seconds");
  command->add_option("--rate", settings->rate, "Open-loop rate in requests per second");
  command->add_option("--seed", settings->seed_text,
                      "Random seed, a whole number from 0 to 18446744073709551615 (overrides the "
                      "scenario's)");
  command->add_flag("--insecure", settings->insecure,
                    "Skip TLS certificate and host name verification (prints a warning)");
  command->add_flag("!--no-progress", settings->progress, "Do not print progress lines");
  command->add_option("--sweep", *sweeps,
                      "Run a grid of strategy parameters, e.g. 'retry.max_attempts=1..5' or "
                      "'retry.backoff.base_ms=50,100,200'; repeatable (a grid); implies --mode "
                      "sim unless --mode is given; writes sweep.csv");
  command->add_option("--shard", settings->shard_text,
                      "Send shard INDEX of COUNT of the load, e.g. 0/4 (default: from "
                      "JOB_COMPLETION_INDEX and RETRYBENCH_SHARD_COUNT when both are set)");
  command->add_option("--start-at", settings->start_at_text,
                      "Wall-clock time to start at, so that shards line up: Unix seconds or "
                      "UTC like 2026-12-03T23:00:00Z");
  command->add_option("--url", settings->url, "One-line mode: the URL to load-test");
  command->add_option("--connections", settings->connections,
                      "One-line mode: closed loop with N connections at full speed");
  command->add_option("--method", settings->method, "One-line mode: HTTP method")
      ->capture_default_str();
  command->add_option("--header", settings->headers,
                      "One-line mode: a request header 'Name: value'; repeatable");
  command->add_option("--body", settings->body, "One-line mode: request body TEXT or @FILE");

  command->callback([command, settings, sweeps, &exit_code] {
    if (settings->scenario_file.empty() == settings->url.empty()) {
      std::fprintf(stderr, "retrybench run: give a scenario file or --url URL (see run --help)\n");
      exit_code = kExitInvalidInput;
      return;
    }
    const char* no_color = std::getenv("NO_COLOR");
    settings->color = isatty(STDOUT_FILENO) != 0 && (no_color == nullptr || *no_color == '\0');
    settings->seed_given = command->count("--seed") > 0;
    settings->start_at_given = command->count("--start-at") > 0;
    if (!sweeps->empty() && command->count("--mode") == 0) {
      settings->mode = "sim";
    }
    exit_code = execute(*settings, *sweeps);
  });
}

}  // namespace rb
