#include <catch2/catch.hpp>
#include <cmath>

#include "sim/distribution.hpp"

using namespace dmlssim::sim;

TEST_CASE("portable_lgamma matches libm's lgamma", "[distribution]") {
  for (double x : {0.1, 0.5, 1.0, 1.5, 2.0, 2.4285714, 3.0, 7.5, 10.0, 100.0, 1000.0}) {
    INFO(x);
    CHECK(portable_lgamma(x) == Approx(std::lgamma(x)).epsilon(1e-13).margin(1e-14));
  }
  CHECK_THROWS(portable_lgamma(0.0));
}

TEST_CASE("weibull_with_mean has the requested mean", "[distribution]") {
  for (double k : {0.5, 0.7, 1.0, 2.0, 5.0}) {
    const Distribution d = Distribution::weibull_with_mean(k, 7200.0);
    INFO(k);
    CHECK(d.mean() == Approx(7200.0).epsilon(1e-12));
    CHECK(d.b() == Approx(7200.0 / std::tgamma(1 + 1 / k)).epsilon(1e-12));
    RandomStream rng(1, 0, "weibull-mean");
    double sum = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i)
      sum += d.sample(rng);
    // Relative standard error of the mean: sqrt(Gamma(1+2/k)/Gamma(1+1/k)^2 - 1) / sqrt(n) <= 0.01.
    CHECK(sum / n == Approx(7200.0).epsilon(0.05));
  }
}

TEST_CASE("means of every kind", "[distribution]") {
  CHECK(Distribution::constant(3).mean() == 3);
  CHECK(Distribution::uniform(2, 6).mean() == 4);
  CHECK(Distribution::exponential(5).mean() == 5);
  CHECK(Distribution::normal(-1, 2).mean() == -1);
  CHECK(Distribution::lognormal(0.2, 0.5).mean() == Approx(std::exp(0.2 + 0.125)));
  CHECK(Distribution::pareto(3, 2).mean() == Approx(3.0));
  CHECK(std::isinf(Distribution::pareto(1, 2).mean()));
}

TEST_CASE("invalid parameters are rejected", "[distribution]") {
  CHECK_THROWS(Distribution::uniform(3, 2));
  CHECK_THROWS(Distribution::exponential(0));
  CHECK_THROWS(Distribution::normal(0, -1));
  CHECK_THROWS(Distribution::weibull(0, 1));
  CHECK_THROWS(Distribution::pareto(1, 0));
}

TEST_CASE("describe gives a canonical text", "[distribution]") {
  CHECK(Distribution::exponential(7200).describe() == "exponential(mean=7200)");
  CHECK(Distribution::weibull(0.7, 2.5).describe() == "weibull(k=0.7, scale=2.5)");
}
