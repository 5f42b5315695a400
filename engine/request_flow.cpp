#include "engine/request_flow.hpp"

#include <spdlog/spdlog.h>

namespace rb {

namespace {

// A token carries the slot in its low 32 bits and the slot's generation in the high 32, so a
// result or timer that arrives after its request ended is recognised and ignored.
constexpr std::uint64_t kSlotMask = 0xffffffffULL;

}  // namespace

RequestFlow::RequestFlow(Scheduler& scheduler, Transport& transport, Strategy& strategy,
                         StrategyMetrics& metrics, const FlowOptions& options)
    : scheduler_(scheduler),
      transport_(transport),
      strategy_(strategy),
      metrics_(metrics),
      options_(options) {}

std::uint64_t RequestFlow::token_of(std::uint32_t slot) const {
  return (static_cast<std::uint64_t>(slots_[slot].generation) << 32) | slot;
}

RequestFlow::RequestState* RequestFlow::state_of(std::uint64_t token, std::uint32_t& slot) {
  slot = static_cast<std::uint32_t>(token & kSlotMask);
  if (slot >= slots_.size()) {
    return nullptr;
  }
  RequestState& state = slots_[slot];
  if (!state.active || state.generation != static_cast<std::uint32_t>(token >> 32)) {
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

void RequestFlow::start_request(Duration intended_at, std::int64_t user) {
  ++metrics_.requests;
  const Duration now = scheduler_.now();
  metrics_.series.on_sent(offset(intended_at));

  if (static_cast<std::int64_t>(active_) >= options_.max_in_flight) {
    // The harness, not the upstream, is out of room: count it, never lose it.
    ++metrics_.dropped;
    ++metrics_.failed;
    metrics_.series.on_completed(offset(now), false, now - intended_at);
    if (listener_) {
      listener_(user, false);
    }
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
  send_attempt(slot);
}

void RequestFlow::send_attempt(std::uint32_t slot) {
  RequestState& state = slots_[slot];
  const Duration now = scheduler_.now();

  SelectContext select;
  select.attempt_index = state.attempts;
  if (state.attempts > 0) {
    select.previous = state.endpoint;
    select.previous_failed = state.last_failed;
  }
  state.endpoint = strategy_.choose_endpoint(select, now);
  state.attempts += 1;
  state.attempt_started_at = now;
  state.attempt_in_flight = true;

  ++metrics_.attempts;
  ++metrics_.endpoints[state.endpoint].attempts;
  metrics_.series.on_attempt(offset(now), state.endpoint);
  strategy_.attempt_started(state.endpoint, now);

  AttemptSpec spec;
  spec.token = token_of(slot);
  spec.request_id = state.id;
  spec.endpoint = state.endpoint;
  spec.started_at = now;
  const Duration deadline = strategy_.config().retry.deadline;
  spec.deadline_at = deadline.count() > 0 ? state.intended_at + deadline : Duration(0);
  transport_.start(spec);
}

void RequestFlow::record_attempt_end(RequestState& state, const AttemptResult& result,
                                     Duration now) {
  ++metrics_.attempt_classes[static_cast<std::size_t>(result.cls)];
  if (result.status != 0) {
    ++metrics_.attempt_statuses[result.status];
  }
  if (result.transport_retried) {
    ++metrics_.transport_retries;
  }
  metrics_.service.record(result.service_time.count() > 0 ? result.service_time
                                                          : now - state.attempt_started_at);
  EndpointAttempts& endpoint = metrics_.endpoints[state.endpoint];
  if (result.cls == AttemptClass::kSuccess) {
    ++endpoint.succeeded;
  } else {
    ++endpoint.failed;
  }
}

void RequestFlow::on_attempt_done(std::uint64_t token, const AttemptResult& result) {
  std::uint32_t slot = 0;
  RequestState* state = state_of(token, slot);
  if (state == nullptr || !state->attempt_in_flight) {
    return;
  }
  const Duration now = scheduler_.now();
  state->attempt_in_flight = false;
  state->last_failed = result.cls != AttemptClass::kSuccess;
  record_attempt_end(*state, result, now);

  RetryContext context;
  context.attempts_made = state->attempts;
  context.request_started_at = state->intended_at;
  context.previous_delay = state->previous_delay;
  context.idempotent = options_.idempotent;
  context.wall_now_unix =
      options_.wall_start_unix + static_cast<std::time_t>(to_seconds(offset(now)));
  const RetryDecision decision = strategy_.attempt_finished(
      context, state->endpoint, result, now - state->attempt_started_at, now);

  ++metrics_.verdicts[static_cast<std::size_t>(decision.verdict)];
  if (decision.retry_after_invalid) {
    ++metrics_.retry_after_invalid;
  }

  if (decision.verdict == RetryVerdict::kSucceeded) {
    finish(slot, true, &result, now);
    return;
  }
  if (decision.verdict != RetryVerdict::kRetry) {
    spdlog::debug("request {} gives up after attempt {} on endpoint {}: {} ({})", state->id,
                  state->attempts, state->endpoint, retry_reason_key(result),
                  retry_verdict_name(decision.verdict));
    finish(slot, false, &result, now);
    return;
  }

  ++metrics_.retries_by_reason[retry_reason_key(result)];
  const auto wait = static_cast<std::size_t>(decision.wait_reason);
  ++metrics_.waits[wait];
  metrics_.wait_seconds[wait] += to_seconds(decision.delay);
  state->previous_delay = decision.delay;
  spdlog::debug("request {} retries after {} on endpoint {}: waiting {:.3f} s", state->id,
                retry_reason_key(result), state->endpoint, to_seconds(decision.delay));
  if (decision.delay.count() <= 0) {
    send_attempt(slot);
  } else {
    scheduler_.schedule(now + decision.delay, token);
  }
}

void RequestFlow::on_timer(std::uint64_t token) {
  std::uint32_t slot = 0;
  RequestState* state = state_of(token, slot);
  if (state == nullptr || state->attempt_in_flight) {
    return;
  }
  send_attempt(slot);
}

void RequestFlow::finish(std::uint32_t slot, bool succeeded, const AttemptResult* last,
                         Duration now) {
  RequestState& state = slots_[slot];
  const Duration latency = now - state.intended_at;
  metrics_.latency.record(latency);
  if (succeeded) {
    ++metrics_.succeeded;
    metrics_.latency_succeeded.record(latency);
  } else {
    ++metrics_.failed;
    const AttemptClass cls = last != nullptr ? last->cls : AttemptClass::kCancelled;
    ++metrics_.final_classes[static_cast<std::size_t>(cls)];
    if (last != nullptr && last->status != 0) {
      ++metrics_.final_statuses[last->status];
    }
  }
  ++metrics_.attempts_per_request[state.attempts];
  metrics_.series.on_completed(offset(now), succeeded, latency);

  const std::int64_t user = state.user;
  state.active = false;
  free_slots_.push_back(slot);
  --active_;
  if (listener_) {
    listener_(user, succeeded);
  }
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
    if (state.attempt_in_flight) {
      transport_.cancel(token_of(slot));
      AttemptResult cancelled;
      cancelled.cls = AttemptClass::kCancelled;
      cancelled.service_time = now - state.attempt_started_at;
      record_attempt_end(state, cancelled, now);
    }
    ++metrics_.cancelled;
    finish(slot, false, nullptr, now);
  }
}

}  // namespace rb
