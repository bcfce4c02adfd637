#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <vector>

#include "sim/random.hpp"

using namespace dmlssim::sim;

namespace {

// Kolmogorov-Smirnov statistic of `samples` against the continuous CDF `cdf`.
double ks_statistic(std::vector<double> samples, const std::function<double(double)>& cdf) {
  std::sort(samples.begin(), samples.end());
  const double n = static_cast<double>(samples.size());
  double d = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double f = cdf(samples[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

// Critical value of the KS statistic at significance 0.001 for large n.
double ks_critical(std::size_t n) {
  return 1.95 / std::sqrt(static_cast<double>(n));
}

template <class F>
std::vector<double> draw(std::size_t n, F&& f) {
  std::vector<double> v(n);
  for (auto& x : v)
    x = f();
  return v;
}

}  // namespace

TEST_CASE("streams match an independent implementation of SHA-256 seeding + xoshiro256**",
          "[random]") {
  // Expected values computed by a separate Python implementation (hashlib + the published
  // xoshiro256** recurrence), not by this code.
  RandomStream a(1, 0, "phold");
  CHECK(a.next_u64() == 0x0927547956d9506bULL);
  CHECK(a.next_u64() == 0xdaa6b564be6e1c54ULL);
  CHECK(a.next_u64() == 0x7fc90272f36e8bdcULL);
  RandomStream b(42, 3, "network/jitter");
  CHECK(b.next_u64() == 0xa7273805dd3f4567ULL);
  CHECK(b.next_u64() == 0x5b5a26e27d3e10d6ULL);
  CHECK(b.next_u64() == 0xf5599a7d46aa50edULL);
}

TEST_CASE("a stream depends on seed, run and name only", "[random]") {
  RandomStream a(7, 1, "faults/0/s3");
  RandomStream other(7, 1, "workload");  // creating and using another stream changes nothing
  for (int i = 0; i < 10; ++i)
    other.next_u64();
  RandomStream b(7, 1, "faults/0/s3");
  for (int i = 0; i < 100; ++i)
    REQUIRE(a.next_u64() == b.next_u64());
  CHECK(RandomStream(7, 1, "x").next_u64() != RandomStream(7, 2, "x").next_u64());
  CHECK(RandomStream(7, 1, "x").next_u64() != RandomStream(8, 1, "x").next_u64());
  CHECK(RandomStream(7, 1, "x").next_u64() != RandomStream(7, 1, "y").next_u64());
}

TEST_CASE("uniform draws stay in range and are unbiased", "[random]") {
  RandomStream rng(1, 0, "uniform");
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) {
    const double u = rng.uniform01();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    const double v = rng.uniform01_open_low();
    REQUIRE(v > 0.0);
    REQUIRE(v <= 1.0);
    ++counts[rng.uniform_index(7)];
  }
  // Chi-square with 6 degrees of freedom; 22.46 is the 0.999 quantile.
  double chi2 = 0;
  for (int c : counts)
    chi2 += (c - 10000.0) * (c - 10000.0) / 10000.0;
  CHECK(chi2 < 22.46);
  CHECK_THROWS(rng.uniform_index(0));
}

TEST_CASE("continuous distributions pass a Kolmogorov-Smirnov test", "[random]") {
  RandomStream rng(3, 0, "ks");
  const std::size_t n = 20000;
  SECTION("exponential") {
    auto s = draw(n, [&] { return rng.exponential(2.0); });
    CHECK(ks_statistic(s, [](double x) { return 1 - std::exp(-x / 2.0); }) < ks_critical(n));
  }
  SECTION("normal") {
    auto s = draw(n, [&] { return rng.normal(1.0, 3.0); });
    CHECK(ks_statistic(s, [](double x) {
            return 0.5 * std::erfc(-(x - 1.0) / (3.0 * std::sqrt(2.0)));
          }) < ks_critical(n));
  }
  SECTION("lognormal") {
    auto s = draw(n, [&] { return rng.lognormal(0.5, 0.4); });
    CHECK(ks_statistic(s, [](double x) {
            return 0.5 * std::erfc(-(std::log(x) - 0.5) / (0.4 * std::sqrt(2.0)));
          }) < ks_critical(n));
  }
  SECTION("weibull") {
    auto s = draw(n, [&] { return rng.weibull(0.7, 3.0); });
    CHECK(ks_statistic(s, [](double x) { return 1 - std::exp(-std::pow(x / 3.0, 0.7)); }) <
          ks_critical(n));
  }
  SECTION("pareto") {
    auto s = draw(n, [&] { return rng.pareto(2.5, 1.5); });
    CHECK(ks_statistic(s, [](double x) { return 1 - std::pow(1.5 / x, 2.5); }) < ks_critical(n));
  }
  SECTION("uniform") {
    auto s = draw(n, [&] { return rng.uniform(-2, 6); });
    CHECK(ks_statistic(s, [](double x) { return (x + 2) / 8; }) < ks_critical(n));
  }
}

TEST_CASE("bernoulli frequency matches p", "[random]") {
  RandomStream rng(5, 0, "bernoulli");
  int hits = 0;
  for (int i = 0; i < 100000; ++i)
    hits += rng.bernoulli(0.3) ? 1 : 0;
  // sd = sqrt(n p (1-p)) = 145; allow 4 sd.
  CHECK(std::abs(hits - 30000) < 580);
}

TEST_CASE("zipf frequencies follow k^-s", "[random]") {
  RandomStream rng(9, 0, "zipf");
  const ZipfTable zipf(10, 1.2);
  double norm = 0;
  for (int k = 1; k <= 10; ++k)
    norm += std::pow(k, -1.2);
  std::vector<int> counts(11, 0);
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const uint64_t k = zipf.sample(rng);
    REQUIRE(k >= 1);
    REQUIRE(k <= 10);
    ++counts[k];
  }
  double chi2 = 0, mean = 0;
  for (int k = 1; k <= 10; ++k) {
    const double expected = n * std::pow(k, -1.2) / norm;
    chi2 += (counts[k] - expected) * (counts[k] - expected) / expected;
    mean += k * std::pow(k, -1.2) / norm;
  }
  CHECK(chi2 < 27.88);  // 0.999 quantile, 9 degrees of freedom
  CHECK(zipf.mean() == Approx(mean).epsilon(1e-12));
  CHECK_THROWS(ZipfTable(0, 1.0));
  CHECK_THROWS(ZipfTable(5, 0.0));
}
