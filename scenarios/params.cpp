#include "scenarios/params.hpp"

#include <algorithm>
#include <charconv>

#include "sim/network.hpp"

namespace dmlssim::scenarios {

namespace {

// Text of a default duration in the unit the parameter is usually written in ("60s", "10m").
std::string in_unit(sim::SimTime t, const std::string& unit) {
  static const std::pair<const char*, sim::SimTime> kUnits[] = {{"ms", sim::kMillisecond},
                                                                {"s", sim::kSecond},
                                                                {"m", sim::kMinute},
                                                                {"h", sim::kHour},
                                                                {"d", sim::kDay}};
  for (const auto& [name, size] : kUnits) {
    if (unit == name && t.ns() % size.ns() == 0) return std::to_string(t.ns() / size.ns()) + name;
  }
  return sim::format_duration(t);
}

}  // namespace

std::string duration_default(sim::SimTime t, const std::string& unit) {
  return in_unit(t, unit);
}

std::string number_default(double v) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ptr);
}

std::vector<ParamInfo> scenario_params() {
  const sim::NetworkConfig network;  // the engine's timeouts are the scenario's defaults
  return {
      {"name", "string", "required", "", "Scenario name; written into every result table."},
      {"description", "string", "", "", "Free text describing the experiment."},
      {"duration", "duration", "required", "time", "Simulated time of each run."},
      {"seed", "integer", "1", "",
       "Base seed; random streams derive from (seed, run, stream name)."},
      {"runs", "integer", "1", "", "Independent replications, run indices 0..runs-1."},
      {"topology.servers", "integer", "required", "servers",
       "Number of homeservers, named s0..s{n-1}."},
      {"topology.regions", "map region -> count", "", "servers",
       "Servers per region, assigned in order (s0.. to the first region). Default: one region "
       "'default' holding every server."},
      {"topology.latency", "latency", "50ms", "time, one-way",
       "A duration for every pair, a preset name (wan-3-regions, lan), or an inline map "
       "{from: {to: duration}} over the regions (a missing direction mirrors the other)."},
      {"topology.jitter", "jitter", "none", "",
       "none | lognormal(sigma=S): latency times a median-1 lognormal factor | "
       "uniform(max=D): plus U(0, D) | exponential(mean=D): plus Exp(D)."},
      {"topology.bandwidth", "bandwidth", "1Gbit", "bit/s",
       "Uplink of each server; messages leave it FIFO, one after another."},
      {"topology.loss", "probability", "0", "", "Probability that a message is lost in flight."},
      {"topology.connect_timeout", "duration", duration_default(network.connect_timeout, "s"),
       "time",
       "When the destination is unreachable at send time, the sender learns it this long after."},
      {"topology.request_timeout", "duration", duration_default(network.request_timeout, "s"),
       "time", "When a message is lost in flight, the sender learns it this long after sending."},
      {"faults", "list", "[]", "", "Dated faults and random fault processes; see faults[].*."},
      {"faults[].at", "duration", "required", "time", "When a dated fault starts."},
      {"faults[].for", "duration", "", "time",
       "How long it lasts (crash, partition, link_down, flap)."},
      {"faults[].crash", "servers", "", "",
       "Servers that crash: s3, s0-s9, a region name, or a list."},
      {"faults[].restart", "servers", "", "",
       "Ends an earlier crash without 'for' of each server: {at: 2h, restart: s3}."},
      {"faults[].partition", "map side -> servers", "", "",
       "Named sides; every server in exactly one side; 'rest' takes the servers not named."},
      {"faults[].name", "string", "partition-<index>", "", "Name of a partition, for heal."},
      {"faults[].heal", "string", "", "", "Ends the named partition, or 'all' partitions."},
      {"faults[].link_down", "[servers, servers]", "", "",
       "Links that go down: a pair [s1, s2], or every pair between two groups [eu, asia]."},
      {"faults[].flap", "[servers, servers]", "", "",
       "Links that go down every period: a pair, or every pair between two groups."},
      {"faults[].one_way", "bool", "false", "",
       "link_down, flap: only the first group cannot open connections to the second (requests "
       "that way fail; the other way, and responses, still pass)."},
      {"faults[].period", "duration", "", "time", "Flap: time between the starts of two outages."},
      {"faults[].down", "duration", "", "time", "Flap: how long each outage lasts (< period)."},
      {"faults[].random.mtbf", "duration", "required", "time", "Mean time between failures."},
      {"faults[].random.mttr", "duration", "required", "time", "Mean time to repair."},
      {"faults[].random.distribution", "distribution", "exponential", "",
       "Shape of up and down periods, scaled to the means: exponential | weibull(k=K) | "
       "lognormal(sigma=S)."},
      {"faults[].random.servers", "servers", "all", "", "Servers subject to random outages."},
      {"faults[].random.start", "duration", "0s", "time",
       "When the outage processes start (all up)."},
      {"faults[].random_partition.rate", "rate", "required", "per run time",
       "Random partitions start as a Poisson process of this rate (e.g. 1/d)."},
      {"faults[].random_partition.duration", "duration", "required", "time",
       "Mean length of a random partition."},
      {"faults[].random_partition.distribution", "distribution", "exponential", "",
       "Shape of the lengths, scaled to the mean: constant | exponential | weibull(k=K) | "
       "lognormal(sigma=S)."},
      {"faults[].random_partition.sides", "integer", "2", "sides",
       "Sides of each random partition (2..16); every side gets at least one server or region."},
      {"faults[].random_partition.by", "string", "server", "",
       "server: each server to a random side | region: each region to a random side."},
      {"faults[].random_partition.start", "duration", "0s", "time",
       "When the random partitions may begin."},
  };
}

std::vector<ParamInfo> metrics_params() {
  return {
      {"metrics.interval", "duration", "1m", "time", "Sampling interval of time series."},
      {"metrics.json", "bool", "false", "",
       "Also write every table as JSON records (<table>.json) beside its CSV."},
      {"metrics.room_dag", "bool", "false", "",
       "Write the room's DAG as room-0.ndjson: federation-format events, one per line, oldest "
       "first, as matrix-org/tardis loads them."},
      {"metrics.room_cases", "bool", "false", "",
       "Write the room's DAG as room-0.cases.json, a matrix-stateres-cases/1 'dag' case whose "
       "expected state is the resolution of all its leaves, and per heal a 'state_sets' case "
       "resolving the sides' states (check them with dmlssim stateres)."},
      {"metrics.pairs", "bool", "false", "",
       "Write per-pair reachability: time-weighted (pairs.csv) and outage intervals "
       "(pair_outages.csv); at most 500 servers."},
  };
}

ParamTable::ParamTable(std::vector<ParamInfo> params) : params_(std::move(params)) {}

const ParamInfo* ParamTable::find(std::string_view key) const {
  for (const auto& p : params_) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

std::vector<std::string> ParamTable::allowed_keys(const std::string& section) const {
  std::vector<std::string> keys;
  const std::string prefix = section.empty() ? "" : section + ".";
  for (const auto& p : params_) {
    if (p.key.find('[') != std::string::npos || p.key.rfind(prefix, 0) != 0) continue;
    std::string rest = p.key.substr(prefix.size());
    rest = rest.substr(0, rest.find('.'));
    if (std::find(keys.begin(), keys.end(), rest) == keys.end()) keys.push_back(rest);
  }
  if (section.empty()) {
    for (const auto& r : reserved_sections())
      keys.push_back(r);
  }
  return keys;
}

const std::vector<std::string>& reserved_sections() {
  static const std::vector<std::string> sections = {};
  return sections;
}

}  // namespace dmlssim::scenarios
