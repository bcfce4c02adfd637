// Draws computed ahead on a thread are the stream's own draws, in order.
#include "sim/draws_ahead.hpp"

#include <catch2/catch.hpp>
#include <cstdint>

using namespace dmlssim::sim;

namespace {
// How many of `count` values from DrawsAhead differ from distribution.sample on the same stream.
std::uint64_t mismatches(const Distribution& distribution, std::uint64_t count, bool* ahead) {
  RandomStream reference(7, 3, "hop");
  DrawsAhead draws(distribution, RandomStream(7, 3, "hop"));
  std::uint64_t wrong = 0;
  for (std::uint64_t i = 0; i < count; ++i)
    wrong += draws.next() != distribution.sample(reference) ? 1 : 0;
  *ahead = draws.ahead();
  return wrong;
}
}  // namespace

TEST_CASE("draws ahead: the same values as drawing one at a time", "[sim][random]") {
  // Past the inline draws and through many blocks handed over by the thread.
  const std::uint64_t count = DrawsAhead::kInlineDraws + 40 * DrawsAhead::kBlock + 123;
  for (const Distribution& d :
       {Distribution::lognormal(-3.0, 0.5), Distribution::normal(0.05, 0.01),
        Distribution::exponential(0.2), Distribution::uniform(0.01, 0.03)}) {
    INFO(d.describe());
    bool ahead = false;
    CHECK(mismatches(d, count, &ahead) == 0);
    CHECK(ahead);
  }
}

TEST_CASE("draws ahead: a small simulation starts no thread", "[sim][random]") {
  bool ahead = true;
  CHECK(mismatches(Distribution::lognormal(-3.0, 0.5), DrawsAhead::kInlineDraws, &ahead) == 0);
  CHECK_FALSE(ahead);
}

TEST_CASE("draws ahead: stops at once with blocks drawn and not taken", "[sim][random]") {
  for (int round = 0; round < 20; ++round) {
    DrawsAhead draws(Distribution::lognormal(-3.0, 0.5), RandomStream(1, round, "hop"));
    for (std::uint64_t i = 0; i <= DrawsAhead::kInlineDraws + round; ++i)
      draws.next();
    CHECK(draws.ahead());
  }  // each destructor joins a thread that may be mid-block or waiting
}
