#include "engine/request_flow.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

namespace rb {

namespace {

constexpr std::uint64_t kSlotMask = (1ULL << 24) - 1;
constexpr int kKindShift = 24;
constexpr std::uint64_t kKindMask = 0x3;
constexpr int kAttemptShift = 26;
constexpr std::uint64_t kAttemptMask = 0xff;
constexpr int kGenerationShift = 34;
constexpr std::uint64_t kGenerationMask = (1ULL << 27) - 1;
constexpr std::size_t kMaxSlots = kSlotMask + 1;
constexpr std::uint32_t kNotLogged = std::numeric_limits<std::uint32_t>::max();
constexpr std::size_t kLogReserveLimit = 1024;  // entries reserved up front; more grow later

}  // namespace

RequestFlow::RequestFlow(Scheduler& scheduler, Transport& transport, Strategy& strategy,
                         StrategyMetrics& metrics, const FlowOptions& options)
    : scheduler_(scheduler),
      transport_(transport),
      strategy_(strategy),
      metrics_(metrics),
      options_(options) {
  metrics_.attempt_log_limit = strategy_.config().decision_log;
  metrics_.attempt_log.reserve(std::min(metrics_.attempt_log_limit, kLogReserveLimit));
}

std::uint64_t RequestFlow::make_token(std::uint32_t slot, TokenKind kind, int attempts) const {
  const std::uint64_t generation = slots_[slot].generation & kGenerationMask;
  return (generation << kGenerationShift) |
         ((static_cast<std::uint64_t>(attempts) & kAttemptMask) << kAttemptShift) |
         (static_cast<std::uint64_t>(kind) << kKindShift) | slot;
}

RequestFlow::RequestState* RequestFlow::state_of(std::uint64_t token, TokenKind kind,
                                                 std::uint32_t& slot) {
  slot = static_cast<std::uint32_t>(token & kSlotMask);
  if (((token >> kKindShift) & kKindMask) != static_cast<std::uint64_t>(kind) ||
      slot >= slots_.size()) {
    return nullptr;
  }
  RequestState& state = slots_[slot];
  const std::uint64_t generation = (token >> kGenerationShift) & kGenerationMask;
  if (!state.active || (state.generation & kGenerationMask) != generation) {
    return nullptr;
  }
  return &state;
}

std::uint32_t RequestFlow::allocate_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

int RequestFlow::lanes_in_flight(const RequestState& state) const {
  return (state.lanes[0].in_flight ? 1 : 0) + (state.lanes[1].in_flight ? 1 : 0);
}

void RequestFlow::notify(std::int64_t user, bool succeeded, bool sent) {
  if (listener_) {
    listener_(user, succeeded, sent);
  }
}

void RequestFlow::start_request(Duration intended_at, std::int64_t user) {
  ++metrics_.requests;
  const Duration now = scheduler_.now();
  metrics_.series.on_sent(offset(intended_at));

  const bool out_of_slots = free_slots_.empty() && slots_.size() >= kMaxSlots;
  if (static_cast<std::int64_t>(active_) >= options_.max_in_flight || out_of_slots) {
    // The harness, not the upstream, is out of room. The request is counted as dropped, in
    // neither `failed` nor the per-second completions.
    ++metrics_.dropped;
    metrics_.series.on_dropped(offset(now));
    notify(user, false, false);
    return;
  }

  const RequestAdmission admission = strategy_.admit(now);
  if (!admission.admitted) {
    fail_fast(intended_at, user, admission.reason, now);
    return;
  }

  const std::uint32_t slot = allocate_slot();
  RequestState& state = slots_[slot];
  const std::uint32_t generation = state.generation + 1;
  state = RequestState{};
  state.generation = generation;
  state.active = true;
  state.id = next_id_++;
  state.user = user;
  state.intended_at = intended_at;
  ++active_;

  metrics_.lag.record(now > intended_at ? now - intended_at : Duration(0));
  send_attempt(slot, 0, SendReason::kFirst);
}

bool RequestFlow::send_attempt(std::uint32_t slot, std::size_t lane_index, SendReason reason) {
  RequestState& state = slots_[slot];
  const Duration now = scheduler_.now();
  const Lane& other = state.lanes[1 - lane_index];

  SelectContext select;
  select.attempt_index = state.attempts;
  if (state.attempts > 0) {
    select.previous = state.endpoint;
    select.previous_failed = state.last_failed;
  }
  std::optional<std::size_t> avoid;
  if (other.in_flight) {
    avoid = other.endpoint;
  }
  const std::optional<std::size_t> endpoint = strategy_.choose_endpoint(select, now, avoid);
  if (!endpoint) {
    if (reason == SendReason::kHedge) {
      ++metrics_.hedges_refused;
      return false;
    }
    // Every breaker opened while the request waited: the granted retry becomes a refusal,
    // and the request ends with its last attempt's outcome.
    --metrics_.verdicts[static_cast<std::size_t>(RetryVerdict::kRetry)];
    ++metrics_.verdicts[static_cast<std::size_t>(RetryVerdict::kBreakerOpen)];
    if (lanes_in_flight(state) == 0) {
      finish(slot, false, now);
    }
    return false;
  }

  state.attempts += 1;
  Lane& lane = state.lanes[lane_index];
  lane = Lane{};
  lane.in_flight = true;
  lane.token = make_token(slot, TokenKind::kAttempt, state.attempts);
  lane.endpoint = static_cast<std::uint32_t>(*endpoint);
  lane.started_at = now;
  lane.reason = reason;
  lane.variant = state.variant;
  lane.log_index = kNotLogged;

  ++metrics_.attempts;
  ++metrics_.endpoints[lane.endpoint].attempts;
  ++metrics_.attempts_by_reason[static_cast<std::size_t>(reason)];
  if (reason == SendReason::kHedge) {
    ++metrics_.hedges_sent;
  }
  metrics_.series.on_attempt(offset(now), lane.endpoint);
  if (metrics_.attempt_log.size() < metrics_.attempt_log_limit &&
      metrics_.attempt_log.size() < kNotLogged) {
    AttemptLogEntry entry;
    entry.request_id = state.id;
    entry.attempt = state.attempts;
    entry.reason = reason;
    if (reason == SendReason::kRetry || reason == SendReason::kFallback) {
      entry.cause_class = state.cause_class;
      entry.cause_status = state.cause_status;
      entry.waited = state.next_wait;
    }
    entry.endpoint = lane.endpoint;
    entry.variant = lane.variant;
    entry.sent_at = offset(now);
    lane.log_index = static_cast<std::uint32_t>(metrics_.attempt_log.size());
    metrics_.attempt_log.push_back(entry);
  }
  strategy_.attempt_started(lane.endpoint, now);

  AttemptSpec spec;
  spec.token = lane.token;
  spec.lane_key = lane_key(slot, lane_index);
  spec.request_id = state.id;
  spec.endpoint = lane.endpoint;
  spec.started_at = now;
  spec.variant = lane.variant;
  const Duration deadline = strategy_.config().retry.deadline;
  spec.deadline_at = deadline.count() > 0 ? state.intended_at + deadline : Duration(0);
  transport_.start(spec);

  if (reason != SendReason::kHedge) {
    arm_hedge(slot);
  }
  return true;
}

void RequestFlow::arm_hedge(std::uint32_t slot) {
  const RequestState& state = slots_[slot];
  if (!strategy_.hedging() || state.attempts >= strategy_.config().retry.max_attempts) {
    return;
  }
  const Duration at = scheduler_.now() + strategy_.hedge_delay();
  scheduler_.schedule(at, make_token(slot, TokenKind::kHedgeTimer, state.attempts));
}

void RequestFlow::record_attempt_end(Lane& lane, const AttemptResult& result, Duration now) {
  ++metrics_.attempt_classes[static_cast<std::size_t>(result.cls)];
  if (result.status != 0) {
    ++metrics_.attempt_statuses[result.status];
  }
  if (result.transport_retried) {
    ++metrics_.transport_retries;
  }
  metrics_.service.record(result.service_time.count() > 0 ? result.service_time
                                                          : now - lane.started_at);
  EndpointAttempts& endpoint = metrics_.endpoints[lane.endpoint];
  if (result.cls == AttemptClass::kSuccess) {
    ++endpoint.succeeded;
  } else if (result.cls == AttemptClass::kCancelled) {
    ++endpoint.cancelled;
  } else {
    ++endpoint.failed;
  }
  if (lane.log_index != kNotLogged) {
    AttemptLogEntry& entry = metrics_.attempt_log[lane.log_index];
    entry.result_class = result.cls;
    entry.result_status = result.status;
    entry.latency = now - lane.started_at;
    entry.transport_retried = result.transport_retried;
    entry.ended = true;
  }
}

void RequestFlow::cancel_lane(std::uint32_t slot, std::size_t lane_index, Duration now) {
  Lane& lane = slots_[slot].lanes[lane_index];
  transport_.cancel(lane.token, lane_key(slot, lane_index));
  lane.in_flight = false;
  AttemptResult cancelled;
  cancelled.cls = AttemptClass::kCancelled;
  cancelled.service_time = now - lane.started_at;
  record_attempt_end(lane, cancelled, now);
  strategy_.attempt_observed(lane.endpoint, cancelled, now - lane.started_at, now);
}

void RequestFlow::on_attempt_done(std::uint64_t token, const AttemptResult& result) {
  std::uint32_t slot = 0;
  RequestState* state = state_of(token, TokenKind::kAttempt, slot);
  if (state == nullptr) {
    return;
  }
  std::size_t index = 0;
  if (!(state->lanes[0].in_flight && state->lanes[0].token == token)) {
    if (!(state->lanes[1].in_flight && state->lanes[1].token == token)) {
      return;
    }
    index = 1;
  }
  const Duration now = scheduler_.now();
  Lane& lane = state->lanes[index];
  Lane& other = state->lanes[1 - index];
  lane.in_flight = false;
  record_attempt_end(lane, result, now);
  state->endpoint = lane.endpoint;
  state->last_failed = result.cls != AttemptClass::kSuccess;
  state->last_class = result.cls;
  state->last_status = result.status;
  const Duration latency = now - lane.started_at;

  if (result.cls == AttemptClass::kSuccess) {
    // The first success wins: the other attempt, if any, is the loser.
    strategy_.attempt_observed(lane.endpoint, result, latency, now);
    ++metrics_.verdicts[static_cast<std::size_t>(RetryVerdict::kSucceeded)];
    if (other.in_flight) {
      cancel_lane(slot, 1 - index, now);
      ++metrics_.cancelled_losers;
    }
    if (lane.reason == SendReason::kHedge) {
      ++metrics_.hedge_wins;
    }
    finish(slot, true, now);
    return;
  }
  if (other.in_flight) {
    if (strategy_.would_retry(result, lane.variant)) {
      // A retryable failure while the partner is still out: wait for the partner's result.
      strategy_.attempt_observed(lane.endpoint, result, latency, now);
      return;
    }
    cancel_lane(slot, 1 - index, now);
  }
  decide_after_failure(slot, lane, result, now);
}

void RequestFlow::decide_after_failure(std::uint32_t slot, const Lane& lane,
                                       const AttemptResult& result, Duration now) {
  RequestState& state = slots_[slot];
  RetryContext context;
  context.attempts_made = state.attempts;
  context.request_started_at = state.intended_at;
  context.previous_delay = state.previous_delay;
  context.idempotent = options_.idempotent;
  context.wall_now_unix =
      options_.wall_start_unix + static_cast<std::time_t>(to_seconds(offset(now)));
  context.variant = lane.variant;
  const RetryDecision decision =
      strategy_.attempt_finished(context, lane.endpoint, result, now - lane.started_at, now);
  if (decision.retry_after_invalid) {
    ++metrics_.retry_after_invalid;
  }
  if (decision.verdict != RetryVerdict::kRetry) {
    ++metrics_.verdicts[static_cast<std::size_t>(decision.verdict)];
    if (spdlog::should_log(spdlog::level::debug)) {  // the reason key costs a string
      spdlog::debug("request {} gives up after attempt {} on endpoint {}: {} ({})", state.id,
                    state.attempts, lane.endpoint, retry_reason_key(result),
                    retry_verdict_name(decision.verdict));
    }
    finish(slot, false, now);
    return;
  }
  schedule_retry(slot, decision, result, now);
}

void RequestFlow::schedule_retry(std::uint32_t slot, const RetryDecision& decision,
                                 const AttemptResult& result, Duration now) {
  RequestState& state = slots_[slot];
  state.variant = decision.variant;
  state.next_reason = decision.fallback ? SendReason::kFallback : SendReason::kRetry;
  state.cause_class = result.cls;
  state.cause_status = result.status;
  state.next_wait = decision.delay;
  const std::uint64_t timer = make_token(slot, TokenKind::kRetryTimer, state.attempts);

  if (strategy_.queueing()) {
    RetryQueue& queue = strategy_.retry_queue();
    if (!queue.push(timer, now, now + decision.delay)) {
      ++metrics_.verdicts[static_cast<std::size_t>(RetryVerdict::kQueueFull)];
      finish(slot, false, now);
      return;
    }
    ++metrics_.retries_queued;
    metrics_.retry_queue_max_depth =
        std::max<std::uint64_t>(metrics_.retry_queue_max_depth, queue.max_depth());
    state.queued = true;
  }
  ++metrics_.verdicts[static_cast<std::size_t>(RetryVerdict::kRetry)];
  // NOTE: this builds a string key and looks it up in a std::map on every retry; it is the
  // largest per-retry cost left in the simulator's profile.
  ++metrics_.retries_by_reason[retry_reason_key(result)];
  const auto wait = static_cast<std::size_t>(decision.wait_reason);
  ++metrics_.waits[wait];
  metrics_.wait_seconds[wait] += to_seconds(decision.delay);
  state.previous_delay = decision.delay;
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("request {} retries after {} on endpoint {}: waiting {:.3f} s", state.id,
                  retry_reason_key(result), state.endpoint, to_seconds(decision.delay));
  }

