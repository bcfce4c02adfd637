#include "scenarios/params.hpp"

namespace dmlssim::scenarios {

const std::vector<ParamInfo>& all_params() {
  static const std::vector<ParamInfo> params = {
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
      {"topology.connect_timeout", "duration", "10s", "time",
       "When the destination is unreachable at send time, the sender learns it this long after."},
      {"topology.request_timeout", "duration", "60s", "time",
       "When a message is lost in flight, the sender learns it this long after sending."},
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
      {"faults[].link_down", "[server, server]", "", "", "A pair that cannot reach each other."},
      {"faults[].flap", "[server, server]", "", "", "A pair whose link goes down every period."},
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
      {"metrics.interval", "duration", "1m", "time", "Sampling interval of time series."},
      {"metrics.json", "bool", "false", "",
       "Also write every table as JSON records (<table>.json) beside its CSV."},
      {"metrics.pairs", "bool", "false", "",
       "Write per-pair reachability: time-weighted (pairs.csv) and outage intervals "
       "(pair_outages.csv); at most 500 servers."},
  };
  return params;
}

const ParamInfo* find_param(std::string_view key) {
  for (const auto& p : all_params()) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

const std::vector<std::string>& reserved_sections() {
  static const std::vector<std::string> sections = {"room", "workload", "strategy", "mls",
                                                    "federation"};
  return sections;
}

}  // namespace dmlssim::scenarios
