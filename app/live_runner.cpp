#include "app/live_runner.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "app/run_result_builder.hpp"
#include "engine/live_driver.hpp"
#include "fakeserver/fleet.hpp"

namespace rb {

namespace {

// Starts the scenario's fake upstreams, if any, on 127.0.0.1 with ports picked by the system.
std::unique_ptr<FakeFleet> start_fakes(const Scenario& scenario) {
  std::vector<FakeEndpointConfig> configs;
  for (const auto& upstream : scenario.upstreams) {
    if (upstream.fake && !upstream.url) {
      FakeEndpointConfig config;
      config.name = upstream.name;
      config.profile = *upstream.fake;
      configs.push_back(std::move(config));
    }
  }
  if (configs.empty()) {
    return nullptr;
  }
  auto fleet = std::make_unique<FakeFleet>(std::move(configs), scenario.seed);
  fleet->start();
  return fleet;
}

std::vector<Endpoint> endpoints_of(const Scenario& scenario, const FakeFleet* fleet) {
  std::vector<Endpoint> endpoints;
  const std::vector<int> ports = fleet != nullptr ? fleet->ports() : std::vector<int>{};
  std::size_t fake_index = 0;
  for (const auto& upstream : scenario.upstreams) {
    std::string url;
    if (upstream.url) {
      url = *upstream.url;
    } else {
      url = "http://127.0.0.1:" + std::to_string(ports.at(fake_index++));
    }
    Endpoint endpoint = parse_endpoint_url(upstream.name, url);
    endpoint.weight = upstream.weight;
    endpoints.push_back(std::move(endpoint));
  }
  return endpoints;
}

// Sleeps until the wall-clock time `at_unix`, so that shards started apart begin together;
// a stop request ends the wait. Returns false when stopped.
bool wait_until(double at_unix, const std::atomic<bool>* stop_requested) {
  const double ahead_s =
      at_unix -
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (ahead_s >= 1) {
    // On stderr at any log level: a silent wait of hours looks like a hang.
    std::fprintf(stderr, "retrybench: waiting %.1f s for the start time given by --start-at\n",
                 ahead_s);
  }
  for (;;) {
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (now >= at_unix) {
      return true;
    }
    if (stop_requested != nullptr && stop_requested->load()) {
      return false;
    }
    const double wait_s = std::min(0.05, at_unix - now);
    std::this_thread::sleep_for(std::chrono::duration<double>(wait_s));
  }
}

// Prints one progress line a second: on a terminal it rewrites one line in place, elsewhere
// (a CI log, a pipe) it appends plain lines.
void print_progress(const std::string& strategy, const LiveProgress& progress, bool terminal) {
  const double rate = progress.elapsed_s > 0 ? progress.requests / progress.elapsed_s : 0;
  const double success =
      progress.completed > 0 ? 100.0 * progress.succeeded / progress.completed : 0;
  std::fprintf(stderr, "%s  %-24s %6.1f s  %8.1f req/s  success %6.2f %%  p99 %9.1f ms%s",
               terminal ? "\r\033[K" : "", strategy.c_str(), progress.elapsed_s, rate, success,
               progress.p99_us / 1000.0, terminal ? "" : "\n");
  std::fflush(stderr);
}

}  // namespace

RunResult run_scenario_live(const Scenario& scenario, const RunSettings& settings) {
  RunResultBuilder builder(scenario, settings);
  std::unique_ptr<FakeFleet> fleet = start_fakes(scenario);
  const std::vector<Endpoint> endpoints = endpoints_of(scenario, fleet.get());
  for (const auto& endpoint : endpoints) {
    spdlog::info("endpoint {} at {}", endpoint.name, endpoint.url);
  }

  const bool terminal = isatty(STDERR_FILENO) != 0;
  http::HttpClientOptions client = scenario.client;
  client.insecure = client.insecure || settings.insecure;

  // With --start-at, strategy k starts k slots after the start, a slot being the load phase
  // plus its grace period, so every shard's strategy k runs in the same wall-clock window.
  const double slot_s = to_seconds(scenario.load.duration + scenario.load.grace);
  for (std::size_t k = 0; k < scenario.strategies.size(); ++k) {
    const StrategyConfig& strategy = scenario.strategies[k];
    if (settings.start_at_unix &&
        !wait_until(*settings.start_at_unix + static_cast<double>(k) * slot_s,
                    settings.stop_requested)) {
      builder.mark_partial();
      break;
    }
    if (settings.stop_requested != nullptr && settings.stop_requested->load()) {
      builder.mark_partial();
      break;
    }
    if (fleet) {
      fleet->reset(scenario.seed);
    }
    if (settings.progress) {
      std::fprintf(stderr, "retrybench: running strategy %s\n", strategy.name.c_str());
    }

    LiveRunOptions options;
    options.load = scenario.load;
    options.shard = settings.shard;
    options.seed = scenario.seed;
    options.stop_requested = settings.stop_requested;
    if (settings.progress) {
      options.on_progress = [&strategy, terminal](const LiveProgress& p) {
        print_progress(strategy.name, p, terminal);
      };
    }

    StrategyMetrics metrics(endpoints.size());
    const LiveRunOutcome outcome =
        run_live(strategy, endpoints, scenario.request, client, options, metrics);
    if (settings.progress && terminal) {
      std::fputc('\n', stderr);
    }
    nlohmann::json seen = fleet ? fleet->stats_json() : nlohmann::json::array();
    builder.add_strategy(strategy, std::move(metrics), outcome.load_seconds, outcome.drain_seconds,
                         std::move(seen));
    if (outcome.interrupted) {
      builder.mark_partial();
      break;
    }
  }
  if (fleet) {
    fleet->stop();
  }
  return builder.finish();
}

}  // namespace rb
