#include "sim/sim_transport.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

#include "engine/strategy/retry_after.hpp"

namespace rb::sim {

namespace {

bool same_name(const std::string& a, const char* b) {
  if (a.size() != std::char_traits<char>::length(b)) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) {
      return false;
    }
  }
  return true;
}

std::string http_date(std::time_t when) {
  std::tm parts{};
  gmtime_r(&when, &parts);
  char text[40];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return text;
}

AttemptClass class_of_fault(ConnectionFault fault) {
  switch (fault) {
    case ConnectionFault::kResetBeforeResponse:
    case ConnectionFault::kResetMidResponse:
      return AttemptClass::kReset;
    case ConnectionFault::kCloseWithoutResponse:
    case ConnectionFault::kTruncatedBody:
      return AttemptClass::kClosedEarly;
    case ConnectionFault::kMalformedStatusLine:
      return AttemptClass::kParseError;
    case ConnectionFault::kNone:
      break;
  }
  return AttemptClass::kSuccess;
}

}  // namespace

SimTransport::SimTransport(EventQueue& queue, const Duration& now,
                           std::vector<FaultProfile> profiles, std::vector<std::string> names,
                           std::uint64_t seed, const RequestTemplate& request,
                           const AttemptTimeouts& timeouts, NetworkModel network,
                           std::time_t wall_start_unix)
    : queue_(queue),
      now_(now),
      request_(request),
      timeouts_(timeouts),
      network_(network),
      wall_start_unix_(wall_start_unix) {
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    // Each endpoint gets the seed the live fleet would give it, so decisions match.
    models_.push_back(std::make_unique<FaultModel>(std::move(profiles[i]), mix_seed(seed, i)));
    EndpointStats stats;
    stats.name = names[i];
    stats.address = "sim";
    stats_.push_back(std::move(stats));
    counters_.emplace_back();
  }

  // Each variant's body is read once, not per attempt.
  variants_.push_back(read_body(request.body));
  for (const auto& [name, value] : request.headers) {
    if (same_name(name, "authorization") && value.rfind("Bearer ", 0) == 0) {
      api_key_ = value.substr(7);
      has_api_key_ = true;
    } else if (same_name(name, "x-api-key")) {
      api_key_ = value;
      has_api_key_ = true;
    }
  }
}

SimTransport::BodyFacts SimTransport::read_body(const std::string& body_text) {
  BodyFacts facts;
  facts.bytes = body_text.size();
  const nlohmann::json body = nlohmann::json::parse(body_text, nullptr, false);
  const auto model = body.is_object() ? body.find("model") : body.end();
  facts.body_valid = body.is_object() && model != body.end() && model->is_string();
  if (facts.body_valid) {
    facts.model = model->get<std::string>();
  }
  return facts;
}

void SimTransport::set_request_variants(const std::vector<RequestTemplate>& variants) {
  variants_.clear();
  for (const RequestTemplate& variant : variants) {
    variants_.push_back(read_body(variant.body));
  }
  if (variants_.empty()) {
    variants_.push_back(read_body(request_.body));
  }
}

void SimTransport::count_fault(std::size_t endpoint, const Decision& decision) {
  counters_[endpoint].count_fault(decision.fault);
}

SimTransport::Attempt& SimTransport::claim_slot(std::uint32_t lane_key) {
  // The same contract as HttpTransport::start, so a request flow that broke it fails the
  // same way in both modes instead of losing an attempt's result only in sim runs.
  if (lane_key >= kMaxLaneKeys) {
    throw std::out_of_range("attempt lane key " + std::to_string(lane_key) + " is not below " +
                            std::to_string(kMaxLaneKeys));
  }
  if (lane_key < attempts_.size() && attempts_[lane_key].live) {
    throw std::logic_error("attempt lane key " + std::to_string(lane_key) +
                           " is already in flight");
  }
  if (lane_key >= attempts_.size()) {
    attempts_.resize(static_cast<std::size_t>(lane_key) + 1);
  }
  Attempt& attempt = attempts_[lane_key];
  const std::uint32_t generation = attempt.generation;
  attempt = Attempt{};
  attempt.generation = generation;
  attempt.live = true;
  return attempt;
}

std::uint64_t SimTransport::id_of(const Attempt& attempt) const {
  const auto slot = static_cast<std::uint64_t>(&attempt - attempts_.data());
  return (static_cast<std::uint64_t>(attempt.generation & kGenerationMask) << 32) | slot;
}

SimTransport::Attempt* SimTransport::find_attempt(std::uint64_t id) {
  const auto slot = static_cast<std::uint32_t>(id);
  if (slot >= attempts_.size()) {
    return nullptr;
  }
  Attempt& attempt = attempts_[slot];
  const bool matches = attempt.live && (attempt.generation & kGenerationMask) ==
                                           static_cast<std::uint32_t>(id >> 32);
  return matches ? &attempt : nullptr;
}

