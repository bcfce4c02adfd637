// Summary statistics over independent replications.
#pragma once

#include <cstddef>
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

}  // namespace dmlssim::sim
