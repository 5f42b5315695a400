// `retrybench serve`: runs fake upstreams standalone until SIGINT or SIGTERM.

#include <uv.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "common/json_reader.hpp"
#include "common/log.hpp"
#include "fakeserver/endpoint_config.hpp"
#include "fakeserver/fleet.hpp"

namespace rb {

namespace {

// Flags for a single endpoint when no profile file is given.
struct ServeOptions {
  std::string profile_file;                    // PROFILE.json; empty: build one endpoint from flags
  std::string name = "fake";                   // endpoint name
  std::string bind = "127.0.0.1";              // listen address
  int port = 8080;                             // listen port; 0 picks a free one
  std::uint64_t seed = 1;                      // fault-model seed
  std::optional<double> rate_limit;            // token bucket refill, requests per second
  std::optional<double> burst;                 // token bucket size, requests
  std::optional<double> retry_after;           // fixed Retry-After of 429 responses, seconds
  std::string retry_after_format = "seconds";  // seconds, http-date or none
  bool retry_after_ms = false;                 // also send retry-after-ms
  double error_rate = 0;                       // probability of 503
  std::optional<double> status_probability[5];  // 500, 502, 503, 504, 429
  std::optional<double> latency_ms;             // constant (or lognormal median) service time, ms
  std::optional<double> latency_p99_ms;         // with --latency-ms: lognormal with this p99, ms
  double timeout_rate = 0;                      // probability of never responding
  double reset_rate = 0;                        // probability of RST before the response
  double reset_mid_rate = 0;                    // probability of RST mid-response
  double close_rate = 0;                        // probability of FIN without a response
  double truncate_rate = 0;                     // probability of a truncated body
  double malformed_rate = 0;                    // probability of a malformed status line
  std::optional<int> capacity;                  // requests in service at once
  int queue = 0;                                // waiting places when --capacity is set
  int reject_status = 503;                      // status when the queue is full
  std::vector<std::string> models;              // served model ids
  std::string api_key;                          // required API key; empty: none
  std::vector<std::string> outages;  // FROM-TO[:MODE] windows, for example 10s-20s:refuse
};

constexpr int kStatusCodes[5] = {500, 502, 503, 504, 429};

void add_options(CLI::App& serve, ServeOptions& o) {
  serve.add_option("profile", o.profile_file, "Profile file with {\"endpoints\": [...]}");
  serve.add_option("--name", o.name, "Endpoint name (without a profile file)")
      ->capture_default_str();
  serve.add_option("--bind", o.bind, "Listen address")->capture_default_str();
  serve.add_option("--port", o.port, "Listen port; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve.add_option("--seed", o.seed, "Seed of the fault model")->capture_default_str();
  serve
      .add_option("--rate-limit", o.rate_limit,
                  "Token bucket rate, requests per second; "
                  "excess requests get 429")
      ->check(CLI::PositiveNumber);
  serve.add_option("--burst", o.burst, "Token bucket size, requests (default: the rate)")
      ->check(CLI::Range(1.0, 1e9));
  serve
      .add_option("--retry-after", o.retry_after,
                  "Fixed Retry-After of 429 answers, seconds (default: time until a token)")
      ->check(CLI::NonNegativeNumber);
  serve.add_option("--retry-after-format", o.retry_after_format, "Retry-After encoding")
      ->check(CLI::IsMember({"seconds", "http-date", "none"}))
      ->capture_default_str();
  serve.add_flag("--retry-after-ms", o.retry_after_ms, "Also send retry-after-ms");
  serve.add_option("--error-rate", o.error_rate, "Probability of answering 503")
      ->check(CLI::Range(0.0, 1.0));
  for (int i = 0; i < 5; ++i) {
    const std::string flag = "--status-" + std::to_string(kStatusCodes[i]);
    serve
        .add_option(flag, o.status_probability[i],
                    "Probability of answering " + std::to_string(kStatusCodes[i]))
        ->check(CLI::Range(0.0, 1.0));
  }
  serve
      .add_option("--latency-ms", o.latency_ms,
                  "Service time, ms (the median with "
                  "--latency-p99-ms)")
      ->check(CLI::NonNegativeNumber);
  serve
      .add_option("--latency-p99-ms", o.latency_p99_ms,
                  "Makes the service time lognormal with this 99th percentile, ms")
      ->check(CLI::PositiveNumber);
  serve.add_option("--timeout-rate", o.timeout_rate, "Probability of never answering")
      ->check(CLI::Range(0.0, 1.0));
  serve.add_option("--reset-rate", o.reset_rate, "Probability of RST instead of a response")
      ->check(CLI::Range(0.0, 1.0));
  serve.add_option("--reset-mid-rate", o.reset_mid_rate, "Probability of RST mid-response")
      ->check(CLI::Range(0.0, 1.0));
  serve.add_option("--close-rate", o.close_rate, "Probability of closing without a response")
      ->check(CLI::Range(0.0, 1.0));
  serve.add_option("--truncate-rate", o.truncate_rate, "Probability of a truncated body")
      ->check(CLI::Range(0.0, 1.0));
  serve.add_option("--malformed-rate", o.malformed_rate, "Probability of a malformed status line")
      ->check(CLI::Range(0.0, 1.0));
  serve.add_option("--capacity", o.capacity, "Requests in service at once")
      ->check(CLI::PositiveNumber);
  serve.add_option("--queue", o.queue, "Waiting places with --capacity")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve.add_option("--reject-status", o.reject_status, "Status when capacity and queue are full")
      ->check(CLI::Range(400, 599))
      ->capture_default_str();
  serve.add_option("--models", o.models, "Served model ids, comma-separated (default: any)")
      ->delimiter(',');
  serve.add_option("--api-key", o.api_key, "Require this API key (Bearer or x-api-key)");
  serve
      .add_option("--outage", o.outages,
                  "Outage window FROM-TO[:MODE], MODE refuse, 503 (default) or black_hole; "
                  "times such as 10s or 1500ms since the start")
      ->take_all();
}

nlohmann::json outage_phase(const std::string& text) {
  const std::size_t colon = text.find(':');
  const std::string window = text.substr(0, colon);
  const std::string mode = colon == std::string::npos ? "503" : text.substr(colon + 1);
  const std::size_t dash = window.find('-');
  if (dash == std::string::npos) {
    throw ConfigError(
        "<command line>", std::nullopt, "--outage",
        "expected FROM-TO[:MODE], for example 10s-20s:refuse, found \"" + text + "\"");
  }
  return {{"from", window.substr(0, dash)}, {"to", window.substr(dash + 1)}, {"outage", mode}};
}

nlohmann::json flags_to_profile(const ServeOptions& o) {
  nlohmann::json p = {{"name", o.name}, {"bind", o.bind}, {"port", o.port}};
  if (o.rate_limit) {
    p["rate_limit"] = {{"rps", *o.rate_limit}};
    if (o.burst) {
      p["rate_limit"]["burst"] = *o.burst;
    }
    if (o.retry_after) {
      p["rate_limit"]["retry_after"] = *o.retry_after * 1000.0;
    }
  }
  p["retry_after_format"] = o.retry_after_format;
  p["retry_after_ms"] = o.retry_after_ms;

  nlohmann::json errors = nlohmann::json::array();
  double p503 = o.error_rate;
  for (int i = 0; i < 5; ++i) {
    if (kStatusCodes[i] == 503 && o.status_probability[i]) {
      p503 += *o.status_probability[i];
    } else if (o.status_probability[i]) {
      errors.push_back({{"status", kStatusCodes[i]}, {"probability", *o.status_probability[i]}});
    }
  }
  if (p503 > 0) {
    errors.push_back({{"status", 503}, {"probability", p503}});
  }
  p["errors"] = errors;

  if (o.latency_ms && o.latency_p99_ms) {
    p["latency"] = {
        {"distribution", "lognormal"}, {"median", *o.latency_ms}, {"p99", *o.latency_p99_ms}};
  } else if (o.latency_ms) {
    p["latency"] = *o.latency_ms;
  }
  if (o.timeout_rate > 0) {
    p["timeout"] = {{"probability", o.timeout_rate}};
  }
  p["connection"] = {{"reset_before_response", o.reset_rate},
                     {"reset_mid_response", o.reset_mid_rate},
                     {"close_without_response", o.close_rate},
                     {"truncated_body", o.truncate_rate},
                     {"malformed_status_line", o.malformed_rate}};
  if (o.capacity) {
    p["capacity"] = {
        {"concurrency", *o.capacity}, {"queue", o.queue}, {"reject_status", o.reject_status}};
  }
  if (!o.models.empty()) {
    p["models"] = o.models;
  }
  if (!o.api_key.empty()) {
    p["api_key"] = o.api_key;
  }
  nlohmann::json phases = nlohmann::json::array();
  for (const std::string& outage : o.outages) {
    phases.push_back(outage_phase(outage));
  }
  p["phases"] = phases;
  return p;
}

std::vector<FakeEndpointConfig> load_endpoints(const ServeOptions& o) {
  if (!o.profile_file.empty()) {
    JsonDocument doc = JsonDocument::load_file(o.profile_file);
    expand_environment(doc);
    return parse_serve_profile(doc);
  }
  const JsonDocument doc = JsonDocument::parse("<command line>", flags_to_profile(o).dump(2));
  return {parse_endpoint_config(JsonNode::root(doc), o.name)};
}

// Blocks on a private loop until SIGINT or SIGTERM arrives.
void wait_for_signal() {
  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_signal_t signals[2];
  const int numbers[2] = {SIGINT, SIGTERM};
  for (int i = 0; i < 2; ++i) {
    uv_signal_init(&loop, &signals[i]);
    signals[i].data = &loop;
    uv_signal_start_oneshot(
        &signals[i],
        [](uv_signal_t* handle, int signum) {
          spdlog::info("retrybench serve: signal {} received, stopping", signum);
          uv_stop(static_cast<uv_loop_t*>(handle->data));
        },
        numbers[i]);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  for (auto& handle : signals) {
    uv_close(reinterpret_cast<uv_handle_t*>(&handle), nullptr);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
}

void print_totals(const std::vector<EndpointStats>& all) {
  for (const EndpointStats& s : all) {
    std::string statuses;
    for (const auto& [status, count] : s.answered_by_status) {
      statuses +=
          (statuses.empty() ? "" : ", ") + std::to_string(status) + ": " + std::to_string(count);
    }
    std::string faults;
    for (const auto& [kind, count] : s.faults) {
      faults += (faults.empty() ? "" : ", ") + kind + ": " + std::to_string(count);
    }
    std::printf(
        "retrybench serve: %s received %llu, answered %llu (%s), faults (%s)\n", s.name.c_str(),
        static_cast<unsigned long long>(s.received), static_cast<unsigned long long>(s.answered),
        statuses.empty() ? "none" : statuses.c_str(), faults.empty() ? "none" : faults.c_str());
  }
  std::fflush(stdout);
}

int run_serve(const ServeOptions& options) {
  std::vector<FakeEndpointConfig> endpoints;
  try {
    endpoints = load_endpoints(options);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "retrybench serve: %s\n", e.what());
    return kExitInvalidInput;
  }
  for (const FakeEndpointConfig& endpoint : endpoints) {
    if (!is_loopback_address(endpoint.bind)) {
      std::fprintf(stderr,
                   "retrybench serve: warning: %s binds %s, which is reachable from other "
                   "hosts; the fake upstream has no authentication beyond --api-key\n",
                   endpoint.name.c_str(), endpoint.bind.c_str());
    }
  }

  FakeFleet fleet(endpoints, options.seed);
  try {
    fleet.start();
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "retrybench serve: %s\n", e.what());
    return kExitRunFailed;
  }
  const std::vector<std::string> urls = fleet.base_urls();
  for (std::size_t i = 0; i < urls.size(); ++i) {
    std::printf("retrybench serve: %s listening on %s\n", endpoints[i].name.c_str(),
                urls[i].c_str());
  }
  std::fflush(stdout);

  wait_for_signal();
  const std::vector<EndpointStats> totals = fleet.stats();
  fleet.stop();
  print_totals(totals);
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Run fake OpenAI-compatible upstreams that inject faults, until SIGINT/SIGTERM");
  add_options(*serve, *options);
  serve->callback([options, &exit_code] { exit_code = run_serve(*options); });
}

}  // namespace rb
