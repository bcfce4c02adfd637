// One run of an encrypted room: the client hop, sync, the devices and their MLS groups on top of
// the Matrix part's room, the strategy in charge, the key-update workload, and at the end the
// reads ledger as tables and summary metrics.
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

  void finish(nlohmann::json& summary, std::vector<SummaryMetric>& metrics,
              std::vector<std::pair<std::string, std::string>>& files) override;

  models::device::EncryptedRoom& room();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dmlssim::scenarios
