// dmls(fork_choice=..., retention=..., merge=room|fork, merge_delay=...): decentralized MLS fork
// and merge. Every device holds an epoch tree; a commit on any retained epoch forks it; messages
// of every retained fork stay readable; epochs are forgotten `retention` after they were
// superseded (MSC4256's security.window).
//
// When a device sees more than one open head (a fork: at a reconnection, or two commits made at
// once), it moves to the fork-choice winner and sends there. The merge commit is made by the
// winner's member with the lowest leaf; if it has not merged after `merge_delay`, the next lowest
// does, and so on for the four lowest (each device can tell its rank from its own tree). The merge
// commit (models/dmls/merge.hpp) takes the membership of the room as the merger's server holds it
// (merge=room) or of the winning fork (merge=fork), carries each losing head's key material when
// every member of the merged epoch was in that head, and names the heads it resolves; devices on a
// resolved head follow it. Devices the merged epoch should hold but lacks are added afterwards.
//
// Membership follows the room as under mls_first_seen (Removes and Adds by the lowest-leaf member
// of the server that sent the membership event), on the device's head.
#pragma once

#include "consensus/strategy_registry.hpp"

namespace dmlssim::consensus {

void register_dmls(Registry& registry);

}  // namespace dmlssim::consensus
