#include "scenarios/server_selector.hpp"

#include <set>

namespace dmlssim::scenarios {
namespace {

// "s17" -> 17; -1 if the text is not of that form.
int64_t server_index(const std::string& text) {
  if (text.size() < 2 || text[0] != 's' || text.size() > 12) return -1;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
  }
  if (text.size() > 2 && text[1] == '0') return -1;
  return std::stoll(text.substr(1));
}

void select_one(const YamlReader& reader, const YAML::Node& node, const std::string& key,
                const Topology& topology, std::vector<sim::NodeId>& out) {
  const std::string text = reader.scalar(node, key);
  const auto n = static_cast<int64_t>(topology.servers);
  auto check = [&](int64_t i, const std::string& name) {
    if (i < 0) return;
    if (i >= n) {
      reader.fail(node, key,
                  "no server " + name + " (servers are s0..s" + std::to_string(n - 1) + ")");
    }
  };
  if (text == "all") {
    for (int64_t i = 0; i < n; ++i)
      out.push_back(static_cast<sim::NodeId>(i));
    return;
  }
  if (const int64_t i = server_index(text); i >= 0) {
    check(i, text);
    out.push_back(static_cast<sim::NodeId>(i));
    return;
  }
  if (const auto dash = text.find('-'); dash != std::string::npos) {
    const int64_t lo = server_index(text.substr(0, dash));
    const int64_t hi = server_index(text.substr(dash + 1));
    if (lo >= 0 && hi >= 0) {
      check(lo, text.substr(0, dash));
      check(hi, text.substr(dash + 1));
      if (lo > hi) reader.fail(node, key, "range " + text + " runs backwards");
      for (int64_t i = lo; i <= hi; ++i)
        out.push_back(static_cast<sim::NodeId>(i));
      return;
    }
  }
  const auto& regions = topology.network.region_names;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    if (regions[r] != text) continue;
    for (std::size_t i = 0; i < topology.network.region_of.size(); ++i) {
      if (topology.network.region_of[i] == r) out.push_back(static_cast<sim::NodeId>(i));
    }
    return;
  }
  reader.fail(
      node, key,
      "'" + text + "' names no server (expected s<i>, a range s<i>-s<j>, a region name or all)");
}

}  // namespace

std::vector<sim::NodeId> select_servers(const YamlReader& reader, const YAML::Node& node,
                                        const std::string& key, const Topology& topology) {
  std::vector<sim::NodeId> out;
  if (node.IsSequence()) {
    if (node.size() == 0) reader.fail(node, key, "the list names no server");
    for (std::size_t i = 0; i < node.size(); ++i) {
      select_one(reader, node[i], key + "[" + std::to_string(i) + "]", topology, out);
    }
  } else {
    select_one(reader, node, key, topology, out);
  }
  std::set<sim::NodeId> seen;
  for (sim::NodeId id : out) {
    if (!seen.insert(id).second)
      reader.fail(node, key, "server s" + std::to_string(id) + " named twice");
  }
  return out;
}

sim::NodeId select_server(const YamlReader& reader, const YAML::Node& node, const std::string& key,
                          const Topology& topology) {
  const std::string text = reader.scalar(node, key);
  const int64_t i = server_index(text);
  if (i < 0) reader.fail(node, key, "expected one server name like s3, got '" + text + "'");
  if (i >= static_cast<int64_t>(topology.servers)) {
    reader.fail(
        node, key,
        "no server " + text + " (servers are s0..s" + std::to_string(topology.servers - 1) + ")");
  }
  return static_cast<sim::NodeId>(i);
}

}  // namespace dmlssim::scenarios
