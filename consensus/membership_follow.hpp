// Membership follows the room (the rule mls_first_seen and dmls share): when a device syncs a
// membership event, the group member with the lowest leaf among the devices of joined users on the
// server that sent the event brings the group in line with the room as its server holds it — Adds
// of the joined users' devices it lacks (KeyPackages claimed first) and Removes of the devices of
// users no longer joined. When that server has no such member (its last user left), the member
// with the lowest leaf among all joined users' devices does. A device of a user no longer joined
// never commits for the room. Every device can tell from its own tree whether it is that member.
#pragma once

#include <array>
#include <optional>

#include "models/device/encrypted_room.hpp"

namespace dmlssim::consensus {

class MembershipFollow {
 public:
  // `room` must outlive this object.
  explicit MembershipFollow(models::device::EncryptedRoom& room) : room_(room) {}

  // Device d synced `member_event`: it commits if it is the member who acts on it.
  void on_member_synced(models::device::DeviceIndex d, models::matrix::EventIndex member_event);
  // Whether device d is the member who acts on a membership event sent by `origin` (the rule
  // above, in d's group's tree as d's server holds the room; false without a group).
  bool acts(models::device::DeviceIndex d, sim::NodeId origin);

 private:
  // The joined member with the lowest leaf among those on the origin, in d's group's tree as d's
  // server holds the room. The devices of the origin, in one epoch, all ask it at each
  // membership event: found once, by a walk over the leaves, and kept while the tree and the
  // state are (their objects are held, so a key is never another's).
  std::optional<models::device::DeviceIndex> lowest_on_origin(models::device::DeviceIndex d,
                                                              const models::mls::Group& group,
                                                              sim::NodeId origin);
  // The device of a leaf, if its user is joined as d's server holds the room.
  std::optional<models::device::DeviceIndex> joined_member(models::device::DeviceIndex d,
                                                           const models::mls::RatchetTree& tree,
                                                           models::mls::LeafIndex leaf) const;
  struct Found {
    models::mls::EpochPublicPtr epoch;
    models::matrix::SharedState state;
    sim::NodeId origin = 0;
    std::optional<models::device::DeviceIndex> member;
  };

  models::device::EncryptedRoom& room_;
  std::array<Found, 8> recent_;  // a ring
  std::size_t next_ = 0;
};

// Device d commits the Removes due; `force`: commit even when none is (a key update: an empty
// commit with a path).
void commit_with_removes(models::device::EncryptedRoom& room, models::device::DeviceIndex d,
                         bool force);

}  // namespace dmlssim::consensus
