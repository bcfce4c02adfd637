#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

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
  const auto reference = [](double x) {
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
  };
  RandomStream rng(3, 0, "log-bits");
  for (int i = 0; i < 100000; ++i) {
    const double x = std::ldexp(1 + rng.uniform01(), static_cast<int>(rng.uniform_index(80)) - 40);
    INFO(x);
    const double got = portable_log(x), want = reference(x);
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

TEST_CASE("portable_pow", "[portable_math]") {
  CHECK(portable_pow(2.0, 10.0) == Approx(1024.0).epsilon(1e-14));
  CHECK(portable_pow(9.0, 0.5) == Approx(3.0).epsilon(1e-15));
}
