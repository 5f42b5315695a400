#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <vector>

#include "engine/metrics.hpp"
#include "engine/strategy/strategy.hpp"
#include "engine/transport.hpp"

namespace rb {

// Settings of the request flow that come from the scenario rather than the strategy.
struct FlowOptions {
  std::int64_t max_in_flight = 10000;  // logical requests at once; beyond it they drop
  bool idempotent = true;              // whether the request's method is idempotent
  Duration run_start{0};               // clock time at which the load phase started
  // Wall-clock seconds at clock time `run_start`, for HTTP-date Retry-After values.
  std::time_t wall_start_unix = 0;
};

// Turns logical requests into attempts: asks the strategy where to send each attempt,
// hands it to the transport, and on each result asks the strategy whether to retry and
// after how long, using the scheduler for the wait. It records every metric on the way.
// The live driver and the simulator both drive this same class.
class RequestFlow : public AttemptSink {
 public:
  // Called when a logical request ends (for closed-loop users): the user index, and whether
  // the request succeeded.
  using CompletionListener = std::function<void(std::int64_t user, bool succeeded)>;

  RequestFlow(Scheduler& scheduler, Transport& transport, Strategy& strategy,
              StrategyMetrics& metrics, const FlowOptions& options);

  // Starts a logical request whose intended start is `intended_at` (clock time). `user` is
  // the closed-loop user that sends it, or -1 in open loop.
  void start_request(Duration intended_at, std::int64_t user = -1);

  void on_attempt_done(std::uint64_t token, const AttemptResult& result) override;
  void on_timer(std::uint64_t token);

  // Ends every request still in flight or waiting to retry, counting it as cancelled with
  // the time it has taken so far.
  void cancel_all();

  std::size_t in_flight() const { return active_; }

  // Sets the clock time at which the load phase starts and the wall-clock time then.
  void set_run_start(Duration run_start, std::time_t wall_start_unix) {
    options_.run_start = run_start;
    options_.wall_start_unix = wall_start_unix;
  }
  void set_completion_listener(CompletionListener listener) { listener_ = std::move(listener); }

 private:
  struct RequestState {
    std::uint32_t generation = 0;
    bool active = false;
    bool attempt_in_flight = false;   // an attempt is on the wire (else waiting to retry)
    std::uint64_t id = 0;
    std::int64_t user = -1;
    Duration intended_at{0};          // clock time the load profile meant it to start
    Duration attempt_started_at{0};   // clock time the current attempt started
    Duration previous_delay{0};       // last backoff used
    int attempts = 0;                 // attempts started
    std::size_t endpoint = 0;         // endpoint of the current or last attempt
    bool last_failed = false;
  };

  std::uint64_t token_of(std::uint32_t slot) const;
  RequestState* state_of(std::uint64_t token, std::uint32_t& slot);
  std::uint32_t allocate_slot();

  void send_attempt(std::uint32_t slot);
  void record_attempt_end(RequestState& state, const AttemptResult& result, Duration now);
  void finish(std::uint32_t slot, bool succeeded, const AttemptResult* last, Duration now);
  Duration offset(Duration clock_time) const { return clock_time - options_.run_start; }

  Scheduler& scheduler_;
  Transport& transport_;
  Strategy& strategy_;
  StrategyMetrics& metrics_;
  FlowOptions options_;
  CompletionListener listener_;

  std::vector<RequestState> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t active_ = 0;
  std::uint64_t next_id_ = 1;
};

}  // namespace rb
