#include "scenarios/matrix_section.hpp"

#include <algorithm>
#include <sstream>

#include "scenarios/dated_actions.hpp"
#include "scenarios/section_reading.hpp"
#include "scenarios/server_selector.hpp"
#include "scenarios/units.hpp"

namespace dmlssim::scenarios {
namespace {

namespace mx = models::matrix;

double rate(const YamlReader& reader, const YAML::Node& section, const std::string& key) {
  return reader.parsed<double>(value_or_default(reader, section, key), key, parse_rate);
}

// A rate per user (a scalar, or {per_user: R}) or for the whole room ({room: R}), in events/s.
struct UserOrRoomRate {
  double per_user = 0;
  double per_room = 0;
};
UserOrRoomRate user_or_room_rate(const YamlReader& reader, const YAML::Node& section,
                                 const std::string& key) {
  const YAML::Node node = value_or_default(reader, section, key);
  if (!node.IsMap()) return {reader.parsed<double>(node, key, parse_rate), 0};
  reader.expect_map(node, key, {"per_user", "room"});
  if (node.size() != 1) {
    reader.fail(node, key, "give either per_user: or room:, not both");
  }
  if (node["per_user"])
    return {reader.parsed<double>(node["per_user"], key + ".per_user", parse_rate), 0};
  return {0, reader.parsed<double>(node["room"], key + ".room", parse_rate)};
}

double number(const YamlReader& reader, const YAML::Node& section, const std::string& key,
              double min, double max) {
  const YAML::Node node = value_or_default(reader, section, key);
  const double v = reader.parsed<double>(node, key, parse_number);
  if (v < min || v > max) {
    std::ostringstream range;
    range << "must be between " << min << " and " << max;
    reader.fail(node, key, range.str());
  }
  return v;
}

std::size_t count(const YamlReader& reader, const YAML::Node& section, const std::string& key,
                  uint64_t min, uint64_t max) {
  return reader.integer(value_or_default(reader, section, key), key, min, max);
}

sim::SimTime duration(const YamlReader& reader, const YAML::Node& section, const std::string& key,
                      sim::SimTime min) {
  return reader.duration(value_or_default(reader, section, key), key, min);
}

}  // namespace

std::shared_ptr<const MatrixSetup> read_matrix(const YamlReader& reader, const YAML::Node& root,
                                               const Scenario& scenario) {
  const Topology& topology = scenario.topology;
  const sim::SimTime run_duration = scenario.duration;
  const YAML::Node room = root["room"];
  const YAML::Node workload = root["workload"];
  const YAML::Node federation = root["federation"];
  if (!room) {
    if (workload) reader.fail(workload, "workload", "needs a room: section");
    if (federation) reader.fail(federation, "federation", "needs a room: section");
    if (scenario.metrics.room_dag || scenario.metrics.room_cases) {
      reader.fail(root["metrics"],
                  scenario.metrics.room_dag ? "metrics.room_dag" : "metrics.room_cases",
                  "needs a room: section");
    }
    return nullptr;
  }
  auto setup = std::make_shared<MatrixSetup>();
  MatrixSetup& m = *setup;
  reader.expect_map(room, "room", allowed_keys(reader, "room"));
  const YAML::Node version = value_or_default(reader, room, "room.version");
  const std::string version_id = reader.string(version, "room.version");
  m.version = mx::find_room_version(version_id);
  if (m.version == nullptr || m.version->redaction == mx::RedactionRules::kNone) {
    reader.fail(version, "room.version",
                "the simulator creates rooms of version 10, 11 or 12, not '" + version_id + "'");
  }
  const YAML::Node semantics = value_or_default(reader, room, "room.state_resolution");
  const std::string semantics_name = reader.string(semantics, "room.state_resolution");
  if (semantics_name == "synapse") {
    m.resolution = mx::ResolutionOptions::synapse();
  } else if (semantics_name != "spec") {
    reader.fail(semantics, "room.state_resolution", "expected spec or synapse");
  }
  const std::size_t users = count(reader, room, "room.users_per_server", 1, 10000);
  m.room.users_per_server.assign(topology.servers, static_cast<std::uint32_t>(users));
  m.room.creator_server = select_server(reader, value_or_default(reader, room, "room.creator"),
                                        "room.creator", topology);
  const YAML::Node join_rule = value_or_default(reader, room, "room.join_rule");
  m.room.join_rule = reader.string(join_rule, "room.join_rule");
  static const std::vector<std::string> kRules = {"public", "invite", "knock", "restricted",
                                                  "knock_restricted"};
  if (std::find(kRules.begin(), kRules.end(), m.room.join_rule) == kRules.end()) {
    reader.fail(join_rule, "room.join_rule",
                "expected public, invite, knock, restricted or knock_restricted");
  }
  m.room.admins = static_cast<std::uint32_t>(count(reader, room, "room.admins", 0, 10000));
  m.room.moderators = static_cast<std::uint32_t>(count(reader, room, "room.moderators", 0, 10000));
  if (1 + m.room.admins + m.room.moderators > users) {
    // Blame the key the user gave that pushes the count over.
    const bool admins_alone = 1 + m.room.admins > users;
    const std::string key = admins_alone ? "room.admins" : "room.moderators";
    const YAML::Node at = room[admins_alone ? "admins" : "moderators"];
    reader.fail(at ? at : room, key,
                "the creator, admins and moderators are users of the creator's server: " +
                    std::to_string(1 + m.room.admins + m.room.moderators) + " > users_per_server " +
                    std::to_string(users));
  }

  if (workload) reader.expect_map(workload, "workload", allowed_keys(reader, "workload"));
  mx::WorkloadConfig& w = m.workload;
  const UserOrRoomRate messages = user_or_room_rate(reader, workload, "workload.messages");
  w.messages_per_user = messages.per_user;
  w.messages_per_room = messages.per_room;
  w.topics = rate(reader, workload, "workload.topics");
  const UserOrRoomRate membership = user_or_room_rate(reader, workload, "workload.membership");
  w.membership_per_user = membership.per_user;
  w.membership_per_room = membership.per_room;
  w.invites = rate(reader, workload, "workload.invites");
  w.kicks = rate(reader, workload, "workload.kicks");
  w.bans = rate(reader, workload, "workload.bans");
  w.power_changes = rate(reader, workload, "workload.power_levels");
  w.start = duration(reader, workload, "workload.start", sim::SimTime());
  w.stop = workload && workload["stop"]
               ? reader.duration(workload["stop"], "workload.stop", sim::SimTime())
               : run_duration;
  if (w.stop > run_duration) {
    reader.fail(
        workload["stop"], "workload.stop",
        "is after the end of the run (duration " + sim::format_duration(run_duration) + ")");
  }
  if (w.start > w.stop) {
    reader.fail(workload["start"], "workload.start", "is after workload.stop");
  }
  if (workload && workload["actions"])
    w.dated = dated_actions(reader, workload["actions"], m.room, run_duration);

  if (federation) reader.expect_map(federation, "federation", allowed_keys(reader, "federation"));
  mx::FederationConfig& f = m.federation;
  f.max_pdus_per_transaction = count(reader, federation, "federation.transaction_pdus", 1, 1000);
  f.max_prev_events = count(reader, federation, "federation.prev_events", 1, 20);
  f.min_retry_interval =
      duration(reader, federation, "federation.min_retry_interval", sim::kMillisecond);
  f.retry_multiplier = number(reader, federation, "federation.retry_multiplier", 1, 100);
  f.retry_jitter_low = number(reader, federation, "federation.retry_jitter_min", 0.01, 100);
  f.retry_jitter_high = number(reader, federation, "federation.retry_jitter_max", 0.01, 100);
  if (f.retry_jitter_low > f.retry_jitter_high) {
    reader.fail(federation["retry_jitter_min"], "federation.retry_jitter_min",
                "is above federation.retry_jitter_max");
  }
  f.max_retry_interval =
      duration(reader, federation, "federation.max_retry_interval", sim::kMillisecond);
  if (f.max_retry_interval < f.min_retry_interval) {
    reader.fail(federation["max_retry_interval"], "federation.max_retry_interval",
                "is below federation.min_retry_interval");
  }
  f.catchup_wakeup_period =
      duration(reader, federation, "federation.catchup_wakeup", sim::kMillisecond);
  f.catchup_wakeup_stagger =
      duration(reader, federation, "federation.catchup_stagger", sim::SimTime());
  f.missing_events_limit = count(reader, federation, "federation.missing_events_limit", 1, 1000);
  f.backfill_limit = count(reader, federation, "federation.backfill_limit", 1, 10000);
  f.backfill_delay = duration(reader, federation, "federation.backfill_delay", sim::SimTime());
  f.probe_interval = duration(reader, federation, "federation.probe_interval", sim::SimTime());
  f.pdu_processing = duration(reader, federation, "federation.pdu_processing", sim::SimTime());
  return setup;
}

}  // namespace dmlssim::scenarios
