#include <catch2/catch.hpp>
#include <set>
#include <vector>

#include "sim/faults.hpp"
#include "tests/sim/allocation_counter.hpp"

using namespace dmlssim::sim;
using namespace dmlssim::sim::literals;

namespace {
struct Harness {
  Simulation sim;
  Reachability reach;
  std::vector<FaultRecord> log;
  FaultInjector faults;
  explicit Harness(std::size_t n)
      : reach(n), faults(sim, reach, 1, 0, [this](const FaultRecord& r) { log.push_back(r); }) {}
};
}  // namespace

TEST_CASE("a crash takes a server down for its duration", "[faults]") {
  Harness h(3);
  h.faults.schedule(CrashFault{{1, 2}, 10_s, 5_s}, 0);
  h.sim.run_until(12_s);
  CHECK_FALSE(h.reach.is_up(1));
  CHECK_FALSE(h.reach.is_up(2));
  h.sim.run_until(20_s);
  CHECK(h.reach.is_up(1));
  REQUIRE(h.log.size() == 4);
  CHECK(h.log[0].kind == "crash");
  CHECK(h.log[0].target == "s1");
  CHECK(h.log[0].at == 10_s);
  CHECK(h.log[3].kind == "restart");
  CHECK(h.log[3].at == 15_s);
}

TEST_CASE("partitions end at their duration or at a heal", "[faults]") {
  Harness h(4);
  h.faults.schedule(PartitionFault{"a", 1_s, {0, 0, 1, 1}, {"x", "y"}, 10_s}, 0);
  h.faults.schedule(PartitionFault{"b", 2_s, {0, 1, 1, 1}, {"x", "y"}, std::nullopt}, 1);
  h.faults.schedule(HealFault{5_s, std::string("b")}, 2);
  h.sim.run_until(3_s);
  CHECK(h.reach.component_count() == 3);
  h.sim.run_until(6_s);
  CHECK(h.reach.component_count() == 2);
  h.sim.run_until(20_s);
  CHECK(h.reach.component_count() == 1);
  std::vector<std::string> kinds;
  for (const auto& r : h.log)
    kinds.push_back(r.kind + ":" + r.target);
  CHECK(kinds == std::vector<std::string>{"partition:a", "partition:b", "heal:b", "heal:a"});
}

TEST_CASE("heal all ends every active partition — a healed partition is not healed again",
          "[faults]") {
  Harness h(4);
  h.faults.schedule(PartitionFault{"a", 1_s, {0, 0, 1, 1}, {"x", "y"}, 10_s}, 0);
  h.faults.schedule(PartitionFault{"b", 1_s, {0, 1, 0, 1}, {"x", "y"}, std::nullopt}, 1);
  h.faults.schedule(HealFault{2_s, std::nullopt}, 2);
  h.sim.run_until(1_h);
  CHECK(h.reach.component_count() == 1);
  CHECK(h.log.size() == 4);  // two partitions, two heals; the timer of "a" finds it healed
}

TEST_CASE("a flapping link goes down once per period", "[faults]") {
  Harness h(2);
  h.faults.schedule(FlapFault{0, 1, 10_s, 60_s, 15_s, 5_min}, 0);
  h.sim.run_until(10_s + 14_s);
  CHECK_FALSE(h.reach.reachable(0, 1));
  CHECK_FALSE(h.reach.direct(0, 1));
  h.sim.run_until(10_s + 16_s);
  CHECK(h.reach.reachable(0, 1));
  h.sim.run_until(1_h);
  int downs = 0;
  for (const auto& r : h.log)
    downs += r.kind == "link_down" ? 1 : 0;
  CHECK(downs == 5);  // at 10s, 70s, 130s, 190s, 250s; the window ends at 310s
  CHECK(h.reach.reachable(0, 1));
  CHECK_THROWS(h.faults.schedule(FlapFault{0, 1, 0_s, 10_s, 10_s, std::nullopt}, 1));
}

