#include "fakeserver/fault_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rb {

namespace {

// Stream numbers that split the seed into independent generators.
constexpr std::uint64_t kFaultStream = 1;
constexpr std::uint64_t kLatencyStream = 2;

// z-score of the 99th percentile of a standard normal distribution.
constexpr double kZ99 = 2.3263478740408408;

// Latency samples are clamped to this, so a heavy tail cannot overflow a timer.
constexpr double kMaxLatencySeconds = 3600;

Route route_of(std::string_view method, std::string_view path) {
  struct Known {
    std::string_view path;
    std::string_view method;
    Route route;
  };
  static constexpr Known kKnown[] = {
      {"/v1/chat/completions", "POST", Route::kChatCompletions},
      {"/v1/models", "GET", Route::kModels},
      {"/health", "GET", Route::kHealth},
      {"/__stats", "GET", Route::kStats},
  };
  for (const Known& known : kKnown) {
    if (path == known.path) {
      const bool head_ok = method == "HEAD" && known.method == "GET";
      return method == known.method || head_ok ? known.route : Route::kMethodNotAllowed;
    }
  }
  return Route::kNotFound;
}

// Turns `d` into an error response. Decisions are changed in place rather than copied,
// because the simulator makes one per attempt and the copies showed in its profile.
void set_error(Decision& d, int status, ErrorKind error) {
  d.status = status;
  d.body = BodyKind::kError;
  d.error = error;
}

}  // namespace

const char* fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kNone:
      return "none";
    case FaultKind::kRateLimited:
      return "rate_limited";
    case FaultKind::kError:
      return "error";
    case FaultKind::kTimeoutHold:
      return "timeout_hold";
    case FaultKind::kTimeoutDelay:
      return "timeout_delay";
    case FaultKind::kResetBeforeResponse:
      return "reset_before_response";
    case FaultKind::kResetMidResponse:
      return "reset_mid_response";
    case FaultKind::kCloseWithoutResponse:
      return "close_without_response";
    case FaultKind::kTruncatedBody:
      return "truncated_body";
    case FaultKind::kMalformedStatusLine:
      return "malformed_status_line";
    case FaultKind::kCapacityRejected:
      return "capacity_rejected";
    case FaultKind::kOutageRefused:
      return "outage_refused";
    case FaultKind::kOutage503:
      return "outage_503";
    case FaultKind::kOutageBlackHole:
      return "outage_black_hole";
    case FaultKind::kCount:
      break;
  }
  return "unknown";
}

FaultModel::FaultModel(FaultProfile profile, std::uint64_t seed) : profile_(std::move(profile)) {
  faults_.push_back(make_faults(profile_, nullptr));
  for (const PhaseSpec& phase : profile_.phases) {
    faults_.push_back(make_faults(profile_, &phase));
  }
  reset(seed);
}

void FaultModel::reset(std::uint64_t seed) {
  fault_rng_ = Rng(mix_seed(seed, kFaultStream));
  latency_rng_ = Rng(mix_seed(seed, kLatencyStream));
  bucket_faults_ = SIZE_MAX;
  in_service_.clear();
  queue_.clear();
  capacity_ = CapacityCounters{};
}

