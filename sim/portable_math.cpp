#include "sim/portable_math.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace dmlssim::sim {
namespace {
// ln 2 split so that k * kLn2Hi is exact for |k| < 2^21.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kSqrtHalf = 0.70710678118654752440;

// The C library's frexp, ldexp and nearbyint are calls (two draws a message hop use them); what
// they do here is exact, so it is done on the bits where that is simple and left to them
// elsewhere. Each gives the library's bits (tested over every case).
std::uint64_t bits_of(double x) {
  std::uint64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
double from_bits(std::uint64_t b) {
  double x = 0;
  std::memcpy(&x, &b, sizeof x);
  return x;
}
// std::frexp for positive finite x.
double split_exponent(double x, int* e) {
  const std::uint64_t b = bits_of(x);
  const auto biased = static_cast<int>(b >> 52);  // (sign clear)
  if (biased == 0) return std::frexp(x, e);       // subnormal
  *e = biased - 1022;
  return from_bits((b & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1022} << 52));
}
// std::ldexp(m, k) for m in [0.5, 2): a product with 2^k is exact while it stays normal.
double scale_by_power_of_two(double m, int k) {
  if (k < -1021 || k > 1023) return std::ldexp(m, k);
  return m * from_bits(static_cast<std::uint64_t>(k + 1023) << 52);
}
// std::nearbyint for |y| < 2^51 in the default rounding mode (ties to even): adding and taking
// away 1.5 * 2^52 rounds y to an integer in that mode. (IEEE arithmetic, which the build keeps:
// no -ffast-math, so the two are not folded away.)
double round_to_integer(double y) {
  constexpr double kShift = 6755399441055744.0;
  return (y + kShift) - kShift;
}
}  // namespace

double portable_log(double x) {
  if (std::isnan(x) || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  int e = 0;
  double m = split_exponent(x, &e);  // x = m * 2^e, m in [0.5, 1); exact, also for subnormals
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
  const double k = round_to_integer(x / 0.69314718055994530942);  // |k| <= 1075
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
  return scale_by_power_of_two(exp_r, static_cast<int>(k));  // exp_r in [0.70, 1.42]
}

double portable_pow(double x, double y) {
  return portable_exp(y * portable_log(x));
}

}  // namespace dmlssim::sim
