#include "sim/statistics.hpp"

#include "sim/random.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <stdexcept>

namespace dmlssim::sim {
namespace {

double sample_mean(const std::vector<double>& samples) {  // samples non-empty
  double sum = 0;
  for (const double x : samples)
    sum += x;
  return sum / static_cast<double>(samples.size());
}

}  // namespace

MeanInterval mean_interval(const std::vector<double>& samples, double confidence) {
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument("confidence must be in (0, 1)");
  MeanInterval r;
  r.n = samples.size();
  if (r.n == 0) return r;
  r.mean = sample_mean(samples);
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

BootstrapInterval bootstrap_mean_interval(const std::vector<double>& samples, double confidence,
                                          std::uint64_t seed, const char* stream,
                                          std::size_t resamples) {
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument("confidence must be in (0, 1)");
  BootstrapInterval r;
  r.n = samples.size();
  if (r.n == 0) return r;
  r.mean = sample_mean(samples);
  r.lo = r.hi = r.mean;
  r.constant =
      std::all_of(samples.begin(), samples.end(), [&](double x) { return x == samples.front(); });
  if (r.n < 2 || r.constant) return r;
  RandomStream rng(seed, 0, stream);
  std::vector<double> means(resamples);
  for (double& m : means) {
    double total = 0;
    for (std::size_t i = 0; i < r.n; ++i)
      total += samples[rng.uniform_index(r.n)];
    m = total / static_cast<double>(r.n);
  }
  std::sort(means.begin(), means.end());
  // Quantiles by the nearest rank, clamped to the sample range against rounding.
  auto rank = [&](double q) {
    const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(resamples)));
    return means[std::min(resamples - 1, k == 0 ? 0 : k - 1)];
  };
  const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
  r.lo = std::max(*lo, rank((1 - confidence) / 2));
  r.hi = std::min(*hi, rank((1 + confidence) / 2));
  return r;
}

}  // namespace dmlssim::sim
