// The tiered queue's look past its minimum (after_top), against a sorted copy of what it holds.
#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "sim/random.hpp"
#include "sim/tiered_queue.hpp"

using namespace dmlssim::sim;

TEST_CASE("after_top names the near heap's next nodes in order, never a far one",
          "[tiered_queue]") {
  TieredQueue q(1 << 16);
  RandomStream rng(3, 0, "tiered");
  std::vector<QueueNode> held;
  uint64_t key = 0;
  std::size_t looked = 0, full = 0;
  for (int step = 0; step < 20000; ++step) {
    if (held.empty() || rng.uniform01() < 0.52) {
      const int64_t base =
          held.empty() ? 0 : std::min_element(held.begin(), held.end(), [](auto& a, auto& b) {
                               return a.before(b);
                             })->time;
      // Ties, near and far times alike.
      const int64_t at = base + static_cast<int64_t>(rng.uniform01() * 5000) / 7 * 7;
      const QueueNode n{at, key++};
      q.push(n);
      held.push_back(n);
      continue;
    }
    std::sort(held.begin(), held.end(), [](auto& a, auto& b) { return a.before(b); });
    const QueueNode& top = q.top();
    REQUIRE(top.time == held.front().time);
    REQUIRE(top.key == held.front().key);
    QueueNode out[4];
    const std::size_t n = q.after_top(out, 4);
    // What follows the minimum in the near heap: every near node precedes every far one.
    CHECK(n == std::min<std::size_t>(4, q.near_count() - 1));
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(out[i].time == held[i + 1].time);
      CHECK(out[i].key == held[i + 1].key);
    }
    ++looked;
    if (n == 4) ++full;
    q.pop();
    held.erase(held.begin());
  }
  CHECK(looked > 5000);
  CHECK(full > looked / 2);
}
