#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
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

TEST_CASE("partitions split and compose — removal heals", "[reachability]") {
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

TEST_CASE("crashes are held and released — incarnations count crashes", "[reachability]") {
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

TEST_CASE("components agree with a brute-force search under random fault sequences",
          "[reachability]") {
  RandomStream rng(11, 0, "reachability-test");
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t n = 2 + rng.uniform_index(12);
    Reachability r(n);
    std::vector<bool> up(n, true);
    std::map<std::string, std::vector<uint32_t>> partitions;
    std::set<std::pair<NodeId, NodeId>> down_links;
    for (int step = 0; step < 40; ++step) {
      const auto a = static_cast<NodeId>(rng.uniform_index(n));
      const auto b = static_cast<NodeId>(rng.uniform_index(n));
      const auto link = std::make_pair(std::min(a, b), std::max(a, b));
      switch (rng.uniform_index(6)) {
        case 0:
          if (up[a]) r.hold_down(a);
          up[a] = false;
          break;
        case 1:
          if (!up[a]) r.release_down(a);
          up[a] = true;
          break;
        case 2: {
          const std::string name = "p" + std::to_string(rng.uniform_index(3));
          if (partitions.count(name)) break;
          std::vector<uint32_t> sides(n);
          for (auto& side : sides)
            side = static_cast<uint32_t>(rng.uniform_index(3));
          partitions[name] = sides;
          r.add_partition(name, sides);
          break;
        }
        case 3:
          if (!partitions.empty()) {
            const std::string name = partitions.begin()->first;
            partitions.erase(name);
            REQUIRE(r.remove_partition(name));
          }
          break;
        case 4:
          if (a != b && down_links.insert(link).second) r.hold_link_down(a, b);
          break;
        default:
          if (down_links.erase(link)) r.release_link_down(a, b);
          break;
      }
      std::vector<std::vector<uint32_t>> sides;
      for (const auto& [name, s] : partitions)
        sides.push_back(s);
      const auto expected = brute_force_components(n, up, sides, down_links);
      std::set<int> distinct;
      std::size_t largest = 0;
      for (std::size_t x = 0; x < n; ++x) {
        if (expected[x] >= 0) distinct.insert(expected[x]);
        largest = std::max<std::size_t>(
            largest,
            static_cast<std::size_t>(std::count(expected.begin(), expected.end(), expected[x])) *
                (expected[x] >= 0));
        for (std::size_t y = 0; y < n; ++y) {
          const bool want = expected[x] >= 0 && expected[x] == expected[y];
          INFO("trial " << trial << " step " << step << " pair " << x << "," << y);
          REQUIRE(r.reachable(static_cast<NodeId>(x), static_cast<NodeId>(y)) == want);
          const bool direct = want && x != y && !down_links.count({std::min(x, y), std::max(x, y)});
          if (x != y) REQUIRE(r.direct(static_cast<NodeId>(x), static_cast<NodeId>(y)) == direct);
        }
      }
      REQUIRE(r.component_count() == distinct.size());
      const auto& sizes = r.component_sizes();
      REQUIRE((sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end())) == largest);
      REQUIRE(r.up_count() == static_cast<std::size_t>(std::count(up.begin(), up.end(), true)));
    }
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
