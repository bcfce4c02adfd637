#include <array>
#include <catch2/catch.hpp>

#include <vector>
#include "tests/sim/allocation_counter.hpp"

#include "sim/simulation.hpp"

using namespace dmlssim::sim;
using namespace dmlssim::sim::literals;

TEST_CASE("run_until runs events up to and including the end, then sets the clock",
          "[simulation]") {
  Simulation sim;
  std::vector<int64_t> seen;
  sim.schedule(5_s, [&] { seen.push_back(sim.now().ns()); });
  sim.schedule(10_s, [&] { seen.push_back(sim.now().ns()); });
  sim.schedule(11_s, [&] { seen.push_back(sim.now().ns()); });
  CHECK(sim.run_until(10_s));
  CHECK(seen == std::vector<int64_t>{(5_s).ns(), (10_s).ns()});
  CHECK(sim.now() == 10_s);
  CHECK(sim.events_processed() == 2);
  CHECK(sim.events_pending() == 1);
  CHECK(sim.run_until(20_s));
  CHECK(sim.now() == 20_s);
}

TEST_CASE("stop ends the run at the stopping event", "[simulation]") {
  Simulation sim;
  int count = 0;
  sim.schedule(1_s, [&] { ++count; });
  sim.schedule(2_s, [&] {
    ++count;
    sim.stop();
  });
  sim.schedule(3_s, [&] { ++count; });
  CHECK_FALSE(sim.run_until(1_h));
  CHECK(count == 2);
  CHECK(sim.now() == 2_s);
  sim.run();
  CHECK(count == 3);
}

TEST_CASE("scheduling into the past and re-entrant runs are refused", "[simulation]") {
  Simulation sim;
  sim.run_until(10_s);
  CHECK_THROWS_AS(sim.schedule_at(5_s, [] {}), std::invalid_argument);
  CHECK_THROWS_AS(sim.schedule(SimTime() - 1_ns, [] {}), std::invalid_argument);
  sim.schedule(1_s, [&] { sim.run_until(1_h); });
  CHECK_THROWS_AS(sim.run_until(1_h), std::logic_error);
}

TEST_CASE("cancel through the simulation", "[simulation]") {
  Simulation sim;
  bool ran = false;
  EventHandle h = sim.schedule(1_s, [&] { ran = true; });
  CHECK(sim.is_pending(h));
  CHECK(sim.cancel(h));
  sim.run();
  CHECK_FALSE(ran);
  CHECK(sim.events_processed() == 0);
}

TEST_CASE("two simulations in one process are independent", "[simulation]") {
  Simulation a, b;
  int ca = 0, cb = 0;
  a.schedule(1_s, [&] { ++ca; });
  b.schedule(2_s, [&] { ++cb; });
  a.run();
  CHECK(ca == 1);
  CHECK(cb == 0);
  CHECK(b.now() == SimTime());
}

TEST_CASE("scheduling and running small callables allocates nothing on the heap", "[simulation]") {
  Simulation sim;
  uint64_t sum = 0;
  struct Model {
    Simulation* sim;
    uint64_t* sum;
    void tick(uint32_t i) {
      *sum += i;
      sim->schedule(SimTime::from_ns(1 + i % 7), [this, i] { tick(i); });
    }
  } model{&sim, &sum};
  for (uint32_t i = 0; i < 1000; ++i)
    sim.schedule(SimTime::from_ns(i), [&model, i] { model.tick(i); });
  sim.run_until(SimTime::from_ns(10'000));  // warm up: the queue's own tables reach their size
  const uint64_t before = dmlssim::testing::allocations_so_far();
  sim.run_until(SimTime::from_ns(30'000));
  CHECK(sim.events_processed() > 5'000'000);
  CHECK(dmlssim::testing::allocations_so_far() == before);

  // The counter works: a capture too large to store inline is boxed, one allocation per event.
  std::array<char, 64> big{};
  const uint64_t boxed_before = dmlssim::testing::allocations_so_far();
  for (int i = 0; i < 10; ++i)
    sim.schedule(SimTime::from_ns(1), [big, &sum] { sum += big[0]; });
  CHECK(dmlssim::testing::allocations_so_far() - boxed_before == 10);
}
