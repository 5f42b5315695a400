#pragma once

#include <array>
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

// Turns logical requests into attempts: asks the strategy whether a request may start and
// where to send each attempt, hands it to the transport, and on each result asks the
// strategy whether to retry and after how long, using the scheduler for the wait, the hedge
// delay and the retry queue. A request has at most two attempts in flight (an attempt and
// its hedge). It records every metric on the way. The live driver and the simulator both
// drive this same class.
//
// Tokens (attempts and timers) pack, from the low bits: the request slot (24 bits), the
// token kind (2 bits: attempt, retry timer, hedge timer, queue timer), the request's attempt
// count mod 256 (8 bits) and the slot's generation (27 bits). Bits 61 to 63 stay 0 for
// drivers that tag tokens with them. A result or timer that arrives after its request or
// attempt ended does not match and is ignored.
class RequestFlow : public AttemptSink {
 public:
  // Called when a logical request ends (for closed-loop users): the user index, whether the
  // request succeeded, and whether it sent any attempt. A request that sent none (dropped
  // at max_in_flight, failed fast, or refused by every breaker) ends inside
  // start_request(), so a listener must not start the user's next request from within
  // the call for it: see kRefusedRequestPause.
  using CompletionListener = std::function<void(std::int64_t user, bool succeeded, bool sent)>;

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
  enum class TokenKind : std::uint8_t { kAttempt, kRetryTimer, kHedgeTimer, kQueueTimer };

  // One attempt slot of a request: the first attempt or a retry uses a free lane, a hedge
  // the other one.
  struct Lane {
    std::uint64_t token = 0;
    Duration started_at{0};
    std::uint32_t endpoint = 0;
    std::uint32_t variant = 0;
    std::uint32_t log_index = 0;  // index in metrics.attempt_log, or kNotLogged
    SendReason reason = SendReason::kFirst;
    bool in_flight = false;
  };

  // Fields are ordered by size so that the state packs tightly, because the simulator
  // touches one per event and a run has thousands in flight.
  struct RequestState {
    std::uint64_t id = 0;
    std::int64_t user = -1;
    Duration intended_at{0};     // clock time the load profile meant it to start
    Duration previous_delay{0};  // last backoff used
    Duration next_wait{0};
    std::uint32_t generation = 0;
    int attempts = 0;            // attempts started, hedges included
    std::uint32_t endpoint = 0;  // endpoint of the last attempt that ended
    std::uint32_t variant = 0;   // request variant of the next primary attempt
    int last_status = 0;
    int cause_status = 0;
    bool active = false;
    bool waiting_retry = false;  // a retry timer is armed
    bool queued = false;         // waiting in the retry queue
    bool last_failed = false;
    AttemptClass last_class = AttemptClass::kCancelled;  // how the last ended attempt ended
    AttemptClass cause_class = AttemptClass::kSuccess;   // outcome that caused the next retry
    SendReason next_reason = SendReason::kRetry;         // why the next primary attempt is sent
    std::array<Lane, 2> lanes{};
  };

  std::uint64_t make_token(std::uint32_t slot, TokenKind kind, int attempts) const;
  RequestState* state_of(std::uint64_t token, TokenKind kind, std::uint32_t& slot);
  std::uint32_t allocate_slot();
  int lanes_in_flight(const RequestState& state) const;

  // Sends the next attempt in lane `lane`; returns false when every breaker refused it and
  // the request has ended.
  bool send_attempt(std::uint32_t slot, std::size_t lane, SendReason reason);
  void arm_hedge(std::uint32_t slot);
  void record_attempt_end(Lane& lane, const AttemptResult& result, Duration now);
  static std::uint32_t lane_key(std::uint32_t slot, std::size_t lane) {
    return static_cast<std::uint32_t>(slot * 2 + lane);
  }
  void cancel_lane(std::uint32_t slot, std::size_t lane, Duration now);
  void decide_after_failure(std::uint32_t slot, const Lane& lane, const AttemptResult& result,
                            Duration now);
  void schedule_retry(std::uint32_t slot, const RetryDecision& decision,
                      const AttemptResult& result, Duration now);
  void on_hedge_timer(std::uint32_t slot, RequestState& state, int armed_attempts);
  void drain_queue();
  void arm_queue_timer();
  void finish(std::uint32_t slot, bool succeeded, Duration now);
  void fail_fast(Duration intended_at, std::int64_t user, FailFastReason reason, Duration now);
  void notify(std::int64_t user, bool succeeded, bool sent);
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
  bool queue_timer_armed_ = false;
};

}  // namespace rb