void SimTransport::release_attempt(Attempt& attempt) {
  attempt.live = false;
  ++attempt.generation;
}

// Copies what the rest of the attempt needs from its fault decision.
void SimTransport::keep_decision(Attempt& attempt, const Decision& decision) {
  attempt.delay = decision.delay;
  attempt.has_retry_after = decision.retry_after.has_value();
  attempt.retry_after = decision.retry_after.value_or(Duration(0));
  attempt.status = static_cast<std::int16_t>(decision.status);
  attempt.route = decision.route;
  attempt.connection = decision.connection;
  attempt.hold = decision.hold;
}

// The earliest of the client's limits for an attempt that started now: the first-byte and
// total timeouts and the logical request's deadline (Duration::max() for none). On a tie the
// earlier one in that list names the class.
void SimTransport::set_client_limit(Attempt& attempt, Duration deadline_at) {
  const Duration start = attempt.started_at;
  attempt.limit_at = start + timeouts_.first_byte;
  attempt.limit_class = AttemptClass::kFirstByteTimeout;
  if (start + timeouts_.total < attempt.limit_at) {
    attempt.limit_at = start + timeouts_.total;
    attempt.limit_class = AttemptClass::kTotalTimeout;
  }
  if (deadline_at < attempt.limit_at) {
    attempt.limit_at = deadline_at;
    attempt.limit_class = AttemptClass::kDeadline;
  }
}

void SimTransport::start(const AttemptSpec& spec) {
  Attempt& attempt = claim_slot(spec.lane_key);
  const std::uint64_t id = id_of(attempt);
  attempt.token = spec.token;
  attempt.endpoint = static_cast<std::uint32_t>(spec.endpoint);
  attempt.started_at = now_;
  set_client_limit(attempt, spec.deadline_at.count() > 0 ? spec.deadline_at : Duration::max());

  FaultModel& model = *models_[spec.endpoint];
  const Duration arrival = now_ + network_.round_trip / 2;
  if (!model.accepts_connections(arrival)) {
    counters_[spec.endpoint].count_fault(FaultKind::kOutageRefused);
    schedule_end(attempt, now_ + network_.round_trip, AttemptClass::kRefused);
    return;
  }

  ++counters_[spec.endpoint].connections;
  ++counters_[spec.endpoint].received;
  RequestFacts facts;
  facts.method = request_.method;
  const auto query = request_.path.find('?');
  facts.path = std::string_view(request_.path).substr(0, query);
  const BodyFacts& body = variants_[spec.variant < variants_.size() ? spec.variant : 0];
  facts.body_bytes = body.bytes;
  facts.body_valid = body.body_valid;
  if (body.body_valid) {
    facts.model = body.model;
  }
  if (has_api_key_) {
    facts.api_key = api_key_;
  }
  const Decision decision = model.decide(arrival, facts);
  count_fault(spec.endpoint, decision);
  keep_decision(attempt, decision);

  if (!decision.uses_capacity) {
    schedule_answer(attempt, arrival);
    return;
  }
  switch (model.admit(id, arrival)) {
    case CapacityAdmission::kStarted:
      attempt.admitted = true;
      attempt.in_service = true;
      schedule_answer(attempt, arrival);
      break;
    case CapacityAdmission::kQueued:
      attempt.admitted = true;
      // It starts when a finish() or cancel() hands its ticket back; until then only the
      // client's timeouts can end it.
      schedule_end(attempt, Duration::max(), AttemptClass::kCancelled);
      break;
    case CapacityAdmission::kRejected: {
      const Decision rejection = model.capacity_rejection(decision.route);
      counters_[spec.endpoint].count_fault(FaultKind::kCapacityRejected);
      keep_decision(attempt, rejection);
      schedule_answer(attempt, arrival);
      break;
    }
  }
}

AttemptResult SimTransport::answer_result(const Attempt& attempt, Duration answer_at) const {
  AttemptResult result;
  result.service_time = answer_at - attempt.started_at;
  const AttemptClass fault = class_of_fault(attempt.connection);
  if (fault != AttemptClass::kSuccess) {
    result.cls = fault;
    return result;
  }
  result.status = attempt.status;
  result.cls = attempt.status >= 200 && attempt.status < 300 ? AttemptClass::kSuccess
                                                             : AttemptClass::kHttpStatus;
  if (attempt.has_retry_after) {
    const FaultProfile& profile = models_[attempt.endpoint]->profile();
    switch (profile.retry_after_format) {
      case RetryAfterFormat::kSeconds:
        result.retry_after = std::to_string(retry_after_seconds(attempt.retry_after));
        break;
      case RetryAfterFormat::kHttpDate: {
        const std::time_t wall = wall_start_unix_ +
                                 static_cast<std::time_t>(to_seconds(answer_at)) +
                                 retry_after_seconds(attempt.retry_after);
        result.retry_after = http_date(wall);
        break;
      }
      case RetryAfterFormat::kNone:
        break;
    }
    if (profile.retry_after_ms) {
      result.retry_after_ms = std::to_string(attempt.retry_after.count() / 1'000'000);
    }
  }
  return result;
}

