#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/json_reader.hpp"
#include "common/time.hpp"

namespace rb {

// The shape of the service time that an endpoint adds before it answers.
enum class LatencyKind { kConstant, kUniform, kNormal, kLognormal, kExponential };

// A service-time distribution. Only the fields of the chosen kind are used.
struct LatencySpec {
  LatencyKind kind = LatencyKind::kConstant;  // which distribution
  Duration value{0};                          // constant: the service time
  Duration min{0};                            // uniform: lower bound
  Duration max{0};                            // uniform: upper bound
  Duration mean{0};                           // normal and exponential: the mean
  Duration stddev{0};                         // normal: standard deviation (samples clamp at 0)
  Duration median{0};                         // lognormal: the median
  Duration p99{0};                            // lognormal: the 99th percentile
};

// How a Retry-After value is written on the wire.
enum class RetryAfterFormat {
  kSeconds,   // Retry-After: delta-seconds, rounded up to a whole second
  kHttpDate,  // Retry-After: an IMF-fixdate in GMT
  kNone,      // no Retry-After header
};

// A token bucket in front of the endpoint; a request that finds it empty gets 429.
struct RateLimitSpec {
  double rps = 0;                       // refill rate, tokens per second (> 0)
  double burst = 1;                     // bucket size, tokens; the bucket starts full
  std::optional<Duration> retry_after;  // fixed Retry-After; absent: time until one token
  bool headers = true;                  // send x-ratelimit-* headers on every /v1 response
};

// One injected error status.
struct ErrorSpec {
  int status = 503;                     // HTTP status, 400..599
  double probability = 0;               // per request, 0..1
  std::optional<std::string> body;      // response body; absent: an OpenAI-style error JSON
  std::optional<Duration> retry_after;  // Retry-After sent with this error
};

// A request that is never answered, or answered only after a long delay.
struct TimeoutSpec {
  double probability = 0;         // per request, 0..1
  std::optional<Duration> delay;  // absent: hold until the client gives up
};

// Probabilities of connection-level faults, each per request, 0..1.
struct ConnectionFaultSpec {
  double reset_before_response = 0;   // RST instead of a response
  double reset_mid_response = 0;      // headers and half the body, then RST
  double close_without_response = 0;  // FIN instead of a response
  double truncated_body = 0;          // full Content-Length, half the body, then FIN
  double malformed_status_line = 0;   // an unparseable status line, then FIN
};

// At most `concurrency` requests in service; the rest wait in a queue of `queue` places.
struct CapacitySpec {
  int concurrency = 1;      // requests in service at once (>= 1)
  int queue = 0;            // waiting places; a request that finds them full is rejected
  int reject_status = 503;  // status of a rejected request (409 or 503 are typical)
};

// What an endpoint does during an outage phase.
enum class OutageMode {
  kNone,       // no outage
  kRefuse,     // the listener closes (connection refused) and open connections get RST
  kAll503,     // every /v1 request and /health get 503
  kBlackHole,  // connections are accepted, requests are never answered
};

// The parts of a profile that a phase may override; an absent part keeps the base value.
struct FaultOverrides {
  std::optional<std::optional<LatencySpec>> latency;
  std::optional<std::optional<RateLimitSpec>> rate_limit;
  std::optional<std::vector<ErrorSpec>> errors;
  std::optional<TimeoutSpec> timeout;
  std::optional<ConnectionFaultSpec> connection;
};

// A time window [from, to) since the endpoint's start that overrides parts of the profile.
struct PhaseSpec {
  Duration from{0};                       // start, since the endpoint's start
  Duration to{0};                         // end (exclusive); Duration::max() for "until stopped"
  OutageMode outage = OutageMode::kNone;  // outage behaviour during the window
  FaultOverrides overrides;               // replaced profile parts during the window
};

// Everything that one fake endpoint does: its API surface and the faults it injects.
struct FaultProfile {
  std::vector<std::string> models;     // served model ids; empty: any model is accepted
  std::optional<std::string> api_key;  // required key (Bearer or x-api-key); absent: none
  std::string reply = "This is a fake completion from retrybench.";  // assistant content
  std::optional<LatencySpec> latency;       // service time; absent: answer at once
  std::optional<RateLimitSpec> rate_limit;  // token bucket; absent: unlimited
  std::vector<ErrorSpec> errors;            // injected error statuses
  TimeoutSpec timeout;                      // never-answered or late requests
  ConnectionFaultSpec connection;           // connection-level faults
  std::optional<CapacitySpec> capacity;     // finite capacity; absent: unlimited
  std::vector<PhaseSpec> phases;            // time windows; the first matching one applies
  RetryAfterFormat retry_after_format = RetryAfterFormat::kSeconds;  // Retry-After encoding
  bool retry_after_ms = false;                 // also send retry-after-ms (milliseconds)
  Duration idle_timeout = from_seconds(60);    // close a connection idle this long
  Duration header_timeout = from_seconds(10);  // close a client whose headers take this long
  std::int64_t max_header_bytes = 16384;       // larger request heads get 431
  std::int64_t max_body_bytes = 1 << 20;       // larger request bodies get 413
};

// Reads a fault profile object, rejecting unknown keys and out-of-range values with a
// ConfigError that names the file, the JSON path and the line. `extra_keys` are keys that
// the caller reads itself from the same object (for example "name" and "port").
FaultProfile parse_fault_profile(const JsonNode& node,
                                 const std::vector<std::string>& extra_keys = {});

// The names of the fields parse_fault_profile reads, for callers that embed a profile.
const std::vector<std::string>& fault_profile_keys();

}  // namespace rb
