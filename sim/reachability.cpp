#include "sim/reachability.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <stdexcept>

namespace dmlssim::sim {

Reachability::Reachability(std::size_t nodes)
    : down_holds_(nodes, 0), up_count_(nodes), side_(nodes, 0), state_(nodes, NodeState{0, 0}) {
  recompute();
}

std::size_t Reachability::severed_links_within_components() const {
  std::size_t count = 0;
  for (const auto& [link, holds] : link_down_holds_) {
    if (reachable(link.first, link.second)) ++count;
  }
  return count;
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
  recompute();
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
  recompute();
}

void Reachability::hold_link_down(NodeId a, NodeId b) {
  if (a == b) throw std::invalid_argument("Reachability: a link joins two different nodes");
  uint32_t& holds = link_down_holds_[std::minmax(a, b)];
  if (holds++ > 0) return;
  before_change();
  recompute();
}

void Reachability::release_link_down(NodeId a, NodeId b) {
  auto it = link_down_holds_.find(std::minmax(a, b));
  if (it == link_down_holds_.end())
    throw std::logic_error("Reachability: link release without hold");
  if (--it->second > 0) return;
  before_change();
  link_down_holds_.erase(it);
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
  for (const auto& [name, sides] : partitions_) {
    std::map<std::pair<uint32_t, uint32_t>, uint32_t> ids;
    for (std::size_t n = 0; n < side_.size(); ++n) {
      auto [it, fresh] = ids.emplace(std::make_pair(side_[n], sides[n]), ids.size());
      side_[n] = it->second;
    }
  }
}

void Reachability::recompute() {
  const std::size_t n = node_count();
  // A side holding at least one up node without a relevant down link is one component: that node
  // is adjacent to every other up node of its side. Only sides made entirely of nodes with down
  // links need an explicit graph.
  std::vector<char> touched(n, 0);
  for (const auto& [link, holds] : link_down_holds_) {
    auto [a, b] = link;
    if (is_up(a) && is_up(b) && side_[a] == side_[b]) touched[a] = touched[b] = 1;
  }
  std::map<uint32_t, bool> side_has_free_node;
  for (std::size_t v = 0; v < n; ++v) {
    if (!is_up(static_cast<NodeId>(v))) continue;
    bool& free = side_has_free_node[side_[v]];
    free = free || !touched[v];
  }

  // Vertices: one per side with a free node, plus one per node of the other sides.
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  std::map<uint32_t, std::size_t> side_vertex;
  std::vector<std::size_t> vertex_of(n, SIZE_MAX);
  std::map<uint32_t, std::vector<NodeId>> explicit_nodes;
  std::size_t vertices = 0;
  for (std::size_t v = 0; v < n; ++v) {
    if (!is_up(static_cast<NodeId>(v))) continue;
    const uint32_t s = side_[v];
    if (side_has_free_node[s]) {
      auto [it, fresh] = side_vertex.emplace(s, vertices);
      if (fresh) ++vertices;
      vertex_of[v] = it->second;
    } else {
      vertex_of[v] = vertices++;
      explicit_nodes[s].push_back(static_cast<NodeId>(v));
    }
  }
  Graph graph(vertices);
  for (const auto& [s, nodes] : explicit_nodes) {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      for (std::size_t j = i + 1; j < nodes.size(); ++j) {
        if (!link_down_holds_.count(std::minmax(nodes[i], nodes[j]))) {
          boost::add_edge(vertex_of[nodes[i]], vertex_of[nodes[j]], graph);
        }
      }
    }
  }
  std::vector<int> raw(vertices);
  const int count = vertices == 0 ? 0 : boost::connected_components(graph, raw.data());

  // Renumber components by their smallest node id so that numbering never depends on Boost.
  std::vector<int32_t> renumber(static_cast<std::size_t>(count), -1);
  component_sizes_.clear();
  for (std::size_t v = 0; v < n; ++v) {
    if (vertex_of[v] == SIZE_MAX) {
      state_[v].component = -1;
      continue;
    }
    int32_t& id = renumber[static_cast<std::size_t>(raw[vertex_of[v]])];
    if (id < 0) {
      id = static_cast<int32_t>(component_sizes_.size());
      component_sizes_.push_back(0);
    }
    state_[v].component = id;
    ++component_sizes_[static_cast<std::size_t>(id)];
  }
  for (auto& fn : change_listeners_)
    fn();
}

}  // namespace dmlssim::sim
