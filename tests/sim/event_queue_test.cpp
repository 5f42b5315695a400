#include "sim/event_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

namespace rb::sim {
namespace {

// The order the queue promises: by time, then by push order.
struct Pushed {
  Duration at;
  std::uint64_t sequence;
  std::uint64_t payload;
};

TEST(EventQueue, EqualTimesLeaveInPushOrder) {
  EventQueue queue;
  for (std::uint64_t i = 0; i < 5; ++i) {
    queue.push(from_millis(3), EventKind::kAttemptEnd, i);
  }
  queue.push(from_millis(1), EventKind::kArrival, 99);
  EXPECT_EQ(queue.size(), 6U);
  EXPECT_EQ(queue.pop().payload, 99U);
  for (std::uint64_t i = 0; i < 5; ++i) {
    const Event event = queue.pop();
    EXPECT_EQ(event.payload, i);
    EXPECT_EQ(event.at, from_millis(3));
    EXPECT_EQ(event.kind, EventKind::kAttemptEnd);
  }
  EXPECT_TRUE(queue.empty());
}

TEST(EventQueue, PastEventRunsAtCurrentTime) {
  EventQueue queue;
  queue.push(from_millis(10), EventKind::kCheck, 1);
  queue.push(from_millis(20), EventKind::kCheck, 2);
  EXPECT_EQ(queue.pop().at, from_millis(10));
  queue.push(from_millis(5), EventKind::kCheck, 3);
  const Event late = queue.pop();
  EXPECT_EQ(late.payload, 3U);
  EXPECT_EQ(late.at, from_millis(10));
  EXPECT_EQ(queue.pop().payload, 2U);
}

// The driver reads the next time to decide whether the pacer's arrival goes first. That
// read must not move the queue's current time, or a later push before it would be pulled
// forward.
TEST(EventQueue, NextTimeLeavesQueueUnchanged) {
  EventQueue queue;
  queue.push(from_millis(10), EventKind::kAttemptEnd, 1);
  queue.push(from_millis(20), EventKind::kAttemptEnd, 2);
  EXPECT_EQ(queue.next_time(), from_millis(10));
  EXPECT_EQ(queue.pop().payload, 1U);
  EXPECT_EQ(queue.next_time(), from_millis(20));
  queue.push(from_millis(15), EventKind::kRetryTimer, 3);
  EXPECT_EQ(queue.next_time(), from_millis(15));
  const Event event = queue.pop();
  EXPECT_EQ(event.payload, 3U);
  EXPECT_EQ(event.at, from_millis(15));
  EXPECT_EQ(queue.pop().at, from_millis(20));
}

TEST(EventQueue, FarFutureEventsWaitBehindEverythingElse) {
  EventQueue queue;
  queue.push(Duration::max(), EventKind::kAttemptEnd, 1);
  queue.push(from_seconds(3600), EventKind::kAttemptEnd, 2);
  queue.push(Duration(0), EventKind::kAttemptEnd, 3);
  EXPECT_EQ(queue.pop().payload, 3U);
  EXPECT_EQ(queue.pop().payload, 2U);
  const Event last = queue.pop();
  EXPECT_EQ(last.payload, 1U);
  EXPECT_EQ(last.at, Duration::max());
}

TEST(EventQueue, KindAndLargestPayloadSurvivePacking) {
  EventQueue queue;
  queue.push(from_millis(1), EventKind::kCheck, kMaxEventPayload - 1);
  queue.push(from_millis(1), EventKind::kArrival, 0);
  const Event first = queue.pop();
  EXPECT_EQ(first.kind, EventKind::kCheck);
  EXPECT_EQ(first.payload, kMaxEventPayload - 1);
  const Event second = queue.pop();
  EXPECT_EQ(second.kind, EventKind::kArrival);
  EXPECT_EQ(second.payload, 0U);
}

TEST(EventQueue, PayloadOutOfRangeIsRefused) {
  EventQueue queue;
  EXPECT_THROW(queue.push(from_millis(1), EventKind::kRetryTimer, kMaxEventPayload),
               std::logic_error);
  EXPECT_TRUE(queue.empty());
}

// Interleaved pushes and pops, as a simulation makes them, against a sorted reference.
TEST(EventQueue, MatchesTimeThenPushOrderUnderRandomUse) {
  std::mt19937_64 random(42);
  EventQueue queue;
  std::vector<Pushed> reference;
  std::uint64_t sequence = 0;
  Duration now{0};
  for (int round = 0; round < 20000; ++round) {
    const int pushes = static_cast<int>(random() % 3);
    for (int i = 0; i < pushes; ++i) {
      // Coarse delays make many equal times, fine ones fill the low digits, and a few
      // reach far ahead.
      const std::uint64_t pick = random() % 100;
      const Duration delay = pick < 25   ? Duration(0)
                             : pick < 45 ? Duration(static_cast<std::int64_t>(random() % 5000))
                             : pick < 90 ? from_millis(static_cast<std::int64_t>(random() % 8))
                                         : from_seconds(static_cast<std::int64_t>(random() % 50));
      queue.push(now + delay, static_cast<EventKind>(sequence % 5), sequence);
      reference.push_back({now + delay, sequence, sequence});
      ++sequence;
    }
    if (!reference.empty() && random() % 2 == 0) {
      const auto earliest = std::min_element(
          reference.begin(), reference.end(), [](const Pushed& a, const Pushed& b) {
            return std::tie(a.at, a.sequence) < std::tie(b.at, b.sequence);
          });
      ASSERT_EQ(queue.next_time(), earliest->at);
      const Event event = queue.pop();
      ASSERT_EQ(event.payload, earliest->payload);
      ASSERT_EQ(event.at, earliest->at);
      ASSERT_EQ(event.kind, static_cast<EventKind>(earliest->payload % 5));
      now = event.at;
      reference.erase(earliest);
    }
    ASSERT_EQ(queue.size(), reference.size());
  }
}

}  // namespace
}  // namespace rb::sim
