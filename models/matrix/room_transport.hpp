// The room's fan-out: whom a server sends an event to once the event is in its DAG. Full-mesh
// federation (Matrix today: every server sends its own events to every server in the room, and
// relays nothing) is one implementation; the hub-and-spoke transport of Linearized Matrix / MIMI
// (participants send to the hub, the hub sequences and fans out) is another, behind the same
// interface, so the homeserver's receive path does not change with the transport.
//
// Destination sets are interned: equal sets are one object for the whole simulation, so a
// server's outbound log holds a pointer per event, not a copy of the set.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "models/matrix/room_world.hpp"

namespace dmlssim::models::matrix {

enum class Arrival : std::uint8_t;

// A set of servers, ascending, interned by DestinationSets (compare by address).
struct DestinationSet {
  std::vector<sim::NodeId> servers;
  bool contains(sim::NodeId s) const;
};

class DestinationSets {
 public:
  // The interned set with these servers (sorted, without duplicates).
  const DestinationSet* intern(std::vector<sim::NodeId> servers);
  const DestinationSet* empty() { return intern({}); }
  std::size_t size() const { return sets_.size(); }

 private:
  std::map<std::vector<sim::NodeId>, std::unique_ptr<DestinationSet>> sets_;
};

class RoomTransport {
 public:
  virtual ~RoomTransport() = default;
  // The servers `server` sends `e` to, now that `e` entered its DAG by `arrival` (kLocal: its own
  // new event; for pushed events `from` is the server that pushed it). The server never sends to
  // itself: a set containing it is used without it. Null or empty: to nobody.
  virtual const DestinationSet* fanout(sim::NodeId server, EventIndex e, Arrival arrival,
                                       sim::NodeId from) = 0;
};

// Matrix federation as specified: a server sends its own events to every server with a joined
// user in the state before or after the event, and relays nothing it received.
// RoomWorld::joined_servers, remembered for recently asked states (a function of the state
// alone; after a heal the servers ask it of the same few states over and over).
class JoinedServersCache {
 public:
  explicit JoinedServersCache(const RoomWorld& room) : room_(room) {}
  // Servers with joined users in `state`, ascending; empty for a null state.
  const std::vector<sim::NodeId>& operator()(const SharedState& state);

 private:
  const RoomWorld& room_;
  struct Slot {
    SharedState state;  // held, so that its address is never reused while cached
    std::vector<sim::NodeId> servers;
  };
  static constexpr std::size_t kSlots = 64;
  Slot slots_[kSlots];
};

class FullMeshTransport : public RoomTransport {
 public:
  FullMeshTransport(RoomWorld& room, JoinedServersCache& joined, DestinationSets& sets)
      : room_(room), joined_(joined), sets_(sets) {}
  const DestinationSet* fanout(sim::NodeId server, EventIndex e, Arrival arrival,
                               sim::NodeId from) override;

 private:
  RoomWorld& room_;
  JoinedServersCache& joined_;
  DestinationSets& sets_;
  // The last union asked for, by (before, after) states; both held.
  SharedState last_before_, last_after_;
  const DestinationSet* last_union_ = nullptr;
};

}  // namespace dmlssim::models::matrix
