#include "sim/faults.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace dmlssim::sim {
namespace {
std::string node_name(NodeId n) {
  return "s" + std::to_string(n);
}
std::string link_name(NodeId a, NodeId b, bool one_way) {
  return node_name(a) + (one_way ? "->" : "~") + node_name(b);
}
}  // namespace

FaultInjector::FaultInjector(Simulation& sim, Reachability& reach, uint64_t seed, uint64_t run,
                             Observer observer)
    : sim_(sim),
      reach_(reach),
      seed_(seed),
      run_(run),
      observer_(std::move(observer)),
      open_crashes_(reach.node_count(), 0) {}

void FaultInjector::record(const std::string& kind, const std::string& target,
                           std::vector<NodeId> nodes, const PartitionFault* partition,
                           bool random) {
  if (observer_)
    observer_(FaultRecord{sim_.now(), kind, target, std::move(nodes), partition, random});
}

void FaultInjector::crash(NodeId n) {
  record("crash", node_name(n), {n});
  reach_.hold_down(n);
}

void FaultInjector::restart(NodeId n) {
  record("restart", node_name(n), {n});
  reach_.release_down(n);
}

void FaultInjector::link_down(NodeId a, NodeId b, bool one_way) {
  record("link_down", link_name(a, b, one_way), {a, b});
  if (one_way) {
    reach_.hold_one_way_down(a, b);
  } else {
    reach_.hold_link_down(a, b);
  }
}

void FaultInjector::link_up(NodeId a, NodeId b, bool one_way) {
  record("link_up", link_name(a, b, one_way), {a, b});
  if (one_way) {
    reach_.release_one_way_down(a, b);
  } else {
    reach_.release_link_down(a, b);
  }
}

void FaultInjector::schedule(const Fault& fault, std::size_t index) {
  std::visit(
      [&](const auto& f) {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, CrashFault>) {
          const bool open_ended = !f.duration;
          for (NodeId n : f.nodes) {
            sim_.schedule_at(f.at, [this, n, open_ended] {
              if (open_ended) ++open_crashes_[n];
              crash(n);
            });
            if (f.duration) sim_.schedule_at(f.at + *f.duration, [this, n] { restart(n); });
          }
        } else if constexpr (std::is_same_v<T, RestartFault>) {
          for (NodeId n : f.nodes) {
            sim_.schedule_at(f.at, [this, n] {
              if (open_crashes_[n] == 0) {
                throw std::logic_error("restart of " + node_name(n) +
                                       ", which has no open-ended crash");
              }
              --open_crashes_[n];
              restart(n);
            });
          }
        } else if constexpr (std::is_same_v<T, PartitionFault>) {
          sim_.schedule_at(f.at, [this, f] {
            record("partition", f.name, {}, &f);
            reach_.add_partition(f.name, f.side_of);
          });
          if (f.duration) {
            const std::string name = f.name;
            sim_.schedule_at(f.at + *f.duration, [this, name] {
              if (reach_.remove_partition(name)) record("heal", name);
            });
          }
        } else if constexpr (std::is_same_v<T, HealFault>) {
          const std::optional<std::string> which = f.partition;
          sim_.schedule_at(f.at, [this, which] {
            std::vector<std::string> names =
                which ? std::vector<std::string>{*which} : reach_.active_partitions();
            for (const auto& name : names) {
              if (reach_.remove_partition(name)) record("heal", name);
            }
          });
        } else if constexpr (std::is_same_v<T, LinkDownFault>) {
          const NodeId a = f.a, b = f.b;
          const bool one_way = f.one_way;
          sim_.schedule_at(f.at, [this, a, b, one_way] { link_down(a, b, one_way); });
          if (f.duration) {
            sim_.schedule_at(f.at + *f.duration, [this, a, b, one_way] { link_up(a, b, one_way); });
          }
        } else if constexpr (std::is_same_v<T, FlapFault>) {
          if (f.period <= SimTime() || f.down <= SimTime() || f.down >= f.period) {
            throw std::invalid_argument("flap: need 0 < down < period");
          }
          const SimTime end = f.duration ? f.at + *f.duration : SimTime::max();
          const FlapFault spec = f;
          sim_.schedule_at(f.at, [this, spec, end] { flap_cycle(spec, end); });
        } else if constexpr (std::is_same_v<T, RandomPartitions>) {
          if (f.rate <= 0 || f.sides < 2 || f.units < f.sides ||
              f.unit_of.size() != reach_.node_count()) {
            throw std::invalid_argument(
                "random partitions: need rate > 0, sides >= 2, units >= sides, a unit per node");
          }
          const std::string base = "faults/" + std::to_string(index) + "/";
          partition_processes_.push_back(std::make_unique<PartitionProcess>(
              PartitionProcess{f, "random-" + std::to_string(index) + "-",
                               RandomStream(seed_, run_, base + "arrivals"),
                               RandomStream(seed_, run_, base + "durations"),
                               RandomStream(seed_, run_, base + "sides")}));
          const auto process = static_cast<uint32_t>(partition_processes_.size() - 1);
          PartitionProcess& p = *partition_processes_.back();
          sim_.schedule_at(f.start + SimTime::from_seconds(p.arrivals.exponential(1.0 / f.rate)),
                           [this, process] { random_partition(process); });
        } else if constexpr (std::is_same_v<T, RandomOutages>) {
          // One process per server with its own stream; events carry only its index, so a
          // large server list is never copied into them.
          for (NodeId n : f.nodes) {
            outages_.push_back(std::make_unique<OutageProcess>(OutageProcess{
                n,
                RandomStream(seed_, run_, "faults/" + std::to_string(index) + "/" + node_name(n)),
                f.up, f.down, f.stop}));
            const auto process = static_cast<uint32_t>(outages_.size() - 1);
            OutageProcess& p = *outages_.back();
            sim_.schedule_at(f.start + SimTime::from_seconds(p.up.sample(p.rng)),
                             [this, process] { outage_down(process); });
          }
        }
      },
      fault);
}