  if (state.queued) {
    arm_queue_timer();
  } else if (decision.delay.count() <= 0) {
    send_attempt(slot, 0, state.next_reason);
  } else {
    state.waiting_retry = true;
    scheduler_.schedule(now + decision.delay, timer);
  }
}

void RequestFlow::on_timer(std::uint64_t token) {
  const auto kind = static_cast<TokenKind>((token >> kKindShift) & kKindMask);
  std::uint32_t slot = 0;
  switch (kind) {
    case TokenKind::kRetryTimer: {
      RequestState* state = state_of(token, kind, slot);
      if (state == nullptr || !state->waiting_retry) {
        return;
      }
      state->waiting_retry = false;
      send_attempt(slot, 0, state->next_reason);
      return;
    }
    case TokenKind::kHedgeTimer: {
      RequestState* state = state_of(token, kind, slot);
      if (state != nullptr) {
        on_hedge_timer(slot, *state, static_cast<int>((token >> kAttemptShift) & kAttemptMask));
      }
      return;
    }
    case TokenKind::kQueueTimer:
      queue_timer_armed_ = false;
      drain_queue();
      return;
    case TokenKind::kAttempt:
      return;
  }
}

void RequestFlow::on_hedge_timer(std::uint32_t slot, RequestState& state, int armed_attempts) {
  // Only the hedge armed by the attempt still out fires, and only while it is alone.
  const bool current =
      static_cast<int>(static_cast<std::uint64_t>(state.attempts) & kAttemptMask) == armed_attempts;
  if (!current || lanes_in_flight(state) != 1 ||
      state.attempts >= strategy_.config().retry.max_attempts) {
    return;
  }
  if (!strategy_.admit_hedge(scheduler_.now())) {
    ++metrics_.hedges_refused;
    return;
  }
  send_attempt(slot, state.lanes[0].in_flight ? 1 : 0, SendReason::kHedge);
}

