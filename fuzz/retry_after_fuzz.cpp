// libFuzzer target: the Retry-After, retry-after-ms and HTTP-date parsers on arbitrary text.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string_view>

#include "engine/strategy/retry_after.hpp"

namespace {

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

void check_value(const rb::RetryAfterValue& value) {
  if (value.status == rb::RetryAfterValue::Status::kValid) {
    check(value.delay.count() >= 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // 2024-01-01T00:00:00Z, and the extremes of time_t, so date arithmetic meets overflow.
  for (const std::time_t now : {std::time_t{1704067200}, std::time_t{0}, std::time_t{-1},
                                std::time_t{INT64_MAX}, std::time_t{INT64_MIN}}) {
    check_value(rb::parse_retry_after(text, now));
  }
  check_value(rb::parse_retry_after_ms(text));
  (void)rb::parse_http_date(text);
  return 0;
}
