// The client-server hop: endpoints (a user's devices) attached to a node (their homeserver). An
// endpoint is not a network node: it talks only to its own node, over a link with its own latency
// (drawn per message from a distribution, in seconds), and is online or offline. Protocols
// register on it as on the Network (their handlers, their message classes, bytes counted per
// class), so to-device delivery, sync and key claims can share it.
//
// Delivery: down (node to endpoint) needs the node up when sending, and the endpoint online and
// the node not crashed since when the message arrives; otherwise the message is dropped — a sync
// answer that never arrives, which the client recovers from by syncing again. Up (endpoint to
// node) needs the endpoint online when sending and the node up, in the same incarnation, when it
// arrives; otherwise the endpoint's protocol hears of the failure at arrival time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/draws_ahead.hpp"
#include "sim/network.hpp"

namespace dmlssim::sim {

using EndpointId = uint32_t;

struct ClientMessage {
  EndpointId endpoint = 0;
  NodeId node = 0;
  bool up = false;  // endpoint -> node; else node -> endpoint
  uint32_t bytes = 0;
  MessageClass cls = 0;
  uint64_t payload = 0;
  SimTime sent_at;
};

class ClientLinks {
 public:
  using Handler = std::function<void(const ClientMessage&)>;

  // `latency`: one-way delay of the hop in seconds (negative draws count as 0).
  ClientLinks(Simulation& sim, const Reachability& reach, Distribution latency, RandomStream rng);

  EndpointId attach(NodeId node);
  std::size_t endpoint_count() const { return node_of_.size(); }
  NodeId node_of(EndpointId e) const { return node_of_[e]; }
  bool online(EndpointId e) const { return online_[e] != 0; }
  // Going offline drops what is on its way down; coming online tells the listeners (a client
  // coming back syncs).
  void set_online(EndpointId e, bool online);
  void add_online_listener(std::function<void(EndpointId, bool)> fn) {
    online_listeners_.push_back(std::move(fn));
  }

  // `on_message` gets what arrives (either way); `on_failure` the failures of messages sent up.
  ProtocolId add_protocol(const std::string& name, Handler on_message, Handler on_failure);
  // A message of the protocol arrives `ahead` events from now (1: next; up to
  // EventQueue::kHintsAhead - 1: at kHintsAhead ClientLinks loads the message itself), unless
  // events come before it: the protocol may start loading what its handler will touch. Only
  // reads: hints change no result.
  using Hint = std::function<void(EndpointId, bool up, unsigned ahead)>;
  void set_hint(ProtocolId protocol, Hint hint);
  MessageClass add_class(ProtocolId protocol, const std::string& name);
  const std::vector<std::string>& class_names() const { return class_names_; }
  const TrafficCounters& traffic(MessageClass cls) const { return per_class_[cls]; }

  void send_down(EndpointId to, uint32_t bytes, MessageClass cls, uint64_t payload);
  void send_up(EndpointId from, uint32_t bytes, MessageClass cls, uint64_t payload);

  // An up message whose arrival may do nothing (a sync poll when nothing is waiting): counted,
  // timed and given its place in the event order now, as send_up would, but scheduled only by
  // schedule_arrival(). Until then its protocol resolves it before the endpoint or its node
  // changes (from the online and node listeners) and before acting on it: by then it has either
  // arrived with nothing changed (take_if_arrived) or is scheduled to meet what comes.
  struct DeferredUp {
    SimTime at;          // arrival time
    uint32_t index = 0;  // in in_flight_
    EventPlace place;
  };
  DeferredUp send_up_deferred(EndpointId from, uint32_t bytes, MessageClass cls, uint64_t payload);
  // Its arrival, scheduled where send_up would have scheduled it, and handled as any message's.
  void schedule_arrival(const DeferredUp& m);
  // Whether it would have arrived by now; if so it is done with: it found the endpoint and node
  // as when it was sent (nothing changed meanwhile), and what the handler would have done then
  // is the caller's to do.
  bool take_if_arrived(const DeferredUp& m);

 private:
  struct Protocol {
    Handler on_message, on_failure;
    Hint hint;
  };
  // An arrival's event: it tells the message's protocol when it comes near (hints).
  struct Arrival {
    ClientLinks* links;
    uint32_t index;
    void operator()() const { links->arrive(index); }
    void hint(unsigned ahead) const { links->hint_arrival(index, ahead); }
  };
  void hint_arrival(uint32_t index, unsigned ahead) const;
  struct InFlight {
    ClientMessage msg;
    uint32_t node_incarnation;
    uint32_t endpoint_session;  // the endpoint's online session when sent
  };
  // A message from an online endpoint to its node (throws std::logic_error when offline).
  ClientMessage up_message(EndpointId from, uint32_t bytes, MessageClass cls,
                           uint64_t payload) const;
  void launch(const ClientMessage& m);
  // Counts and stores a message; its latency is drawn after (launch, send_up_deferred).
  uint32_t count_and_store(const ClientMessage& m);
  SimTime draw_latency();
  void arrive(uint32_t index);
  uint32_t store(const InFlight& f);

  Simulation& sim_;
  const Reachability& reach_;
  DrawsAhead latency_;  // the hop's latency draws, in the order they are taken
  std::vector<NodeId> node_of_;
  std::vector<uint8_t> online_;
  std::vector<uint32_t> session_;  // per endpoint: counts its online/offline changes
  std::vector<std::function<void(EndpointId, bool)>> online_listeners_;
  std::vector<Protocol> protocols_;
  std::vector<std::string> class_names_;
  std::vector<ProtocolId> class_protocol_;
  std::vector<TrafficCounters> per_class_;
  std::vector<InFlight> in_flight_;
  std::vector<uint32_t> free_;
};

}  // namespace dmlssim::sim
