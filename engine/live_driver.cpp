#include "engine/live_driver.hpp"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <algorithm>
#include <ctime>
#include <queue>
#include <stdexcept>

#include "engine/closed_loop_users.hpp"
#include "engine/http/http_transport.hpp"
#include "engine/http/precise_timer.hpp"
#include "engine/request_flow.hpp"
#include "engine/strategy/fallback.hpp"

namespace rb {

namespace {

// Timer tokens with this bit set start the next request of a closed-loop user; the rest
// are request-flow retry timers.
constexpr std::uint64_t kUserTimerBit = 1ULL << 63;

// How often the stop flag and the end of the run are checked, in milliseconds.
constexpr std::uint64_t kCheckIntervalMs = 5;

Duration clock_now() {
  return Duration(static_cast<std::int64_t>(uv_hrtime()));
}

// Forwards results to the flow, which is built after the transport that needs a sink.
class SinkForwarder : public AttemptSink {
 public:
  void on_attempt_done(std::uint64_t token, const AttemptResult& result) override {
    if (flow != nullptr) {
      flow->on_attempt_done(token, result);
    }
  }
  RequestFlow* flow = nullptr;
};

class LiveRun : public Scheduler {
 public:
  LiveRun(const StrategyConfig& strategy_config, const std::vector<Endpoint>& endpoints,
          const RequestTemplate& request, const http::HttpClientOptions& client,
          const LiveRunOptions& options, StrategyMetrics& metrics)
      : options_(options),
        pacer_(options.load, options.seed, options.shard),
        strategy_(strategy_config, weights_of(endpoints), mix_seed(options.seed, 17)),
        metrics_(metrics) {
    if (uv_loop_init(&loop_) != 0) {
      throw std::runtime_error("cannot create the event loop");
    }
    transport_ = std::make_unique<http::HttpTransport>(&loop_, endpoints, request,
                                                       client_for(client, strategy_config), sink_);
    transport_->set_request_variants(request_variants(request, strategy_config.fallback));
    FlowOptions flow_options;
    flow_options.max_in_flight = options.load.max_in_flight;
    flow_options.idempotent = is_idempotent_method(request.method);
    flow_ = std::make_unique<RequestFlow>(*this, *transport_, strategy_, metrics_, flow_options);
    sink_.flow = flow_.get();
    flow_->set_completion_listener(
        [this](std::int64_t user, bool, bool sent) { on_request_completed(user, sent); });
  }

  ~LiveRun() override {
    sink_.flow = nullptr;
    flow_.reset();
    transport_.reset();
    if (wake_timer_ != nullptr) {
      wake_timer_->close();
    }
    // Let every handle's close callback run before the loop goes away.
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }

  Duration now() const override { return clock_now(); }

  void schedule(Duration at, std::uint64_t token) override {
    timers_.push({at, token});
    if (at < wake_timer_->armed_at()) {
      wake_timer_->start_at(at);
    }
  }

  LiveRunOutcome run() {
    wake_timer_ = std::make_unique<http::PreciseTimer>(&loop_, &LiveRun::on_wake, this);
    uv_timer_init(&loop_, &check_timer_);
    check_timer_.data = this;

    start_ = clock_now();
    next_progress_ = start_ + from_seconds(1);
    flow_->set_run_start(start_, std::time(nullptr));
    spdlog::info("strategy {} starts: {} load for {:.1f} s", strategy_.config().name,
                 load_kind_name(options_.load.kind), to_seconds(options_.load.duration));
    start_users();
    dispatch_due();
    uv_timer_start(&check_timer_, &LiveRun::on_check, kCheckIntervalMs, kCheckIntervalMs);
    uv_run(&loop_, UV_RUN_DEFAULT);

    metrics_.series.finish();
    outcome_.drain_seconds = to_seconds(clock_now() - load_end_);
    spdlog::info("strategy {} stops: {} requests, {} attempts, {} cancelled",
                 strategy_.config().name, metrics_.requests, metrics_.attempts, metrics_.cancelled);
    return outcome_;
  }

 private:
  struct Timer {
    Duration at;
    std::uint64_t token;
    bool operator>(const Timer& other) const { return at > other.at; }
  };

  // The strategy's own timeouts override the client's.
  static http::HttpClientOptions client_for(const http::HttpClientOptions& client,
                                            const StrategyConfig& strategy) {
    http::HttpClientOptions out = client;
    out.timeouts = strategy.timeouts;
    return out;
  }

  static std::vector<double> weights_of(const std::vector<Endpoint>& endpoints) {
    std::vector<double> weights;
    for (const auto& endpoint : endpoints) {
      weights.push_back(endpoint.weight);
    }
    return weights;
  }

  void start_users() {
    if (options_.load.open_loop()) {
      return;
    }
    users_ = ClosedLoopUsers(options_.load);
    for (std::int64_t user = 0; user < options_.load.users; ++user) {
      start_user_request(user, start_);
    }
  }

  void start_user_request(std::int64_t user, Duration at) {
    users_.on_started(user);
    flow_->start_request(at, user);
  }

  bool user_may_continue(std::int64_t user) const {
    return !load_ended_ && users_.may_continue(user);
  }

