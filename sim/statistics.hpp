// Summary statistics over independent replications.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dmlssim::sim {

struct MeanInterval {
  double mean = 0;
  double half_width = 0;  // of the two-sided confidence interval; 0 when n < 2
  std::size_t n = 0;
  double lo() const { return mean - half_width; }
  double hi() const { return mean + half_width; }
};

// Student-t confidence interval for the mean of i.i.d. samples; `confidence` in (0, 1).
MeanInterval mean_interval(const std::vector<double>& samples, double confidence);

// Percentile-bootstrap interval for the mean: the (1-c)/2 and (1+c)/2 quantiles of the means of
// `resamples` resamples with replacement. Unlike the t-interval it never leaves [min, max] of the
// samples, so a count is never below zero and a fraction never above one. Deterministic: the
// resamples are drawn from the stream named `stream` of `seed`.
struct BootstrapInterval {
  double mean = 0;
  double lo = 0, hi = 0;  // equal to mean when n < 2 or every sample is the same
  std::size_t n = 0;
  bool constant = false;  // n >= 1 and every sample equal
};
BootstrapInterval bootstrap_mean_interval(const std::vector<double>& samples, double confidence,
                                          std::uint64_t seed, const char* stream,
                                          std::size_t resamples = 4000);

}  // namespace dmlssim::sim
