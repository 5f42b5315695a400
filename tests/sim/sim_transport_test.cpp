#include "sim/sim_transport.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>
#include <vector>

namespace rb::sim {
namespace {

// Records each delivered result with its token.
class RecordingSink : public AttemptSink {
 public:
  void on_attempt_done(std::uint64_t token, const AttemptResult& result) override {
    results.emplace_back(token, result);
  }
  std::vector<std::pair<std::uint64_t, AttemptResult>> results;
};

class SimTransportTest : public ::testing::Test {
 protected:
  SimTransportTest()
      : transport_(queue_, now_, {FaultProfile{}}, {"upstream"}, 1, request_, AttemptTimeouts{},
                   NetworkModel{}, 0) {
    transport_.set_sink(&sink_);
  }

  static RequestTemplate health_request() {
    RequestTemplate request;
    request.path = "/health";
    return request;
  }

  static AttemptSpec spec(std::uint64_t token, std::uint32_t lane_key) {
    AttemptSpec attempt;
    attempt.token = token;
    attempt.lane_key = lane_key;
    return attempt;
  }

  // Runs every queued attempt end in time order.
  void drain() {
    while (!queue_.empty()) {
      const Event event = queue_.pop();
      now_ = event.at;
      ASSERT_EQ(event.kind, EventKind::kAttemptEnd);
      transport_.on_attempt_end(event.payload);
    }
  }

  EventQueue queue_;
  Duration now_{0};
  const RequestTemplate request_ = health_request();  // the transport keeps a reference
  RecordingSink sink_;
  SimTransport transport_;
};

TEST_F(SimTransportTest, AttemptEndsWithSuccess) {
  transport_.start(spec(5, 0));
  drain();
  ASSERT_EQ(sink_.results.size(), 1u);
  EXPECT_EQ(sink_.results[0].first, 5u);
  EXPECT_EQ(sink_.results[0].second.cls, AttemptClass::kSuccess);
  EXPECT_EQ(sink_.results[0].second.status, 200);
}

TEST_F(SimTransportTest, LaneKeyInFlightIsRejected) {
  transport_.start(spec(1, 3));
  EXPECT_THROW(transport_.start(spec(2, 3)), std::logic_error);
  drain();
  ASSERT_EQ(sink_.results.size(), 1u);
  EXPECT_EQ(sink_.results[0].first, 1u);
}

TEST_F(SimTransportTest, LaneKeyBeyondBoundIsRejected) {
  EXPECT_THROW(transport_.start(spec(1, kMaxLaneKeys)), std::out_of_range);
}

TEST_F(SimTransportTest, LaneIsFreeAfterItsResult) {
  transport_.start(spec(1, 0));
  drain();
  transport_.start(spec(2, 0));
  drain();
  ASSERT_EQ(sink_.results.size(), 2u);
  EXPECT_EQ(sink_.results[1].first, 2u);
}

TEST_F(SimTransportTest, CancelNeedsTokenAndLaneKey) {
  transport_.start(spec(7, 1));
  transport_.cancel(7, 2);  // another lane: nothing there
  transport_.cancel(8, 1);  // the lane, but another attempt's token
  drain();
  ASSERT_EQ(sink_.results.size(), 1u);
  EXPECT_EQ(sink_.results[0].first, 7u);

  transport_.start(spec(9, 1));
  transport_.cancel(9, 1);
  drain();
  EXPECT_EQ(sink_.results.size(), 1u);
  transport_.start(spec(10, 1));  // the cancelled attempt's lane can be used again
  drain();
  EXPECT_EQ(sink_.results.size(), 2u);
}

}  // namespace
}  // namespace rb::sim
