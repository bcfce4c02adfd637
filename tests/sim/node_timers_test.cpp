// Timers scoped to a node's life and signals with many subscribers.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim/node_timers.hpp"
#include "sim/signal.hpp"
#include "tests/sim/allocation_counter.hpp"

using namespace dmlssim::sim;
using namespace dmlssim::sim::literals;

namespace {

struct Ticker : NodeActor {
  Ticker(Simulation& sim, const Reachability& reach, NodeId node) : NodeActor(sim, reach, node) {}
  std::vector<std::pair<SimTime, std::uint32_t>> fired;
  void tick(std::uint32_t arg) { fired.emplace_back(simulation().now(), arg); }
  void again() {
    fired.emplace_back(simulation().now(), 0);
    after<&Ticker::again>(1_s, this);
  }
  void set(SimTime delay, std::uint32_t arg) { after<&Ticker::tick>(delay, this, arg); }
  void start_again() { after<&Ticker::again>(1_s, this); }
};

}  // namespace

TEST_CASE("a node's timers run unless the node crashed after they were set", "[timers]") {
  Simulation sim;
  Reachability reach(2);
  Ticker a(sim, reach, 0), b(sim, reach, 1);
  a.set(10_s, 1);
  a.set(30_s, 2);
  b.set(30_s, 3);
  sim.schedule(20_s, [&] { reach.hold_down(0); });  // crash: a's pending timer 2 dies
  sim.schedule(25_s, [&] {
    reach.release_down(0);
    a.set(10_s, 4);  // set after the restart: runs
  });
  sim.run();
  CHECK(a.fired == std::vector<std::pair<SimTime, std::uint32_t>>{{10_s, 1}, {35_s, 4}});
  CHECK(b.fired == std::vector<std::pair<SimTime, std::uint32_t>>{{30_s, 3}});
}

TEST_CASE("a periodic node timer stops at a crash — the generic form works too", "[timers]") {
  Simulation sim;
  Reachability reach(1);
  Ticker t(sim, reach, 0);
  t.start_again();
  int generic = 0;
  schedule_for(sim, reach, 0, 7500_ms, [&generic, big = std::string(100, 'x')] { ++generic; });
  schedule_for(sim, reach, 0, 3_s, [&generic] { generic += 10; });
  sim.schedule(5500_ms, [&] { reach.hold_down(0); });
  sim.run_until(1_min);
  CHECK(t.fired.size() == 5);  // 1 s .. 5 s, then the crash at 5.5 s ends the loop
  CHECK(generic == 10);        // the 3 s timer ran; the 7.5 s one died with the node
}

TEST_CASE("node timers with a small argument allocate nothing", "[timers]") {
  Simulation sim;
  Reachability reach(1);
  Ticker t(sim, reach, 0);
  t.fired.reserve(10'000);
  auto round = [&] {
    for (std::uint32_t i = 0; i < 1000; ++i)
      t.set(1_ms * i, i);
    sim.run_until(sim.now() + 10_s);
  };
  round();  // warm up: the queue reaches its size
  const uint64_t before = dmlssim::testing::allocations_so_far();
  round();
  CHECK(dmlssim::testing::allocations_so_far() == before);
  CHECK(t.fired.size() == 2000);
}

TEST_CASE("a signal calls every subscriber in order — disconnected ones no more", "[signal]") {
  Signal<int, const std::string&> signal;
  CHECK(signal.empty());
  std::vector<std::string> calls;
  const auto first = signal.connect(
      [&](int n, const std::string& s) { calls.push_back("first " + std::to_string(n) + s); });
  signal.connect(
      [&](int n, const std::string& s) { calls.push_back("second " + std::to_string(n) + s); });
  signal(1, "a");
  signal.disconnect(first);
  signal(2, "b");
  CHECK(calls == std::vector<std::string>{"first 1a", "second 1a", "second 2b"});
  CHECK_FALSE(signal.empty());
}

TEST_CASE("a signal keeps its subscribers' order past the first, and disconnects any of them",
          "[signal]") {
  Signal<int> signal;
  std::vector<int> calls;
  std::vector<Signal<int>::Connection> handles;
  for (int k = 0; k < 4; ++k)
    handles.push_back(signal.connect([&calls, k](int n) { calls.push_back(10 * n + k); }));
  signal(1);
  CHECK(calls == std::vector<int>{10, 11, 12, 13});
  calls.clear();
  signal.disconnect(handles[2]);
  signal.disconnect(handles[0]);
  signal(2);
  CHECK(calls == std::vector<int>{21, 23});
  signal.disconnect(handles[1]);
  signal.disconnect(handles[3]);
  CHECK(signal.empty());
  CHECK_THROWS_AS(signal.disconnect(4), std::out_of_range);
}
