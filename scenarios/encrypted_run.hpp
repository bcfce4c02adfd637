// One run of an encrypted room: the client hop, sync, the devices and their MLS groups on top of
// the Matrix part's room, the strategy in charge, the key-update workload, and at the end the
// reads ledger as tables and summary metrics.
//
// MLS stages of a heal (after the Matrix ones in matrix_heals.csv): MLS converged — every device
// holding a group is on one epoch (one epoch authenticator) and the group has as many members as
// the room's joined users have devices; first message readable — the first message sent after the
// heal that every one of its expected readers has read.
#pragma once

#include <memory>

#include "scenarios/encrypted_part.hpp"
#include "scenarios/scenario.hpp"

namespace dmlssim::scenarios {

class EncryptedRun : public PartRun {
 public:
  EncryptedRun(const RunContext& context, const EncryptedSetup& setup);
  ~EncryptedRun() override;
  EncryptedRun(const EncryptedRun&) = delete;
  EncryptedRun& operator=(const EncryptedRun&) = delete;

  // A heal (a partition ends) opens the MLS stages measured after it.
  void on_fault(const sim::FaultRecord& record) override;
  void finish(nlohmann::json& summary, std::vector<SummaryMetric>& metrics,
              std::vector<std::pair<std::string, std::string>>& files) override;

  models::device::EncryptedRoom& room();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dmlssim::scenarios
