#include "fakeserver/endpoint_stats.hpp"

namespace rb {

nlohmann::json to_json(const EndpointStats& stats) {
  nlohmann::json by_status = nlohmann::json::object();
  for (const auto& [status, count] : stats.answered_by_status) {
    by_status[std::to_string(status)] = count;
  }
  nlohmann::json capacity = {
      {"in_service", stats.capacity.in_service},
      {"queued", stats.capacity.queued},
      {"peak_in_service", stats.capacity.peak_in_service},
      {"peak_queued", stats.capacity.peak_queued},
      {"rejected", stats.capacity.rejected},
  };
  return {
      {"name", stats.name},
      {"address", stats.address},
      {"connections", stats.connections},
      {"received", stats.received},
      {"malformed", stats.malformed},
      {"answered", stats.answered},
      {"answered_by_status", std::move(by_status)},
      {"faults", stats.faults},
      {"capacity", std::move(capacity)},
  };
}

void EndpointCounters::count_answer(int status) {
  ++answered;
  if (status >= 0 && status < static_cast<int>(by_status.size())) {
    ++by_status[static_cast<std::size_t>(status)];
  }
}

void EndpointCounters::count_fault(FaultKind kind) {
  if (kind != FaultKind::kNone) {
    ++faults[static_cast<std::size_t>(kind)];
  }
}

void EndpointCounters::fill(EndpointStats& stats) const {
  stats.connections = connections;
  stats.received = received;
  stats.malformed = malformed;
  stats.answered = answered;
  stats.answered_by_status.clear();
  for (std::size_t status = 0; status < by_status.size(); ++status) {
    if (by_status[status] > 0) {
      stats.answered_by_status[static_cast<int>(status)] = by_status[status];
    }
  }
  stats.faults.clear();
  for (std::size_t kind = 1; kind < faults.size(); ++kind) {
    if (faults[kind] > 0) {
      stats.faults[fault_kind_name(static_cast<FaultKind>(kind))] = faults[kind];
    }
  }
}

}  // namespace rb
