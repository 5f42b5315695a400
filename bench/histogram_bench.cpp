#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "common/rng.hpp"
#include "engine/histogram.hpp"

namespace {

// Latencies from 50 µs to about 2 s on a log scale, so recording touches many buckets the
// way a real run with a slow tail does.
std::vector<rb::Duration> sample_latencies() {
  rb::Rng rng(42);
  std::vector<rb::Duration> out;
  for (int i = 0; i < 4096; ++i) {
    const double micros = 50.0 * std::exp(rng.uniform01() * 10.6);
    out.push_back(rb::from_micros(micros));
  }
  return out;
}

void BM_HistogramRecord(benchmark::State& state) {
  const std::vector<rb::Duration> latencies = sample_latencies();
  rb::Histogram histogram;
  std::size_t i = 0;
  for (auto _ : state) {
    histogram.record(latencies[i]);
    i = (i + 1) & (latencies.size() - 1);
  }
  benchmark::DoNotOptimize(histogram.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramPercentile(benchmark::State& state) {
  rb::Histogram histogram;
  for (const rb::Duration latency : sample_latencies()) {
    histogram.record(latency);
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(histogram.percentile_micros(99));
  }
}
BENCHMARK(BM_HistogramPercentile);

void BM_HistogramMerge(benchmark::State& state) {
  rb::Histogram source;
  for (const rb::Duration latency : sample_latencies()) {
    source.record(latency);
  }
  rb::Histogram target;
  for (auto _ : state) {
    target.merge(source);
  }
  benchmark::DoNotOptimize(target.count());
}
BENCHMARK(BM_HistogramMerge);

}  // namespace
