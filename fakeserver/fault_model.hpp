#pragma once

// The fault model of one fake endpoint: pure, seeded decisions with no I/O and no clock.
//
// Every call takes the time since the endpoint's start as an explicit argument, so the live
// server (real time from uv_hrtime) and the simulator (virtual time) get the same decisions
// for the same profile, seed and call sequence. A driver uses it like this:
//
//   FaultModel model(profile, seed);
//   if (!model.accepts_connections(now)) { refuse the connection }
//   Decision d = model.decide(now, facts);          // once per request, in arrival order
//   if (d.uses_capacity) {
//     switch (model.admit(ticket, now)) {           // ticket: any id unique among live ones
//       case CapacityAdmission::kStarted:  answer at now + d.delay; then model.finish(ticket, t)
//       case CapacityAdmission::kQueued:   wait until finish()/cancel() returns this ticket,
//                                  then answer d.delay later and call finish() again
//       case CapacityAdmission::kRejected: d = model.capacity_rejection(d.route); answer at once
//     }
//   }
//   A client that goes away calls model.cancel(ticket, t).
//   finish() and cancel() return the ticket that moves from the queue into service, if any.
//
// d.hold means "never answer": the request keeps its capacity slot (if it took one) until the
// client goes away. Connection faults (d.connection) are applied when the answer is due.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/rng.hpp"
#include "common/time.hpp"
#include "fakeserver/profile.hpp"
#include "fakeserver/token_bucket.hpp"

namespace rb {

// The API paths that an endpoint serves.
enum class Route : std::uint8_t {
  kChatCompletions,   // POST /v1/chat/completions
  kModels,            // GET /v1/models
  kHealth,            // GET /health
  kStats,             // GET /__stats
  kNotFound,          // any other path
  kMethodNotAllowed,  // a known path with another method
};

// What the response body is; the server renders it.
enum class BodyKind : std::uint8_t {
  kCompletion,  // an OpenAI chat completion
  kModels,      // the OpenAI model list
  kHealth,      // {"status":"ok"}
  kStats,       // the endpoint's counters
  kError,       // an OpenAI-style error object, see ErrorKind
  kCustom,      // Decision::custom_body from the profile
};

// Which OpenAI-style error body to send with BodyKind::kError.
enum class ErrorKind : std::uint8_t {
  kNone,
  kRateLimit,         // 429 rate_limit_exceeded
  kServer,            // injected 5xx or 4xx from the profile's error list
  kUnauthorized,      // 401 invalid_api_key
  kModelNotFound,     // 404 model_not_found
  kNotFound,          // 404 unknown path
  kMethodNotAllowed,  // 405
  kInvalidRequest,    // 400 invalid JSON body or missing model
  kOverloaded,        // capacity rejection or outage 503
  kHeadersTooLarge,   // 431, sent by the server before any decision
  kBodyTooLarge,      // 413, sent by the server before any decision
  kBadRequest,        // 400 malformed HTTP, sent by the server before any decision
};

// A fault applied to the connection instead of (or while) answering.
enum class ConnectionFault : std::uint8_t {
  kNone,
  kResetBeforeResponse,   // RST, nothing sent
  kResetMidResponse,      // status line, headers and half the body, then RST
  kCloseWithoutResponse,  // FIN, nothing sent
  kTruncatedBody,         // full Content-Length, half the body, then FIN
  kMalformedStatusLine,   // a status line no HTTP parser accepts, then FIN
};

// The injected fault a decision counts as, for statistics. kNone: an ordinary answer.
enum class FaultKind : std::uint8_t {
  kNone,
  kRateLimited,
  kError,
  kTimeoutHold,
  kTimeoutDelay,
  kResetBeforeResponse,
  kResetMidResponse,
  kCloseWithoutResponse,
  kTruncatedBody,
  kMalformedStatusLine,
  kCapacityRejected,
  kOutageRefused,
  kOutage503,
  kOutageBlackHole,
  kCount,  // number of kinds, not a kind
};

// Stable snake_case name of a fault kind, as used in statistics JSON.
const char* fault_kind_name(FaultKind kind);

// Facts about one request that the decision depends on. Views must stay valid during decide().
struct RequestFacts {
  std::string_view method;                  // request method, for example "POST"
  std::string_view path;                    // request target without the query string
  std::size_t body_bytes = 0;               // request body size, bytes
  std::optional<std::string_view> model;    // chat completions: the body's "model" field
  bool body_valid = true;                   // chat completions: body is a JSON object with a model
  std::optional<std::string_view> api_key;  // key from "Authorization: Bearer" or x-api-key
};

// Rate-limit header values, the way OpenAI's API sends them.
struct RateLimitHeaders {
  std::int64_t limit = 0;      // x-ratelimit-limit-requests: bucket size
  std::int64_t remaining = 0;  // x-ratelimit-remaining-requests: whole tokens left
  Duration reset{0};           // x-ratelimit-reset-requests: time until the bucket is full
};

// The model's answer for one request.
struct Decision {
  Route route = Route::kNotFound;                       // which API path the request addressed
  int status = 200;                                     // HTTP status to send
  BodyKind body = BodyKind::kCompletion;                // what body to render
  ErrorKind error = ErrorKind::kNone;                   // which error body, for BodyKind::kError
  const std::string* custom_body = nullptr;             // BodyKind::kCustom: owned by the model
  Duration delay{0};                                    // time from admission to the answer
  bool hold = false;                                    // never answer
  ConnectionFault connection = ConnectionFault::kNone;  // applied when the answer is due
  FaultKind fault = FaultKind::kNone;                   // the injected fault this counts as
  bool uses_capacity = false;                           // must pass admit() before service starts
  std::optional<Duration> retry_after;         // exact Retry-After value; rendering rounds it
  std::optional<RateLimitHeaders> rate_limit;  // x-ratelimit-* values to send
  std::size_t prompt_tokens = 0;               // completion usage: derived from the body size
  std::size_t completion_tokens = 0;           // completion usage: derived from the reply size
};

// Result of asking for a capacity slot.
enum class CapacityAdmission : std::uint8_t { kStarted, kQueued, kRejected };

// Capacity counters since construction or reset.
struct CapacityCounters {
  std::int64_t in_service = 0;       // requests in service now
  std::int64_t queued = 0;           // requests waiting now
  std::int64_t peak_in_service = 0;  // maximum of in_service
  std::int64_t peak_queued = 0;      // maximum of queued
  std::int64_t rejected = 0;         // admissions rejected because the queue was full
};

class FaultModel {
 public:
  FaultModel(FaultProfile profile, std::uint64_t seed);

