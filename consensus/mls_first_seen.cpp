#include "consensus/mls_first_seen.hpp"
#include "consensus/membership_follow.hpp"

namespace dmlssim::consensus {
namespace {

namespace device = models::device;
namespace mls = models::mls;

class FirstSeenRun : public RoomStrategy {
 public:
  explicit FirstSeenRun(device::EncryptedRoom& room) : room_(room) {
    room_.commit_synced.connect([this](device::DeviceIndex d, models::matrix::EventIndex e) {
      room_.process_commit(d, e);
    });
    room_.member_synced.connect([this](device::DeviceIndex d, models::matrix::EventIndex e) {
      follow_membership(room_, d, e);
    });
  }

  void key_update(device::DeviceIndex d) override { commit_with_removes(room_, d, /*force=*/true); }

 private:
  device::EncryptedRoom& room_;
};

class FirstSeen : public Strategy {
 public:
  using Strategy::Strategy;
  bool encrypted() const override { return true; }
  std::unique_ptr<RoomStrategy> attach(device::EncryptedRoom& room) const override {
    return std::make_unique<FirstSeenRun>(room);
  }
};

}  // namespace

void register_mls_first_seen(Registry& registry) {
  StrategyInfo info{
      "mls_first_seen",
      "RFC 9420 over the DAG with no coordination: each device applies the first valid commit it "
      "receives for its epoch and drops the rest (the control: what breaks without a strategy).",
      {},
      [](const StrategyParams& p) { return std::make_unique<FirstSeen>(p); }};
  info.encrypted = true;
  registry.add(std::move(info));
}

}  // namespace dmlssim::consensus
