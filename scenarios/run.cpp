#include "scenarios/run.hpp"

#include <memory>
#include <optional>

#include "sim/faults.hpp"
#include "sim/network.hpp"
#include "sim/reachability_probe.hpp"
#include "sim/simulation.hpp"

namespace dmlssim::scenarios {

namespace {

// What a run builds, destroyed in the reverse order of its members (the order it is built in).
struct RunWorld {
  RunWorld(const Scenario& scenario, uint64_t run)
      : network(sim, scenario.topology.network,
                sim::RandomStream(scenario.seed, run, "network/jitter"),
                sim::RandomStream(scenario.seed, run, "network/loss")) {}
  sim::Simulation sim;
  sim::Network network;
  std::vector<std::unique_ptr<PartRun>> parts;
  std::optional<sim::FaultInjector> injector;
  std::optional<sim::ReachabilityProbe> probe;
};

}  // namespace

RunResult run_scenario(const Scenario& scenario, uint64_t run, RunProgress* progress) {
  RunResult result;
  result.run = run;
  auto world = std::make_shared<RunWorld>(scenario, run);
  result.world = world;
  sim::Simulation& sim = world->sim;
  sim::Network& network = world->network;
  sim::Reachability& reach = network.reachability();
  sim::MetricsRecorder& metrics = result.metrics;

  sim::Table& fault_log = metrics.table("faults", {"time_s", "kind", "target"});
  // The sides of every random partition, as drawn (dated ones are in servers.csv).
  sim::Table* random_sides = nullptr;
  for (const auto& fault : scenario.faults) {
    if (std::holds_alternative<sim::RandomPartitions>(fault) && random_sides == nullptr) {
      random_sides = &metrics.table("random_partitions", {"time_s", "partition", "server", "side"});
    }
  }
  std::vector<std::unique_ptr<PartRun>>& parts = world->parts;
  sim::FaultInjector& injector = world->injector.emplace(
      sim, reach, scenario.seed, run,
      [&parts, &fault_log, random_sides, &scenario](const sim::FaultRecord& r) {
        fault_log.add_row({r.at, r.kind, r.target});
        if (r.random && r.partition != nullptr && random_sides != nullptr) {
          for (sim::NodeId n = 0; n < scenario.topology.servers; ++n) {
            random_sides->add_row({r.at, r.target, scenario.topology.server_names[n],
                                   r.partition->side_names[r.partition->side_of[n]]});
          }
        }
        for (const auto& part : parts)
          part->on_fault(r);
      });
  for (std::size_t i = 0; i < scenario.faults.size(); ++i)
    injector.schedule(scenario.faults[i], i);
  // Every server, its region and its side in each dated partition (columns side_<partition>).
  std::vector<std::string> server_columns = {"server", "region"};
  std::vector<const sim::PartitionFault*> partitions;
  for (const auto& fault : scenario.faults) {
    if (const auto* p = std::get_if<sim::PartitionFault>(&fault)) {
      partitions.push_back(p);
      server_columns.push_back("side_" + p->name);
    }
  }
  sim::Table& servers = metrics.table("servers", server_columns);
  for (sim::NodeId n = 0; n < scenario.topology.servers; ++n) {
    std::vector<sim::Cell> row = {
        scenario.topology.server_names[n],
        scenario.topology.network.region_names[scenario.topology.network.region_of[n]]};
    for (const auto* p : partitions)
      row.push_back(p->side_names[p->side_of[n]]);
    servers.add_row(std::move(row));
  }
  const RunContext context{scenario, run, sim, network, metrics, &parts};
  for (const PartUse& use : scenario.parts)
    parts.push_back(use.part->start(context, *use.setup));

  sim::ReachabilityProbe& probe = world->probe.emplace(sim, reach, scenario.metrics.pairs);
  metrics.add_gauge("up_servers", [&] { return static_cast<double>(reach.up_count()); });
  metrics.add_gauge("components", [&] { return static_cast<double>(reach.component_count()); });
  metrics.add_gauge("largest_component",
                    [&] { return static_cast<double>(probe.largest_component()); });
  metrics.add_gauge("reachable_pair_fraction", [&] { return probe.reachable_pair_fraction(); });
  metrics.sample_every(sim, scenario.metrics.interval, scenario.duration);

  // Run in slices so that progress can be watched; slicing does not change the event order.
  const int64_t slices = 200;
  const sim::SimTime step =
      sim::SimTime::from_ns(std::max<int64_t>(1, scenario.duration.ns() / slices));
  while (sim.now() < scenario.duration) {
    if (progress && progress->stop && progress->stop->load()) throw RunInterrupted();
    sim.run_until(std::min(scenario.duration, sim.now() + step));
    if (progress) {
      progress->sim_ns.store(sim.now().ns(), std::memory_order_relaxed);
      progress->events.store(sim.events_processed(), std::memory_order_relaxed);
    }
  }
  probe.finish(scenario.duration);
  probe.write_tables(metrics, scenario.topology.server_names);

  sim::Table& traffic = metrics.table("traffic", {"class", "messages", "bytes", "failed"});
  for (std::size_t c = 0; c < network.class_names().size(); ++c) {
    const auto& t = network.traffic(static_cast<sim::MessageClass>(c));
    traffic.add_row({network.class_names()[c], static_cast<int64_t>(t.messages),
                     static_cast<int64_t>(t.bytes), static_cast<int64_t>(t.failed)});
  }

  result.events_processed = sim.events_processed();
  const double total = scenario.duration.seconds();
  nlohmann::json by_k = nlohmann::json::object();
  double split = 0;
  for (const auto& [k, t] : probe.time_by_components()) {
    by_k[std::to_string(k)] = t.seconds() / total;
    if (k >= 2) split += t.seconds() / total;
  }
  double uptime = 0;
  for (const auto& u : probe.uptime())
    uptime += u.seconds();
  result.summary = {
      {"scenario", scenario.name},
      {"run", run},
      {"duration_s", total},
      {"servers", scenario.topology.servers},
      {"mean_availability", uptime / (total * scenario.topology.servers)},
      {"mean_reachable_pair_fraction", probe.mean_reachable_pair_fraction()},
      {"time_fraction_by_components", by_k},
      {"time_fraction_split", split},
      {"topology_changes", probe.changes()},
      {"counters", metrics.counters()},
  };
  std::vector<SummaryMetric>& typed = result.summary_metrics;
  typed.push_back({"mean_availability", "server availability", MetricUnit::kFraction,
                   uptime / (total * scenario.topology.servers)});
  typed.push_back({"mean_reachable_pair_fraction", "reachable pair fraction", MetricUnit::kFraction,
                   probe.mean_reachable_pair_fraction()});
  typed.push_back(
      {"time_fraction_split", "time split (>= 2 components)", MetricUnit::kFraction, split});
  typed.push_back(
      {"topology_changes", "", MetricUnit::kCount, static_cast<std::int64_t>(probe.changes())});
  for (const auto& [k, t] : probe.time_by_components()) {
    SummaryMetric m{"", "time with " + std::to_string(k) + " component(s)", MetricUnit::kFraction,
                    t.seconds() / total};
    m.absent_is_zero = true;  // a run that never had k components spent no time with k
    typed.push_back(std::move(m));
  }
  for (const auto& part : parts)
    part->finish(result.summary, typed, result.files);
  return result;
}

}  // namespace dmlssim::scenarios
