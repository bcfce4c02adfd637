#include "sim/statistics.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <stdexcept>

namespace dmlssim::sim {

MeanInterval mean_interval(const std::vector<double>& samples, double confidence) {
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument("confidence must be in (0, 1)");
  MeanInterval r;
  r.n = samples.size();
  if (r.n == 0) return r;
  double sum = 0;
  for (double x : samples)
    sum += x;
  r.mean = sum / static_cast<double>(r.n);
  if (r.n < 2) return r;
  double ss = 0;
  for (double x : samples)
    ss += (x - r.mean) * (x - r.mean);
  const double sd = std::sqrt(ss / static_cast<double>(r.n - 1));
  const boost::math::students_t t(static_cast<double>(r.n - 1));
  const double q = boost::math::quantile(boost::math::complement(t, (1 - confidence) / 2));
  r.half_width = q * sd / std::sqrt(static_cast<double>(r.n));
  return r;
}

}  // namespace dmlssim::sim