TEST_CASE("a link down separates only its pair", "[faults]") {
  Harness h(3);
  h.faults.schedule(LinkDownFault{0, 1, 1_s, 1_s}, 0);
  h.sim.run_until(1500_ms);
  CHECK_FALSE(h.reach.direct(0, 1));
  CHECK(h.reach.reachable(0, 1));  // still connected through s2
  CHECK(h.reach.direct(0, 2));
  CHECK(h.reach.component_count() == 1);
  CHECK(h.reach.severed_links_within_components() == 1);
  h.sim.run_until(3_s);
  CHECK(h.reach.direct(0, 1));
}

TEST_CASE("random outages are reproducible per (seed, run, fault, server)", "[faults]") {
  auto trace = [](uint64_t run) {
    Simulation sim;
    Reachability reach(3);
    std::vector<int64_t> times;
    FaultInjector f(sim, reach, 7, run, [&](const FaultRecord& r) { times.push_back(r.at.ns()); });
    f.schedule(
        RandomOutages{
            {0, 1, 2}, Distribution::exponential(3600), Distribution::exponential(600), 0_s, {}},
        0);
    sim.run_until(2_d);
    return times;
  };
  CHECK(trace(0) == trace(0));
  CHECK(trace(0) != trace(1));
  CHECK(trace(0).size() > 20);
}

TEST_CASE("random outages over many servers do not copy the server list per server", "[faults]") {
  // Regression: each server's first event used to capture the whole fault, server list included:
  // O(n^2) memory, 40 GB for 100,000 servers.
  const std::size_t n = 20000;
  Simulation sim;
  Reachability reach(n);
  FaultInjector f(sim, reach, 1, 0, nullptr);
  std::vector<NodeId> all(n);
  for (std::size_t i = 0; i < n; ++i)
    all[i] = static_cast<NodeId>(i);
  const uint64_t before = dmlssim::testing::allocated_bytes_so_far();
  f.schedule(
      RandomOutages{all, Distribution::exponential(3600), Distribution::exponential(600), 0_s, {}},
      0);
  const uint64_t allocated = dmlssim::testing::allocated_bytes_so_far() - before;
  CHECK(allocated < 1000 * n);  // a few hundred bytes per server, not 4 n bytes per server
  sim.run_until(1_h);
  CHECK(reach.up_count() < n);
}

TEST_CASE("a restart ends an open-ended crash and only that", "[faults]") {
  Harness h(2);
  h.faults.schedule(CrashFault{{0}, 1_s, std::nullopt}, 0);
  h.faults.schedule(
      RandomOutages{{1}, Distribution::constant(5), Distribution::constant(100), 0_s, {}}, 1);
  h.faults.schedule(CrashFault{{1}, 2_s, std::nullopt}, 2);
  h.faults.schedule(RestartFault{{0, 1}, 10_s}, 3);
  h.sim.run_until(9_s);
  CHECK_FALSE(h.reach.is_up(0));
  h.sim.run_until(11_s);
  CHECK(h.reach.is_up(0));
  CHECK_FALSE(h.reach.is_up(1));  // the random outage (5 s to 105 s) still holds s1 down
  h.sim.run_until(106_s);
  CHECK(h.reach.is_up(1));
  h.faults.schedule(RestartFault{{0}, 200_s}, 4);
  CHECK_THROWS_AS(h.sim.run_until(300_s), std::logic_error);
}

TEST_CASE("a one-way link fault stops connections one way only and splits nothing", "[faults]") {
  Harness h(3);
  LinkDownFault f{0, 1, 1_s, 1_s};
  f.one_way = true;
  h.faults.schedule(f, 0);
  h.sim.run_until(1500_ms);
  CHECK_FALSE(h.reach.can_connect(0, 1));
  CHECK(h.reach.can_connect(1, 0));
  CHECK(h.reach.direct(0, 1));  // responses to s1's requests still come back
  CHECK(h.reach.component_count() == 1);
  CHECK(h.reach.one_way_blocks_between_direct_pairs() == 1);
  h.sim.run_until(3_s);
  CHECK(h.reach.can_connect(0, 1));
  REQUIRE(h.log.size() == 2);
  CHECK(h.log[0].target == "s0->s1");
  CHECK(h.log[1].kind == "link_up");
}

