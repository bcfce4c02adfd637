#include "sim/faults.hpp"

#include <memory>
#include <stdexcept>

namespace dmlssim::sim {
namespace {
std::string node_name(NodeId n) {
  return "s" + std::to_string(n);
}
std::string link_name(NodeId a, NodeId b) {
  return node_name(a) + "~" + node_name(b);
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
                           std::vector<NodeId> nodes) {
  if (observer_) observer_(FaultRecord{sim_.now(), kind, target, std::move(nodes)});
}

void FaultInjector::crash(NodeId n) {
  record("crash", node_name(n), {n});
  reach_.hold_down(n);
}

void FaultInjector::restart(NodeId n) {
  record("restart", node_name(n), {n});
  reach_.release_down(n);
}

void FaultInjector::link_down(NodeId a, NodeId b) {
  record("link_down", link_name(a, b), {a, b});
  reach_.hold_link_down(a, b);
}

void FaultInjector::link_up(NodeId a, NodeId b) {
  record("link_up", link_name(a, b), {a, b});
  reach_.release_link_down(a, b);
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
            record("partition", f.name);
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
          sim_.schedule_at(f.at, [this, a, b] { link_down(a, b); });
          if (f.duration) sim_.schedule_at(f.at + *f.duration, [this, a, b] { link_up(a, b); });
        } else if constexpr (std::is_same_v<T, FlapFault>) {
          if (f.period <= SimTime() || f.down <= SimTime() || f.down >= f.period) {
            throw std::invalid_argument("flap: need 0 < down < period");
          }
          const SimTime end = f.duration ? f.at + *f.duration : SimTime::max();
          const FlapFault spec = f;
          sim_.schedule_at(f.at, [this, spec, end] { flap_cycle(spec, end); });
        } else if constexpr (std::is_same_v<T, RandomOutages>) {
          // One process per server with its own stream; events carry only its index, so a
          // large server list is never copied into them.
          for (NodeId n : f.nodes) {
            outages_.push_back(std::make_unique<OutageProcess>(OutageProcess{
                n,
                RandomStream(seed_, run_, "faults/" + std::to_string(index) + "/" + node_name(n)),
                f.up, f.down}));
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
  link_down(a, b);
  sim_.schedule(spec.down, [this, a, b] { link_up(a, b); });
  if (sim_.now() + spec.period < end) {
    sim_.schedule(spec.period, [this, spec, end] { flap_cycle(spec, end); });
  }
}

void FaultInjector::outage_down(uint32_t process) {
  OutageProcess& p = *outages_[process];
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
