#include "engine/outcome.hpp"

namespace rb {

namespace {

constexpr std::array<std::string_view, kAttemptClassCount> kNames = {
    "success", "http_status",  "connect_timeout", "first_byte_timeout", "total_timeout",
    "deadline", "refused",     "reset",           "closed_early",       "tls_error",
    "parse_error", "dns_error", "cancelled"};

}  // namespace

std::string_view attempt_class_name(AttemptClass c) {
  return kNames[static_cast<std::size_t>(c)];
}

std::optional<AttemptClass> attempt_class_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      return static_cast<AttemptClass>(i);
    }
  }
  return std::nullopt;
}

bool is_timeout(AttemptClass c) {
  return c == AttemptClass::kConnectTimeout || c == AttemptClass::kFirstByteTimeout ||
         c == AttemptClass::kTotalTimeout || c == AttemptClass::kDeadline;
}

}  // namespace rb
