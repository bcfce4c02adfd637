// PHOLD on the engine (Fujimoto 1990): N logical processes, 10 initial events per LP each at
// 0.1 + Exp(1) simulated seconds; every processed event schedules exactly one new event at a
// uniformly random LP after 0.1 + Exp(1). Measures the event loop alone.
// Last line: "events_per_s=N peak_rss_kb=N".
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <vector>

#include "bench/bench_util.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace {

using dmlssim::sim::RandomStream;
using dmlssim::sim::SimTime;
using dmlssim::sim::Simulation;

struct Phold {
  Simulation sim;
  RandomStream rng{42, 0, "phold"};
  std::vector<uint64_t> received;  // per LP: events handled (the LP's state)
  uint64_t lps;

  explicit Phold(uint64_t n) : received(n, 0), lps(n) {}

  SimTime delay() { return SimTime::from_seconds(0.1 + rng.exponential(1.0)); }
  void schedule_to(uint32_t lp) {
    sim.schedule(delay(), [this, lp] { on_event(lp); });
  }
  void on_event(uint32_t lp) {
    ++received[lp];
    schedule_to(static_cast<uint32_t>(rng.uniform_index(lps)));
  }
};

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  uint64_t lps = 1000;
  uint64_t events = 10'000'000;
  po::options_description opts("phold options");
  opts.add_options()("help", "show this help")("lps", po::value(&lps)->default_value(lps),
                                               "logical processes")(
      "events", po::value(&events)->default_value(events), "events to process");
  po::variables_map vm;
  if (int code = 0; !dmlssim::bench::parse_bench_options(argc, argv, opts, vm, code)) return code;

  Phold model(lps);
  const uint64_t baseline_kb = dmlssim::bench::current_rss_kb();
  for (uint64_t lp = 0; lp < lps; ++lp) {
    for (int i = 0; i < 10; ++i)
      model.schedule_to(static_cast<uint32_t>(lp));
  }
  const auto start = std::chrono::steady_clock::now();
  while (model.sim.events_processed() < events) {
    model.sim.run_until(model.sim.now() + dmlssim::sim::kSecond);
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rate = static_cast<double>(model.sim.events_processed()) / wall;
  std::cout << "lps=" << lps << " events=" << model.sim.events_processed()
            << " pending=" << model.sim.events_pending() << " wall_s=" << wall
            << " sim_time_s=" << model.sim.now().seconds() << "\n";
  // Memory attributable to the pending set: peak growth over the model's own footprint.
  const double bytes_per_pending =
      static_cast<double>(dmlssim::bench::peak_rss_kb() - baseline_kb) * 1024.0 /
      static_cast<double>(model.sim.events_pending());
  std::cout << "bytes_per_pending_event=" << bytes_per_pending << "\n";
  std::cout << "events_per_s=" << static_cast<uint64_t>(rate)
            << " peak_rss_kb=" << dmlssim::bench::peak_rss_kb() << "\n";
  return 0;
}
