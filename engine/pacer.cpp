#include "engine/pacer.hpp"

#include <cmath>
#include <stdexcept>

namespace rb {

std::string load_kind_name(LoadProfile::Kind kind) {
  switch (kind) {
    case LoadProfile::Kind::kConstant:
      return "constant";
    case LoadProfile::Kind::kRamp:
      return "ramp";
    case LoadProfile::Kind::kSteps:
      return "steps";
    case LoadProfile::Kind::kPoisson:
      return "poisson";
    case LoadProfile::Kind::kUsers:
      return "users";
  }
  return "constant";
}

namespace {

// Time in seconds at which the (index+1)-th request of a linear ramp is due: the cumulative
// count r0*t + (r1-r0)*t^2/(2T) reaches `index` at that time. Request 0 starts at t = 0.
std::optional<double> ramp_time(double r0, double r1, double length_s, std::int64_t index) {
  const double n = static_cast<double>(index);
  const double total = (r0 + r1) / 2.0 * length_s;
  if (n >= total) {
    return std::nullopt;
  }
  const double slope = (r1 - r0) / length_s;
  if (std::fabs(slope) < 1e-12) {
    return n / r0;
  }
  // Solve slope/2 * t^2 + r0 * t - n = 0 for the positive root.
  const double discriminant = r0 * r0 + 2.0 * slope * n;
  return (-r0 + std::sqrt(std::max(0.0, discriminant))) / slope;
}

std::optional<double> steps_time(const std::vector<LoadStep>& steps, std::int64_t index) {
  double start_s = 0;
  double before = 0;  // requests due before this stage
  for (const auto& step : steps) {
    const double length_s = to_seconds(step.duration);
    const double in_stage = step.rate * length_s;
    const double n = static_cast<double>(index) - before;
    if (step.rate > 0 && n < std::ceil(in_stage - 1e-9)) {
      return start_s + n / step.rate;
    }
    before += std::ceil(in_stage - 1e-9);
    start_s += length_s;
  }
  return std::nullopt;
}

}  // namespace

Pacer::Pacer(const LoadProfile& profile, std::uint64_t seed, ShardSpec shard)
    : profile_(profile), shard_(shard), rng_(seed) {
  if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count) {
    throw std::invalid_argument("invalid shard");
  }
  full_index_ = shard_.index;
  find_next();
}

std::optional<Duration> Pacer::offset_of(std::int64_t index) {
  const double length_s = to_seconds(profile_.duration);
  std::optional<double> at_s;
  switch (profile_.kind) {
    case LoadProfile::Kind::kConstant:
      if (profile_.rate > 0) {
        at_s = static_cast<double>(index) / profile_.rate;
      }
      break;
    case LoadProfile::Kind::kRamp:
      at_s = ramp_time(profile_.rate_from, profile_.rate_to, length_s, index);
      break;
    case LoadProfile::Kind::kSteps:
      at_s = steps_time(profile_.steps, index);
      break;
    case LoadProfile::Kind::kPoisson:
      // Arrivals are generated in order for the full schedule, so every shard draws the
      // same gaps and keeps only its own indices.
      while (poisson_index_ < index && profile_.rate > 0) {
        if (poisson_index_ >= 0) {
          poisson_at_s_ += rng_.exponential(1.0 / profile_.rate);
        }
        ++poisson_index_;
      }
      at_s = profile_.rate > 0 ? std::optional<double>(poisson_at_s_) : std::nullopt;
      break;
    case LoadProfile::Kind::kUsers:
      return std::nullopt;
  }
  if (!at_s || *at_s >= length_s) {
    return std::nullopt;
  }
  if (profile_.max_requests > 0 && index >= profile_.max_requests) {
    return std::nullopt;
  }
  return from_seconds(*at_s);
}

void Pacer::find_next() { next_ = offset_of(full_index_); }

void Pacer::pop() {
  if (!next_) {
    return;
  }
  ++issued_;
  full_index_ += shard_.count;
  find_next();
}

}  // namespace rb