FaultModel::Faults FaultModel::make_faults(const FaultProfile& profile, const PhaseSpec* phase) {
  Faults f;
  f.latency = profile.latency;
  f.rate_limit = profile.rate_limit;
  f.errors = profile.errors;
  f.timeout = profile.timeout;
  ConnectionFaultSpec connection = profile.connection;
  if (phase != nullptr) {
    const FaultOverrides& o = phase->overrides;
    f.outage = phase->outage;
    f.latency = o.latency.value_or(f.latency);
    f.rate_limit = o.rate_limit.value_or(f.rate_limit);
    f.errors = o.errors.value_or(f.errors);
    f.timeout = o.timeout.value_or(f.timeout);
    connection = o.connection.value_or(connection);
  }

  // Outcomes in a fixed order, each an interval [previous bound, bound) of one uniform draw.
  // A probability of 0 adds no interval, so it can never match.
  double sum = 0;
  for (std::size_t i = 0; i < f.errors.size(); ++i) {
    sum += f.errors[i].probability;
    if (f.errors[i].probability > 0) {
      f.choices.push_back({sum, FaultKind::kError, i});
    }
  }
  const FaultKind timeout_kind =
      f.timeout.delay ? FaultKind::kTimeoutDelay : FaultKind::kTimeoutHold;
  const std::pair<double, FaultKind> others[] = {
      {f.timeout.probability, timeout_kind},
      {connection.reset_before_response, FaultKind::kResetBeforeResponse},
      {connection.reset_mid_response, FaultKind::kResetMidResponse},
      {connection.close_without_response, FaultKind::kCloseWithoutResponse},
      {connection.truncated_body, FaultKind::kTruncatedBody},
      {connection.malformed_status_line, FaultKind::kMalformedStatusLine},
  };
  for (const auto& [probability, kind] : others) {
    sum += probability;
    if (probability > 0) {
      f.choices.push_back({sum, kind, 0});
    }
  }
  return f;
}

std::size_t FaultModel::active_faults(Duration now) const {
  for (std::size_t i = 0; i < profile_.phases.size(); ++i) {
    const PhaseSpec& phase = profile_.phases[i];
    if (now >= phase.from && now < phase.to) {
      return i + 1;
    }
  }
  return 0;
}

bool FaultModel::accepts_connections(Duration now) const {
  return faults_[active_faults(now)].outage != OutageMode::kRefuse;
}

Duration FaultModel::next_phase_change(Duration now) const {
  Duration next = Duration::max();
  for (const PhaseSpec& phase : profile_.phases) {
    if (phase.from > now) {
      next = std::min(next, phase.from);
    }
    if (phase.to > now) {
      next = std::min(next, phase.to);
    }
  }
  return next;
}

Decision FaultModel::decide(Duration now, const RequestFacts& facts) {
  Decision d;
  d.route = route_of(facts.method, facts.path);
  const std::size_t index = active_faults(now);
  const Faults& faults = faults_[index];

  switch (d.route) {
    case Route::kNotFound:
      set_error(d, 404, ErrorKind::kNotFound);
      return d;
    case Route::kMethodNotAllowed:
      set_error(d, 405, ErrorKind::kMethodNotAllowed);
      return d;
    case Route::kStats:
      d.body = BodyKind::kStats;
      return d;
    case Route::kHealth:
      break;
    case Route::kChatCompletions:
    case Route::kModels:
      decide_api(now, faults, index, facts, d);
      return d;
  }

  // /health takes no random faults but reflects an outage.
  d.body = BodyKind::kHealth;
  if (faults.outage == OutageMode::kAll503) {
    d.fault = FaultKind::kOutage503;
    set_error(d, 503, ErrorKind::kOverloaded);
    return d;
  }
  if (faults.outage == OutageMode::kBlackHole) {
    d.fault = FaultKind::kOutageBlackHole;
    d.hold = true;
  }
  if (faults.outage == OutageMode::kRefuse) {
    d.fault = FaultKind::kOutageRefused;
    d.connection = ConnectionFault::kResetBeforeResponse;
  }
  return d;
}

