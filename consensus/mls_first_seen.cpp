#include "consensus/mls_first_seen.hpp"

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
    room_.member_synced.connect(
        [this](device::DeviceIndex d, models::matrix::EventIndex e) { on_member_event(d, e); });
  }

  void key_update(device::DeviceIndex d) override { commit_with_removes(d, /*force=*/true); }

 private:
  // Only the designated device commits: the member device with the lowest leaf on the server
  // that sent the membership event (every device can tell from its own tree).
  void on_member_event(device::DeviceIndex d, models::matrix::EventIndex e) {
    const auto& world = room_.federation().room();
    const std::optional<sim::NodeId> origin = world.server_of(world.store()[e].sender);
    if (!origin || room_.device(d).homeserver() != *origin) return;
    const mls::Group* g = room_.group(d);
    if (g == nullptr) return;
    const mls::RatchetTree& tree = g->public_state().tree;
    for (mls::LeafIndex leaf = 0; leaf < tree.leaf_count(); ++leaf) {
      const mls::LeafNode* node = tree.leaf(leaf);
      if (node == nullptr) continue;
      const std::optional<device::DeviceIndex> member =
          room_.device_of_identity(node->credential.identity);
      if (!member || room_.device(*member).homeserver() != *origin) continue;
      if (*member != d) return;
      std::vector<device::DeviceIndex> adds = room_.devices_to_add(d);
      if (adds.empty()) {
        commit_with_removes(d, /*force=*/false);
      } else {
        room_.add_devices(d, std::move(adds));  // claims, then commits Adds and Removes
      }
      return;
    }
  }

  // force: commit even when no Remove is due (a key update: an empty commit with a path).
  void commit_with_removes(device::DeviceIndex d, bool force) {
    if (room_.group(d) == nullptr) return;
    mls::CommitOptions options;
    for (const mls::LeafIndex leaf : room_.leaves_to_remove(d)) {
      if (leaf == room_.group(d)->own_leaf()) continue;  // a device never removes itself
      options.by_value.push_back(mls::Proposal{mls::RemoveProposal{leaf}});
    }
    if (options.by_value.empty() && !force) return;
    room_.commit(d, options);
  }

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
