// Every malformed scenario under tests/scenarios/malformed/ must fail with its precise error:
// the file, line and column, the key path, and the reason.
#include <catch2/catch.hpp>
#include <string>

#include "scenarios/scenario_error.hpp"
#include "scenarios/scenario_loader.hpp"

using namespace dmlssim::scenarios;

namespace {
struct Case {
  const char* file;
  const char* position;  // ":line:col" after the path, "" when the error has no position
  const char* key;
  const char* fragment;
};

const Case kCases[] = {
    {"unknown_top_key.yaml", ":3:1", "nmae", "unknown key"},
    {"unknown_topology_key.yaml", ":5:3", "topology.bandwith", "unknown key"},
    {"bad_duration_unit.yaml", ":2:11", "duration", "invalid duration '2 hours'"},
    {"missing_duration.yaml", ":1:1", "duration", "required key is missing"},
    {"servers_quoted.yaml", ":4:12", "topology.servers", "quoted string"},
    {"servers_zero.yaml", ":4:12", "topology.servers", "outside [1, 1000000]"},
    {"bad_bandwidth_unit.yaml", ":5:14", "topology.bandwidth", "invalid bandwidth '100Mbps'"},
    {"loss_out_of_range.yaml", ":5:9", "topology.loss", "outside [0, 1]"},
    {"regions_do_not_add_up.yaml", ":5:12", "topology.regions",
     "add up to 3 but topology.servers is 4"},
    {"preset_unknown_region.yaml", ":6:12", "topology.latency", "no region 'mars'"},
    {"unknown_server.yaml", ":5:22", "faults[0].crash", "no server s99"},
    {"fault_two_kinds.yaml", ":5:5", "faults[0]", "exactly one of"},
    {"fault_after_end.yaml", ":5:9", "faults[0].at", "not before the end of the run"},
    {"partition_overlap.yaml", ":8:13", "faults[0].partition.east", "already on side west"},
    {"partition_incomplete.yaml", ":6:16", "faults[0].partition", "s3 is on no side"},
    {"heal_unknown_partition.yaml", ":6:21", "faults[1].heal", "no partition is named 'splt'"},
    {"flap_down_not_shorter.yaml", ":5:48", "faults[0].down", "shorter than period"},
    {"random_missing_mttr.yaml", ":5:13", "faults[0].random.mttr", "required"},
    {"random_unknown_distribution.yaml", ":5:48", "faults[0].random.distribution",
     "unknown distribution 'gamma'"},
    {"mls_without_encrypted_strategy.yaml", ":5:3", "mls", "needs an encrypted strategy"},
    {"device_epochs_without_encrypted_strategy.yaml", ":5:18", "metrics.device_epochs",
     "needs an encrypted strategy"},
    {"rejoin_with_private_handshake.yaml", ":6:18", "mls.handshake",
     "mls_first_seen(rejoin_after=2m) needs mls.handshake: public"},
    {"room_version_unsupported.yaml", ":5:12", "room.version", "version 10, 11 or 12, not '9'"},
    {"workload_without_room.yaml", ":5:3", "workload", "needs a room: section"},
    {"state_resolution_unknown.yaml", ":5:21", "room.state_resolution", "expected spec or synapse"},
    {"rate_bad_unit.yaml", ":6:13", "workload.messages", "invalid rate '10/week'"},
    {"federation_unknown_key.yaml", ":6:3", "federation.retry_multipler", "unknown key"},
    {"moderators_too_many.yaml", ":4:41", "room.moderators", "3 > users_per_server 2"},
    {"retry_jitter_inverted.yaml", ":5:32", "federation.retry_jitter_min",
     "is above federation.retry_jitter_max"},
    {"duplicate_key.yaml", ":4:1", "duration", "given twice"},
    {"yaml_syntax_error.yaml", ":3:", "", "YAML syntax error"},
    {"unknown_jitter.yaml", ":5:11", "topology.jitter", "unknown jitter 'gaussian'"},
    {"pairs_not_boolean.yaml", ":4:18", "metrics.pairs", "expected true or false"},
    {"not_a_map.yaml", ":1:1", "", "a scenario is a YAML map"},
    {"empty.yaml", "", "", "the file is empty"},
    {"latency_missing_pair.yaml", ":7:5", "topology.latency", "no latency between us and us"},
    {"runs_negative.yaml", ":3:7", "runs", "expected a whole number"},
    {"link_down_self.yaml", ":5:25", "faults[0].link_down", "two different servers"},
    {"crash_negative_for.yaml", ":5:30", "faults[0].for", "below the minimum"},
    {"jitter_negative_max.yaml", ":5:11", "topology.jitter", "max must be >= 0"},
    {"restart_without_crash.yaml", ":6:24", "faults[1].restart",
     "s1 has no crash without 'for' before 20m for this restart to end"},
    {"rate_both_kinds.yaml", ":6:13", "workload.messages", "either per_user: or room:"},
    {"rate_unknown_kind.yaml", ":6:14", "workload.messages.per_server", "unknown key"},
    {"multi_document.yaml", ":4:1", "", "more than one YAML document"},
    {"workload_stop_after_end.yaml", ":5:33", "workload.stop", "after the end of the run"},
    {"name_dotdot.yaml", ":1:7", "name", "not a safe directory name"},
    {"name_empty.yaml", ":1:7", "name", "not a safe directory name"},
    {"tab_indent.yaml", ":4:1", "", "a tab in the indentation"},
    {"merge_key.yaml", ":6:6", "faults[1].<<", "merge keys (<<: *anchor) are not supported"},
    {"admins_too_many.yaml", ":4:37", "room.admins", "5 > users_per_server 1"},
    {"random_partition_too_many_sides.yaml", ":5:57", "faults[0].random_partition.sides",
     "3 sides need at least as many regions; the topology has 2"},
    {"random_partition_bad_by.yaml", ":5:54", "faults[0].random_partition.by",
     "expected server or region, got 'country'"},
    {"random_partition_zero_rate.yaml", ":5:31", "faults[0].random_partition.rate",
     "must be above 0"},
    {"random_partition_missing_duration.yaml", ":5:24", "faults[0].random_partition.duration",
     "required"},
    {"random_partition_stop_before_start.yaml", ":5:68", "faults[0].random_partition.stop",
     "must be after start"},
    {"random_stop_after_end.yaml", ":5:41", "faults[0].random.stop", "is after the run ends"},
    {"partition_reserved_name.yaml", ":5:55", "faults[0].name", "belong to random partitions"},
    {"one_way_not_boolean.yaml", ":5:44", "faults[0].one_way", "expected true or false"},
    {"strategy_unknown.yaml", ":4:11", "strategy", "unknown strategy 'dmsl' (known: none"},
    {"strategy_unknown_param.yaml", ":4:11", "strategy",
     "none: unknown parameter 'retention' (it takes none)"},
    {"strategy_bad_syntax.yaml", ":4:11", "strategy", "none(retention"},
};
}  // namespace

TEST_CASE("malformed scenarios give precise errors", "[loader][malformed]") {
  for (const Case& c : kCases) {
    const std::string path =
        std::string(DMLSSIM_SOURCE_DIR) + "/tests/scenarios/malformed/" + c.file;
    INFO(c.file);
    try {
      load_scenario_file(path);
      FAIL("loaded without error");
    } catch (const ScenarioError& e) {
      INFO(e.what());
      CHECK(e.location().rfind(path + c.position, 0) == 0);
      if (std::string(c.position).empty()) CHECK(e.location() == path);
      CHECK(e.key() == c.key);
      CHECK(e.detail().find(c.fragment) != std::string::npos);
    }
  }
}

TEST_CASE("a missing file or a directory is an error naming it", "[loader][malformed]") {
  CHECK_THROWS_WITH(load_scenario_file("/nonexistent/x.yaml"),
                    Catch::Contains("/nonexistent/x.yaml: cannot open"));
  const std::string dir = std::string(DMLSSIM_SOURCE_DIR) + "/tests/scenarios/malformed";
  CHECK_THROWS_WITH(load_scenario_file(dir), Catch::Contains(dir + ": is a directory"));
}
