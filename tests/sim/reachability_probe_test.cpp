#include <catch2/catch.hpp>

#include "sim/faults.hpp"
#include "sim/reachability_probe.hpp"

using namespace dmlssim::sim;
using namespace dmlssim::sim::literals;

TEST_CASE("time-weighted reachability over a scripted fault sequence", "[probe]") {
  // 4 servers over 100 s: 0-20 s one component; 20-60 s split {0,1} | {2,3}; 40-80 s s3 down.
  Simulation sim;
  Reachability reach(4);
  ReachabilityProbe probe(sim, reach, true);
  FaultInjector f(sim, reach, 1, 0, nullptr);
  f.schedule(PartitionFault{"p", 20_s, {0, 0, 1, 1}, {"a", "b"}, 40_s}, 0);
  f.schedule(CrashFault{{3}, 40_s, 40_s}, 1);
  sim.run_until(100_s);
  probe.finish(100_s);
  // Components: 1 during [0,20) + [60,100) = 60 s; 2 during [20,60) = 40 s.
  CHECK(probe.time_by_components().at(1) == 60_s);
  CHECK(probe.time_by_components().at(2) == 40_s);
  CHECK(probe.uptime()[3] == 60_s);
  CHECK(probe.uptime()[0] == 100_s);
  // Reachable ordered pairs out of 12: [0,20) 12; [20,40) 4; [40,60) 2 ({0,1} and lone 2);
  // [60,80) 6 (three servers); [80,100) 12.
  const double expected = (12.0 * 20 + 4 * 20 + 2 * 20 + 6 * 20 + 12 * 20) / (12.0 * 100);
  CHECK(probe.mean_reachable_pair_fraction() == Approx(expected));
  CHECK(probe.pair_fraction(0, 1) == Approx(1.0));
  CHECK(probe.pair_fraction(0, 2) == Approx(0.6));
  CHECK(probe.pair_fraction(2, 3) == Approx(0.6));  // down or split from 20 s to 80 s
  CHECK(probe.changes() == 4);
  // Pair outages: {0,2},{1,2} split 20-60 s; {0,3},{1,3} split then s3 down, one outage 20-80 s
  // each as they never recover in between; {2,3} share a side, but s3 is down 40-80 s.
  const auto outages = probe.pair_outages();
  REQUIRE(outages.size() == 5);
  for (const auto& o : outages) {
    INFO(o.a << "-" << o.b);
    CHECK(o.start == ((o.a == 2) ? 40_s : 20_s));
    CHECK_FALSE(o.ongoing);
    CHECK(o.end == ((o.b == 3) ? 80_s : 60_s));
  }
  MetricsRecorder m;
  probe.write_tables(m, {"s0", "s1", "s2", "s3"});
  CHECK(m.tables().at("pairs").rows().size() == 6);
  CHECK(m.tables().at("components").rows().size() == 2);
  CHECK(m.tables().at("pair_outages").rows().size() == 5);
}

TEST_CASE("per-pair tracking is refused on large topologies", "[probe]") {
  Simulation sim;
  Reachability reach(501);
  CHECK_THROWS(ReachabilityProbe(sim, reach, true));
}

TEST_CASE("an outage still open at the end is reported as ongoing", "[probe]") {
  Simulation sim;
  Reachability reach(3);
  reach.hold_down(2);  // already down when observation starts
  ReachabilityProbe probe(sim, reach, true);
  sim.schedule(10_s, [&] { reach.hold_link_down(0, 1); });
  sim.run_until(30_s);
  probe.finish(30_s);
  const auto outages = probe.pair_outages();
  REQUIRE(outages.size() == 3);
  CHECK(outages[0].a == 0);
  CHECK(outages[0].b == 2);
  CHECK(outages[0].start == SimTime());
  CHECK(outages[0].ongoing);
  CHECK(outages[2].a == 0);
  CHECK(outages[2].b == 1);
  CHECK(outages[2].start == 10_s);
  CHECK(outages[2].end == 30_s);
  CHECK(probe.pair_fraction(0, 1) == Approx(10.0 / 30));
  CHECK(probe.uptime()[2] == SimTime());
}

TEST_CASE("a one-way fault removes one ordered pair and opens a pair outage", "[probe]") {
  // 3 servers over 100 s; s0 cannot connect to s1 during [10, 60).
  Simulation sim;
  Reachability reach(3);
  ReachabilityProbe probe(sim, reach, true);
  FaultInjector f(sim, reach, 1, 0, nullptr);
  LinkDownFault one_way{0, 1, 10_s, 50_s};
  one_way.one_way = true;
  f.schedule(one_way, 0);
  sim.run_until(100_s);
  probe.finish(100_s);
  CHECK(probe.time_by_components().at(1) == 100_s);  // one component throughout
  // 6 ordered pairs; 5 of them for 50 s.
  CHECK(probe.mean_reachable_pair_fraction() == Approx((6.0 * 50 + 5 * 50) / (6.0 * 100)));
  CHECK(probe.pair_fraction(0, 1) == Approx(0.5));
  const auto outages = probe.pair_outages();
  REQUIRE(outages.size() == 1);
  CHECK(outages[0].start == 10_s);
  CHECK(outages[0].end == 60_s);
}

TEST_CASE("a link going down is integrated from the moment it goes down, not before", "[probe]") {
  // 3 servers over 100 s; the s0-s1 link is down during [10, 60). The listeners called before
  // the change must still see the link up (the hold was once inserted before telling them,
  // which charged the outage to the interval before it).
  Simulation sim;
  Reachability reach(3);
  ReachabilityProbe probe(sim, reach, false);
  FaultInjector f(sim, reach, 1, 0, nullptr);
  f.schedule(LinkDownFault{0, 1, 10_s, 50_s}, 0);
  sim.run_until(100_s);
  probe.finish(100_s);
  CHECK(probe.mean_reachable_pair_fraction() == Approx((6.0 * 10 + 4 * 50 + 6 * 40) / (6.0 * 100)));
}
