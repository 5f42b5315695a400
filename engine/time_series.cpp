#include "engine/time_series.hpp"

#include <algorithm>

namespace rb {

namespace {

// Runs longer than this many seconds stop gaining rows, which bounds memory for soak runs
// that forget a duration (a day of seconds is under 10 MB).
constexpr std::int64_t kMaxSeconds = 86'400;

std::int64_t second_of(Duration offset) {
  return std::clamp<std::int64_t>(offset.count() / 1'000'000'000, 0, kMaxSeconds - 1);
}

}  // namespace

SecondStats& TimeSeries::at(Duration offset) {
  const auto second = static_cast<std::size_t>(second_of(offset));
  while (seconds_.size() <= second) {
    seconds_.emplace_back();
    seconds_.back().endpoint_attempts.assign(endpoint_count_, 0);
  }
  return seconds_[second];
}

void TimeSeries::on_sent(Duration offset) {
  ++at(offset).sent;
}

void TimeSeries::on_attempt(Duration offset, std::size_t endpoint) {
  SecondStats& stats = at(offset);
  ++stats.attempts;
  if (endpoint < stats.endpoint_attempts.size()) {
    ++stats.endpoint_attempts[endpoint];
  }
}

void TimeSeries::on_dropped(Duration offset) {
  ++at(offset).dropped;
}

void TimeSeries::close_percentiles() {
  if (open_second_ >= 0 && open_.count() > 0) {
    SecondStats& stats = seconds_[static_cast<std::size_t>(open_second_)];
    stats.p50_us = open_.percentile_micros(50);
    stats.p99_us = open_.percentile_micros(99);
  }
  open_.reset();
}

void TimeSeries::on_completed(Duration offset, bool succeeded, Duration latency) {
  SecondStats& stats = at(offset);
  ++stats.completed;
  if (succeeded) {
    ++stats.succeeded;
  } else {
    ++stats.failed;
  }
  const std::int64_t second = second_of(offset);
  if (second != open_second_) {
    // A completion for an earlier second (possible only with clock jitter) joins the open one.
    if (second > open_second_) {
      close_percentiles();
      open_second_ = second;
    }
  }
  open_.record(latency);
}

void TimeSeries::finish() {
  close_percentiles();
  open_second_ = -1;
}

}  // namespace rb