void FaultModel::decide_api(Duration now, const Faults& faults, std::size_t faults_index,
                            const RequestFacts& facts, Decision& d) {
  d.body = d.route == Route::kModels ? BodyKind::kModels : BodyKind::kCompletion;

  // Outages first: a server that is down checks nothing.
  switch (faults.outage) {
    case OutageMode::kRefuse:
      d.fault = FaultKind::kOutageRefused;
      d.connection = ConnectionFault::kResetBeforeResponse;
      return;
    case OutageMode::kAll503:
      d.fault = FaultKind::kOutage503;
      set_error(d, 503, ErrorKind::kOverloaded);
      return;
    case OutageMode::kBlackHole:
      d.fault = FaultKind::kOutageBlackHole;
      d.hold = true;
      return;
    case OutageMode::kNone:
      break;
  }

  // Then authentication and request validation, which use no tokens and no random draws.
  if (profile_.api_key && facts.api_key != std::string_view(*profile_.api_key)) {
    set_error(d, 401, ErrorKind::kUnauthorized);
    return;
  }
  if (d.route == Route::kChatCompletions) {
    if (!facts.body_valid || !facts.model) {
      set_error(d, 400, ErrorKind::kInvalidRequest);
      return;
    }
    if (!model_served(*facts.model)) {
      set_error(d, 404, ErrorKind::kModelNotFound);
      return;
    }
    d.prompt_tokens = std::max<std::size_t>(1, (facts.body_bytes + 3) / 4);
    d.completion_tokens = std::max<std::size_t>(1, (profile_.reply.size() + 3) / 4);
  }

  // Then the rate limit, the per-request fault draw and the service time.
  if (!check_rate_limit(now, faults, faults_index, d)) {
    return;
  }
  d.uses_capacity = true;
  apply_fault_draw(faults, d);
  if (faults.latency && d.fault != FaultKind::kTimeoutDelay) {
    d.delay = sample_latency(*faults.latency);
  }
  return;
}

bool FaultModel::check_rate_limit(Duration now, const Faults& faults, std::size_t faults_index,
                                  Decision& d) {
  if (!faults.rate_limit) {
    return true;
  }
  const RateLimitSpec& spec = *faults.rate_limit;
  if (bucket_faults_ == SIZE_MAX) {
    bucket_ = TokenBucket(spec.rps, spec.burst, now);
  } else if (bucket_faults_ != faults_index) {
    bucket_.reconfigure(spec.rps, spec.burst, now);
  }
  bucket_faults_ = faults_index;

  const bool admitted = bucket_.try_take(now);
  if (spec.headers) {
    RateLimitHeaders headers;
    headers.limit = static_cast<std::int64_t>(spec.burst);
    headers.remaining = static_cast<std::int64_t>(std::floor(bucket_.tokens(now) + 1e-9));
    headers.reset = bucket_.time_until_full(now);
    d.rate_limit = headers;
  }
  if (admitted) {
    return true;
  }
  d.fault = FaultKind::kRateLimited;
  d.retry_after = spec.retry_after.value_or(bucket_.time_until_token(now));
  set_error(d, 429, ErrorKind::kRateLimit);
  return false;
}

void FaultModel::apply_fault_draw(const Faults& faults, Decision& d) {
  const double u = fault_rng_.uniform01();
  const FaultChoice* chosen = nullptr;
  for (const FaultChoice& choice : faults.choices) {
    if (u < choice.upper) {
      chosen = &choice;
      break;
    }
  }
  if (chosen == nullptr) {
    return;
  }

  d.fault = chosen->kind;
  switch (chosen->kind) {
    case FaultKind::kError: {
      const ErrorSpec& error = faults.errors[chosen->error];
      set_error(d, error.status, ErrorKind::kServer);
      d.retry_after = error.retry_after;
      if (error.body) {
        d.body = BodyKind::kCustom;
        d.custom_body = &*error.body;
      }
      break;
    }
    case FaultKind::kTimeoutHold:
      d.hold = true;
      break;
    case FaultKind::kTimeoutDelay:
      d.delay = *faults.timeout.delay;
      break;
    case FaultKind::kResetBeforeResponse:
      d.connection = ConnectionFault::kResetBeforeResponse;
      break;
    case FaultKind::kResetMidResponse:
      d.connection = ConnectionFault::kResetMidResponse;
      break;
    case FaultKind::kCloseWithoutResponse:
      d.connection = ConnectionFault::kCloseWithoutResponse;
      break;
    case FaultKind::kTruncatedBody:
      d.connection = ConnectionFault::kTruncatedBody;
      break;
    case FaultKind::kMalformedStatusLine:
      d.connection = ConnectionFault::kMalformedStatusLine;
      break;
    default:
      break;
  }
}

