// mls_first_seen: RFC 9420 over the room's DAG with no coordination — the control that shows what
// breaks without a strategy. Each device applies the first valid commit it receives for its epoch
// and drops every later one for that epoch (RFC 9750 §5.2's strongly consistent client, without
// the consistent delivery service); a device whose own commit lost discards it.
//
// Membership follows the room: when a device syncs a membership event, the group member device
// with the lowest leaf index on the server that sent the event commits Removes of every device
// whose user is not joined in its server's state, and Adds of the devices of joined users it
// lacks (their KeyPackages claimed first; the Welcome sent once the commit is merged). Every
// commit a device makes (key updates too) carries the Removes due.
#pragma once

#include "consensus/strategy_registry.hpp"

namespace dmlssim::consensus {

void register_mls_first_seen(Registry& registry);

}  // namespace dmlssim::consensus
