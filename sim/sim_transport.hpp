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
#include "sim/token_index.hpp"

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
  void cancel(std::uint64_t token) override;

  // Ends the attempt whose kAttemptEnd event came due.
  void on_attempt_end(std::uint64_t attempt_id);

  // What each modelled upstream saw, in the same JSON form as the live fake upstreams.
  nlohmann::json stats_json() const;

 private:
  struct Attempt {
    std::uint64_t id = 0;  // slot and generation, see allocate_attempt()
    std::uint64_t token = 0;
    std::size_t endpoint = 0;
    Duration started_at{0};
    Duration ends_at{0};                    // when its kAttemptEnd event is due
    Duration deadline_at{Duration::max()};  // the logical request's deadline
    Decision decision;
    // How it ends at ends_at: kSuccess for the decision's response, else that class.
    AttemptClass end_class = AttemptClass::kCancelled;
    bool admitted = false;         // holds a capacity slot (started or queued)
    bool in_service = false;       // service started (not waiting in the queue)
    bool live = false;             // the slot contains an attempt in flight
    std::uint32_t generation = 0;  // bumped when the slot is released
  };

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

  // Attempt ids pack a slot index (low 32 bits) and the slot's generation (high 32 bits),
  // so a stale kAttemptEnd event or capacity ticket finds no attempt. Slots are reused, which
  // keeps the simulator free of per-attempt allocations once warm.
  std::uint64_t allocate_attempt();
  Attempt* find_attempt(std::uint64_t id);
  void release_attempt(std::uint64_t id);

  std::vector<Attempt> attempts_;  // by slot
  std::vector<std::uint32_t> free_slots_;
  TokenIndex by_token_;  // flow token to attempt id
};

}  // namespace rb::sim
