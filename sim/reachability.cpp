#include "sim/reachability.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <stdexcept>

namespace dmlssim::sim {

Reachability::Reachability(std::size_t nodes)
    : down_holds_(nodes, 0),
      up_count_(nodes),
      link_degree_(nodes, 0),
      side_(nodes, 0),
      state_(nodes, NodeState{0, 0}) {
  recompute();
}

std::size_t Reachability::severed_links_within_components() const {
  std::size_t count = 0;
  for (const auto& [link, holds] : link_down_holds_) {
    if (reachable(link.first, link.second)) ++count;
  }
  return count;
}

std::size_t Reachability::one_way_blocks_between_direct_pairs() const {
  std::size_t count = 0;
  for (const auto& [link, holds] : one_way_holds_) {
    if (direct(link.first, link.second)) ++count;
  }
  return count;
}

void Reachability::hold_one_way_down(NodeId from, NodeId to) {
  if (from == to) throw std::invalid_argument("Reachability: a link joins two different nodes");
  if (const auto it = one_way_holds_.find({from, to}); it != one_way_holds_.end()) {
    ++it->second;
    return;
  }
  before_change();
  one_way_holds_[{from, to}] = 1;
  notify_changed();
}

void Reachability::release_one_way_down(NodeId from, NodeId to) {
  auto it = one_way_holds_.find({from, to});
  if (it == one_way_holds_.end())
    throw std::logic_error("Reachability: one-way link release without hold");
  if (--it->second > 0) return;
  before_change();
  one_way_holds_.erase(it);
  notify_changed();
}

void Reachability::before_change() {
  for (auto& fn : before_listeners_)
    fn();
}

void Reachability::hold_down(NodeId n) {
  if (down_holds_[n] > 0) {
    ++down_holds_[n];
    return;
  }
  before_change();
  ++down_holds_[n];
  ++state_[n].incarnation;
  --up_count_;
  for (auto& fn : node_listeners_)
    fn(n, false);
  const uint32_t s = side_[n];
  // O(1) when n has no failed link and its side keeps another such node up: the side stays one
  // component labelled s (that other node reaches every up node of the side), n just leaves it.
  if (link_degree_[n] != 0 || (!link_down_holds_.empty() && plain_up_[s] < 2)) {
    recompute();
    return;
  }
  --plain_up_[s];
  if (--component_sizes_[static_cast<std::size_t>(state_[n].component)] == 0) --component_count_;
  state_[n].component = -1;
  notify_changed();
}

void Reachability::release_down(NodeId n) {
  if (down_holds_[n] == 0) throw std::logic_error("Reachability: release_down without hold");
  if (down_holds_[n] > 1) {
    --down_holds_[n];
    return;
  }
  before_change();
  --down_holds_[n];
  ++up_count_;
  for (auto& fn : node_listeners_)
    fn(n, true);
  const uint32_t s = side_[n];
  // O(1) when n has no failed link and joins a side that is one component labelled s.
  if (link_degree_[n] != 0 || (!link_down_holds_.empty() && plain_up_[s] < 1)) {
    recompute();
    return;
  }
  ++plain_up_[s];
  state_[n].component = static_cast<int32_t>(s);
  if (component_sizes_[s]++ == 0) ++component_count_;
  notify_changed();
}

void Reachability::notify_changed() {
  for (auto& fn : change_listeners_)
    fn();
}

void Reachability::hold_link_down(NodeId a, NodeId b) {
  if (a == b) throw std::invalid_argument("Reachability: a link joins two different nodes");
  // Listeners called before the change must see the link still up: no hold inserted yet.
  if (const auto it = link_down_holds_.find(std::minmax(a, b)); it != link_down_holds_.end()) {
    ++it->second;
    return;
  }
  before_change();
  link_down_holds_[std::minmax(a, b)] = 1;
  ++link_degree_[a];
  ++link_degree_[b];
  recompute();
}

void Reachability::release_link_down(NodeId a, NodeId b) {
  auto it = link_down_holds_.find(std::minmax(a, b));
  if (it == link_down_holds_.end())
    throw std::logic_error("Reachability: link release without hold");
  if (--it->second > 0) return;
  before_change();
  link_down_holds_.erase(it);
  --link_degree_[a];
  --link_degree_[b];
  recompute();
}

void Reachability::add_partition(const std::string& name, std::vector<uint32_t> side_of) {
  if (side_of.size() != node_count()) throw std::invalid_argument("partition: one side per node");
  if (partitions_.count(name))
    throw std::invalid_argument("partition '" + name + "' is already active");
  before_change();
  partitions_.emplace(name, std::move(side_of));
  combine_sides();
  recompute();
}

bool Reachability::remove_partition(const std::string& name) {
  if (partitions_.count(name) == 0) return false;
  before_change();
  partitions_.erase(name);
  combine_sides();
  recompute();
  return true;
}

std::vector<std::string> Reachability::active_partitions() const {
  std::vector<std::string> names;
  for (const auto& [name, sides] : partitions_)
    names.push_back(name);
  return names;
}

void Reachability::combine_sides() {
  std::fill(side_.begin(), side_.end(), 0);
  side_count_ = 1;
  for (const auto& [name, sides] : partitions_) {
    // Dense ids for the pairs (previous combined side, this partition's side), in node order.
    std::map<std::pair<uint32_t, uint32_t>, uint32_t> ids;
    for (std::size_t n = 0; n < side_.size(); ++n) {
      auto [it, fresh] = ids.emplace(std::make_pair(side_[n], sides[n]), ids.size());
      side_[n] = it->second;
    }
    side_count_ = static_cast<uint32_t>(ids.size());
  }
}

void Reachability::recompute() {
  const std::size_t n = node_count();
  // A side holding at least one up node without a relevant down link is one component, labelled
  // by the side: that node is adjacent to every other up node of its side. Only sides made
  // entirely of nodes with down links need an explicit graph; their components get labels after
  // the sides'.
  std::vector<char> touched(n, 0);
  for (const auto& [link, holds] : link_down_holds_) {
    auto [a, b] = link;
    if (is_up(a) && is_up(b) && side_[a] == side_[b]) touched[a] = touched[b] = 1;
  }
  std::vector<char> side_has_free_node(side_count_, 0);
  for (std::size_t v = 0; v < n; ++v) {
    if (is_up(static_cast<NodeId>(v)) && !touched[v]) side_has_free_node[side_[v]] = 1;
  }
  std::vector<NodeId> explicit_nodes;
  std::vector<std::size_t> vertex_of(n, SIZE_MAX);
  for (std::size_t v = 0; v < n; ++v) {
    if (is_up(static_cast<NodeId>(v)) && !side_has_free_node[side_[v]]) {
      vertex_of[v] = explicit_nodes.size();
      explicit_nodes.push_back(static_cast<NodeId>(v));
    }
  }
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  Graph graph(explicit_nodes.size());
  for (std::size_t i = 0; i < explicit_nodes.size(); ++i) {
    for (std::size_t j = i + 1; j < explicit_nodes.size(); ++j) {
      const NodeId a = explicit_nodes[i], b = explicit_nodes[j];
      if (side_[a] == side_[b] && !link_down_holds_.count(std::minmax(a, b)))
        boost::add_edge(i, j, graph);
    }
  }
  std::vector<int> raw(explicit_nodes.size());
  const int count = explicit_nodes.empty() ? 0 : boost::connected_components(graph, raw.data());

  // Labels of explicit components follow their smallest node id, never Boost's numbering.
  std::vector<int32_t> label(static_cast<std::size_t>(count), -1);
  int32_t next_label = static_cast<int32_t>(side_count_);
  component_sizes_.assign(side_count_, 0);
  for (std::size_t v = 0; v < n; ++v) {
    if (!is_up(static_cast<NodeId>(v))) {
      state_[v].component = -1;
      continue;
    }
    int32_t id = static_cast<int32_t>(side_[v]);
    if (vertex_of[v] != SIZE_MAX) {
      int32_t& l = label[static_cast<std::size_t>(raw[vertex_of[v]])];
      if (l < 0) {
        l = next_label++;
        component_sizes_.push_back(0);
      }
      id = l;
    }
    state_[v].component = id;
    ++component_sizes_[static_cast<std::size_t>(id)];
  }
  plain_up_.assign(side_count_, 0);
  for (std::size_t v = 0; v < n; ++v) {
    if (is_up(static_cast<NodeId>(v)) && link_degree_[v] == 0) ++plain_up_[side_[v]];
  }
  component_count_ = static_cast<std::size_t>(std::count_if(
      component_sizes_.begin(), component_sizes_.end(), [](uint32_t c) { return c > 0; }));
  notify_changed();
}

}  // namespace dmlssim::sim
