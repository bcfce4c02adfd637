#include "consensus/membership_follow.hpp"

namespace dmlssim::consensus {

namespace device = models::device;
namespace matrix = models::matrix;
namespace mls = models::mls;

std::optional<device::DeviceIndex> MembershipFollow::joined_member(device::DeviceIndex d,
                                                                   const mls::RatchetTree& tree,
                                                                   mls::LeafIndex leaf) const {
  const mls::LeafNode* node = tree.leaf(leaf);
  if (node == nullptr) return std::nullopt;
  const std::optional<device::DeviceIndex> m = room_.device_of_identity(node->credential.identity);
  if (!m || !room_.joined_at_server(d, room_.user_of(*m))) return std::nullopt;
  return m;
}

std::optional<device::DeviceIndex> MembershipFollow::lowest_on_origin(device::DeviceIndex d,
                                                                      const mls::Group& group,
                                                                      sim::NodeId origin) {
  const mls::EpochPublicPtr epoch = group.shared_public_state();
  const matrix::SharedState& state =
      room_.federation().server(room_.device(d).homeserver()).shared_current_state();
  for (const Found& f : recent_) {
    if (f.epoch == epoch && f.state == state && f.origin == origin) return f.member;
  }
  Found& f = recent_[next_];
  next_ = (next_ + 1) % recent_.size();
  f = Found{epoch, state, origin, std::nullopt};
  const mls::RatchetTree& tree = epoch->tree;
  for (mls::LeafIndex leaf = 0; leaf < tree.leaf_count() && !f.member; ++leaf) {
    const std::optional<device::DeviceIndex> m = joined_member(d, tree, leaf);
    if (m && room_.device(*m).homeserver() == origin) f.member = m;
  }
  return f.member;
}

bool MembershipFollow::acts(device::DeviceIndex d, sim::NodeId origin) {
  const mls::Group* g = room_.group(d);
  if (g == nullptr) return false;
  // The origin's lowest joined member acts.
  if (room_.device(d).homeserver() == origin) return lowest_on_origin(d, *g, origin) == d;
  // With none there, the lowest joined member of all (most devices stop at the first leaf).
  const mls::RatchetTree& tree = g->public_state().tree;
  for (mls::LeafIndex leaf = 0; leaf < tree.leaf_count(); ++leaf) {
    if (const std::optional<device::DeviceIndex> m = joined_member(d, tree, leaf)) {
      if (*m != d) return false;
      break;
    }
  }
  return !lowest_on_origin(d, *g, origin);
}

void MembershipFollow::on_member_synced(device::DeviceIndex d, matrix::EventIndex member_event) {
  const auto& world = room_.federation().room();
  const std::optional<sim::NodeId> origin = world.server_of(world.store()[member_event].sender);
  if (!origin) return;
  // (acts() is false for a device without a group.)
  if (!room_.joined_at_server(d, room_.user_of(d)) || !acts(d, *origin)) return;
  std::vector<device::DeviceIndex> adds = room_.devices_to_add(d);
  if (adds.empty()) {
    commit_with_removes(room_, d, /*force=*/false);
  } else {
    room_.add_devices(d, std::move(adds));  // claims, then commits Adds and Removes
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
