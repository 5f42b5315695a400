#include "engine/strategy/retry_after.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <cmath>
#include <string>

namespace rb {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Reads a non-negative decimal number made only of digits and at most one dot.
std::optional<double> parse_plain_number(std::string_view s) {
  if (s.empty() || s.size() > 32) {
    return std::nullopt;
  }
  bool dot = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) {
        return std::nullopt;
      }
      dot = true;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
  }
  if (s.front() == '.' || s.back() == '.') {
    return std::nullopt;
  }
  const double value = std::stod(std::string(s));
  return std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
}

int month_index(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (name == kMonths[i]) {
      return i;
    }
  }
  return -1;
}

bool is_leap(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// Days from 1970-01-01 to the given date; month is 0-based, year at least 1970.
std::int64_t days_since_epoch(std::int64_t year, int month, int day) {
  static constexpr std::array<int, 12> kDaysBefore = {0,   31,  59,  90,  120, 151,
                                                      181, 212, 243, 273, 304, 334};
  std::int64_t days = 0;
  for (std::int64_t y = 1970; y < year; ++y) {
    days += is_leap(y) ? 366 : 365;
  }
  days += kDaysBefore[month];
  if (month > 1 && is_leap(year)) {
    ++days;
  }
  return days + day - 1;
}

std::optional<std::time_t> build_time(int year, int month, int day, int hour, int minute,
                                      int second) {
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 ||
      year < 1970 || year > 9999) {
    return std::nullopt;
  }
  const std::int64_t days = days_since_epoch(year, month, day);
  return static_cast<std::time_t>(days * 86400 + hour * 3600 + minute * 60 + second);
}

}  // namespace

std::optional<std::time_t> parse_http_date(std::string_view value) {
  const std::string text(trim(value));
  char weekday[16] = {};
  char month[4] = {};
  int day = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int used = 0;

  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (std::sscanf(text.c_str(), "%15[A-Za-z], %2d %3s %4d %2d:%2d:%2d GMT%n", weekday, &day,
                  month, &year, &hour, &minute, &second, &used) == 7 &&
      used == static_cast<int>(text.size())) {
    return build_time(year, month_index(month), day, hour, minute, second);
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  if (std::sscanf(text.c_str(), "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", weekday, &day,
                  month, &year, &hour, &minute, &second, &used) == 7 &&
      used == static_cast<int>(text.size())) {
    year += year < 70 ? 2000 : 1900;
    return build_time(year, month_index(month), day, hour, minute, second);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (std::sscanf(text.c_str(), "%3s %3s %d %2d:%2d:%2d %4d%n", weekday, month, &day, &hour,
                  &minute, &second, &year, &used) == 7 &&
      used == static_cast<int>(text.size())) {
    return build_time(year, month_index(month), day, hour, minute, second);
  }
  return std::nullopt;
}

RetryAfterValue parse_retry_after(std::string_view value, std::time_t now_unix) {
  const std::string_view text = trim(value);
  if (text.empty()) {
    return {RetryAfterValue::Status::kInvalid, Duration(0)};
  }
  if (auto seconds = parse_plain_number(text)) {
    if (*seconds > 1e9) {
      return {RetryAfterValue::Status::kInvalid, Duration(0)};
    }
    return {RetryAfterValue::Status::kValid, from_seconds(*seconds)};
  }
  if (auto when = parse_http_date(text)) {
    // Subtracting in double cannot overflow, and a date more than 1e9 s ahead (year 9999)
    // is rejected like a number that large, because it does not fit Duration.
    const double wait = static_cast<double>(*when) - static_cast<double>(now_unix);
    if (wait > 1e9) {
      return {RetryAfterValue::Status::kInvalid, Duration(0)};
    }
    return {RetryAfterValue::Status::kValid, from_seconds(wait > 0 ? wait : 0)};
  }
  return {RetryAfterValue::Status::kInvalid, Duration(0)};
}

RetryAfterValue parse_retry_after_ms(std::string_view value) {
  auto millis = parse_plain_number(trim(value));
  if (!millis || *millis > 1e12) {
    return {RetryAfterValue::Status::kInvalid, Duration(0)};
  }
  return {RetryAfterValue::Status::kValid, from_millis(*millis)};
}

}  // namespace rb
