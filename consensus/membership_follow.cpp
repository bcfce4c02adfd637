#include "consensus/membership_follow.hpp"

#include <optional>

namespace dmlssim::consensus {

namespace device = models::device;
namespace mls = models::mls;

namespace {

// Is d the member who acts on a membership event sent by `origin`? Only devices of users joined
// as d's server holds the room may commit for it.
bool acts(device::EncryptedRoom& room, device::DeviceIndex d, sim::NodeId origin,
          const mls::RatchetTree& tree) {
  const auto joined = [&](mls::LeafIndex leaf) -> std::optional<device::DeviceIndex> {
    const mls::LeafNode* node = tree.leaf(leaf);
    if (node == nullptr) return std::nullopt;
    const std::optional<device::DeviceIndex> m = room.device_of_identity(node->credential.identity);
    if (!m || !room.joined_at_server(d, room.user_of(*m))) return std::nullopt;
    return m;
  };
  const auto on_origin = [&](mls::LeafIndex leaf) {
    const std::optional<device::DeviceIndex> m = joined(leaf);
    return m && room.device(*m).homeserver() == origin ? m : std::nullopt;
  };
  if (room.device(d).homeserver() == origin) {
    for (mls::LeafIndex leaf = 0; leaf < tree.leaf_count(); ++leaf) {
      if (const auto m = on_origin(leaf)) return *m == d;
    }
    return false;
  }
  // The fallback: d is the lowest joined member of all (stops at the first one), and the origin
  // has none.
  for (mls::LeafIndex leaf = 0; leaf < tree.leaf_count(); ++leaf) {
    if (const auto m = joined(leaf)) {
      if (*m != d) return false;
      break;
    }
  }
  for (mls::LeafIndex leaf = 0; leaf < tree.leaf_count(); ++leaf) {
    if (on_origin(leaf)) return false;
  }
  return true;
}

}  // namespace

void follow_membership(device::EncryptedRoom& room, device::DeviceIndex d,
                       models::matrix::EventIndex member_event) {
  const auto& world = room.federation().room();
  const std::optional<sim::NodeId> origin = world.server_of(world.store()[member_event].sender);
  if (!origin) return;
  const mls::Group* g = room.group(d);
  if (g == nullptr || !room.joined_at_server(d, room.user_of(d))) return;
  if (!acts(room, d, *origin, g->public_state().tree)) return;
  std::vector<device::DeviceIndex> adds = room.devices_to_add(d);
  if (adds.empty()) {
    commit_with_removes(room, d, /*force=*/false);
  } else {
    room.add_devices(d, std::move(adds));  // claims, then commits Adds and Removes
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
