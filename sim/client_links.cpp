#include "sim/client_links.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "sim/prefetch.hpp"

namespace dmlssim::sim {

ClientLinks::ClientLinks(Simulation& sim, const Reachability& reach, Distribution latency,
                         RandomStream rng)
    : sim_(sim), reach_(reach), latency_(latency, rng) {}

EndpointId ClientLinks::attach(NodeId node) {
  if (node >= reach_.node_count()) throw std::out_of_range("ClientLinks: no such node");
  node_of_.push_back(node);
  online_.push_back(1);
  session_.push_back(0);
  return static_cast<EndpointId>(node_of_.size() - 1);
}

void ClientLinks::set_online(EndpointId e, bool online) {
  if (online_.at(e) == (online ? 1 : 0)) return;
  online_[e] = online ? 1 : 0;
  ++session_[e];  // what is in flight to or from the old session is lost
  for (const auto& fn : online_listeners_)
    fn(e, online);
}

ProtocolId ClientLinks::add_protocol(const std::string&, Handler on_message, Handler on_failure) {
  if (protocols_.size() > std::numeric_limits<ProtocolId>::max())
    throw std::length_error("ClientLinks: too many protocols");
  protocols_.push_back(Protocol{std::move(on_message), std::move(on_failure), nullptr});
  return static_cast<ProtocolId>(protocols_.size() - 1);
}

void ClientLinks::set_hint(ProtocolId protocol, Hint hint) {
  protocols_.at(protocol).hint = std::move(hint);
}

void ClientLinks::hint_arrival(uint32_t index, unsigned ahead) const {
  const InFlight& f = in_flight_[index];
  if (ahead == EventQueue::kHintsAhead) {  // the furthest: the message itself, for the next
    prefetch_bytes(&f, sizeof f);
    return;
  }
  const Protocol& p = protocols_[class_protocol_[f.msg.cls]];
  if (p.hint) p.hint(f.msg.endpoint, f.msg.up, ahead);
}

MessageClass ClientLinks::add_class(ProtocolId protocol, const std::string& name) {
  if (protocol >= protocols_.size()) throw std::out_of_range("ClientLinks: unknown protocol");
  const auto it = std::find(class_names_.begin(), class_names_.end(), name);
  if (it != class_names_.end()) return static_cast<MessageClass>(it - class_names_.begin());
  class_names_.push_back(name);
  class_protocol_.push_back(protocol);
  per_class_.emplace_back();
  return static_cast<MessageClass>(class_names_.size() - 1);
}

uint32_t ClientLinks::store(const InFlight& f) {
  if (!free_.empty()) {
    const uint32_t i = free_.back();
    free_.pop_back();
    in_flight_[i] = f;
    return i;
  }
  in_flight_.push_back(f);
  return static_cast<uint32_t>(in_flight_.size() - 1);
}

void ClientLinks::send_down(EndpointId to, uint32_t bytes, MessageClass cls, uint64_t payload) {
  if (!reach_.is_up(node_of_.at(to)))
    throw std::logic_error("ClientLinks::send_down: node is down");
  launch(ClientMessage{to, node_of_[to], false, bytes, cls, payload, sim_.now()});
}

ClientMessage ClientLinks::up_message(EndpointId from, uint32_t bytes, MessageClass cls,
                                      uint64_t payload) const {
  if (!online(from)) throw std::logic_error("ClientLinks: sending up from an offline endpoint");
  return ClientMessage{from, node_of_[from], true, bytes, cls, payload, sim_.now()};
}

void ClientLinks::send_up(EndpointId from, uint32_t bytes, MessageClass cls, uint64_t payload) {
  launch(up_message(from, bytes, cls, payload));
}

uint32_t ClientLinks::count_and_store(const ClientMessage& m) {
  if (m.cls >= per_class_.size()) throw std::out_of_range("ClientLinks: unregistered class");
  ++per_class_[m.cls].messages;
  per_class_[m.cls].bytes += m.bytes;
  return store({m, reach_.incarnation(m.node), session_[m.endpoint]});
}

SimTime ClientLinks::draw_latency() {
  return SimTime::from_seconds(std::max(0.0, latency_.next()));
}

void ClientLinks::launch(const ClientMessage& m) {
  const uint32_t i = count_and_store(m);
  sim_.schedule(draw_latency(), Arrival{this, i});
}

ClientLinks::DeferredUp ClientLinks::send_up_deferred(EndpointId from, uint32_t bytes,
                                                      MessageClass cls, uint64_t payload) {
  const uint32_t i = count_and_store(up_message(from, bytes, cls, payload));
  // The same draw and the same place in the event order as launch() would take.
  const SimTime at = sim_.now() + draw_latency();
  return DeferredUp{at, i, sim_.take_place()};
}

void ClientLinks::schedule_arrival(const DeferredUp& m) {
  const uint32_t i = m.index;
  sim_.schedule_at_place(m.at, m.place, Arrival{this, i});
}

bool ClientLinks::take_if_arrived(const DeferredUp& m) {
  if (!sim_.would_have_run(m.at, m.place)) return false;
  free_.push_back(m.index);
  sim_.release_place(m.place);
  return true;
}

void ClientLinks::arrive(uint32_t i) {
  const InFlight f = in_flight_[i];
  free_.push_back(i);
  const ClientMessage& m = f.msg;
  const bool endpoint_there = online(m.endpoint) && session_[m.endpoint] == f.endpoint_session;
  const bool node_there = reach_.is_up(m.node) && reach_.incarnation(m.node) == f.node_incarnation;
  const Protocol& p = protocols_[class_protocol_[m.cls]];
  if (endpoint_there && node_there) {
    if (p.on_message) p.on_message(m);
    return;
  }
  ++per_class_[m.cls].failed;
  if (m.up && endpoint_there && p.on_failure) p.on_failure(m);
}

}  // namespace dmlssim::sim
