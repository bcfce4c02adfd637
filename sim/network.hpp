// The network between servers: one-way latency from a region-pair matrix plus jitter, per-server
// uplink bandwidth (serialization delay, FIFO per sender), random loss, and reachability under
// faults. Knows nothing of what the messages mean: a payload is an opaque 64-bit value that the
// layer above interprets (an index into its own store of immutable bodies, say).
//
// Delivery semantics, as over HTTPS: a message is delivered after its delay if sender and
// receiver can talk directly (Reachability::direct: up, same component, own link up) both when it
// is sent and when it arrives, and neither crashed in between. Otherwise the sender's failure handler runs: `connect_timeout` after
// the send if the receiver was unreachable at send time, or `request_timeout` after the send
// (no earlier than the would-be arrival) if it was lost on the way. A sender that crashed before
// that moment is not told: its volatile state is gone (see docs/faults.md).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/random.hpp"
#include "sim/reachability.hpp"
#include "sim/simulation.hpp"

namespace dmlssim::sim {

using MessageClass = uint16_t;

struct Message {
  NodeId from = 0;
  NodeId to = 0;
  uint32_t bytes = 0;
  MessageClass cls = 0;
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
  // Registers a message class by name (idempotent); classes are reported in registration order.
  MessageClass add_class(const std::string& name);
  const std::vector<std::string>& class_names() const { return class_names_; }

  void set_receiver(NodeId node, Handler on_message);
  void set_failure_handler(NodeId node, Handler on_failure);

  void send(NodeId from, NodeId to, uint32_t bytes, MessageClass cls, uint64_t payload);

  Reachability& reachability() { return reachability_; }
  const Reachability& reachability() const { return reachability_; }

  const TrafficCounters& traffic(MessageClass cls) const { return per_class_[cls]; }
  // Per ordered (from, to) pair that carried traffic; keys are from << 32 | to.
  const std::unordered_map<uint64_t, TrafficCounters>& link_traffic() const { return per_link_; }

 private:
  struct InFlight {
    Message msg;
    uint32_t from_incarnation;
    uint32_t to_incarnation;
    uint32_t next_free;
  };

  uint32_t store(const Message& m);
  void arrive(uint32_t index);
  void fail_later(uint32_t index, SimTime at);
  void notify_failure(uint32_t index);
  SimTime propagation_delay(NodeId from, NodeId to);

  Simulation& sim_;
  NetworkConfig config_;
  RandomStream rng_jitter_;
  RandomStream rng_loss_;
  Reachability reachability_;
  std::vector<Handler> receivers_;
  std::vector<Handler> failure_handlers_;
  std::vector<SimTime> uplink_free_at_;
  std::vector<InFlight> in_flight_;
  uint32_t free_head_ = UINT32_MAX;
  std::vector<std::string> class_names_;
  std::vector<TrafficCounters> per_class_;
  std::unordered_map<uint64_t, TrafficCounters> per_link_;
};

}  // namespace dmlssim::sim