  // Clears all state (bucket, capacity, random streams) as if newly constructed with `seed`.
  void reset(std::uint64_t seed);

  // Decides how to answer one request arriving at `now`. Call it once per request, in
  // arrival order; it advances the random streams and the token bucket.
  Decision decide(Duration now, const RequestFacts& facts);

  // Asks for a capacity slot for a decision with uses_capacity. Without a capacity limit
  // every request starts at once.
  CapacityAdmission admit(std::uint64_t ticket, Duration now);

  // Ends the service of a started ticket; returns the queued ticket that starts now, if any.
  std::optional<std::uint64_t> finish(std::uint64_t ticket, Duration now);

  // Removes a ticket that is queued or in service (its client went away); returns the queued
  // ticket that starts now, if any. Unknown tickets are ignored.
  std::optional<std::uint64_t> cancel(std::uint64_t ticket, Duration now);

  // The decision that replaces one on `route` whose admission was rejected.
  Decision capacity_rejection(Route route) const;

  // Whether the endpoint accepts connections at `now` (false during a "refuse" outage).
  bool accepts_connections(Duration now) const;

  // The first phase start or end after `now`; Duration::max() when there is none.
  Duration next_phase_change(Duration now) const;

  const FaultProfile& profile() const { return profile_; }
  const CapacityCounters& capacity_counters() const { return capacity_; }

 private:
  // One categorical outcome of the per-request fault draw.
  struct FaultChoice {
    double upper = 0;  // cumulative probability bound of this outcome
    FaultKind kind = FaultKind::kNone;
    std::size_t error = 0;  // index into Faults::errors for FaultKind::kError
  };

  // The faults in force during one phase (index 0: outside every phase).
  struct Faults {
    OutageMode outage = OutageMode::kNone;
    std::optional<LatencySpec> latency;
    std::optional<RateLimitSpec> rate_limit;
    std::vector<ErrorSpec> errors;
    TimeoutSpec timeout;
    std::vector<FaultChoice> choices;
  };

  static Faults make_faults(const FaultProfile& profile, const PhaseSpec* phase);
  std::size_t active_faults(Duration now) const;
  void decide_api(Duration now, const Faults& faults, std::size_t faults_index,
                  const RequestFacts& facts, Decision& decision);
  bool check_rate_limit(Duration now, const Faults& faults, std::size_t faults_index,
                        Decision& decision);
  void apply_fault_draw(const Faults& faults, Decision& decision);
  Duration sample_latency(const LatencySpec& spec);
  bool model_served(std::string_view model) const;
  std::optional<std::uint64_t> start_next(Duration now);

  FaultProfile profile_;
  std::vector<Faults> faults_;  // [0]: base; [i + 1]: profile_.phases[i]

  Rng fault_rng_{1};    // one draw per request that reaches the fault stage
  Rng latency_rng_{1};  // one draw per latency sample

  TokenBucket bucket_;
  std::size_t bucket_faults_ = SIZE_MAX;  // faults_ index whose rate limit the bucket uses

  std::unordered_set<std::uint64_t> in_service_;
  std::deque<std::uint64_t> queue_;
  CapacityCounters capacity_;
};

// Formats a reset duration the way OpenAI's headers do: "20ms", "1.5s", "6m0s".
std::string format_reset_duration(Duration d);

// Whole seconds for a delta-seconds Retry-After, rounded up, at least 1 for a positive value.
std::int64_t retry_after_seconds(Duration d);

}  // namespace rb
