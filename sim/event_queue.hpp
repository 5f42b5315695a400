#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "common/time.hpp"

namespace rb::sim {

// What a simulated event does when its time comes.
enum class EventKind : std::uint8_t {
  kArrival,     // the pacer's next logical request is due
  kRetryTimer,  // a request flow timer (payload: the flow's token)
  kUserStart,   // a closed-loop user starts its next request (payload: the user)
  kAttemptEnd,  // a simulated attempt ends (payload: the attempt id)
  kCheck,       // the end-of-run check
};

struct Event {
  Duration at{0};
  std::uint64_t sequence = 0;  // breaks ties in insertion order, which keeps runs deterministic
  EventKind kind = EventKind::kCheck;
  std::uint64_t payload = 0;

  bool operator>(const Event& other) const {
    return at != other.at ? at > other.at : sequence > other.sequence;
  }
};

// A queue of events in virtual time, earliest first; equal times pop in insertion order.
class EventQueue {
 public:
  void push(Duration at, EventKind kind, std::uint64_t payload) {
    heap_.push(Event{at, next_sequence_++, kind, payload});
  }
  bool empty() const { return heap_.empty(); }
  const Event& top() const { return heap_.top(); }
  Event pop() {
    Event event = heap_.top();
    heap_.pop();
    return event;
  }
  std::size_t size() const { return heap_.size(); }

 private:
  std::priority_queue<Event, std::vector<Event>, std::greater<>> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace rb::sim
