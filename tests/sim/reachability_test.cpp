#include <catch2/catch.hpp>
#include <set>
#include <vector>

#include "sim/random.hpp"
#include "sim/reachability.hpp"

using namespace dmlssim::sim;

namespace {

// Independent computation: BFS over the explicit pair graph.
std::vector<int> brute_force_components(std::size_t n, const std::vector<bool>& up,
                                        const std::vector<std::vector<uint32_t>>& partitions,
                                        const std::set<std::pair<NodeId, NodeId>>& down_links) {
  auto adjacent = [&](std::size_t a, std::size_t b) {
    if (!up[a] || !up[b] || a == b) return false;
    for (const auto& p : partitions) {
      if (p[a] != p[b]) return false;
    }
    return down_links.count(
               {static_cast<NodeId>(std::min(a, b)), static_cast<NodeId>(std::max(a, b))}) == 0;
  };
  std::vector<int> comp(n, -1);
  int next = 0;
  for (std::size_t s = 0; s < n; ++s) {
    if (!up[s] || comp[s] >= 0) continue;
    std::vector<std::size_t> stack = {s};
    comp[s] = next;
    while (!stack.empty()) {
      const std::size_t v = stack.back();
      stack.pop_back();
      for (std::size_t w = 0; w < n; ++w) {
        if (comp[w] < 0 && adjacent(v, w)) {
          comp[w] = next;
          stack.push_back(w);
        }
      }
    }
    ++next;
  }
  return comp;
}

}  // namespace

TEST_CASE("a fresh network is one component", "[reachability]") {
  Reachability r(5);
  CHECK(r.component_count() == 1);
  CHECK(r.reachable(0, 4));
  CHECK(r.up_count() == 5);
}

TEST_CASE("partitions split and compose; removal heals", "[reachability]") {
  Reachability r(6);
  r.add_partition("ab", {0, 0, 0, 1, 1, 1});
  CHECK(r.component_count() == 2);
  CHECK(r.reachable(0, 2));
  CHECK_FALSE(r.reachable(2, 3));
  r.add_partition("odd", {0, 1, 0, 1, 0, 1});
  CHECK(r.component_count() == 4);  // {0,2} {1} {3,5} {4}
  CHECK(r.reachable(0, 2));
  CHECK(r.reachable(3, 5));
  CHECK_FALSE(r.reachable(0, 1));
  CHECK_THROWS(r.add_partition("ab", {0, 0, 0, 0, 0, 0}));
  CHECK(r.remove_partition("ab"));
  CHECK_FALSE(r.remove_partition("ab"));
  CHECK(r.component_count() == 2);
  CHECK(r.active_partitions() == std::vector<std::string>{"odd"});
}

TEST_CASE("crashes are held and released; incarnations count crashes", "[reachability]") {
  Reachability r(3);
  std::vector<std::pair<NodeId, bool>> events;
  r.add_node_listener([&](NodeId n, bool up) { events.emplace_back(n, up); });
  r.hold_down(1);
  r.hold_down(1);  // a second reason to be down
  CHECK_FALSE(r.is_up(1));
  CHECK(r.component(1) == -1);
  CHECK_FALSE(r.reachable(1, 1));
  r.release_down(1);
  CHECK_FALSE(r.is_up(1));
  r.release_down(1);
  CHECK(r.is_up(1));
  CHECK(r.incarnation(1) == 1);
  CHECK(events == std::vector<std::pair<NodeId, bool>>{{1, false}, {1, true}});
  CHECK_THROWS_AS(r.release_down(1), std::logic_error);
}

TEST_CASE("a side whose every node lost a link is resolved edge by edge", "[reachability]") {
  Reachability r(3);
  r.hold_link_down(0, 1);
  CHECK(r.component_count() == 1);  // 0-2-1 still connected
  r.hold_link_down(1, 2);
  CHECK(r.component_count() == 2);
  CHECK(r.reachable(0, 2));
  CHECK_FALSE(r.reachable(1, 2));
  r.release_link_down(0, 1);
  CHECK(r.component_count() == 1);
  CHECK_THROWS_AS(r.release_link_down(0, 2), std::logic_error);
}

TEST_CASE("components agree with a brute-force search under random faults", "[reachability]") {
  RandomStream rng(11, 0, "reachability-test");
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = 2 + rng.uniform_index(12);
    Reachability r(n);
    std::vector<bool> up(n, true);
    std::vector<std::vector<uint32_t>> partitions;
    std::set<std::pair<NodeId, NodeId>> down_links;
    for (std::size_t v = 0; v < n; ++v) {
      if (rng.bernoulli(0.2)) {
        up[v] = false;
        r.hold_down(static_cast<NodeId>(v));
      }
    }
    const std::size_t parts = rng.uniform_index(3);
    for (std::size_t p = 0; p < parts; ++p) {
      std::vector<uint32_t> sides(n);
      for (auto& s : sides)
        s = static_cast<uint32_t>(rng.uniform_index(3));
      partitions.push_back(sides);
      r.add_partition("p" + std::to_string(p), sides);
    }
    const std::size_t links = rng.uniform_index(n * 2);
    for (std::size_t l = 0; l < links; ++l) {
      const auto a = static_cast<NodeId>(rng.uniform_index(n));
      const auto b = static_cast<NodeId>(rng.uniform_index(n));
      if (a == b || down_links.count({std::min(a, b), std::max(a, b)})) continue;
      down_links.insert({std::min(a, b), std::max(a, b)});
      r.hold_link_down(a, b);
    }
    const auto expected = brute_force_components(n, up, partitions, down_links);
    std::set<int> distinct;
    for (std::size_t a = 0; a < n; ++a) {
      if (expected[a] >= 0) distinct.insert(expected[a]);
      for (std::size_t b = 0; b < n; ++b) {
        const bool want = expected[a] >= 0 && expected[a] == expected[b];
        INFO("trial " << trial << " pair " << a << "," << b);
        REQUIRE(r.reachable(static_cast<NodeId>(a), static_cast<NodeId>(b)) == want);
      }
    }
    REQUIRE(r.component_count() == distinct.size());
  }
}

TEST_CASE("listeners see the old state before and the new state after a change", "[reachability]") {
  Reachability r(4);
  std::vector<std::size_t> before, after;
  r.add_before_change_listener([&] { before.push_back(r.component_count()); });
  r.add_change_listener([&] { after.push_back(r.component_count()); });
  r.add_partition("p", {0, 0, 1, 1});
  r.hold_down(0);
  r.hold_down(0);  // no change, no notification
  CHECK(before == std::vector<std::size_t>{1, 2});
  CHECK(after == std::vector<std::size_t>{2, 2});
}
