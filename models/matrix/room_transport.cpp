#include "models/matrix/room_transport.hpp"

#include <algorithm>

#include "models/matrix/homeserver.hpp"

namespace dmlssim::models::matrix {

bool DestinationSet::contains(sim::NodeId s) const {
  return std::binary_search(servers.begin(), servers.end(), s);
}

const DestinationSet* DestinationSets::intern(std::vector<sim::NodeId> servers) {
  std::sort(servers.begin(), servers.end());
  servers.erase(std::unique(servers.begin(), servers.end()), servers.end());
  auto it = sets_.find(servers);
  if (it == sets_.end()) {
    auto set = std::make_unique<DestinationSet>(DestinationSet{servers});
    it = sets_.emplace(std::move(servers), std::move(set)).first;
  }
  return it->second.get();
}

const std::vector<sim::NodeId>& JoinedServersCache::operator()(const SharedState& state) {
  static const std::vector<sim::NodeId> kNone;
  if (!state) return kNone;
  // The slot is chosen by the map's address; holding the map keeps the address from being reused.
  Slot& slot = slots_[(reinterpret_cast<std::uintptr_t>(state.get()) >> 4) % kSlots];
  if (slot.state != state) {
    slot.state = state;
    slot.servers = room_.joined_servers(*state);
  }
  return slot.servers;
}

const DestinationSet* FullMeshTransport::fanout(sim::NodeId, EventIndex e, Arrival arrival,
                                                sim::NodeId) {
  if (arrival != Arrival::kLocal) return nullptr;  // no relaying
  const SharedState before = room_.history().shared_state_before(e);
  const SharedState after = room_.history().shared_state_after(e);
  if (before != last_before_ || after != last_after_ || last_union_ == nullptr) {
    std::vector<sim::NodeId> hosts = joined_(before);
    const std::vector<sim::NodeId>& more = joined_(after);
    hosts.insert(hosts.end(), more.begin(), more.end());
    last_before_ = before;
    last_after_ = after;
    last_union_ = sets_.intern(std::move(hosts));
  }
  return last_union_;
}

}  // namespace dmlssim::models::matrix
