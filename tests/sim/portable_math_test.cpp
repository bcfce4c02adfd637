#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "sim/portable_math.hpp"
#include "sim/random.hpp"

using namespace dmlssim::sim;

namespace {
// Distance in units in the last place between two finite doubles of the same sign.
int64_t ulps(double a, double b) {
  int64_t ia, ib;
  std::memcpy(&ia, &a, sizeof a);
  std::memcpy(&ib, &b, sizeof b);
  return ia > ib ? ia - ib : ib - ia;
}
// portable_log's formula with each series coefficient 1 / (2k + 1) divided at run time (through
// a volatile: not folded) and the C library's frexp, as earlier versions computed it.
double log_by_division(double x) {
  int e = 0;
  double m = std::frexp(x, &e);
  if (m < 0.70710678118654752440) {
    m *= 2;
    --e;
  }
  const double f = m - 1;
  const double s = f / (2 + f);
  const double z = s * s;
  volatile double one = 1.0;
  double series = one / 23;
  for (int k = 10; k >= 1; --k)
    series = one / (2 * k + 1) + z * series;
  const double log_m = 2 * s + 2 * s * z * series;
  return e * 6.93147180369123816490e-01 + (e * 1.90821492927058770002e-10 + log_m);
}
}  // namespace

TEST_CASE("portable_log agrees with libm within 2 ulp over the double range", "[portable_math]") {
  RandomStream rng(1, 0, "log-test");
  for (int i = 0; i < 200000; ++i) {
    // Random exponent and mantissa: covers subnormals to the largest doubles.
    const double x =
        std::ldexp(1 + rng.uniform01(), static_cast<int>(rng.uniform_index(2098)) - 1074);
    if (x == 0 || std::isinf(x)) continue;
    const double expected = std::log(x);
    const double got = portable_log(x);
    if (expected == 0) {
      REQUIRE(got == 0);
    } else {
      INFO(x);
      REQUIRE(ulps(got, expected) <= 2);
    }
  }
  for (double x : {1.0, 2.0, 0.5, 10.0, 1e-300, 1e300, 0.9999999999, 1.0000000001}) {
    INFO(x);
    CHECK(ulps(portable_log(x), std::log(x)) <= 2);
  }
  CHECK(portable_log(1.0) == 0.0);
  CHECK(std::isinf(portable_log(0.0)));
  CHECK(std::isnan(portable_log(-1.0)));
}

TEST_CASE("portable_log's series constants give the bits of dividing at run time",
          "[portable_math]") {
  // The same series with each coefficient 1 / (2k + 1) divided at run time (through a volatile:
  // not folded), as earlier versions computed it: runs must not change with the constants.
  RandomStream rng(3, 0, "log-bits");
  for (int i = 0; i < 100000; ++i) {
    const double x = std::ldexp(1 + rng.uniform01(), static_cast<int>(rng.uniform_index(80)) - 40);
    INFO(x);
    const double got = portable_log(x), want = log_by_division(x);
    REQUIRE(std::memcmp(&got, &want, sizeof got) == 0);
  }
}

TEST_CASE("portable_exp agrees with libm within 2 ulp", "[portable_math]") {
  RandomStream rng(2, 0, "exp-test");
  for (int i = 0; i < 200000; ++i) {
    const double x = rng.uniform(-708, 709);
    INFO(x);
    REQUIRE(ulps(portable_exp(x), std::exp(x)) <= 2);
  }
  for (int i = 0; i < 100000; ++i) {
    const double x = rng.uniform(-1, 1);
    INFO(x);
    REQUIRE(ulps(portable_exp(x), std::exp(x)) <= 2);
  }
  CHECK(portable_exp(0.0) == 1.0);
  CHECK(std::isinf(portable_exp(710.0)));
  CHECK(portable_exp(-800.0) == 0.0);
}

TEST_CASE("portable_exp and portable_log give the bits of the library's nearbyint, ldexp, frexp",
          "[portable_math]") {
  // The formulas as earlier versions computed them, with the C library's calls for the exact
  // steps; the functions now do those steps on the bits, and runs must not change with that.
  const auto exp_reference = [](double x) {
    if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
    if (x < -745.1332191019412) return 0.0;
    const double k = std::nearbyint(x / 0.69314718055994530942);
    const double r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
    double p = 1.0 / 87178291200.0;
    for (const double c :
         {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
          1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 1.0 / 2.0})
      p = c + r * p;
    return std::ldexp(1 + (r + r * r * p), static_cast<int>(k));
  };
  const auto same = [](double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  RandomStream rng(4, 0, "exact-steps");
  std::vector<double> xs;
  for (int i = 0; i < 200000; ++i)
    xs.push_back(rng.uniform(-746, 710));
  // Where the scaling leaves the normal range (results subnormal, or near the largest double),
  // and halfway points of x / ln 2, where rounding to an integer ties.
  for (int i = 0; i < 20000; ++i) {
    xs.push_back(rng.uniform(-745.2, -707));
    xs.push_back(rng.uniform(708, 709.8));
  }
  for (int k = -1080; k <= 1030; ++k) {
    const double half = (k + 0.5) * 0.69314718055994530942;
    xs.insert(xs.end(), {half, std::nextafter(half, 0.0), std::nextafter(half, 1e9)});
  }
  for (const double x : xs) {
    INFO(x);
    REQUIRE(same(portable_exp(x), exp_reference(x)));
  }
  // Logarithms over the whole positive range: subnormals, powers of two, the largest doubles.
  for (int i = 0; i < 200000; ++i) {
    const double x =
        std::ldexp(1 + rng.uniform01(), static_cast<int>(rng.uniform_index(2098)) - 1074);
    if (x == 0 || std::isinf(x)) continue;
    INFO(x);
    REQUIRE(same(portable_log(x), log_by_division(x)));
  }
  for (const double x : {std::numeric_limits<double>::denorm_min(),
                         std::numeric_limits<double>::min(), std::numeric_limits<double>::max(),
                         std::nextafter(std::numeric_limits<double>::min(), 0.0), 0.5, 1.0, 2.0})
    REQUIRE(same(portable_log(x), log_by_division(x)));
}

TEST_CASE("portable_pow", "[portable_math]") {
  CHECK(portable_pow(2.0, 10.0) == Approx(1024.0).epsilon(1e-14));
  CHECK(portable_pow(9.0, 0.5) == Approx(3.0).epsilon(1e-15));
}
