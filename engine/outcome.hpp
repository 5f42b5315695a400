#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.hpp"

namespace rb {

// How one attempt ended. Every attempt ends in exactly one class.
enum class AttemptClass : std::uint8_t {
  kSuccess,         // a 2xx response was received in full
  kHttpStatus,      // a complete response whose status is not 2xx (the code says which)
  kConnectTimeout,  // the TCP (and TLS) connection was not up within the connect timeout
  kFirstByteTimeout,  // no response byte within the time-to-first-byte timeout
  kTotalTimeout,    // the whole attempt ran past its total timeout
  kDeadline,        // the logical request's overall deadline ended the attempt
  kRefused,         // the connection was refused
  kReset,           // the peer reset the connection
  kClosedEarly,     // the peer closed before the response was complete
  kTlsError,        // TLS handshake or certificate verification failed
  kParseError,      // the response was not valid HTTP/1.1 or passed a size limit
  kDnsError,        // the host name did not resolve
  kCancelled,       // the harness cancelled it (hedge loser, run end)
};

inline constexpr std::size_t kAttemptClassCount = 13;

// The stable name used in result files and reports, for example "connect_timeout".
std::string_view attempt_class_name(AttemptClass c);
std::optional<AttemptClass> attempt_class_from_name(std::string_view name);

// True for the classes that mean the attempt may not have reached the upstream.
bool is_timeout(AttemptClass c);

// The result of one attempt as the transport saw it.
struct AttemptResult {
  AttemptClass cls = AttemptClass::kCancelled;
  int status = 0;                        // HTTP status, 0 when no response was parsed
  Duration service_time{0};              // from the first byte written to the end
  std::optional<std::string> retry_after;     // Retry-After header value, if present
  std::optional<std::string> retry_after_ms;  // retry-after-ms header value, if present
  bool transport_retried = false;        // a stale keep-alive connection was replaced once
  bool connection_reused = false;        // sent on a kept-alive connection
};

// Per-class counters, indexed by AttemptClass.
using ClassCounts = std::array<std::uint64_t, kAttemptClassCount>;

}  // namespace rb
