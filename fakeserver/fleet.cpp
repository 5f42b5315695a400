#include "fakeserver/fleet.hpp"

#include <fmt/format.h>

#include <future>
#include <stdexcept>

#include "common/log.hpp"
#include "common/rng.hpp"
#include "fakeserver/http_endpoint.hpp"

namespace rb {

FakeFleet::FakeFleet(std::vector<FakeEndpointConfig> endpoints, std::uint64_t seed)
    : configs_(std::move(endpoints)), seed_(seed) {}

FakeFleet::~FakeFleet() {
  stop();
}

void FakeFleet::start() {
  if (running_) {
    throw std::logic_error("FakeFleet::start called twice");
  }
  std::exception_ptr start_error;
  std::promise<void> started;
  std::future<void> ready = started.get_future();
  stopping_ = false;
  thread_ = std::thread([this, &start_error, &started] { serve(start_error, started); });
  ready.wait();
  if (start_error) {
    thread_.join();
    std::rethrow_exception(start_error);
  }
  running_ = true;
}

void FakeFleet::serve(std::exception_ptr& start_error, std::promise<void>& started) {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &async_,
                [](uv_async_t* async) { static_cast<FakeFleet*>(async->data)->drain_tasks(); });
  async_.data = this;

  try {
    for (std::size_t i = 0; i < configs_.size(); ++i) {
      endpoints_.push_back(std::make_unique<HttpEndpoint>(&loop_, configs_[i], mix_seed(seed_, i)));
      endpoints_.back()->listen();
    }
    for (const auto& endpoint : endpoints_) {
      ports_.push_back(endpoint->port());
      addresses_.push_back(endpoint->address());
    }
  } catch (...) {
    start_error = std::current_exception();
    close_all();
  }
  started.set_value();  // start_error and started may be gone after this line

  // Serves until stop() closes every handle; after a failed start it only completes the
  // closes that close_all() began.
  uv_run(&loop_, UV_RUN_DEFAULT);
  endpoints_.clear();
  uv_loop_close(&loop_);
}

void FakeFleet::close_all() {
  for (const auto& endpoint : endpoints_) {
    endpoint->close();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
}

void FakeFleet::drain_tasks() {
  std::vector<std::function<void()>> tasks;
  bool stopping = false;
  {
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    tasks.swap(tasks_);
    stopping = stopping_;
  }
  for (const auto& task : tasks) {
    task();
  }
  if (stopping) {
    close_all();
  }
}

void FakeFleet::run_on_loop(const std::function<void()>& task) {
  if (!running_) {
    throw std::logic_error("FakeFleet is not running");
  }
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  {
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    tasks_.push_back([&task, &done] {
      try {
        task();
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
  }
  uv_async_send(&async_);
  finished.get();
}

void FakeFleet::stop() {
  if (!running_) {
    return;
  }
  {
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    stopping_ = true;
  }
  uv_async_send(&async_);
  thread_.join();
  running_ = false;
}

void FakeFleet::reset(std::uint64_t seed) {
  run_on_loop([this, seed] {
    for (std::size_t i = 0; i < endpoints_.size(); ++i) {
      endpoints_[i]->reset(mix_seed(seed, i));
    }
  });
}

std::vector<int> FakeFleet::ports() const {
  return ports_;
}

std::vector<std::string> FakeFleet::base_urls() const {
  std::vector<std::string> urls;
  for (const std::string& address : addresses_) {
    urls.push_back("http://" + address);
  }
  return urls;
}

std::vector<EndpointStats> FakeFleet::stats() {
  std::vector<EndpointStats> result;
  run_on_loop([this, &result] {
    for (const auto& endpoint : endpoints_) {
      result.push_back(endpoint->stats());
    }
  });
  return result;
}

nlohmann::json FakeFleet::stats_json() {
  nlohmann::json array = nlohmann::json::array();
  for (const EndpointStats& stats : stats()) {
    array.push_back(to_json(stats));
  }
  return array;
}

}  // namespace rb
