// The network between servers: one-way latency from a region-pair matrix plus jitter, per-server
// uplink bandwidth (serialization delay, FIFO per sender), random loss, and reachability under
// faults. Knows nothing of what the messages mean: a payload is an opaque 64-bit value that the
// layer above interprets (an index into its own store of immutable bodies, say).
//
// Delivery semantics, as over HTTPS: a message is delivered after its delay if sender and
// receiver can talk directly (Reachability::direct: up, same component, own link up; for a
// request also Reachability::can_connect: no one-way fault from sender to receiver) both when it
// is sent and when it arrives, and neither crashed in between. Otherwise the sender's failure
// handler runs: `connect_timeout` after the send if the receiver was unreachable at send time, or
// `request_timeout` after the send (no earlier than the would-be arrival) if it was lost on the
// way. A sender that crashed before that moment is not told: its volatile state is gone (see
// docs/faults.md).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/draws_ahead.hpp"
#include "sim/random.hpp"
#include "sim/reachability.hpp"
#include "sim/simulation.hpp"

namespace dmlssim::sim {

using MessageClass = uint16_t;
// A protocol spoken between nodes (federation, to-device delivery, a hub's fan-out, elections):
// its handlers get the messages of its classes.
using ProtocolId = uint8_t;

// Which leg of an exchange a message is, for one-way link faults: a request opens a connection
// from its sender (refused while a one-way fault keeps the sender from connecting to the
// receiver); a response returns over the connection its request opened.
enum class Leg : uint8_t { kRequest, kResponse };

struct Message {
  NodeId from = 0;
  NodeId to = 0;
  uint32_t bytes = 0;
  MessageClass cls = 0;
  Leg leg = Leg::kRequest;
  uint64_t payload = 0;
  SimTime sent_at;
};

// How jitter perturbs a base latency: multiplied by a factor drawn from the distribution
// (lognormal(mu=0, sigma) has median 1), or plus an additive delay drawn in seconds.
enum class JitterMode { kNone, kMultiplicative, kAdditive };

struct NetworkConfig {
  std::vector<std::string> region_names;
  Eigen::MatrixXd latency_s;        // one-way base latency between regions, seconds
  std::vector<uint16_t> region_of;  // per node; its size is the number of nodes
  JitterMode jitter_mode = JitterMode::kNone;
  Distribution jitter = Distribution::constant(0);
  double bandwidth_bps = 0;  // per-server uplink in bit/s; 0 means unlimited
  double loss = 0;           // probability that a message is lost in flight
  SimTime connect_timeout = kSecond * 10;
  SimTime request_timeout = kSecond * 60;
  // Count traffic per ordered (from, to) pair too. Costs a hash-map update per message and memory
  // per pair that ever talked; traffic per class and per region pair is always counted.
  bool per_link_accounting = false;
};

struct TrafficCounters {
  uint64_t messages = 0;
  uint64_t bytes = 0;
  uint64_t failed = 0;  // messages whose sender was told of a failure
};

class Network {
 public:
  using Handler = std::function<void(const Message&)>;

  // `rng_jitter` and `rng_loss` are the network's own named streams.
  Network(Simulation& sim, NetworkConfig config, RandomStream rng_jitter, RandomStream rng_loss);

  std::size_t node_count() const { return config_.region_of.size(); }
  const NetworkConfig& config() const { return config_; }

  // Registers a protocol: `on_message` gets every message of its classes delivered to any node
  // (it dispatches on Message::to), `on_failure` every failure told to a sender (on
  // Message::from). One pair per protocol, not per node: a per-node table of callables would
  // cost a cache miss per message at scale. A message reaches its protocol by its class (two
  // small array reads, no look-up by name).
  ProtocolId add_protocol(const std::string& name, Handler on_message, Handler on_failure);
  const std::vector<std::string>& protocol_names() const { return protocol_names_; }
  // Registers a message class of `protocol` by name (idempotent per protocol; a name belongs to
  // one protocol); classes are reported in registration order.
  MessageClass add_class(ProtocolId protocol, const std::string& name);
  const std::vector<std::string>& class_names() const { return class_names_; }
  ProtocolId protocol_of(MessageClass cls) const { return class_protocol_[cls]; }

  void send(NodeId from, NodeId to, uint32_t bytes, MessageClass cls, uint64_t payload,
            Leg leg = Leg::kRequest);

  Reachability& reachability() { return reachability_; }
  const Reachability& reachability() const { return reachability_; }

  const TrafficCounters& traffic(MessageClass cls) const { return per_class_[cls]; }
  // Per ordered region pair (from, to), summed over classes.
  const TrafficCounters& region_traffic(uint16_t from, uint16_t to) const {
    return per_region_pair_[from * config_.region_names.size() + to];
  }
  // Traffic of one ordered pair; zero unless per_link_accounting is on.
  TrafficCounters link_traffic(NodeId from, NodeId to) const;
  // Every ordered pair that carried traffic, sorted by (from, to); empty unless
  // per_link_accounting.
  std::vector<std::pair<std::pair<NodeId, NodeId>, TrafficCounters>> links_with_traffic() const;

 private:
  struct InFlight {
    Message msg;
    uint32_t from_incarnation;
    uint32_t to_incarnation;
    uint32_t next_free;
  };

  // May the message travel between its ends right now (see Leg)?
  bool passable(const Message& m) const;
  uint32_t store(const Message& m);
  void count(const Message& m, uint64_t TrafficCounters::*field, uint64_t amount);
  void arrive(uint32_t index);
  void fail_later(uint32_t index, SimTime at);
  void notify_failure(uint32_t index);
  SimTime propagation_delay(NodeId from, NodeId to);

  Simulation& sim_;
  NetworkConfig config_;
  DrawsAhead jitter_;  // config_.jitter's draws from the jitter stream, in the order taken
  RandomStream rng_loss_;
  Reachability reachability_;
  struct Protocol {
    Handler on_message;
    Handler on_failure;
  };
  std::vector<Protocol> protocols_;
  std::vector<std::string> protocol_names_;
  std::vector<ProtocolId> class_protocol_;  // by class
  std::vector<Protocol> class_handlers_;    // by class: its protocol's handlers, one read away
  std::vector<SimTime> uplink_free_at_;
  std::vector<InFlight> in_flight_;
  uint32_t free_head_ = UINT32_MAX;
  std::vector<std::string> class_names_;
  std::vector<TrafficCounters> per_class_;
  std::vector<TrafficCounters> per_region_pair_;
  // Per-link counters: a dense matrix up to kDenseLinkNodes nodes, a hash map beyond.
  static constexpr std::size_t kDenseLinkNodes = 2048;
  std::vector<TrafficCounters> per_link_dense_;
  std::unordered_map<uint64_t, TrafficCounters> per_link_sparse_;
};

}  // namespace dmlssim::sim
