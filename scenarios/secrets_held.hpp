// What each device holds of the group's secrets at the end of a run, and its forward-secrecy
// exposure over the run (docs/metrics.md): device_secrets.csv, a row per device, and totals for
// summary.json and summary.csv. Under DMLS a device keeps superseded epochs (retention) that
// RFC 9420 would have deleted: their bytes are the exposure, integrated over time by the device's
// epoch tree; an MLS device follows RFC 9420's schedule and has none.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "models/device/encrypted_room.hpp"
#include "scenarios/summary_metrics.hpp"
#include "sim/metrics.hpp"

namespace dmlssim::scenarios {

// The room's clocks must have been moved to the end of the run (EncryptedRoom::advance_clocks).
void write_secrets_held(const models::device::EncryptedRoom& room, sim::MetricsRecorder& recorder,
                        nlohmann::json& e2ee, std::vector<SummaryMetric>& metrics);

}  // namespace dmlssim::scenarios
