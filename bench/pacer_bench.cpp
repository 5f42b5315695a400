#include <benchmark/benchmark.h>

#include <cstdint>

#include "engine/pacer.hpp"

namespace {

// The pacer's work per dispatched request: peek at the next intended time, then pop it,
// which computes the one after. The live driver does exactly this on every wake-up.
void dispatch_all(benchmark::State& state, const rb::LoadProfile& profile) {
  std::int64_t dispatched = 0;
  for (auto _ : state) {
    state.PauseTiming();
    rb::Pacer pacer(profile, 7);
    state.ResumeTiming();
    while (const auto next = pacer.peek()) {
      benchmark::DoNotOptimize(*next);
      pacer.pop();
      ++dispatched;
    }
  }
  state.SetItemsProcessed(dispatched);
}

rb::LoadProfile open_loop(rb::LoadProfile::Kind kind) {
  rb::LoadProfile profile;
  profile.kind = kind;
  profile.rate = 100'000;
  profile.rate_from = 50'000;
  profile.rate_to = 150'000;
  profile.steps = {{50'000, rb::from_seconds(0.5)}, {150'000, rb::from_seconds(0.5)}};
  profile.duration = rb::from_seconds(1);
  return profile;
}

void BM_PacerConstant(benchmark::State& state) {
  dispatch_all(state, open_loop(rb::LoadProfile::Kind::kConstant));
}
BENCHMARK(BM_PacerConstant)->Unit(benchmark::kMillisecond);

void BM_PacerRamp(benchmark::State& state) {
  dispatch_all(state, open_loop(rb::LoadProfile::Kind::kRamp));
}
BENCHMARK(BM_PacerRamp)->Unit(benchmark::kMillisecond);

void BM_PacerSteps(benchmark::State& state) {
  dispatch_all(state, open_loop(rb::LoadProfile::Kind::kSteps));
}
BENCHMARK(BM_PacerSteps)->Unit(benchmark::kMillisecond);

void BM_PacerPoisson(benchmark::State& state) {
  dispatch_all(state, open_loop(rb::LoadProfile::Kind::kPoisson));
}
BENCHMARK(BM_PacerPoisson)->Unit(benchmark::kMillisecond);

}  // namespace
