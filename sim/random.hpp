// Named random streams and the project's own portable distributions.
//
// A stream is derived from (seed, run, name) by SHA-256, so adding a component (a new name) never
// changes the draws of the others, and two strategies compared in one experiment see the same
// workload and fault draws when they use the same names (common random numbers). The generator is
// xoshiro256** (Blackman & Vigna); every distribution below is computed from its 64-bit outputs
// with IEEE basic arithmetic and sim/portable_math, so draws are bit-identical on every platform.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace dmlssim::sim {

class RandomStream {
 public:
  RandomStream(uint64_t seed, uint64_t run, std::string_view name);

  uint64_t next_u64();
  // Uniform on [0, 1) with 53 random bits.
  double uniform01();
  // Uniform on (0, 1]: safe to take the logarithm of.
  double uniform01_open_low() { return 1.0 - uniform01(); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Uniform integer on [0, n), n >= 1, without modulo bias (Lemire's method).
  uint64_t uniform_index(uint64_t n);
  bool bernoulli(double p) { return uniform01() < p; }
  double exponential(double mean);
  double normal(double mean, double stddev);
  // exp(N(mu, sigma)).
  double lognormal(double mu, double sigma);
  // Shape k, scale lambda: lambda * (-ln U)^(1/k).
  double weibull(double k, double lambda);
  // Shape alpha, minimum x_m: x_m / U^(1/alpha).
  double pareto(double alpha, double x_m);

 private:
  uint64_t state_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0;
};

// Zipf on {1, ..., n} with P(k) proportional to k^-s, by inversion of a precomputed table.
class ZipfTable {
 public:
  ZipfTable(uint64_t n, double s);
  uint64_t sample(RandomStream& rng) const;
  double mean() const { return mean_; }

 private:
  std::vector<double> cdf_;
  double mean_ = 0;
};

}  // namespace dmlssim::sim
