#include "sim/sim_driver.hpp"

#include <optional>

#include "engine/closed_loop_users.hpp"
#include "engine/request_flow.hpp"
#include "engine/strategy/fallback.hpp"

namespace rb::sim {

namespace {

class SimRun : public Scheduler {
 public:
  SimRun(const StrategyConfig& strategy_config, const std::vector<SimUpstream>& upstreams,
         const RequestTemplate& request, const SimRunOptions& options, StrategyMetrics& metrics)
      : options_(options),
        pacer_(options.load, options.seed, options.shard),
        strategy_(strategy_config, weights_of(upstreams), mix_seed(options.seed, 17)),
        transport_(queue_, now_, profiles_of(upstreams), names_of(upstreams), options.seed, request,
                   strategy_config.timeouts, options.network, options.wall_start_unix),
        metrics_(metrics) {
    FlowOptions flow_options;
    flow_options.max_in_flight = options.load.max_in_flight;
    flow_options.idempotent = is_idempotent_method(request.method);
    flow_options.run_start = Duration(0);
    flow_options.wall_start_unix = options.wall_start_unix;
    flow_ = std::make_unique<RequestFlow>(*this, transport_, strategy_, metrics_, flow_options);
    transport_.set_sink(flow_.get());
    transport_.set_request_variants(request_variants(request, strategy_config.fallback));
    flow_->set_completion_listener(
        [this](std::int64_t user, bool, bool sent) { on_request_completed(user, sent); });
  }

  Duration now() const override { return now_; }

  void schedule(Duration at, std::uint64_t token) override {
    queue_.push(at, EventKind::kRetryTimer, token);
  }

  SimRunOutcome run() {
    start_users();
    push_next_arrival();
    // The end-of-run check runs once the load phase's length has passed and again each
    // simulated 10 ms after, the same cadence as the live driver's check timer.
    queue_.push(options_.load.duration, EventKind::kCheck, 0);

    while (!finished_ && (next_arrival_ || !queue_.empty())) {
      // The pacer's next arrival waits beside the queue rather than in it: it is half the
      // events of a run, and needs no sorting. On a tie the queued event goes first.
      const bool arrival_next =
          next_arrival_ && (queue_.empty() || *next_arrival_ < queue_.next_time());
      const Event event =
          arrival_next ? Event{*next_arrival_, EventKind::kArrival, 0} : queue_.pop();
      now_ = event.at;
      ++outcome_.events;
      handle(event);
      if ((outcome_.events & 0xfff) == 0 && options_.stop_requested != nullptr &&
          options_.stop_requested->load()) {
        outcome_.interrupted = true;
        end_load_phase();
        finish_run();
      }
    }
    if (!finished_) {
      end_load_phase();
      finish_run();
    }
    metrics_.series.finish();
    outcome_.upstreams = transport_.stats_json();
    return outcome_;
  }

 private:
  static std::vector<double> weights_of(const std::vector<SimUpstream>& upstreams) {
    std::vector<double> out;
    for (const auto& upstream : upstreams) {
      out.push_back(upstream.weight);
    }
    return out;
  }
  static std::vector<FaultProfile> profiles_of(const std::vector<SimUpstream>& upstreams) {
    std::vector<FaultProfile> out;
    for (const auto& upstream : upstreams) {
      out.push_back(upstream.profile);
    }
    return out;
  }
  static std::vector<std::string> names_of(const std::vector<SimUpstream>& upstreams) {
    std::vector<std::string> out;
    for (const auto& upstream : upstreams) {
      out.push_back(upstream.name);
    }
    return out;
  }

  void handle(const Event& event) {
    switch (event.kind) {
      case EventKind::kArrival:
        next_arrival_.reset();
        if (!load_ended_) {
          flow_->start_request(now_);
          pacer_.pop();
          push_next_arrival();
        }
        break;
      case EventKind::kRetryTimer:
        flow_->on_timer(event.payload);
        break;
      case EventKind::kUserStart:
        --users_pending_;
        if (user_may_continue(static_cast<std::int64_t>(event.payload))) {
          start_user_request(static_cast<std::int64_t>(event.payload));
        }
        break;
      case EventKind::kAttemptEnd:
        transport_.on_attempt_end(event.payload);
        break;
      case EventKind::kCheck:
        check();
        break;
    }
    if (!load_ended_ && flow_->in_flight() == 0 && all_requests_sent()) {
      // Every request of the load has been sent and has ended: the load phase is over
      // early, by the same rule as live runs.
      end_load_phase();
      finish_run();
    }
  }

  // The pacer has sent max_requests (open loop), or no closed-loop user will start another
  // request.
  bool all_requests_sent() const {
    return options_.load.open_loop() ? pacer_.reached_request_limit() : users_pending_ == 0;
  }

  void push_next_arrival() { next_arrival_ = load_ended_ ? std::nullopt : pacer_.peek(); }

  void start_users() {
    if (options_.load.open_loop()) {
      return;
    }
    users_ = ClosedLoopUsers(options_.load);
    for (std::int64_t user = 0; user < options_.load.users; ++user) {
      start_user_request(user);
    }
  }

  void start_user_request(std::int64_t user) {
    users_.on_started(user);
    flow_->start_request(now_, user);
  }

  bool user_may_continue(std::int64_t user) const {
    return !load_ended_ && users_.may_continue(user);
  }

  void on_request_completed(std::int64_t user, bool sent) {
    if (user < 0) {
      return;
    }
    if (!user_may_continue(user)) {
      return;
    }
    const Duration pause = pause_after(options_.load, sent);
    if (pause.count() <= 0) {
      start_user_request(user);
    } else {
      ++users_pending_;
      queue_.push(now_ + pause, EventKind::kUserStart, static_cast<std::uint64_t>(user));
    }
  }

  void check() {
    if (!load_ended_ && now_ >= options_.load.duration) {
      end_load_phase();
    }
    if (!load_ended_) {
      return;
    }
    if (flow_->in_flight() == 0 || now_ - load_end_ >= options_.load.grace) {
      finish_run();
      return;
    }
    queue_.push(now_ + from_millis(10), EventKind::kCheck, 0);
  }

  void end_load_phase() {
    if (load_ended_) {
      return;
    }
    load_ended_ = true;
    load_end_ = now_;
    next_arrival_.reset();
    outcome_.load_seconds = to_seconds(now_);
  }

  void finish_run() {
    flow_->cancel_all();
    outcome_.drain_seconds = to_seconds(now_ - load_end_);
    finished_ = true;
  }

  SimRunOptions options_;
  Duration now_{0};
  EventQueue queue_;
  Pacer pacer_;
  std::optional<Duration> next_arrival_;  // the pacer's next logical request, not yet due
  Strategy strategy_;
  SimTransport transport_;
  StrategyMetrics& metrics_;
  std::unique_ptr<RequestFlow> flow_;
  ClosedLoopUsers users_{LoadProfile{}};  // rebuilt from the profile in start_users()
  std::int64_t users_pending_ = 0;
  bool load_ended_ = false;
  bool finished_ = false;
  Duration load_end_{0};
  SimRunOutcome outcome_;
};

}  // namespace

SimRunOutcome run_sim(const StrategyConfig& strategy, const std::vector<SimUpstream>& upstreams,
                      const RequestTemplate& request, const SimRunOptions& options,
                      StrategyMetrics& metrics) {
  SimRun run(strategy, upstreams, request, options, metrics);
  return run.run();
}

}  // namespace rb::sim