void RequestFlow::drain_queue() {
  RetryQueue& queue = strategy_.retry_queue();
  const Duration now = scheduler_.now();
  while (const auto key = queue.pop(now)) {
    std::uint32_t slot = 0;
    RequestState* state = state_of(*key, TokenKind::kRetryTimer, slot);
    if (state == nullptr || !state->queued) {
      continue;  // the request ended while it waited (the run was cut short)
    }
    state->queued = false;
    send_attempt(slot, 0, state->next_reason);
  }
  arm_queue_timer();
}

void RequestFlow::arm_queue_timer() {
  if (queue_timer_armed_) {
    return;
  }
  const auto release = strategy_.retry_queue().next_release();
  if (!release) {
    return;
  }
  queue_timer_armed_ = true;
  scheduler_.schedule(std::max(*release, scheduler_.now()),
                      static_cast<std::uint64_t>(TokenKind::kQueueTimer) << kKindShift);
}

void RequestFlow::fail_fast(Duration intended_at, std::int64_t user, FailFastReason reason,
                            Duration now) {
  ++metrics_.failed_fast[static_cast<std::size_t>(reason)];
  ++metrics_.failed;
  const Duration latency = now - intended_at;
  metrics_.latency.record(latency);
  ++metrics_.attempts_per_request[0];
  metrics_.series.on_completed(offset(now), false, latency);
  metrics_.breaker_trips = strategy_.breaker_trips();
  notify(user, false, false);
}

