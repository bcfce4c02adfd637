// The three truths of an encrypted room (DESIGN §1) as a run sees them: what exists (each
// server's DAG), what the devices believe (each one's epoch and MLS membership), and what the
// strategy's log says. Sampled into timeseries.csv as gauges, and read once at the end of a run.
#pragma once

#include <cstdint>
#include <vector>

#include "models/device/encrypted_room.hpp"
#include "sim/metrics.hpp"

namespace dmlssim::consensus {
class RoomStrategy;
}

namespace dmlssim::scenarios {

// MLS membership against Matrix membership. The population: devices of users joined in the state
// of their own server (with `online_only`, of those the online ones). A device diverges when it
// holds no group, or its group has leaves of users its server does not hold joined (extra), or
// lacks devices of users it does (missing). The answer depends only on the device's epoch and
// server: computed once per pair. Also: the distinct epochs those devices are in, and the devices
// of users not joined that still hold a group (a removed user's device that never saw its
// removal: it keeps a stale group).
struct MembershipView {
  std::uint64_t devices = 0, diverged = 0, extra = 0, missing = 0;
  std::uint64_t epochs = 0, stale_groups = 0;
};
MembershipView membership_view(const models::device::EncryptedRoom& room, bool online_only);

// Distinct sets of forward extremities among the servers that are up and in the room: 1 when
// every such server's DAG ends in the same events.
std::uint64_t distinct_dag_heads(const models::matrix::Federation& federation);

// Adds the gauges `dag_heads`, `mls_member_devices`, `mls_epochs`, `mls_diverged_devices` (over
// online devices) and `strategy_log_entries` to `metrics`; the references must outlive it.
void add_truth_gauges(sim::MetricsRecorder& metrics, const models::device::EncryptedRoom& room,
                      const consensus::RoomStrategy& strategy);

// With metrics.device_epochs: every change of a device's epoch, as device_epochs.csv at the end
// (time_s, device, epoch, epoch_commit, members; the last three empty when the device holds no
// group). Epoch 0's commit is empty too. A room's first epoch is logged at time 0 for every
// device holding it.
class DeviceEpochLog {
 public:
  explicit DeviceEpochLog(models::device::EncryptedRoom& room);
  void write(sim::MetricsRecorder& metrics) const;

 private:
  struct Change {
    sim::SimTime at;
    models::device::DeviceIndex device = 0;
    models::matrix::EventIndex commit = models::matrix::kNoEvent;
    std::uint64_t epoch = 0;
    std::uint32_t members = 0;
    bool in_group = false;
  };
  void record(models::device::DeviceIndex d);
  const models::device::EncryptedRoom& room_;
  std::vector<Change> changes_;
};

}  // namespace dmlssim::scenarios
