#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "engine/request_template.hpp"
#include "engine/transport.hpp"
#include "fakeserver/endpoint_stats.hpp"
#include "fakeserver/fault_model.hpp"
#include "sim/event_queue.hpp"

namespace rb::sim {

// Settings of the simulated network between the client and the upstream models.
struct NetworkModel {
  Duration round_trip{from_micros(100)};  // added to every answer, like loopback plus parsing
};

// A transport whose upstreams are FaultModels: each attempt's answer, its time and its
// connection faults come from the same decisions a live fake upstream makes, and the
// client's timeouts are applied to them in virtual time.
class SimTransport : public Transport {
 public:
  SimTransport(EventQueue& queue, const Duration& now, std::vector<FaultProfile> profiles,
               std::vector<std::string> names, std::uint64_t seed, const RequestTemplate& request,
               const AttemptTimeouts& timeouts, NetworkModel network, std::time_t wall_start_unix);

  void set_sink(AttemptSink* sink) { sink_ = sink; }

  // Sets the request variants that AttemptSpec::variant selects (index 0 is the scenario's
  // request; see request_variants()). Without a call, every attempt sends the constructor's
  // request, and so does a variant index past the end.
  void set_request_variants(const std::vector<RequestTemplate>& variants);

  void start(const AttemptSpec& spec) override;
  void cancel(std::uint64_t token, std::uint32_t lane_key) override;

  // Ends the attempt whose kAttemptEnd event came due.
  void on_attempt_end(std::uint64_t attempt_id);

  // What each modelled upstream saw, in the same JSON form as the live fake upstreams.
  nlohmann::json stats_json() const;

 private:
  // One attempt in flight, kept to one cache line, because the simulator touches one per
  // event and a run has thousands in flight at once.
  struct Attempt {
    std::uint64_t token = 0;
    Duration started_at{0};
    Duration ends_at{0};                 // when its kAttemptEnd event is due
    Duration limit_at{Duration::max()};  // the earliest client limit, see set_client_limit()
    Duration delay{0};                   // the decision's time from service start to response
    Duration retry_after{0};             // the decision's Retry-After, with has_retry_after
    std::uint32_t generation = 0;        // bumped when the slot is released
    std::uint32_t endpoint = 0;
    std::int16_t status = 0;  // the decision's status
    Route route = Route::kNotFound;
    ConnectionFault connection = ConnectionFault::kNone;
    AttemptClass limit_class = AttemptClass::kTotalTimeout;  // how the attempt ends at limit_at
    // How it ends at ends_at: kSuccess for the decision's response, else that class.
    AttemptClass end_class = AttemptClass::kCancelled;
    bool has_retry_after : 1 = false;
    bool hold : 1 = false;        // the decision never sends a response
    bool admitted : 1 = false;    // has a capacity slot (started or queued)
    bool in_service : 1 = false;  // service started (not waiting in the queue)
    bool live : 1 = false;        // the slot contains an attempt in flight
  };
  static_assert(sizeof(Attempt) <= 64, "an attempt should fit one cache line");

  void keep_decision(Attempt& attempt, const Decision& decision);
  void set_client_limit(Attempt& attempt, Duration deadline_at);
  void schedule_answer(Attempt& attempt, Duration service_start);
  void schedule_end(Attempt& attempt, Duration answer_at, AttemptClass answer_class);
  AttemptResult answer_result(const Attempt& attempt, Duration answer_at) const;
  AttemptResult end_result(const Attempt& attempt) const;
  void release_capacity(std::uint64_t id, Attempt& attempt, bool answered, Duration now);
  void count_fault(std::size_t endpoint, const Decision& decision);

  EventQueue& queue_;
  const Duration& now_;
  std::vector<std::unique_ptr<FaultModel>> models_;
  std::vector<EndpointStats> stats_;        // names and addresses; counts come from counters_
  std::vector<EndpointCounters> counters_;  // by endpoint
  const RequestTemplate& request_;
  AttemptTimeouts timeouts_;
  NetworkModel network_;
  std::time_t wall_start_unix_;
  AttemptSink* sink_ = nullptr;

  // The facts a fault model reads from one request variant's body.
  struct BodyFacts {
    std::string model;       // "model" from the body, valid with body_valid
    bool body_valid = true;  // a JSON object with a string "model"
    std::size_t bytes = 0;
  };
  static BodyFacts read_body(const std::string& body);

  std::vector<BodyFacts> variants_;  // index 0: the constructor's request
  std::string api_key_;
  bool has_api_key_ = false;

  // Attempts live in slots indexed by AttemptSpec::lane_key, which is unique among the
  // attempts in flight, so neither a token map nor a free list is needed. Attempt ids pack the
  // slot (low 32 bits) and the slot's generation mod 2^29 above it, so a stale kAttemptEnd
  // event or capacity ticket finds no attempt, and an id fits an event's payload.
  static constexpr std::uint32_t kGenerationMask = (std::uint32_t{1} << 29) - 1;
  Attempt& claim_slot(std::uint32_t lane_key);
  std::uint64_t id_of(const Attempt& attempt) const;
  Attempt* find_attempt(std::uint64_t id);
  void release_attempt(Attempt& attempt);
  void abandon(Attempt& attempt);

  std::vector<Attempt> attempts_;  // by lane key
};

}  // namespace rb::sim
