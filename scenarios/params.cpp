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
      {"room.version", "string", "12", "", "Room version of the simulated room: 10, 11 or 12."},
      {"room.state_resolution", "string", "spec", "",
       "spec: state resolution as the spec's text defines it | synapse: Synapse's choices where "
       "the two differ (rejected events, power-event closure, auth chains; docs/matrix.md)."},
      {"room.users_per_server", "integer", "3", "users",
       "Users on every server, @u0:sN..; u0 of each server never leaves (keeps it in the room)."},
      {"room.creator", "server", "s0", "", "Server of the creating user @u0:<creator>."},
      {"room.join_rule", "string", "public", "", "public | invite | knock | restricted | ..."},
      {"room.admins", "integer", "0", "users",
       "Users @u1.. of the creator's server given power level 100."},
      {"room.moderators", "integer", "1", "users",
       "The next users of the creator's server, given power level 50."},
      {"workload.messages", "rate per user | {per_user: rate} | {room: rate}", "0", "per user",
       "Messages: a rate per user (6/h, or {per_user: 6/h}; the room's rate grows with its users) "
       "or for the whole room ({room: 1/s}); each is sent by a random user their server sees as "
       "joined."},
      {"workload.topics", "rate", "0", "per room",
       "Topic changes by a random privileged user (creator, admin or moderator)."},
      {"workload.membership", "rate per user | {per_user: rate} | {room: rate}", "0", "per user",
       "A user other than u0 leaves, or rejoins if they had left: a rate per such user (1/h, or "
       "{per_user: 1/h}) or for the whole room ({room: 10/h})."},
      {"workload.invites", "rate", "0", "per room",
       "A random joined user invites a random user who is neither joined nor invited."},
      {"workload.kicks", "rate", "0", "per room", "A privileged user kicks a random user."},
      {"workload.bans", "rate", "0", "per room",
       "A privileged user bans a random user, or unbans them if banned."},
      {"workload.power_levels", "rate", "0", "per room",
       "The creator or an admin toggles a random user between level 0 and 50."},
      {"workload.start", "duration", "0s", "time", "No action before this time."},
      {"workload.stop", "duration", "", "time", "No action from this time on (default: duration)."},
      {"federation.transaction_pdus", "integer", "50", "PDUs",
       "Most PDUs in one transaction (PUT /send); one transaction in flight per destination."},
      {"federation.prev_events", "integer", "10", "events",
       "Forward extremities a new event cites (the deepest ones; Synapse: 10)."},
      {"federation.min_retry_interval", "duration", "10m", "time",
       "Back-off after the first failed request to a destination (Synapse default)."},
      {"federation.retry_multiplier", "number", "2", "",
       "Back-off growth per further failure, times U(retry_jitter_min, retry_jitter_max)."},
      {"federation.retry_jitter_min", "number", "0.8", "", "Lower end of the back-off jitter."},
      {"federation.retry_jitter_max", "number", "1.4", "", "Upper end of the back-off jitter."},
      {"federation.max_retry_interval", "duration", "7d", "time", "Longest back-off."},
      {"federation.catchup_wakeup", "duration", "60s", "time",
       "How often a server wakes destinations that need catching up."},
      {"federation.catchup_stagger", "duration", "5s", "time",
       "Spacing between two destinations woken by one wake-up."},
      {"federation.missing_events_limit", "integer", "10", "events",
       "Limit of POST /get_missing_events."},
      {"federation.backfill_limit", "integer", "100", "events", "Limit of one GET /backfill."},
      {"federation.backfill_delay", "duration", "0s", "time",
       "Wait before backfilling a gap left after fetching state."},
      {"federation.probe_interval", "duration", "0s", "time",
       "A server backing off from a destination probes it this often; 0s: never (Synapse)."},
      {"federation.pdu_processing", "duration", "2ms", "time",
       "Time a server takes to check and persist one received PDU."},
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
  return params;
}

const ParamInfo* find_param(std::string_view key) {
  for (const auto& p : all_params()) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

const std::vector<std::string>& reserved_sections() {
  static const std::vector<std::string> sections = {"strategy", "mls"};
  return sections;
}

}  // namespace dmlssim::scenarios
