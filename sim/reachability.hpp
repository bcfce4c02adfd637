// Who can reach whom right now. The up-graph is the complete graph over servers that are up, minus
// the pairs separated by an active partition and minus links that are down. Its connected
// components are recomputed (with Boost.Graph) only when a fault changes it, so a reachability
// query on the hot path is two array reads. A crash or restart of a server without failed links
// costs O(1) while its side keeps another such server up.
//
// Overlapping faults compose: a node is down while any crash or outage holds it down; a link is
// down while any fault holds it down; two nodes are on the same side only if every active
// partition puts them on the same side. A one-way link fault keeps one end from opening
// connections to the other without splitting anything: the pair stays in one component.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace dmlssim::sim {

using NodeId = uint32_t;

class Reachability {
 public:
  using ChangeListener = std::function<void()>;
  using NodeListener = std::function<void(NodeId node, bool up)>;

  explicit Reachability(std::size_t nodes);

  std::size_t node_count() const { return down_holds_.size(); }
  bool is_up(NodeId n) const { return down_holds_[n] == 0; }
  // Counts how often the node went down; a message sent in one incarnation dies with it.
  uint32_t incarnation(NodeId n) const { return state_[n].incarnation; }
  // Connected through the up-graph (possibly via others): the notion behind components.
  bool reachable(NodeId a, NodeId b) const {
    return state_[a].component >= 0 && state_[a].component == state_[b].component;
  }
  // Able to talk directly: reachable and their own link is up. Matrix federation does not relay,
  // so this is what a request between the two needs.
  bool direct(NodeId a, NodeId b) const {
    return reachable(a, b) &&
           (link_down_holds_.empty() || !link_down_holds_.count(std::minmax(a, b)));
  }
  // May `from` open a connection to `to` (send it a request)? Direct, and no one-way link fault
  // keeps `from` from connecting to `to`. Responses travel back over the connection their request
  // opened, so they need only direct().
  bool can_connect(NodeId from, NodeId to) const {
    return direct(from, to) && (one_way_holds_.empty() || !one_way_holds_.count({from, to}));
  }
  // Down links whose two ends are up and in the same component (reachable, yet not direct).
  std::size_t severed_links_within_components() const;
  // One-way link faults (from, to) whose ends are direct: the ordered pairs that can talk one
  // way only.
  std::size_t one_way_blocks_between_direct_pairs() const;
  // Component label of an up node, -1 if down. Labels are stable and deterministic (the index of
  // the node's side, or beyond for a side split by failed links) but not dense.
  int32_t component(NodeId n) const { return state_[n].component; }
  // Number of non-empty components.
  std::size_t component_count() const { return component_count_; }
  // Size of each component by label; labels without up nodes have size 0.
  const std::vector<uint32_t>& component_sizes() const { return component_sizes_; }
  std::size_t up_count() const { return up_count_; }

  // Fault inputs. Each hold must be released exactly once.
  void hold_down(NodeId n);
  void release_down(NodeId n);
  void hold_link_down(NodeId a, NodeId b);
  void release_link_down(NodeId a, NodeId b);
  // One-way link faults: `from` cannot open connections to `to` (the other way still works).
  // They change no component; listeners are told as for any other change.
  void hold_one_way_down(NodeId from, NodeId to);
  void release_one_way_down(NodeId from, NodeId to);
  // Installs a partition: `side_of[n]` is node n's side. Names must be unique among active ones.
  void add_partition(const std::string& name, std::vector<uint32_t> side_of);
  // Returns false if no partition of that name is active.
  bool remove_partition(const std::string& name);
  std::vector<std::string> active_partitions() const;

  // Called just before a fault changes the up-graph (state still the old one), in registration
  // order.
  void add_before_change_listener(ChangeListener fn) { before_listeners_.push_back(std::move(fn)); }
  // Called after every change of the components, in registration order.
  void add_change_listener(ChangeListener fn) { change_listeners_.push_back(std::move(fn)); }
  // Called when a node goes down or comes back up, before the change listeners.
  void add_node_listener(NodeListener fn) { node_listeners_.push_back(std::move(fn)); }

 private:
  void before_change();
  void notify_changed();
  void recompute();
  void combine_sides();

  std::vector<uint32_t> down_holds_;
  std::size_t up_count_;
  std::map<std::pair<NodeId, NodeId>, uint32_t> link_down_holds_;
  std::map<std::pair<NodeId, NodeId>, uint32_t> one_way_holds_;  // (from, to), ordered
  std::vector<uint32_t> link_degree_;  // per node: held-down links it is an end of
  std::map<std::string, std::vector<uint32_t>> partitions_;
  std::vector<uint32_t> side_;  // combined side of every node over all active partitions, dense
  uint32_t side_count_ = 1;
  std::vector<uint32_t> plain_up_;  // per side: up nodes with no held-down link
  // What the hot path reads about a node, packed so that one cache line answers it.
  struct NodeState {
    int32_t component;
    uint32_t incarnation;
  };
  std::vector<NodeState> state_;
  std::vector<uint32_t> component_sizes_;
  std::size_t component_count_ = 0;
  std::vector<ChangeListener> before_listeners_;
  std::vector<ChangeListener> change_listeners_;
  std::vector<NodeListener> node_listeners_;
};

}  // namespace dmlssim::sim
