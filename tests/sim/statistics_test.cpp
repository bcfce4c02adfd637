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
