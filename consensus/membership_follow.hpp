// Membership follows the room (the rule mls_first_seen and dmls share): when a device syncs a
// membership event, the group member with the lowest leaf among the devices of joined users on the
// server that sent the event brings the group in line with the room as its server holds it — Adds
// of the joined users' devices it lacks (KeyPackages claimed first) and Removes of the devices of
// users no longer joined. When that server has no such member (its last user left), the member
// with the lowest leaf among all joined users' devices does. A device of a user no longer joined
// never commits for the room. Every device can tell from its own tree whether it is that member.
#pragma once

#include "models/device/encrypted_room.hpp"

namespace dmlssim::consensus {

void follow_membership(models::device::EncryptedRoom& room, models::device::DeviceIndex d,
                       models::matrix::EventIndex member_event);

// Device d commits the Removes due; `force`: commit even when none is (a key update: an empty
// commit with a path).
void commit_with_removes(models::device::EncryptedRoom& room, models::device::DeviceIndex d,
                         bool force);

}  // namespace dmlssim::consensus
