// Encrypted rooms as a world part: the clients: and mls: sections (and room.devices_per_user,
// workload.key_updates, which the room's part reads), the devices that run MLS over the room of
// the Matrix part (models/device/encrypted_room.hpp), the strategy in charge of them, and the
// reads ledger turned into tables and summary metrics (docs/metrics.md "Reads").
//
// Used when the scenario's strategy is an encrypted one (mls_first_seen, ...); needs room:.
#pragma once

#include "models/device/encrypted_room.hpp"
#include "scenarios/world_part.hpp"
#include "sim/distribution.hpp"

namespace dmlssim::scenarios {

struct EncryptedSetup : PartSetup {
  models::device::EncryptedRoomConfig room;  // group.crypto set from mls.crypto
  std::string crypto = "real";               // mls.crypto
  sim::Distribution sync_latency = sim::Distribution::constant(0.05);  // seconds
  std::string sync_latency_text;
  double key_updates_per_device = 0;  // per second (workload.key_updates)
  // clients.online: sessions — each device alternates online and offline periods (seconds).
  bool sessions = false;
  sim::Distribution online_time = sim::Distribution::exponential(8 * 3600.0);
  sim::Distribution offline_time = sim::Distribution::exponential(16 * 3600.0);
  bool per_reader = false;     // metrics.per_reader: a row per (message, reader)
  bool device_epochs = false;  // metrics.device_epochs: a row per change of a device's epoch
  // faults: {at: T, compromise: "@u3:s1/D0"}, by user index and device number.
  struct Compromise {
    sim::SimTime at;
    std::string device;
    std::size_t user = 0;
    std::uint32_t k = 0;
  };
  std::vector<Compromise> compromises;
};

class EncryptedPart : public WorldPart {
 public:
  std::string name() const override { return "e2ee"; }
  std::vector<std::string> sections() const override { return {"mls", "clients"}; }
  std::vector<ParamInfo> params() const override;
  std::shared_ptr<const PartSetup> read(const YamlReader& reader, const YAML::Node& root,
                                        const Scenario& scenario) const override;
  std::unique_ptr<PartRun> start(const RunContext& context, const PartSetup& setup) const override;
};

}  // namespace dmlssim::scenarios
