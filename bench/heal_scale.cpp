// The netsplit heal at scale (issue: the heal stalled at a few hundred servers). One run of a
// room on N servers in three regions (50 % eu, 30 % us, 20 % asia), 3 users each, room-wide
// workload (messages 1/s and a little state churn), split between Europe and the rest at 1h for
// 30 minutes, 2 h simulated. Reports the wall time of the whole run and of the window just after
// the heal, the heal's convergence, state resolutions computed and remembered, and peak RSS.
//
// The window's wall time, and the run thread's CPU time (robust to other load on the machine), are
// read by a thread polling the run's progress counters every 0.2 ms;
// the run advances in slices of duration/200 (36 s of 2 h), so the window is a whole number of
// slices: [1h30m, 1h30m + 10 slices = 6 min].
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <iomanip>
#include <thread>

#include "bench/bench_util.hpp"
#include "scenarios/run.hpp"
#include "scenarios/scenario_loader.hpp"

namespace po = boost::program_options;
namespace sc = dmlssim::scenarios;

namespace {

std::string scenario_text(std::size_t servers, const std::string& duration, double rate_per_s) {
  const std::size_t eu = servers / 2, us = servers * 3 / 10, asia = servers - eu - us;
  std::ostringstream out;
  out << "name: heal-scale\n"
      << "duration: " << duration << "\n"
      << "seed: 1\n"
      << "topology:\n"
      << "  servers: " << servers << "\n"
      << "  regions: {eu: " << eu << ", us: " << us << ", asia: " << asia << "}\n"
      << "  latency: wan-3-regions\n"
      << "  jitter: lognormal(sigma=0.3)\n"
      << "  bandwidth: 100Mbit\n"
      << "room:\n"
      << "  version: \"12\"\n"
      << "  users_per_server: 3\n"
      << "  creator: s0\n"
      << "  admins: 1\n"
      << "  moderators: 1\n"
      << "workload:\n"
      << "  messages: {room: " << rate_per_s << "/s}\n"
      << "  topics: 2/h\n"
      << "  membership: {room: 10/h}\n"
      << "  invites: 2/h\n"
      << "  kicks: 1/h\n"
      << "  bans: 1/h\n"
      << "  power_levels: 1/h\n"
      << "faults:\n"
      << "  - {at: 1h, partition: {europe: [eu], americas-asia: [us, asia]}, for: 30m}\n"
      << "metrics:\n"
      << "  interval: 1m\n";
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("heal_scale options");
  opts.add_options()("help", "show this help")(
      "servers", po::value<std::size_t>()->default_value(1000), "homeservers")(
      "duration", po::value<std::string>()->default_value("2h"), "simulated time (heal at 1h30m)")(
      "rate", po::value<double>()->default_value(1.0), "room-wide messages per second")(
      "slices", "also print the wall time of every slice of the run");
  po::variables_map vm;
  int code = 0;
  if (!dmlssim::bench::parse_bench_options(argc, argv, opts, vm, code)) return code;
  const std::size_t servers = vm["servers"].as<std::size_t>();
  const sc::Scenario scenario = sc::load_scenario_text(
      scenario_text(servers, vm["duration"].as<std::string>(), vm["rate"].as<double>()),
      "<heal_scale>");

  const std::int64_t heal_ns = 5400LL * 1'000'000'000;  // 1h30m
  const std::int64_t slice_ns = scenario.duration.ns() / 200;
  const std::int64_t window_end_ns = heal_ns + 10 * slice_ns;
  sc::RunProgress progress;
  std::atomic<bool> done{false};
  using Clock = std::chrono::steady_clock;
  // The run's own CPU time too: on a shared machine wall time also counts the time others took.
  clockid_t run_cpu;
  pthread_getcpuclockid(pthread_self(), &run_cpu);
  auto cpu_seconds = [&] {
    timespec t{};
    clock_gettime(run_cpu, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
  };
  const double cpu_start = cpu_seconds();
  double cpu_at_heal = cpu_start, cpu_at_window_end = cpu_start;
  std::uint64_t events_at_heal = 0, events_at_window_end = 0;  // simulator events: the work
  const Clock::time_point start = Clock::now();
  Clock::time_point at_heal = start, at_window_end = start;
  std::vector<std::pair<std::int64_t, Clock::time_point>> slices;  // (sim ns, wall) as seen
  std::thread watcher([&] {
    bool heal_seen = false, end_seen = false;
    while (!done.load()) {
      const std::int64_t now = progress.sim_ns.load(std::memory_order_relaxed);
      if (slices.empty() || slices.back().first != now) slices.emplace_back(now, Clock::now());
      if (!heal_seen && now >= heal_ns) {
        at_heal = Clock::now();
        cpu_at_heal = cpu_seconds();
        events_at_heal = progress.events.load(std::memory_order_relaxed);
        heal_seen = true;
      }
      if (!end_seen && now >= window_end_ns) {
        at_window_end = Clock::now();
        cpu_at_window_end = cpu_seconds();
        events_at_window_end = progress.events.load(std::memory_order_relaxed);
        end_seen = true;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  const sc::RunResult result = sc::run_scenario(scenario, 0, &progress);
  const Clock::time_point end = Clock::now();
  const double cpu = cpu_seconds() - cpu_start;
  const double window_cpu = cpu_at_window_end - cpu_at_heal;
  const auto window_events = static_cast<double>(events_at_window_end - events_at_heal);
  const auto total_events = static_cast<double>(result.events_processed);
  done = true;
  watcher.join();

  auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  const double wall = seconds(end - start);
  const double window_wall = seconds(at_window_end - at_heal);
  const double window_sim_share =
      static_cast<double>(window_end_ns - heal_ns) / static_cast<double>(scenario.duration.ns());
  // Deliveries ((server, event) admissions) as the measure of the work: every server admits every
  // event once; the window holds those missing at the heal and those of the events sent in it.
  std::uint64_t sent_in_window = 0, sent = 0;
  for (const auto& row : result.metrics.tables().at("matrix_action_log").rows()) {
    if (std::get<std::string>(row[4]) != "sent") continue;
    ++sent;
    const std::int64_t at = std::get<dmlssim::sim::SimTime>(row[0]).ns();
    if (at >= heal_ns && at < window_end_ns) ++sent_in_window;
  }
  const nlohmann::json& m = result.summary["matrix"];
  const nlohmann::json heal =
      m["first_heal"].is_object() ? m["first_heal"] : nlohmann::json::object();
  const double missing =
      heal.contains("missing_at_heal") ? heal["missing_at_heal"].get<double>() : 0;
  const double deliveries = static_cast<double>(sent) * static_cast<double>(servers);
  // The window counts every delivery missing at the heal: true when the DAG converged in it.
  const bool heal_in_window =
      heal.contains("dag_converged_s") && heal["dag_converged_s"].is_number() &&
      heal["dag_converged_s"].get<double>() * 1e9 <= static_cast<double>(window_end_ns - heal_ns);
  const double window_deliveries =
      missing + static_cast<double>(sent_in_window) * static_cast<double>(servers);
  std::cout << std::fixed << std::setprecision(2) << "heal_scale servers=" << servers
            << " duration=" << vm["duration"].as<std::string>() << " events=" << m["events_sent"]
            << " sim_events=" << result.events_processed << "\n"
            << "  wall " << wall << " s; after-heal window (6 min simulated, "
            << 100 * window_sim_share << " % of the run) " << window_wall
            << " s wall = " << 100 * window_wall / wall << " % of wall ("
            << (window_wall / wall) / window_sim_share << "x its simulated share)\n"
            << "  cpu " << cpu << " s; after-heal window " << window_cpu
            << " s cpu = " << 100 * window_cpu / cpu << " % of cpu ("
            << (window_cpu / cpu) / window_sim_share << "x its simulated share)\n"
            << "  work: the window holds " << 100 * window_events / total_events
            << " % of the simulator events (" << (window_events / total_events) / window_sim_share
            << "x its simulated share) and " << 100 * window_deliveries / deliveries
            << " % of the deliveries (" << (window_deliveries / deliveries) / window_sim_share
            << "x); cpu per delivery there / overall = "
            << (window_cpu / window_deliveries) / (cpu / deliveries)
            << (heal_in_window ? "" : " (the catch-up outlasts the window: both overstated)")
            << "\n"
            << "  heal: dag_converged_s=" << heal["dag_converged_s"]
            << " state_converged_s=" << heal["state_converged_s"]
            << " missing_at_heal=" << heal["missing_at_heal"] << "\n"
            << "  peak RSS " << dmlssim::bench::peak_rss_kb() / 1024 << " MiB\n";
  if (vm.count("slices")) {
    for (std::size_t i = 1; i < slices.size(); ++i) {
      std::cout << "  slice ending " << slices[i].first / 1e9
                << " s: " << seconds(slices[i].second - slices[i - 1].second) << " s wall\n";
    }
  }
  return 0;
}
