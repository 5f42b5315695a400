#pragma once

#include <uv.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fakeserver/endpoint_config.hpp"
#include "fakeserver/endpoint_stats.hpp"

namespace rb {

class HttpEndpoint;

// Several fake endpoints in one process, all served by one dedicated thread with its own
// libuv loop, so that serving never delays the caller's loop. Endpoint i's fault model is
// seeded with mix_seed(seed, i). Every public method may be called from any thread except
// the serving thread itself; all but ports() and base_urls() block until the serving thread
// has done the work.
class FakeFleet {
 public:
  FakeFleet(std::vector<FakeEndpointConfig> endpoints, std::uint64_t seed);
  ~FakeFleet();  // stop()

  FakeFleet(const FakeFleet&) = delete;
  FakeFleet& operator=(const FakeFleet&) = delete;

  // Starts the serving thread and returns once every listener is bound. Throws
  // std::runtime_error "cannot listen on ADDR:PORT: reason" (and starts nothing) when one
  // cannot listen, or std::logic_error when already started.
  void start();

  // Closes every connection and listener and joins the thread. Safe to call twice.
  void stop();

  // Clears each endpoint's counters, token bucket, capacity queue and fault-model state,
  // restarts the phase clock at zero and reseeds; connections that wait for an answer are
  // closed. Call it before each strategy run so that every run meets the same conditions.
  void reset(std::uint64_t seed);

  // Bound ports and base URLs ("http://127.0.0.1:PORT"), in configuration order; valid
  // after start().
  std::vector<int> ports() const;
  std::vector<std::string> base_urls() const;
  std::size_t size() const { return configs_.size(); }

  // Per-endpoint counters since the start or the last reset.
  std::vector<EndpointStats> stats();
  // The same as a JSON array of the objects that /__stats serves.
  nlohmann::json stats_json();

 private:
  void serve(std::exception_ptr& start_error, std::promise<void>& started);
  void run_on_loop(const std::function<void()>& task);
  void drain_tasks();
  void close_all();

  std::vector<FakeEndpointConfig> configs_;
  std::uint64_t seed_;
  std::vector<int> ports_;
  std::vector<std::string> addresses_;

  uv_loop_t loop_{};
  uv_async_t async_{};
  std::vector<std::unique_ptr<HttpEndpoint>> endpoints_;  // owned by the serving thread
  std::thread thread_;
  bool running_ = false;  // start() succeeded and stop() has not run

  std::mutex tasks_mutex_;
  std::vector<std::function<void()>> tasks_;  // run on the loop, guarded by tasks_mutex_
  bool stopping_ = false;                     // guarded by tasks_mutex_
};

}  // namespace rb
