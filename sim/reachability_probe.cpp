#include "sim/reachability_probe.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace dmlssim::sim {
namespace {
std::size_t pair_index(std::size_t n, std::size_t a, std::size_t b) {
  // Row a holds pairs (a, a+1..n-1); rows before it hold sum_{i<a} (n-1-i).
  return a * (2 * n - a - 1) / 2 + (b - a - 1);
}
}  // namespace

ReachabilityProbe::ReachabilityProbe(Simulation& sim, Reachability& reach, bool track_pairs)
    : sim_(sim),
      reach_(reach),
      track_pairs_(track_pairs),
      start_(sim.now()),
      last_change_(sim.now()),
      uptime_(reach.node_count()) {
  const std::size_t n = reach.node_count();
  if (track_pairs_) {
    if (n > kMaxPairNodes)
      throw std::invalid_argument("per-pair reachability is limited to 500 servers");
    pair_down_since_.assign(n * (n - 1) / 2, -1);
    pair_down_time_.assign(n * (n - 1) / 2, SimTime());
    update_pairs(sim.now());
    reach_.add_change_listener([this] { update_pairs(sim_.now()); });
  }
  reach_.add_before_change_listener([this] {
    accumulate(sim_.now());
    ++changes_;
  });
  up_since_.assign(n, sim.now());
  reach_.add_node_listener([this](NodeId node, bool up) {
    if (up) {
      up_since_[node] = sim_.now();
    } else {
      uptime_[node] += sim_.now() - up_since_[node];
    }
  });
}

double ReachabilityProbe::reachable_pair_fraction() const {
  const double n = static_cast<double>(reach_.node_count());
  if (n < 2) return 0;
  double pairs = 0;
  for (uint32_t size : reach_.component_sizes())
    pairs += static_cast<double>(size) * (size - 1);
  pairs -= 2.0 * static_cast<double>(reach_.severed_links_within_components());
  pairs -= static_cast<double>(reach_.one_way_blocks_between_direct_pairs());
  return pairs / (n * (n - 1));
}

std::size_t ReachabilityProbe::largest_component() const {
  const auto& sizes = reach_.component_sizes();
  return sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
}

void ReachabilityProbe::accumulate(SimTime now) {
  const SimTime dt = now - last_change_;
  if (dt > SimTime()) {
    time_by_components_[reach_.component_count()] += dt;
    pair_fraction_seconds_ += reachable_pair_fraction() * dt.seconds();
  }
  last_change_ = now;
}

void ReachabilityProbe::update_pairs(SimTime now) {
  const std::size_t n = reach_.node_count();
  std::size_t i = 0;
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b, ++i) {
      // A pair is up while each end can open connections to the other.
      const bool direct = reach_.can_connect(static_cast<NodeId>(a), static_cast<NodeId>(b)) &&
                          reach_.can_connect(static_cast<NodeId>(b), static_cast<NodeId>(a));
      if (!direct && pair_down_since_[i] < 0) {
        pair_down_since_[i] = now.ns();
      } else if (direct && pair_down_since_[i] >= 0) {
        close_outage(i, static_cast<NodeId>(a), static_cast<NodeId>(b), now, false);
      }
    }
  }
}

void ReachabilityProbe::close_outage(std::size_t pair, NodeId a, NodeId b, SimTime end,
                                     bool ongoing) {
  const SimTime start = SimTime::from_ns(pair_down_since_[pair]);
  pair_down_since_[pair] = -1;
  if (end == start) return;  // down and up at one instant: no outage
  pair_down_time_[pair] += end - start;
  outages_.push_back(PairOutage{a, b, start, end, ongoing});
}

void ReachabilityProbe::finish(SimTime end) {
  if (end < last_change_)
    throw std::invalid_argument("ReachabilityProbe::finish before last change");
  accumulate(end);
  if (track_pairs_) {
    const std::size_t n = reach_.node_count();
    std::size_t i = 0;
    for (std::size_t a = 0; a < n; ++a) {
      for (std::size_t b = a + 1; b < n; ++b, ++i) {
        if (pair_down_since_[i] >= 0)
          close_outage(i, static_cast<NodeId>(a), static_cast<NodeId>(b), end, true);
      }
    }
  }
  for (std::size_t v = 0; v < uptime_.size(); ++v) {
    if (reach_.is_up(static_cast<NodeId>(v))) {
      uptime_[v] += end - up_since_[v];
      up_since_[v] = end;
    }
  }
}

double ReachabilityProbe::mean_reachable_pair_fraction() const {
  const double total = observed().seconds();
  return total > 0 ? pair_fraction_seconds_ / total : 0;
}

double ReachabilityProbe::pair_fraction(NodeId a, NodeId b) const {
  if (!track_pairs_) throw std::logic_error("pair_fraction: pairs not tracked");
  if (a > b) std::swap(a, b);
  const double total = observed().seconds();
  return total > 0 ? 1 - pair_down_time_[pair_index(reach_.node_count(), a, b)].seconds() / total
                   : 0;
}

std::vector<ReachabilityProbe::PairOutage> ReachabilityProbe::pair_outages() const {
  if (!track_pairs_) throw std::logic_error("pair_outages: pairs not tracked");
  std::vector<PairOutage> sorted = outages_;
  std::sort(sorted.begin(), sorted.end(), [](const PairOutage& x, const PairOutage& y) {
    return std::tie(x.start, x.a, x.b) < std::tie(y.start, y.a, y.b);
  });
  return sorted;
}

void ReachabilityProbe::write_tables(MetricsRecorder& metrics,
                                     const std::vector<std::string>& node_names) const {
  const double total = observed().seconds();
  Table& comps = metrics.table("components", {"components", "time_s", "fraction"});
  for (const auto& [k, t] : time_by_components_) {
    comps.add_row({static_cast<int64_t>(k), t, total > 0 ? t.seconds() / total : 0.0});
  }
  Table& avail = metrics.table("availability", {"server", "uptime_s", "availability"});
  for (std::size_t v = 0; v < uptime_.size(); ++v) {
    avail.add_row({node_names[v], uptime_[v], total > 0 ? uptime_[v].seconds() / total : 0.0});
  }
  if (track_pairs_) {
    Table& pairs = metrics.table("pairs", {"a", "b", "reachable_fraction"});
    const std::size_t n = reach_.node_count();
    for (std::size_t a = 0; a < n; ++a) {
      for (std::size_t b = a + 1; b < n; ++b) {
        pairs.add_row({node_names[a], node_names[b],
                       pair_fraction(static_cast<NodeId>(a), static_cast<NodeId>(b))});
      }
    }
    Table& outages =
        metrics.table("pair_outages", {"a", "b", "start_s", "end_s", "duration_s", "ongoing"});
    for (const PairOutage& o : pair_outages()) {
      outages.add_row({node_names[o.a], node_names[o.b], o.start, o.end, o.end - o.start,
                       std::string(o.ongoing ? "true" : "false")});
    }
  }
}

}  // namespace dmlssim::sim
