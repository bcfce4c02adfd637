// The tiered queue against a sorted copy of what it holds: its minimum, the nodes after it
// (after_top), pop, push and replace_top, over near and far times and ties.
#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "sim/random.hpp"
#include "sim/tiered_queue.hpp"

using namespace dmlssim::sim;

namespace {
bool node_less(const QueueNode& a, const QueueNode& b) {
  return a.before(b);
}
}  // namespace

TEST_CASE("the queue's minimum and the nodes after it follow (time, key) order", "[tiered_queue]") {
  TieredQueue q(1 << 16);
  RandomStream rng(3, 0, "tiered");
  std::vector<QueueNode> held;
  uint64_t key = 0;
  std::size_t looked = 0, full = 0, replaced = 0, far = 0;
  const auto new_node = [&]() {
    const int64_t base =
        held.empty() ? 0 : std::min_element(held.begin(), held.end(), node_less)->time;
    // Ties, near and far times alike (some far beyond the buckets).
    const double u = rng.uniform01();
    const int64_t span = u < 0.05 ? 5'000'000 : 5000;
    const int64_t at = base + static_cast<int64_t>(rng.uniform01() * span) / 7 * 7;
    if (span > 5000) ++far;
    return QueueNode{at, key++};
  };
  for (int step = 0; step < 40000; ++step) {
    if (held.empty() || rng.uniform01() < 0.52) {
      const QueueNode n = new_node();
      q.push(n);
      held.push_back(n);
      continue;
    }
    std::sort(held.begin(), held.end(), node_less);
    REQUIRE(q.size() == held.size());
    const QueueNode& top = q.top();
    REQUIRE(top.time == held.front().time);
    REQUIRE(top.key == held.front().key);
    const std::size_t n = q.after_top_count();
    CHECK(n == std::min(TieredQueue::kFront - 1, held.size() - 1));
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(q.after_top_begin()[i].time == held[i + 1].time);
      CHECK(q.after_top_begin()[i].key == held[i + 1].key);
    }
    ++looked;
    if (n == TieredQueue::kFront - 1) ++full;
    held.erase(held.begin());
    if (rng.uniform01() < 0.4) {
      // The running event schedules one more: one step instead of a pop and a push.
      const QueueNode m = new_node();
      q.replace_top(m);
      held.push_back(m);
      ++replaced;
    } else {
      q.pop();
    }
  }
  CHECK(looked > 10000);
  CHECK(full > looked / 2);
  CHECK(replaced > 4000);
  CHECK(far > 500);
}

TEST_CASE("top() of an empty queue is an error, not a stale node", "[tiered_queue]") {
  TieredQueue q(16);
  CHECK_THROWS_AS(q.top(), std::logic_error);
  q.push(QueueNode{5, 1});
  CHECK(q.top().time == 5);
  q.pop();
  CHECK(q.empty());
  CHECK_THROWS_AS(q.top(), std::logic_error);
}

TEST_CASE("filter keeps order and the front across the tiers", "[tiered_queue]") {
  TieredQueue q(1 << 12);
  for (uint64_t k = 0; k < 200; ++k)
    q.push(QueueNode{static_cast<int64_t>((k * 37) % 101), k});
  q.filter([](const QueueNode& n) { return n.key % 3 != 0; }, [](const QueueNode&) {});
  std::vector<QueueNode> expect;
  for (uint64_t k = 0; k < 200; ++k)
    if (k % 3 != 0) expect.push_back(QueueNode{static_cast<int64_t>((k * 37) % 101), k});
  std::sort(expect.begin(), expect.end(), node_less);
  REQUIRE(q.size() == expect.size());
  for (const QueueNode& e : expect) {
    REQUIRE(q.after_top_count() == std::min<std::size_t>(TieredQueue::kFront, q.size()) - 1);
    CHECK(q.top().time == e.time);
    CHECK(q.top().key == e.key);
    q.pop();
  }
  CHECK(q.empty());
}