void RequestFlow::finish(std::uint32_t slot, bool succeeded, Duration now) {
  RequestState& state = slots_[slot];
  const Duration latency = now - state.intended_at;
  metrics_.latency.record(latency);
  if (succeeded) {
    ++metrics_.succeeded;
    metrics_.latency_succeeded.record(latency);
  } else {
    ++metrics_.failed;
    ++metrics_.final_classes[static_cast<std::size_t>(state.last_class)];
    if (state.last_status != 0) {
      ++metrics_.final_statuses[state.last_status];
    }
  }
  ++metrics_.attempts_per_request[state.attempts];
  metrics_.series.on_completed(offset(now), succeeded, latency);
  metrics_.breaker_trips = strategy_.breaker_trips();

  const std::int64_t user = state.user;
  const bool sent = state.attempts > 0;
  state.active = false;
  state.waiting_retry = false;
  state.queued = false;
  free_slots_.push_back(slot);
  --active_;
  notify(user, succeeded, sent);
}

void RequestFlow::cancel_all() {
  const Duration now = scheduler_.now();
  const CompletionListener listener = std::move(listener_);
  listener_ = nullptr;
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    RequestState& state = slots_[slot];
    if (!state.active) {
      continue;
    }
    for (std::size_t lane = 0; lane < state.lanes.size(); ++lane) {
      if (state.lanes[lane].in_flight) {
        cancel_lane(slot, lane, now);
      }
    }
    ++metrics_.cancelled;
    state.last_class = AttemptClass::kCancelled;
    state.last_status = 0;
    finish(slot, false, now);
  }
}

}  // namespace rb
