#include "scenarios/fault_parser.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "scenarios/server_selector.hpp"
#include "scenarios/units.hpp"
#include "sim/portable_math.hpp"

namespace dmlssim::scenarios {
namespace {

using sim::SimTime;

// Sides are drawn by rejection until none is empty: with as many units as sides that takes
// sides^sides / sides! tries, so the count stays small.
constexpr uint64_t kMaxRandomSides = 16;

const std::vector<std::string> kKinds = {"crash",  "restart",          "partition",
                                         "heal",   "link_down",        "flap",
                                         "random", "random_partition", "compromise"};

struct FaultContext {
  const YamlReader& reader;
  const Topology& topology;
  SimTime duration;
};

SimTime read_at(const FaultContext& c, const YAML::Node& item, const std::string& key) {
  if (!item["at"]) c.reader.fail(item, key, "a dated fault needs 'at'");
  const SimTime at = c.reader.duration(item["at"], key + ".at", SimTime());
  if (at >= c.duration) {
    c.reader.fail(item["at"], key + ".at",
                  "starts at " + sim::format_duration(at) + ", not before the end of the run (" +
                      sim::format_duration(c.duration) + ")");
  }
  return at;
}

std::optional<SimTime> read_for(const FaultContext& c, const YAML::Node& item,
                                const std::string& key) {
  if (!item["for"]) return std::nullopt;
  return c.reader.duration(item["for"], key + ".for", sim::kNanosecond);
}

bool read_one_way(const FaultContext& c, const YAML::Node& item, const std::string& key) {
  return item["one_way"] ? c.reader.boolean(item["one_way"], key + ".one_way") : false;
}

// [A, B] where A and B are server selectors (a server, a range, a region, a list): every pair
// of a server of A with a different server of B, in order; each unordered pair once, or each
// ordered pair (from A to B) once when `one_way`.
std::vector<std::pair<sim::NodeId, sim::NodeId>> read_link_groups(const FaultContext& c,
                                                                  const YAML::Node& node,
                                                                  const std::string& key,
                                                                  bool one_way) {
  if (!node.IsSequence() || node.size() != 2)
    c.reader.fail(node, key,
                  "expected two ends [s<i>, s<j>], each a server or a group (eu, s0-s9)");
  const std::vector<sim::NodeId> a = select_servers(c.reader, node[0], key + "[0]", c.topology);
  const std::vector<sim::NodeId> b = select_servers(c.reader, node[1], key + "[1]", c.topology);
  std::set<std::pair<sim::NodeId, sim::NodeId>> seen;
  std::vector<std::pair<sim::NodeId, sim::NodeId>> pairs;
  for (const sim::NodeId x : a) {
    for (const sim::NodeId y : b) {
      if (x == y) continue;
      const std::pair<sim::NodeId, sim::NodeId> link =
          one_way ? std::make_pair(x, y) : std::make_pair(std::min(x, y), std::max(x, y));
      if (seen.insert(link).second) pairs.emplace_back(x, y);
    }
  }
  if (pairs.empty()) c.reader.fail(node, key, "a link joins two different servers");
  return pairs;
}

sim::PartitionFault read_partition(const FaultContext& c, const YAML::Node& item,
                                   const std::string& key, std::size_t index) {
  sim::PartitionFault f;
  f.at = read_at(c, item, key);
  f.duration = read_for(c, item, key);
  f.name = item["name"] ? c.reader.string(item["name"], key + ".name")
                        : "partition-" + std::to_string(index);
  const std::string pkey = key + ".partition";
  const auto sides = c.reader.entries(item["partition"], pkey);
  if (sides.size() < 2)
    c.reader.fail(item["partition"], pkey, "a partition needs at least two sides");
  constexpr uint32_t kUnassigned = UINT32_MAX;
  f.side_of.assign(c.topology.servers, kUnassigned);
  std::optional<uint32_t> rest_side;
  for (const auto& [side, side_key, servers] : sides) {
    const auto side_index = static_cast<uint32_t>(f.side_names.size());
    f.side_names.push_back(side);
    const std::string skey = pkey + "." + side;
    if (servers.IsScalar() && servers.Scalar() == "rest") {
      if (rest_side) c.reader.fail(servers, skey, "only one side can be 'rest'");
      rest_side = side_index;
      continue;
    }
    for (sim::NodeId n : select_servers(c.reader, servers, skey, c.topology)) {
      if (f.side_of[n] != kUnassigned) {
        c.reader.fail(
            servers, skey,
            "server s" + std::to_string(n) + " is already on side " + f.side_names[f.side_of[n]]);
      }
      f.side_of[n] = side_index;
    }
  }
  for (std::size_t n = 0; n < f.side_of.size(); ++n) {
    if (f.side_of[n] != kUnassigned) continue;
    if (!rest_side) {
      c.reader.fail(item["partition"], pkey,
                    "server s" + std::to_string(n) +
                        " is on no side (add it, or give one side the value rest)");
    }
    f.side_of[n] = *rest_side;
  }
  return f;
}

// A distribution of durations with the given mean (seconds), its shape named by the call at
// `dnode` (absent: exponential): exponential, weibull(k=K), lognormal(sigma=S), and, when
// `allow_constant`, constant.
sim::Distribution duration_shape(const FaultContext& c, const YAML::Node& dnode,
                                 const std::string& dkey, double mean, bool allow_constant) {
  const Call shape =
      dnode ? c.reader.parsed<Call>(dnode, dkey, parse_call) : Call{"exponential", {}};
  auto arg = [&](const std::string& name) {
    if (shape.args.size() != 1 || shape.args[0].first != name) {
      c.reader.fail(
          dnode, dkey,
          shape.name + " takes exactly one argument: " + shape.name + "(" + name + "=...)");
    }
    double v = 0;
    try {
      v = parse_number(shape.args[0].second);
    } catch (const std::invalid_argument& e) {
      c.reader.fail(dnode, dkey, e.what());
    }
    if (v <= 0) c.reader.fail(dnode, dkey, name + " must be > 0");
    return v;
  };
  const std::string others = allow_constant ? "constant, " : "";
  if ((shape.name == "exponential" || shape.name == "constant") && !shape.args.empty()) {
    c.reader.fail(dnode, dkey,
                  shape.name + " takes no arguments (means come from mtbf, mttr or duration)");
  }
  if (shape.name == "exponential") return sim::Distribution::exponential(mean);
  if (shape.name == "constant" && allow_constant) return sim::Distribution::constant(mean);
  if (shape.name == "weibull") return sim::Distribution::weibull_with_mean(arg("k"), mean);
  if (shape.name == "lognormal") {
    const double sigma = arg("sigma");
    // mean = exp(mu + sigma^2 / 2)  =>  mu = ln(mean) - sigma^2 / 2
    return sim::Distribution::lognormal(sim::portable_log(mean) - sigma * sigma / 2, sigma);
  }
  c.reader.fail(dnode, dkey,
                "unknown distribution '" + shape.name + "' (" + others +
                    "exponential, weibull(k=..), lognormal(sigma=..))");
}

// A random process's `stop`: after its start, within the run.
std::optional<SimTime> read_stop(const FaultContext& c, const YAML::Node& node,
                                 const std::string& key, SimTime start) {
  if (!node["stop"]) return std::nullopt;
  const SimTime stop = c.reader.duration(node["stop"], key + ".stop", SimTime());
  if (stop <= start) c.reader.fail(node["stop"], key + ".stop", "must be after start");
  if (stop > c.duration) c.reader.fail(node["stop"], key + ".stop", "is after the run ends");
  return stop;
}

sim::RandomPartitions read_random_partition(const FaultContext& c, const YAML::Node& node,
                                            const std::string& key) {
  c.reader.expect_map(node, key,
                      {"rate", "duration", "distribution", "sides", "by", "start", "stop"});
  for (const char* required : {"rate", "duration"}) {
    if (!node[required]) c.reader.fail(node, key + "." + required, "required");
  }
  sim::RandomPartitions f;
  f.rate = c.reader.parsed<double>(node["rate"], key + ".rate", parse_rate);
  if (f.rate <= 0) c.reader.fail(node["rate"], key + ".rate", "must be above 0 (e.g. 1/d)");
  const double mean =
      c.reader.duration(node["duration"], key + ".duration", sim::kNanosecond).seconds();
  f.duration = duration_shape(c, node["distribution"], key + ".distribution", mean, true);
  f.sides = node["sides"] ? static_cast<uint32_t>(
                                c.reader.integer(node["sides"], key + ".sides", 2, kMaxRandomSides))
                          : 2;
  f.start = node["start"] ? c.reader.duration(node["start"], key + ".start", SimTime()) : SimTime();
  if (f.start >= c.duration)
    c.reader.fail(node["start"], key + ".start", "starts after the run ends");
  f.stop = read_stop(c, node, key, f.start);
  const std::string by = node["by"] ? c.reader.string(node["by"], key + ".by") : "server";
  const sim::NetworkConfig& net = c.topology.network;
  if (by == "server") {
    f.units = c.topology.servers;
    for (uint32_t n = 0; n < c.topology.servers; ++n)
      f.unit_of.push_back(n);
  } else if (by == "region") {
    f.units = static_cast<uint32_t>(net.region_names.size());
    f.unit_of.assign(net.region_of.begin(), net.region_of.end());
  } else {
    c.reader.fail(node["by"], key + ".by", "expected server or region, got '" + by + "'");
  }
  if (f.units < f.sides) {
    c.reader.fail(node["sides"] ? node["sides"] : node, key + ".sides",
                  std::to_string(f.sides) + " sides need at least as many " + by + "s; the " +
                      "topology has " + std::to_string(f.units));
  }
  return f;
}

sim::RandomOutages read_random(const FaultContext& c, const YAML::Node& node,
                               const std::string& key) {
  c.reader.expect_map(node, key, {"mtbf", "mttr", "distribution", "servers", "start", "stop"});
  for (const char* required : {"mtbf", "mttr"}) {
    if (!node[required]) c.reader.fail(node, key + "." + required, "required");
  }
  const double mtbf = c.reader.duration(node["mtbf"], key + ".mtbf", sim::kNanosecond).seconds();
  const double mttr = c.reader.duration(node["mttr"], key + ".mttr", sim::kNanosecond).seconds();
  sim::RandomOutages f;
  f.start = node["start"] ? c.reader.duration(node["start"], key + ".start", SimTime()) : SimTime();
  if (f.start >= c.duration)
    c.reader.fail(node["start"], key + ".start", "starts after the run ends");
  f.stop = read_stop(c, node, key, f.start);
  f.nodes = node["servers"]
                ? select_servers(c.reader, node["servers"], key + ".servers", c.topology)
                : select_servers(c.reader, YAML::Node("all"), key + ".servers", c.topology);
  const std::string dkey = key + ".distribution";
  f.up = duration_shape(c, node["distribution"], dkey, mtbf, false);
  f.down = duration_shape(c, node["distribution"], dkey, mttr, false);
  return f;
}

}  // namespace

std::vector<sim::Fault> parse_faults(const YamlReader& reader, const YAML::Node& node,
                                     const Topology& topology, SimTime duration) {
  std::vector<sim::Fault> faults;
  if (!node || node.IsNull()) return faults;
  if (!node.IsSequence()) reader.fail(node, "faults", "expected a list of faults");
  const FaultContext c{reader, topology, duration};
  std::set<std::string> partition_names;
  struct HealRef {
    std::string name;
    YAML::Node node;
    std::string key;
  };
  std::vector<HealRef> heals;
  struct RestartRef {
    sim::RestartFault fault;
    YAML::Node node;
    std::string key;
  };
  std::vector<RestartRef> restarts;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string key = "faults[" + std::to_string(i) + "]";
    if (!item.IsMap())
      reader.fail(item, key, "a fault is a map such as {at: 30m, crash: s3, for: 10m}");
    reader.entries(item, key);  // refuses repeated and merge (<<) keys before the kind is read
    std::vector<std::string> kinds;
    for (const auto& k : kKinds) {
      if (item[k]) kinds.push_back(k);
    }
    if (kinds.size() != 1) {
      reader.fail(item, key,
                  "a fault has exactly one of: crash, restart, partition, heal, link_down, flap, "
                  "random, random_partition, compromise");
    }
    const std::string& kind = kinds[0];
    if (kind == "compromise") {
      // A device's state given to an attacker: read by the encrypted-room part (scenarios/
      // encrypted_part.cpp), which knows the devices; only its shape is checked here.
      reader.expect_map(item, key, {"at", "compromise"});
      read_at(c, item, key);
      reader.string(item["compromise"], key + ".compromise");
    } else if (kind == "crash") {
      reader.expect_map(item, key, {"at", "crash", "for"});
      sim::CrashFault f;
      f.at = read_at(c, item, key);
      f.duration = read_for(c, item, key);
      f.nodes = select_servers(reader, item["crash"], key + ".crash", topology);
      faults.emplace_back(std::move(f));
    } else if (kind == "restart") {
      reader.expect_map(item, key, {"at", "restart"});
      sim::RestartFault f;
      f.at = read_at(c, item, key);
      f.nodes = select_servers(reader, item["restart"], key + ".restart", topology);
      restarts.push_back({f, item["restart"], key + ".restart"});
      faults.emplace_back(std::move(f));
    } else if (kind == "partition") {
      reader.expect_map(item, key, {"at", "partition", "for", "name"});
      sim::PartitionFault f = read_partition(c, item, key, i);
      if (f.name.rfind("random-", 0) == 0) {
        reader.fail(item["name"] ? item["name"] : item, key + ".name",
                    "names starting with 'random-' belong to random partitions");
      }
      if (!partition_names.insert(f.name).second) {
        reader.fail(item["name"] ? item["name"] : item, key + ".name",
                    "partition name '" + f.name + "' used twice");
      }
      faults.emplace_back(std::move(f));
    } else if (kind == "heal") {
      reader.expect_map(item, key, {"at", "heal"});
      sim::HealFault f;
      f.at = read_at(c, item, key);
      const std::string which = reader.string(item["heal"], key + ".heal");
      if (which != "all") {
        f.partition = which;
        heals.push_back({which, item["heal"], key + ".heal"});
      }
      faults.emplace_back(std::move(f));
    } else if (kind == "link_down") {
      reader.expect_map(item, key, {"at", "link_down", "for", "one_way"});
      sim::LinkDownFault f;
      f.at = read_at(c, item, key);
      f.duration = read_for(c, item, key);
      f.one_way = read_one_way(c, item, key);
      for (const auto& [a, b] :
           read_link_groups(c, item["link_down"], key + ".link_down", f.one_way)) {
        f.a = a;
        f.b = b;
        faults.emplace_back(f);
      }
    } else if (kind == "flap") {
      reader.expect_map(item, key, {"at", "flap", "period", "down", "for", "one_way"});
      sim::FlapFault f;
      f.at = read_at(c, item, key);
      f.duration = read_for(c, item, key);
      f.one_way = read_one_way(c, item, key);
      const auto pairs = read_link_groups(c, item["flap"], key + ".flap", f.one_way);
      for (const char* required : {"period", "down"}) {
        if (!item[required])
          reader.fail(item, key + "." + required, "a flap needs 'period' and 'down'");
      }
      f.period = reader.duration(item["period"], key + ".period", sim::kNanosecond);
      f.down = reader.duration(item["down"], key + ".down", sim::kNanosecond);
      if (f.down >= f.period)
        reader.fail(item["down"], key + ".down", "must be shorter than period");
      for (const auto& [a, b] : pairs) {
        f.a = a;
        f.b = b;
        faults.emplace_back(f);
      }
    } else if (kind == "random_partition") {
      reader.expect_map(item, key, {"random_partition"});
      faults.emplace_back(
          read_random_partition(c, item["random_partition"], key + ".random_partition"));
    } else {
      reader.expect_map(item, key, {"random"});
      faults.emplace_back(read_random(c, item["random"], key + ".random"));
    }
  }
  // Every restart must end an open-ended crash of each of its servers that began earlier and that
  // no earlier restart ended.
  for (std::size_t r = 0; r < restarts.size(); ++r) {
    for (sim::NodeId n : restarts[r].fault.nodes) {
      int64_t open = 0;
      for (const sim::Fault& f : faults) {
        const auto* crash = std::get_if<sim::CrashFault>(&f);
        if (crash && !crash->duration && crash->at < restarts[r].fault.at &&
            std::find(crash->nodes.begin(), crash->nodes.end(), n) != crash->nodes.end()) {
          ++open;
        }
      }
      for (std::size_t earlier = 0; earlier < r; ++earlier) {
        const auto& e = restarts[earlier].fault;
        if (e.at <= restarts[r].fault.at &&
            std::find(e.nodes.begin(), e.nodes.end(), n) != e.nodes.end()) {
          --open;
        }
      }
      if (open < 1) {
        reader.fail(restarts[r].node, restarts[r].key,
                    "s" + std::to_string(n) + " has no crash without 'for' before " +
                        sim::format_duration(restarts[r].fault.at) +
                        " for this restart to end (crash it earlier with {at: ..., crash: s" +
                        std::to_string(n) + "} and no 'for')");
      }
    }
  }
  for (const auto& heal : heals) {
    if (!partition_names.count(heal.name)) {
      reader.fail(heal.node, heal.key, "no partition is named '" + heal.name + "'");
    }
  }
  return faults;
}

}  // namespace dmlssim::scenarios
