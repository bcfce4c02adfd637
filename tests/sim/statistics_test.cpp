#include <catch2/catch.hpp>

#include "sim/statistics.hpp"

using namespace dmlssim::sim;

TEST_CASE("mean_interval uses the Student-t quantile", "[statistics]") {
  // Samples 1..10: mean 5.5, sd 3.02765; t(0.995, 9) = 3.249836 (statistical tables).
  std::vector<double> v;
  for (int i = 1; i <= 10; ++i)
    v.push_back(i);
  const MeanInterval ci = mean_interval(v, 0.99);
  CHECK(ci.mean == Approx(5.5));
  CHECK(ci.half_width == Approx(3.249836 * 3.0276504 / std::sqrt(10.0)).epsilon(1e-6));
  CHECK(ci.n == 10);
  CHECK(mean_interval({4.0}, 0.99).half_width == 0);
  CHECK(mean_interval({}, 0.99).n == 0);
  CHECK_THROWS(mean_interval(v, 1.0));
}

TEST_CASE("the bootstrap interval stays in the samples' range and says when they agree",
          "[statistics]") {
  // A count that is mostly zero: the t-interval goes below zero, the bootstrap does not.
  const std::vector<double> counts = {0, 0, 0, 0, 0, 0, 0, 0, 2, 2};
  CHECK(mean_interval(counts, 0.99).lo() < 0);
  const BootstrapInterval b = bootstrap_mean_interval(counts, 0.99, 1, "test");
  CHECK(b.mean == Approx(0.4));
  CHECK(b.lo >= 0);
  CHECK(b.hi <= 2);
  CHECK(b.lo < b.mean);
  CHECK(b.hi > b.mean);
  CHECK_FALSE(b.constant);
  // Three runs: never wider than their range (a t-interval with 2 degrees of freedom is).
  const std::vector<double> three = {10, 11, 30};
  CHECK(mean_interval(three, 0.99).half_width * 2 > 20);
  const BootstrapInterval t = bootstrap_mean_interval(three, 0.99, 1, "test");
  CHECK(t.lo >= 10);
  CHECK(t.hi <= 30);
  // Every run agrees: constant, no width.
  const BootstrapInterval c = bootstrap_mean_interval({3, 3, 3}, 0.99, 1, "test");
  CHECK(c.constant);
  CHECK(c.lo == 3);
  CHECK(c.hi == 3);
  // Deterministic for a seed and stream; 1..10: near the normal approximation 5.5 +- 2.34.
  std::vector<double> v;
  for (int i = 1; i <= 10; ++i)
    v.push_back(i);
  const BootstrapInterval x = bootstrap_mean_interval(v, 0.99, 7, "s");
  const BootstrapInterval y = bootstrap_mean_interval(v, 0.99, 7, "s");
  CHECK(x.lo == y.lo);
  CHECK(x.hi == y.hi);
  CHECK(x.lo == Approx(5.5 - 2.576 * 2.8723 / std::sqrt(10.0)).margin(0.5));
  CHECK(x.hi == Approx(5.5 + 2.576 * 2.8723 / std::sqrt(10.0)).margin(0.5));
  CHECK(bootstrap_mean_interval({}, 0.99, 1, "s").n == 0);
}
