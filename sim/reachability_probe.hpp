// Measures reachability over a run: exact time-weighted integrals of the piecewise-constant
// up-graph (changes happen only at fault events), plus samples on the metrics interval.
//   - time spent with k components among up servers (k = 0: every server down);
//   - per-server availability (fraction of time up);
//   - reachable-pair fraction: ordered pairs (a, b) of distinct servers where a can open
//     connections to b (both up, same component, their link up, no one-way fault from a to b),
//     over all n(n-1) such pairs; its time average is the mean per-pair reachability;
//   - optionally, per unordered pair: every interval in which the two could not talk directly
//     both ways ("pair outages") and the fraction of time they could (O(n^2) per change; small
//     topologies only).
#pragma once

#include <map>
#include <vector>

#include "sim/metrics.hpp"
#include "sim/reachability.hpp"
#include "sim/simulation.hpp"

namespace dmlssim::sim {

class ReachabilityProbe {
 public:
  static constexpr std::size_t kMaxPairNodes = 500;

  // Starts observing at sim.now(). `track_pairs` requires at most kMaxPairNodes nodes.
  ReachabilityProbe(Simulation& sim, Reachability& reach, bool track_pairs);

  // Closes the integrals at `end` (>= the last change). Call once.
  void finish(SimTime end);

  double reachable_pair_fraction() const;  // right now
  std::size_t largest_component() const;
  SimTime observed() const { return last_change_ - start_; }

  // Valid after finish():
  const std::map<std::size_t, SimTime>& time_by_components() const { return time_by_components_; }
  const std::vector<SimTime>& uptime() const { return uptime_; }
  double mean_reachable_pair_fraction() const;
  // Fraction of time the pair (a, b) could talk directly; requires track_pairs.
  double pair_fraction(NodeId a, NodeId b) const;
  struct PairOutage {
    NodeId a, b;  // a < b
    SimTime start, end;
    bool ongoing;  // still unreachable when the observation ended
  };
  // Ordered by (start, a, b); requires track_pairs.
  std::vector<PairOutage> pair_outages() const;
  uint64_t changes() const { return changes_; }

  // Adds rows to tables "components" (components, time_s, fraction), "availability" (server,
  // uptime_s, availability) and, when tracked, "pairs" (a, b, reachable_fraction) and
  // "pair_outages" (a, b, start_s, end_s, duration_s, ongoing).
  void write_tables(MetricsRecorder& metrics, const std::vector<std::string>& node_names) const;

 private:
  void accumulate(SimTime now);
  void update_pairs(SimTime now);
  void close_outage(std::size_t pair, NodeId a, NodeId b, SimTime end, bool ongoing);

  Simulation& sim_;
  Reachability& reach_;
  bool track_pairs_;
  SimTime start_;
  SimTime last_change_;
  uint64_t changes_ = 0;
  std::map<std::size_t, SimTime> time_by_components_;
  std::vector<SimTime> uptime_;       // closed up periods; complete after finish()
  std::vector<SimTime> up_since_;     // start of the current up period of each node
  double pair_fraction_seconds_ = 0;  // integral of reachable_pair_fraction dt
  // Per pair (upper triangle, row-major), when tracked: start of the current outage in ns or -1,
  // and the total of closed outages.
  std::vector<int64_t> pair_down_since_;
  std::vector<SimTime> pair_down_time_;
  std::vector<PairOutage> outages_;
};

}  // namespace dmlssim::sim