  void on_request_completed(std::int64_t user, bool sent) {
    if (user < 0 || !user_may_continue(user)) {
      return;
    }
    const Duration think = pause_after(options_.load, sent);
    if (think.count() <= 0) {
      start_user_request(user, clock_now());
    } else {
      schedule(clock_now() + think, kUserTimerBit | static_cast<std::uint64_t>(user));
    }
  }

  // Starts every request and timer whose time has come, then arms the timer for the next.
  void dispatch_due() {
    const Duration now = clock_now();
    while (!load_ended_ && pacer_.peek() && start_ + *pacer_.peek() <= now) {
      flow_->start_request(start_ + *pacer_.peek());
      pacer_.pop();
    }
    while (!timers_.empty() && timers_.top().at <= now) {
      const Timer timer = timers_.top();
      timers_.pop();
      if ((timer.token & kUserTimerBit) != 0) {
        const auto user = static_cast<std::int64_t>(timer.token & ~kUserTimerBit);
        if (user_may_continue(user)) {
          start_user_request(user, timer.at);
        }
      } else {
        flow_->on_timer(timer.token);
      }
    }
    arm_timer();
  }

  // Arms the wake-up timer for the next request or timer, to the nanosecond.
  void arm_timer() {
    Duration next = Duration::max();
    if (!load_ended_ && pacer_.peek()) {
      next = start_ + *pacer_.peek();
    }
    if (!timers_.empty()) {
      next = std::min(next, timers_.top().at);
    }
    if (next == Duration::max()) {
      wake_timer_->stop();
      return;
    }
    wake_timer_->start_at(next);
  }

  static void on_wake(void* data) { static_cast<LiveRun*>(data)->dispatch_due(); }

  static void on_check(uv_timer_t* timer) { static_cast<LiveRun*>(timer->data)->check(); }

  bool load_phase_over(Duration now) const {
    if (options_.stop_requested != nullptr && options_.stop_requested->load()) {
      return true;
    }
    if (options_.load.open_loop()) {
      // Open loop ends at the duration, so grace counts from there as in sim runs, or
      // earlier once the pacer has sent max_requests and nothing is in flight.
      return now - start_ >= options_.load.duration ||
             (pacer_.reached_request_limit() && flow_->in_flight() == 0);
    }
    // Closed loop ends at the duration, or earlier when every user has sent its share.
    const bool users_done = flow_->in_flight() == 0 && timers_.empty();
    return now - start_ >= options_.load.duration || users_done;
  }

  void check() {
    const Duration now = clock_now();
    report_progress(now);
    if (!load_ended_ && load_phase_over(now)) {
      end_load_phase(now);
    }
    if (!load_ended_) {
      return;
    }
    const bool drained = flow_->in_flight() == 0;
    const bool grace_over = now - load_end_ >= options_.load.grace;
    if (drained || grace_over) {
      flow_->cancel_all();
      shut_down();
    }
  }

  void end_load_phase(Duration now) {
    load_ended_ = true;
    load_end_ = now;
    outcome_.load_seconds = to_seconds(now - start_);
    outcome_.interrupted = options_.stop_requested != nullptr && options_.stop_requested->load();
    // Pending user restarts are void now; retry timers stay so that waiting requests finish.
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> kept;
    while (!timers_.empty()) {
      if ((timers_.top().token & kUserTimerBit) == 0) {
        kept.push(timers_.top());
      }
      timers_.pop();
    }
    timers_ = std::move(kept);
    arm_timer();
  }

  void report_progress(Duration now) {
    if (!options_.on_progress || now < next_progress_) {
      return;
    }
    next_progress_ += from_seconds(1);
    LiveProgress progress;
    progress.elapsed_s = to_seconds(now - start_);
    progress.requests = metrics_.requests;
    progress.completed = metrics_.succeeded + metrics_.failed + metrics_.dropped;
    progress.succeeded = metrics_.succeeded;
    progress.p99_us = metrics_.latency.percentile_micros(99);
    options_.on_progress(progress);
  }

  void shut_down() {
    wake_timer_->close();
    uv_timer_stop(&check_timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&check_timer_), nullptr);
    transport_->close();
  }

  LiveRunOptions options_;
  Pacer pacer_;
  Strategy strategy_;
  StrategyMetrics& metrics_;
  uv_loop_t loop_{};
  std::unique_ptr<http::PreciseTimer> wake_timer_;  // next request or flow timer
  uv_timer_t check_timer_{};
  SinkForwarder sink_;
  std::unique_ptr<http::HttpTransport> transport_;
  std::unique_ptr<RequestFlow> flow_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  ClosedLoopUsers users_{LoadProfile{}};  // rebuilt from the profile in start_users()

  Duration start_{0};
  Duration load_end_{0};
  Duration next_progress_{0};
  bool load_ended_ = false;
  LiveRunOutcome outcome_;
};

}  // namespace

LiveRunOutcome run_live(const StrategyConfig& strategy, const std::vector<Endpoint>& endpoints,
                        const RequestTemplate& request, const http::HttpClientOptions& client,
                        const LiveRunOptions& options, StrategyMetrics& metrics) {
  LiveRun run(strategy, endpoints, request, client, options, metrics);
  return run.run();
}

}  // namespace rb
