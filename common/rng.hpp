#pragma once

#include <cstdint>

namespace rb {

// A seeded pseudo-random source (xoshiro256**). Distributions are computed here rather than
// with <random>'s, whose output differs between standard libraries, so that a seed gives the
// same sequence everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1);

  std::uint64_t next_u64();

  // Returns a double uniformly distributed in [0, 1).
  double uniform01();

  // Returns a double uniformly distributed in [low, high).
  double uniform(double low, double high);

  // Returns an integer uniformly distributed in [0, bound); bound must be positive.
  std::uint64_t below(std::uint64_t bound);

  // Returns true with the given probability; 0 is never and 1 is always.
  bool chance(double probability);

  double normal(double mean, double stddev);
  double exponential(double mean);

  // Derives an independent stream, for giving each component its own generator.
  Rng fork(std::uint64_t stream);

 private:
  std::uint64_t state_[4];
};

// Mixes a seed and a stream number into a new seed (splitmix64).
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream);

}  // namespace rb