void SimTransport::schedule_answer(Attempt& attempt, Duration service_start) {
  if (attempt.hold) {
    schedule_end(attempt, Duration::max(), AttemptClass::kCancelled);
    return;
  }
  const Duration answer_at = service_start + attempt.delay + network_.round_trip / 2;
  schedule_end(attempt, answer_at, AttemptClass::kSuccess);
}

// Applies the client's timeouts to an end due at `answer_at` (Duration::max() for none) and
// schedules whichever comes first. `answer_class` is how the attempt ends at `answer_at`:
// kSuccess means the decision's response, which on_attempt_end() renders.
void SimTransport::schedule_end(Attempt& attempt, Duration answer_at, AttemptClass answer_class) {
  Duration end = answer_at;
  AttemptClass end_class = answer_class;
  if (attempt.limit_at < end) {
    end = attempt.limit_at;
    end_class = attempt.limit_class;
  }
  if (end < now_) {
    end = now_;  // a limit that passed while the attempt waited for capacity ends it now
  }
  attempt.ends_at = end;
  attempt.end_class = end_class;
  queue_.push(end, EventKind::kAttemptEnd, id_of(attempt));
}

AttemptResult SimTransport::end_result(const Attempt& attempt) const {
  if (attempt.end_class == AttemptClass::kSuccess) {
    return answer_result(attempt, attempt.ends_at);
  }
  AttemptResult result;
  result.cls = attempt.end_class;
  result.service_time = attempt.ends_at - attempt.started_at;
  return result;
}

void SimTransport::release_capacity(std::uint64_t id, Attempt& attempt, bool answered,
                                    Duration now) {
  if (!attempt.admitted) {
    return;
  }
  attempt.admitted = false;
  FaultModel& model = *models_[attempt.endpoint];
  // A served answer frees its slot with finish(); a client that gave up frees it with cancel().
  const std::optional<std::uint64_t> next =
      answered && attempt.in_service ? model.finish(id, now) : model.cancel(id, now);
  if (!next) {
    return;
  }
  Attempt* found = find_attempt(*next);
  if (found == nullptr) {
    return;
  }
  Attempt& started = *found;
  started.in_service = true;
  // Its pending end was a timeout (or never); an answer that comes earlier replaces it.
  const Duration answer_at = now + started.delay + network_.round_trip / 2;
  if (!started.hold && answer_at < started.ends_at) {
    schedule_end(started, answer_at, AttemptClass::kSuccess);
  }
}

void SimTransport::on_attempt_end(std::uint64_t attempt_id) {
  Attempt* found = find_attempt(attempt_id);
  if (found == nullptr || found->ends_at != now_) {
    return;  // cancelled, or replaced by an earlier end
  }
  Attempt& attempt = *found;
  const AttemptResult result = end_result(attempt);
  if (result.status != 0) {
    counters_[attempt.endpoint].count_answer(result.status);
  }
  const bool answered = result.status != 0 || !is_timeout(result.cls);
  release_capacity(attempt_id, attempt, answered, now_);
  const std::uint64_t token = attempt.token;
  release_attempt(attempt);
  if (sink_ != nullptr) {
    sink_->on_attempt_done(token, result);
  }
}

// Ends an attempt whose result is never delivered, giving up its capacity slot or ticket.
void SimTransport::abandon(Attempt& attempt) {
  release_capacity(id_of(attempt), attempt, false, now_);
  release_attempt(attempt);
}

void SimTransport::cancel(std::uint64_t token, std::uint32_t lane_key) {
  if (lane_key >= attempts_.size()) {
    return;
  }
  Attempt& attempt = attempts_[lane_key];
  if (attempt.live && attempt.token == token) {
    abandon(attempt);
  }
}

nlohmann::json SimTransport::stats_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < stats_.size(); ++i) {
    EndpointStats stats = stats_[i];
    counters_[i].fill(stats);
    stats.capacity = models_[i]->capacity_counters();
    out.push_back(to_json(stats));
  }
  return out;
}

}  // namespace rb::sim
