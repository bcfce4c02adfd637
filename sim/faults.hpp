// Faults as scheduled, typed inputs with one semantics each (see docs/faults.md):
// - Crash: the servers go down at `at` (for `duration`, or until a Restart). A crash loses
// everything
//   volatile: messages in flight to or from the server fail, and the layers above drop what they
//   hold in memory when told through Reachability's node listeners. Durable state survives.
// - Restart: ends an open-ended crash.
// - Partition: from `at`, servers on different named sides cannot reach each other; it ends after
//   `duration` or at a Heal naming it. Partitions that overlap in time compose.
// - Heal: ends the named active partition, or every active one.
// - LinkDown: the pair cannot reach each other directly (others may still relay at higher layers);
//   one-way: the first cannot open connections to the second, which can still reach the first.
// - Flap: the pair's link (or its one way) goes down for `down` at the start of every `period`
//   from `at` on.
// - RandomOutages: every listed server alternates up and down periods drawn independently from
//   `up` and `down` (in seconds), starting up at `start`; each server draws from its own stream.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/reachability.hpp"
#include "sim/simulation.hpp"

namespace dmlssim::sim {

struct CrashFault {
  std::vector<NodeId> nodes;
  SimTime at;
  std::optional<SimTime> duration;
};
// Ends a crash that had no duration. Each restart releases one such crash of each listed server;
// a server without one is an error (scenarios/ checks this before the run).
struct RestartFault {
  std::vector<NodeId> nodes;
  SimTime at;
};
struct PartitionFault {
  std::string name;
  SimTime at;
  std::vector<uint32_t> side_of;  // per node: index into side_names
  std::vector<std::string> side_names;
  std::optional<SimTime> duration;
};
struct HealFault {
  SimTime at;
  std::optional<std::string> partition;  // none: heal every active partition
};
struct LinkDownFault {
  NodeId a = 0;
  NodeId b = 0;
  SimTime at;
  std::optional<SimTime> duration;
  bool one_way = false;  // only a -> b: a cannot open connections to b (see Reachability)
};
struct FlapFault {
  NodeId a = 0;
  NodeId b = 0;
  SimTime at;
  SimTime period;
  SimTime down;
  std::optional<SimTime> duration;  // none: until the run ends
  bool one_way = false;             // only a -> b, as for LinkDownFault
};
struct RandomOutages {
  std::vector<NodeId> nodes;
  Distribution up = Distribution::constant(0);    // seconds between a restart and the next failure
  Distribution down = Distribution::constant(0);  // seconds a failure lasts
  SimTime start;
  std::optional<SimTime> stop;  // no failure begins at or after it (a server down then restarts)
};
// Partitions that start at random (a Poisson process of `rate` per second from `start`), each
// lasting a draw of `duration` (seconds), splitting the nodes into `sides` non-empty sides: every
// unit (a node, or a group such as a region: unit_of[n] names node n's) goes to a uniformly drawn
// side, redrawn until no side is empty. Partitions are named "random-<index>-<k>" (k from 0),
// their sides "side0".."side<sides-1>"; overlapping ones compose like any partitions. Arrivals,
// durations and sides draw from the streams faults/<index>/arrivals, /durations and /sides.
struct RandomPartitions {
  double rate = 0;  // partitions starting per second
  Distribution duration = Distribution::constant(0);
  uint32_t sides = 2;
  std::vector<uint32_t> unit_of;  // per node
  uint32_t units = 0;             // > max(unit_of), >= sides
  SimTime start;
  std::optional<SimTime> stop;  // no partition begins at or after it (one running then ends)
};
using Fault = std::variant<CrashFault, RestartFault, PartitionFault, HealFault, LinkDownFault,
                           FlapFault, RandomOutages, RandomPartitions>;

// One line of the fault log: what happened, when, to whom.
struct FaultRecord {
  SimTime at;
  std::string kind;           // crash, restart, partition, heal, link_down, link_up
  std::string target;         // e.g. "s3", "s1~s2", "s1->s2" (one way), a partition name
  std::vector<NodeId> nodes;  // crash, restart: the server; link_down, link_up: the two ends
  // partition: the partition installed (valid during the observer's call only).
  const PartitionFault* partition = nullptr;
  bool random = false;  // a partition or heal of a RandomPartitions process
};

class FaultInjector {
 public:
  using Observer = std::function<void(const FaultRecord&)>;

  // Random outages draw from streams named "faults/<index>/<node>" of (seed, run).
  FaultInjector(Simulation& sim, Reachability& reach, uint64_t seed, uint64_t run,
                Observer observer);

  // Schedules every fault; `index` is the fault's position in the scenario (it names streams).
  void schedule(const Fault& fault, std::size_t index);

 private:
  // One server's alternating up/down process of a RandomOutages fault.
  struct OutageProcess {
    NodeId node;
    RandomStream rng;
    Distribution up;
    Distribution down;
    std::optional<SimTime> stop;
  };
  // One RandomPartitions fault's arrival process.
  struct PartitionProcess {
    RandomPartitions spec;
    std::string prefix;  // "random-<index>-"
    RandomStream arrivals, durations, sides;
    uint64_t started = 0;
  };
  void outage_down(uint32_t process);
  void outage_up(uint32_t process);
  void random_partition(uint32_t process);
  void record(const std::string& kind, const std::string& target, std::vector<NodeId> nodes = {},
              const PartitionFault* partition = nullptr, bool random = false);
  void crash(NodeId n);
  void restart(NodeId n);
  void link_down(NodeId a, NodeId b, bool one_way);
  void link_up(NodeId a, NodeId b, bool one_way);
  void flap_cycle(FlapFault spec, SimTime end);

  Simulation& sim_;
  Reachability& reach_;
  uint64_t seed_;
  uint64_t run_;
  Observer observer_;
  std::vector<std::unique_ptr<OutageProcess>> outages_;
  std::vector<std::unique_ptr<PartitionProcess>> partition_processes_;
  std::vector<uint32_t> open_crashes_;  // per node: crashes without duration not yet restarted
};

}  // namespace dmlssim::sim