void FaultInjector::flap_cycle(FlapFault spec, SimTime end) {
  if (sim_.now() >= end) return;
  const NodeId a = spec.a, b = spec.b;
  const bool one_way = spec.one_way;
  link_down(a, b, one_way);
  sim_.schedule(spec.down, [this, a, b, one_way] { link_up(a, b, one_way); });
  if (sim_.now() + spec.period < end) {
    sim_.schedule(spec.period, [this, spec, end] { flap_cycle(spec, end); });
  }
}

void FaultInjector::random_partition(uint32_t process) {
  PartitionProcess& p = *partition_processes_[process];
  const RandomPartitions& spec = p.spec;
  if (spec.stop && sim_.now() >= *spec.stop) return;  // the process has ended
  PartitionFault f;
  f.name = p.prefix + std::to_string(p.started++);
  f.at = sim_.now();
  f.duration = SimTime::from_seconds(std::max(0.0, spec.duration.sample(p.durations)));
  for (uint32_t k = 0; k < spec.sides; ++k)
    f.side_names.push_back("side" + std::to_string(k));
  // Each unit to a uniform side, redrawn until every side has a unit (units >= sides).
  std::vector<uint32_t> side_of_unit(spec.units);
  std::vector<uint32_t> filled(spec.sides);
  do {
    std::fill(filled.begin(), filled.end(), 0);
    for (uint32_t& side : side_of_unit) {
      side = static_cast<uint32_t>(p.sides.uniform_index(spec.sides));
      ++filled[side];
    }
  } while (std::find(filled.begin(), filled.end(), 0u) != filled.end());
  f.side_of.resize(spec.unit_of.size());
  for (std::size_t n = 0; n < spec.unit_of.size(); ++n)
    f.side_of[n] = side_of_unit[spec.unit_of[n]];
  record("partition", f.name, {}, &f, true);
  reach_.add_partition(f.name, f.side_of);
  sim_.schedule(*f.duration, [this, name = f.name] {
    if (reach_.remove_partition(name)) record("heal", name, {}, nullptr, true);
  });
  sim_.schedule(SimTime::from_seconds(p.arrivals.exponential(1.0 / spec.rate)),
                [this, process] { random_partition(process); });
}

void FaultInjector::outage_down(uint32_t process) {
  OutageProcess& p = *outages_[process];
  if (p.stop && sim_.now() >= *p.stop) return;  // the process has ended
  crash(p.node);
  sim_.schedule(SimTime::from_seconds(p.down.sample(p.rng)),
                [this, process] { outage_up(process); });
}

void FaultInjector::outage_up(uint32_t process) {
  OutageProcess& p = *outages_[process];
  restart(p.node);
  sim_.schedule(SimTime::from_seconds(p.up.sample(p.rng)),
                [this, process] { outage_down(process); });
}

}  // namespace dmlssim::sim
