#include "engine/strategy/circuit_breaker.hpp"

#include <algorithm>

namespace rb {

std::string breaker_scope_name(BreakerConfig::Scope scope) {
  switch (scope) {
    case BreakerConfig::Scope::kNone:
      return "none";
    case BreakerConfig::Scope::kGlobal:
      return "global";
    case BreakerConfig::Scope::kPerEndpoint:
      return "per-endpoint";
  }
  return "none";
}

CircuitBreaker::CircuitBreaker(const BreakerConfig& config)
    : config_(config), window_(config.window) {
  config_.half_open_probes = std::max(1, config_.half_open_probes);
}

CircuitBreaker::State CircuitBreaker::state(Duration now) const {
  if (state_ == State::kOpen && now >= opened_at_ + config_.open_duration) {
    return State::kHalfOpen;
  }
  return state_;
}

bool CircuitBreaker::allows(Duration now) const {
  switch (state(now)) {
    case State::kClosed:
      return true;
    case State::kOpen:
      return false;
    case State::kHalfOpen:
      // Lazily half-open: no probe has started when the open period has just run out.
      return state_ == State::kOpen || probes_started_ < config_.half_open_probes;
  }
  return true;
}

void CircuitBreaker::enter_half_open_if_due(Duration now) {
  if (state_ == State::kOpen && now >= opened_at_ + config_.open_duration) {
    state_ = State::kHalfOpen;
    half_open_since_ = now;
    probes_started_ = 0;
    probe_successes_ = 0;
  }
}

void CircuitBreaker::trip(Duration now) {
  state_ = State::kOpen;
  opened_at_ = now;
  ++trips_;
}

void CircuitBreaker::close() {
  state_ = State::kClosed;
  consecutive_ = 0;
  window_.clear();
}

void CircuitBreaker::on_attempt_start(Duration now) {
  enter_half_open_if_due(now);
  if (state_ == State::kHalfOpen) {
    ++probes_started_;
  }
}

void CircuitBreaker::on_attempt_end(EndpointOutcome outcome, Duration started_at, Duration now) {
  enter_half_open_if_due(now);
  const bool failed = outcome == EndpointOutcome::kFailure;
  switch (state_) {
    case State::kClosed: {
      if (outcome == EndpointOutcome::kCancelled) {
        return;
      }
      consecutive_ = failed ? consecutive_ + 1 : 0;
      window_.add(now, 1, failed ? 1 : 0);
      const SlidingWindow::Totals totals = window_.totals(now);
      const bool too_many_in_row =
          config_.consecutive_failures > 0 && consecutive_ >= config_.consecutive_failures;
      const bool rate_too_high =
          config_.failure_rate > 0 &&
          totals.total >= static_cast<std::uint64_t>(std::max(1, config_.min_requests)) &&
          static_cast<double>(totals.hits) >=
              config_.failure_rate * static_cast<double>(totals.total);
      if (too_many_in_row || rate_too_high) {
        trip(now);
      }
      return;
    }
    case State::kOpen:
      return;
    case State::kHalfOpen:
      if (started_at < half_open_since_) {
        return;
      }
      if (outcome == EndpointOutcome::kCancelled) {
        probes_started_ = std::max(0, probes_started_ - 1);
      } else if (failed) {
        trip(now);
      } else if (++probe_successes_ >= config_.half_open_probes) {
        close();
      }
      return;
  }
}

BreakerSet::BreakerSet(const BreakerConfig& config, std::size_t endpoints) : scope_(config.scope) {
  const std::size_t count = scope_ == BreakerConfig::Scope::kNone     ? 0
                            : scope_ == BreakerConfig::Scope::kGlobal ? 1
                                                                      : endpoints;
  breakers_.assign(count, CircuitBreaker(config));
}

bool BreakerSet::allows(std::size_t endpoint, Duration now) const {
  return !enabled() || breaker_for(endpoint).allows(now);
}

std::size_t BreakerSet::mark_excluded(Duration now, std::vector<std::uint8_t>& excluded) const {
  std::size_t allowed = 0;
  for (std::size_t i = 0; i < excluded.size(); ++i) {
    const bool ok = allows(i, now);
    excluded[i] = ok ? 0 : 1;
    allowed += ok ? 1 : 0;
  }
  return allowed;
}

void BreakerSet::on_attempt_start(std::size_t endpoint, Duration now) {
  if (enabled()) {
    breaker_for(endpoint).on_attempt_start(now);
  }
}

void BreakerSet::on_attempt_end(std::size_t endpoint, EndpointOutcome outcome, Duration started_at,
                                Duration now) {
  if (enabled()) {
    breaker_for(endpoint).on_attempt_end(outcome, started_at, now);
  }
}

std::uint64_t BreakerSet::trips() const {
  std::uint64_t total = 0;
  for (const auto& breaker : breakers_) {
    total += breaker.trips();
  }
  return total;
}

}  // namespace rb
