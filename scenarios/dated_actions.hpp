// workload.actions: membership actions at given times, beside the random workload — e.g. a kick
// and a ban on one side of a split. Each entry is a map:
//   {at: 40m, kick: "@u5:s12", by: "@u0:s0"}   (also ban, unban: by a user with the power)
//   {at: 50m, leave: "@u3:s4"}                  (also join: the user itself)
// Errors name the file, the line and the entry's key.
#pragma once

#include <vector>

#include "models/matrix/room_setup.hpp"
#include "models/matrix/workload.hpp"
#include "scenarios/yaml_reader.hpp"

namespace dmlssim::scenarios {

std::vector<models::matrix::WorkloadConfig::Dated> dated_actions(
    const YamlReader& reader, const YAML::Node& node, const models::matrix::RoomSetup& room,
    sim::SimTime duration);

}  // namespace dmlssim::scenarios
