#include "app/sim_runner.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>

#include "app/run_result_builder.hpp"
#include "sim/sim_driver.hpp"

namespace rb {

namespace {

// Every upstream must carry a fault profile: a real URL alone gives nothing to model.
std::vector<sim::SimUpstream> modelled_upstreams(const Scenario& scenario) {
  std::vector<sim::SimUpstream> out;
  for (std::size_t i = 0; i < scenario.upstreams.size(); ++i) {
    const UpstreamSpec& upstream = scenario.upstreams[i];
    if (!upstream.fake) {
      throw ConfigError(scenario.file, std::nullopt, "$.upstreams[" + std::to_string(i) + "]",
                        "upstream \"" + upstream.name +
                            "\" is a real URL and cannot be simulated; give it a \"fake\" fault "
                            "profile to model it, or run with --mode live");
    }
    out.push_back({upstream.name, *upstream.fake, upstream.weight});
  }
  return out;
}

}  // namespace

RunResult run_scenario_sim(const Scenario& scenario, const RunSettings& settings) {
  const std::vector<sim::SimUpstream> upstreams = modelled_upstreams(scenario);
  RunResultBuilder builder(scenario, settings);

  for (const auto& strategy : scenario.strategies) {
    if (settings.stop_requested != nullptr && settings.stop_requested->load()) {
      builder.mark_partial();
      break;
    }
    sim::SimRunOptions options;
    options.load = scenario.load;
    options.shard = settings.shard;
    options.seed = scenario.seed;
    // Virtual time 0 stands for a fixed wall-clock instant, so HTTP-date Retry-After values
    // and therefore whole results are the same on every run.
    options.wall_start_unix = 1'700'000'000;
    options.stop_requested = settings.stop_requested;

    StrategyMetrics metrics(upstreams.size());
    const sim::SimRunOutcome outcome =
        sim::run_sim(strategy, upstreams, scenario.request, options, metrics);
    spdlog::info("strategy {} simulated: {} requests, {} attempts, {} events", strategy.name,
                 metrics.requests, metrics.attempts, outcome.events);
    if (settings.progress) {
      std::fprintf(stderr, "retrybench: simulated strategy %s (%.1f virtual s)\n",
                   strategy.name.c_str(), outcome.load_seconds + outcome.drain_seconds);
    }
    builder.add_strategy(strategy, std::move(metrics), outcome.load_seconds, outcome.drain_seconds,
                         outcome.upstreams);
    if (outcome.interrupted) {
      builder.mark_partial();
      break;
    }
  }
  return builder.finish();
}

}  // namespace rb
