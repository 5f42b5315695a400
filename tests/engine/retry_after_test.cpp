#include "engine/strategy/retry_after.hpp"

#include <gtest/gtest.h>

namespace rb {
namespace {

constexpr std::time_t kNow = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(RetryAfter, DeltaSeconds) {
  const auto v = parse_retry_after("120", kNow);
  EXPECT_EQ(v.status, RetryAfterValue::Status::kValid);
  EXPECT_EQ(v.delay, from_seconds(120));
}

TEST(RetryAfter, DecimalSeconds) {
  EXPECT_EQ(parse_retry_after(" 1.5 ", kNow).delay, from_millis(1500));
}

TEST(RetryAfter, HttpDateForms) {
  for (const char* text :
       {"Sun, 06 Nov 1994 08:49:47 GMT", "Sunday, 06-Nov-94 08:49:47 GMT", "Sun Nov  6 08:49:47 1994"}) {
    const auto v = parse_retry_after(text, kNow);
    EXPECT_EQ(v.status, RetryAfterValue::Status::kValid) << text;
    EXPECT_EQ(v.delay, from_seconds(10)) << text;
  }
}

TEST(RetryAfter, DateInThePastIsZero) {
  const auto v = parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", kNow);
  EXPECT_EQ(v.status, RetryAfterValue::Status::kValid);
  EXPECT_EQ(v.delay, Duration(0));
}

TEST(RetryAfter, GarbageAndNegativeAreInvalid) {
  for (const char* text : {"-5", "soon", "", "1e3", "12abc", "Sun, 32 Nov 1994 08:49:37 GMT"}) {
    EXPECT_EQ(parse_retry_after(text, kNow).status, RetryAfterValue::Status::kInvalid) << text;
  }
}

TEST(RetryAfter, Milliseconds) {
  EXPECT_EQ(parse_retry_after_ms("250").delay, from_millis(250));
  EXPECT_EQ(parse_retry_after_ms("-1").status, RetryAfterValue::Status::kInvalid);
}

TEST(RetryAfter, EpochDate) {
  EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT").value_or(-1), 0);
  EXPECT_EQ(parse_http_date("Mon, 29 Feb 2016 00:00:00 GMT").value_or(-1), 1456704000);
}

}  // namespace
}  // namespace rb
