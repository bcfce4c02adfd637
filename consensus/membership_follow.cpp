#include "consensus/membership_follow.hpp"

namespace dmlssim::consensus {

namespace device = models::device;
namespace mls = models::mls;

void follow_membership(device::EncryptedRoom& room, device::DeviceIndex d,
                       models::matrix::EventIndex member_event) {
  const auto& world = room.federation().room();
  const std::optional<sim::NodeId> origin = world.server_of(world.store()[member_event].sender);
  if (!origin || room.device(d).homeserver() != *origin) return;
  const mls::Group* g = room.group(d);
  if (g == nullptr) return;
  const mls::RatchetTree& tree = g->public_state().tree;
  for (mls::LeafIndex leaf = 0; leaf < tree.leaf_count(); ++leaf) {
    const mls::LeafNode* node = tree.leaf(leaf);
    if (node == nullptr) continue;
    const std::optional<device::DeviceIndex> member =
        room.device_of_identity(node->credential.identity);
    if (!member || room.device(*member).homeserver() != *origin) continue;
    if (*member != d) return;
    std::vector<device::DeviceIndex> adds = room.devices_to_add(d);
    if (adds.empty()) {
      commit_with_removes(room, d, /*force=*/false);
    } else {
      room.add_devices(d, std::move(adds));  // claims, then commits Adds and Removes
    }
    return;
  }
}

void commit_with_removes(device::EncryptedRoom& room, device::DeviceIndex d, bool force) {
  if (room.group(d) == nullptr) return;
  mls::CommitOptions options;
  options.by_value = room.removals_due(d);
  if (options.by_value.empty() && !force) return;
  room.commit(d, options);
}

}  // namespace dmlssim::consensus