Duration FaultModel::sample_latency(const LatencySpec& spec) {
  double seconds = 0;
  switch (spec.kind) {
    case LatencyKind::kConstant:
      return spec.value;
    case LatencyKind::kUniform:
      seconds = latency_rng_.uniform(to_seconds(spec.min), to_seconds(spec.max));
      break;
    case LatencyKind::kNormal:
      seconds = latency_rng_.normal(to_seconds(spec.mean), to_seconds(spec.stddev));
      break;
    case LatencyKind::kLognormal: {
      const double mu = std::log(to_seconds(spec.median));
      const double sigma = std::log(to_seconds(spec.p99) / to_seconds(spec.median)) / kZ99;
      seconds = std::exp(latency_rng_.normal(mu, sigma));
      break;
    }
    case LatencyKind::kExponential:
      seconds = latency_rng_.exponential(to_seconds(spec.mean));
      break;
  }
  return from_seconds(std::clamp(seconds, 0.0, kMaxLatencySeconds));
}

bool FaultModel::model_served(std::string_view model) const {
  if (profile_.models.empty()) {
    return true;
  }
  return std::find(profile_.models.begin(), profile_.models.end(), model) != profile_.models.end();
}

CapacityAdmission FaultModel::admit(std::uint64_t ticket, Duration /*now*/) {
  if (!profile_.capacity) {
    return CapacityAdmission::kStarted;
  }
  const CapacitySpec& spec = *profile_.capacity;
  if (static_cast<int>(in_service_.size()) < spec.concurrency) {
    in_service_.insert(ticket);
    capacity_.in_service = static_cast<std::int64_t>(in_service_.size());
    capacity_.peak_in_service = std::max(capacity_.peak_in_service, capacity_.in_service);
    return CapacityAdmission::kStarted;
  }
  if (static_cast<int>(queue_.size()) < spec.queue) {
    queue_.push_back(ticket);
    capacity_.queued = static_cast<std::int64_t>(queue_.size());
    capacity_.peak_queued = std::max(capacity_.peak_queued, capacity_.queued);
    return CapacityAdmission::kQueued;
  }
  ++capacity_.rejected;
  return CapacityAdmission::kRejected;
}

std::optional<std::uint64_t> FaultModel::start_next(Duration now) {
  if (queue_.empty()) {
    return std::nullopt;
  }
  const std::uint64_t next = queue_.front();
  queue_.pop_front();
  capacity_.queued = static_cast<std::int64_t>(queue_.size());
  admit(next, now);
  return next;
}

std::optional<std::uint64_t> FaultModel::finish(std::uint64_t ticket, Duration now) {
  if (in_service_.erase(ticket) == 0) {
    return std::nullopt;
  }
  capacity_.in_service = static_cast<std::int64_t>(in_service_.size());
  return start_next(now);
}

std::optional<std::uint64_t> FaultModel::cancel(std::uint64_t ticket, Duration now) {
  auto queued = std::find(queue_.begin(), queue_.end(), ticket);
  if (queued != queue_.end()) {
    queue_.erase(queued);
    capacity_.queued = static_cast<std::int64_t>(queue_.size());
    return std::nullopt;
  }
  return finish(ticket, now);
}

Decision FaultModel::capacity_rejection(Route route) const {
  Decision d;
  d.route = route;
  d.fault = FaultKind::kCapacityRejected;
  const int status = profile_.capacity ? profile_.capacity->reject_status : 503;
  set_error(d, status, ErrorKind::kOverloaded);
  return d;
}

std::string format_reset_duration(Duration d) {
  const std::int64_t ms = (d.count() + 999999) / 1000000;
  if (ms < 1000) {
    return fmt::format("{}ms", ms);
  }
  if (ms < 60000) {
    std::string text = fmt::format("{:.3f}", static_cast<double>(ms) / 1000.0);
    while (text.back() == '0') {
      text.pop_back();
    }
    if (text.back() == '.') {
      text.pop_back();
    }
    return text + "s";
  }
  return fmt::format("{}m{}s", ms / 60000, (ms % 60000) / 1000);
}

std::int64_t retry_after_seconds(Duration d) {
  if (d <= Duration(0)) {
    return 0;
  }
  return std::max<std::int64_t>(1, (d.count() + 999999999) / 1000000000);
}

}  // namespace rb
