// The Matrix room of a scenario as a world part: the room:, workload: and federation: sections,
// their parameters (defaults from the model's own config structs), and the room's run
// (MatrixRun: homeservers, workload, heal measurements, tables, summary).
#pragma once

#include "models/matrix/federation_config.hpp"
#include "models/matrix/room_setup.hpp"
#include "models/matrix/state_resolution.hpp"
#include "models/matrix/workload.hpp"
#include "scenarios/world_part.hpp"

namespace dmlssim::scenarios {

// What a scenario's room: (with workload: and federation:) sections say.
struct MatrixSetup : PartSetup {
  const models::matrix::RoomVersion* version = nullptr;
  models::matrix::ResolutionOptions resolution;  // room.state_resolution
  models::matrix::RoomSetup room;
  models::matrix::WorkloadConfig workload;
  models::matrix::FederationConfig federation;
};

class MatrixPart : public WorldPart {
 public:
  std::string name() const override { return "matrix"; }
  std::vector<std::string> sections() const override { return {"room", "workload", "federation"}; }
  std::vector<ParamInfo> params() const override;
  std::shared_ptr<const PartSetup> read(const YamlReader& reader, const YAML::Node& root,
                                        const Scenario& scenario) const override;
  std::unique_ptr<PartRun> start(const RunContext& context, const PartSetup& setup) const override;
};

}  // namespace dmlssim::scenarios
