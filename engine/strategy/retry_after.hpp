#pragma once

#include <ctime>
#include <optional>
#include <string_view>

#include "common/time.hpp"

namespace rb {

// The outcome of reading a Retry-After style header.
struct RetryAfterValue {
  enum class Status { kAbsent, kValid, kInvalid };
  Status status = Status::kAbsent;
  Duration delay{0};  // valid only with kValid; never negative
};

// Parses Retry-After: delta-seconds ("120", and "1.5", which some servers send) or an
// HTTP-date (IMF-fixdate, RFC 850 or asctime form). A date is measured from `now_unix`,
// the wall-clock time in seconds at which the response arrived (prefer the response's own
// Date header). A date in the past gives 0. Negative numbers and garbage give kInvalid.
RetryAfterValue parse_retry_after(std::string_view value, std::time_t now_unix);

// Parses retry-after-ms: a non-negative number of milliseconds.
RetryAfterValue parse_retry_after_ms(std::string_view value);

// Parses an HTTP-date into seconds since the Unix epoch, or nothing when it is not one.
std::optional<std::time_t> parse_http_date(std::string_view value);

}  // namespace rb