namespace {
RandomPartitions partitions_by_node(std::size_t nodes, double rate, Distribution duration,
                                    uint32_t sides) {
  RandomPartitions f;
  f.rate = rate;
  f.duration = duration;
  f.sides = sides;
  for (uint32_t n = 0; n < nodes; ++n)
    f.unit_of.push_back(n);
  f.units = static_cast<uint32_t>(nodes);
  return f;
}
}  // namespace

TEST_CASE("random partitions arrive at their rate, last their duration, fill every side",
          "[faults]") {
  // 1 partition a day for 1,000 days, 2 h each, 3 sides over 4 nodes.
  Harness h(4);
  h.faults.schedule(partitions_by_node(4, 1.0 / 86400, Distribution::constant(7200), 3), 2);
  std::size_t started = 0, healed = 0, max_components = 0;
  h.reach.add_change_listener(
      [&] { max_components = std::max(max_components, h.reach.component_count()); });
  h.sim.run_until(1000_d);
  for (const auto& r : h.log) {
    CHECK(r.random);
    if (r.kind == "partition") {
      CHECK(r.target == "random-2-" + std::to_string(started));
      ++started;
    }
    if (r.kind == "heal") ++healed;
  }
  // Poisson(1,000): 4 standard deviations either way.
  CHECK(started > 1000 - 127);
  CHECK(started < 1000 + 127);
  // Overlapping partitions compose, so a later one can split more; never fewer than 3 sides.
  CHECK(max_components >= 3);
  CHECK(healed <= started);
  CHECK(healed + h.reach.active_partitions().size() == started);
}

TEST_CASE("random processes with a stop begin nothing after it and end what runs then",
          "[faults]") {
  // Partitions: about 1 an hour for 10 h, then none; the one running at the stop ends as drawn.
  Harness h(4);
  RandomPartitions p = partitions_by_node(4, 1.0 / 3600, Distribution::constant(1800), 2);
  p.stop = 10_h;
  h.faults.schedule(p, 0);
  // Outages of s0 (up 1 h, down 2 h, constant) from 0 to 5 h: down at 1 h, 4 h; up at 3 h, 6 h.
  RandomOutages o{{0}, Distribution::constant(3600), Distribution::constant(7200), 0_s, 5_h};
  h.faults.schedule(o, 1);
  h.sim.run_until(1000_h);
  std::size_t started = 0;
  std::vector<double> crashes, restarts;
  for (const auto& r : h.log) {
    if (r.kind == "partition") {
      ++started;
      CHECK(r.at < 10_h);
    }
    if (r.kind == "crash") crashes.push_back(r.at.seconds());
    if (r.kind == "restart") restarts.push_back(r.at.seconds());
  }
  CHECK(started > 0);
  CHECK(h.reach.active_partitions().empty());
  CHECK(h.reach.component_count() == 1);
  CHECK(crashes == std::vector<double>{3600, 4 * 3600});
  CHECK(restarts == std::vector<double>{3 * 3600, 6 * 3600});
  CHECK(h.reach.is_up(0));
}

TEST_CASE("random partitions by group keep each group together — draws are reproducible",
          "[faults]") {
  auto run = [](uint64_t seed) {
    Simulation sim;
    Reachability reach(6);
    std::vector<std::vector<uint32_t>> sides;
    FaultInjector faults(sim, reach, seed, 0, [&](const FaultRecord& r) {
      if (r.kind == "partition") sides.push_back(r.partition->side_of);
    });
    RandomPartitions f;
    f.rate = 1.0 / 3600;
    f.duration = Distribution::exponential(600);
    f.unit_of = {0, 0, 1, 1, 2, 2};  // three groups of two nodes
    f.units = 3;
    faults.schedule(f, 0);
    sim.run_until(100_h);
    return sides;
  };
  const auto a = run(1);
  REQUIRE(a.size() > 50);
  for (const auto& side_of : a) {
    CHECK(side_of[0] == side_of[1]);
    CHECK(side_of[2] == side_of[3]);
    CHECK(side_of[4] == side_of[5]);
    CHECK(std::set<uint32_t>(side_of.begin(), side_of.end()).size() == 2);
  }
  CHECK(run(1) == a);
  CHECK(run(2) != a);
}
