#include "sim/portable_math.hpp"

#include <cmath>
#include <limits>

namespace dmlssim::sim {
namespace {
// ln 2 split so that k * kLn2Hi is exact for |k| < 2^21.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kSqrtHalf = 0.70710678118654752440;
}  // namespace

double portable_log(double x) {
  if (std::isnan(x) || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1); exact, also for subnormals
  if (m < kSqrtHalf) {
    m *= 2;
    --e;
  }
  // log(m) = 2 atanh(s) with s = (m - 1) / (m + 1), |s| <= 0.1716: a series in z = s^2.
  const double f = m - 1;
  const double s = f / (2 + f);
  const double z = s * s;
  // 1 / (2k + 1) for k = 10 .. 1, rounded once each (as the division at run time would be).
  constexpr double kInvOdd[] = {1.0 / 21, 1.0 / 19, 1.0 / 17, 1.0 / 15, 1.0 / 13,
                                1.0 / 11, 1.0 / 9,  1.0 / 7,  1.0 / 5,  1.0 / 3};
  double series = 1.0 / 23;
  for (const double c : kInvOdd)
    series = c + z * series;
  const double log_m = 2 * s + 2 * s * z * series;
  return e * kLn2Hi + (e * kLn2Lo + log_m);
}

double portable_exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.1332191019412) return 0.0;
  // x = k ln2 + r, |r| <= ln2 / 2; exp(x) = 2^k exp(r); exp(r) by its Taylor series.
  const double k = std::nearbyint(x / 0.69314718055994530942);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double p = 1.0 / 87178291200.0;  // 1/14!
  constexpr double kInvFactorials[] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
                                       1.0 / 3628800.0,    1.0 / 362880.0,    1.0 / 40320.0,
                                       1.0 / 5040.0,       1.0 / 720.0,       1.0 / 120.0,
                                       1.0 / 24.0,         1.0 / 6.0,         1.0 / 2.0};
  for (double c : kInvFactorials)
    p = c + r * p;
  // p now approximates (exp(r) - 1 - r) / r^2; assemble so the small terms are added last.
  const double exp_r = 1 + (r + r * r * p);
  return std::ldexp(exp_r, static_cast<int>(k));
}

double portable_pow(double x, double y) {
  return portable_exp(y * portable_log(x));
}

}  // namespace dmlssim::sim
