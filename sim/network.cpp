#include "sim/network.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace dmlssim::sim {

Network::Network(Simulation& sim, NetworkConfig config, RandomStream rng_jitter,
                 RandomStream rng_loss)
    : sim_(sim),
      config_(std::move(config)),
      jitter_(config_.jitter, rng_jitter),
      rng_loss_(rng_loss),
      reachability_(config_.region_of.size()),
      uplink_free_at_(config_.region_of.size()),
      per_region_pair_(config_.region_names.size() * config_.region_names.size()) {
  const auto regions = static_cast<Eigen::Index>(config_.region_names.size());
  if (config_.latency_s.rows() != regions || config_.latency_s.cols() != regions) {
    throw std::invalid_argument("Network: latency matrix must be regions x regions");
  }
  for (uint16_t r : config_.region_of) {
    if (r >= regions) throw std::invalid_argument("Network: node in an unknown region");
  }
  if (config_.loss < 0 || config_.loss > 1)
    throw std::invalid_argument("Network: loss outside [0, 1]");
  if (config_.per_link_accounting && node_count() <= kDenseLinkNodes) {
    per_link_dense_.resize(node_count() * node_count());
  }
}

TrafficCounters Network::link_traffic(NodeId from, NodeId to) const {
  if (!per_link_dense_.empty()) return per_link_dense_[std::size_t{from} * node_count() + to];
  auto it = per_link_sparse_.find((uint64_t{from} << 32) | to);
  return it == per_link_sparse_.end() ? TrafficCounters{} : it->second;
}

std::vector<std::pair<std::pair<NodeId, NodeId>, TrafficCounters>> Network::links_with_traffic()
    const {
  std::vector<std::pair<std::pair<NodeId, NodeId>, TrafficCounters>> out;
  if (!per_link_dense_.empty()) {
    for (std::size_t i = 0; i < per_link_dense_.size(); ++i) {
      if (per_link_dense_[i].messages == 0) continue;
      out.push_back({{static_cast<NodeId>(i / node_count()), static_cast<NodeId>(i % node_count())},
                     per_link_dense_[i]});
    }
    return out;
  }
  for (const auto& [key, counters] : per_link_sparse_) {
    out.push_back(
        {{static_cast<NodeId>(key >> 32), static_cast<NodeId>(key & 0xffffffff)}, counters});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

ProtocolId Network::add_protocol(const std::string& name, Handler on_message, Handler on_failure) {
  if (std::find(protocol_names_.begin(), protocol_names_.end(), name) != protocol_names_.end())
    throw std::invalid_argument("Network: protocol '" + name + "' registered twice");
  if (protocols_.size() > std::numeric_limits<ProtocolId>::max())
    throw std::length_error("Network: too many protocols");
  protocols_.push_back(Protocol{std::move(on_message), std::move(on_failure)});
  protocol_names_.push_back(name);
  return static_cast<ProtocolId>(protocols_.size() - 1);
}

MessageClass Network::add_class(ProtocolId protocol, const std::string& name) {
  if (protocol >= protocols_.size()) throw std::out_of_range("Network: unknown protocol");
  auto it = std::find(class_names_.begin(), class_names_.end(), name);
  if (it != class_names_.end()) {
    const auto cls = static_cast<MessageClass>(it - class_names_.begin());
    if (class_protocol_[cls] != protocol)
      throw std::invalid_argument("Network: class '" + name + "' belongs to another protocol");
    return cls;
  }
  class_names_.push_back(name);
  class_protocol_.push_back(protocol);
  class_handlers_.push_back(protocols_[protocol]);
  per_class_.emplace_back();
  return static_cast<MessageClass>(class_names_.size() - 1);
}

uint32_t Network::store(const Message& m) {
  InFlight record{m, reachability_.incarnation(m.from), reachability_.incarnation(m.to),
                  UINT32_MAX};
  if (free_head_ != UINT32_MAX) {
    const uint32_t index = free_head_;
    free_head_ = in_flight_[index].next_free;
    in_flight_[index] = record;
    return index;
  }
  in_flight_.push_back(record);
  return static_cast<uint32_t>(in_flight_.size() - 1);
}

void Network::count(const Message& m, uint64_t TrafficCounters::*field, uint64_t amount) {
  per_class_[m.cls].*field += amount;
  per_region_pair_[config_.region_of[m.from] * config_.region_names.size() +
                   config_.region_of[m.to]].*
      field += amount;
  if (!config_.per_link_accounting) return;
  if (!per_link_dense_.empty()) {
    per_link_dense_[std::size_t{m.from} * node_count() + m.to].*field += amount;
  } else {
    per_link_sparse_[(uint64_t{m.from} << 32) | m.to].*field += amount;
  }
}

SimTime Network::propagation_delay(NodeId from, NodeId to) {
  double seconds = config_.latency_s(config_.region_of[from], config_.region_of[to]);
  switch (config_.jitter_mode) {
    case JitterMode::kNone:
      break;
    case JitterMode::kMultiplicative:
      seconds *= jitter_.next();
      break;
    case JitterMode::kAdditive:
      seconds += std::max(0.0, jitter_.next());
      break;
  }
  return SimTime::from_seconds(seconds);
}

bool Network::passable(const Message& m) const {
  return m.leg == Leg::kResponse ? reachability_.direct(m.from, m.to)
                                 : reachability_.can_connect(m.from, m.to);
}

void Network::send(NodeId from, NodeId to, uint32_t bytes, MessageClass cls, uint64_t payload,
                   Leg leg) {
  if (from >= node_count() || to >= node_count())
    throw std::out_of_range("Network::send: no such node");
  if (cls >= per_class_.size())
    throw std::out_of_range("Network::send: unregistered message class");
  if (reachability_.component(from) < 0) throw std::logic_error("Network::send: sender is down");
  const Message msg{from, to, bytes, cls, leg, payload, sim_.now()};
  count(msg, &TrafficCounters::messages, 1);
  const uint32_t index = store(msg);
  if (!passable(msg)) {
    fail_later(index, sim_.now() + config_.connect_timeout);
    return;
  }
  count(msg, &TrafficCounters::bytes, bytes);
  SimTime start = std::max(sim_.now(), uplink_free_at_[from]);
  if (config_.bandwidth_bps > 0) {
    start += SimTime::from_seconds(static_cast<double>(bytes) * 8.0 / config_.bandwidth_bps);
    uplink_free_at_[from] = start;
  }
  const SimTime arrival = start + propagation_delay(from, to);
  if (config_.loss > 0 && rng_loss_.bernoulli(config_.loss)) {
    fail_later(index, std::max(arrival, msg.sent_at + config_.request_timeout));
    return;
  }
  sim_.schedule_at(arrival, [this, index] { arrive(index); });
}

void Network::arrive(uint32_t index) {
  const InFlight& f = in_flight_[index];
  const bool intact = passable(f.msg) &&
                      reachability_.incarnation(f.msg.from) == f.from_incarnation &&
                      reachability_.incarnation(f.msg.to) == f.to_incarnation;
  if (!intact) {
    fail_later(index, std::max(sim_.now(), f.msg.sent_at + config_.request_timeout));
    return;
  }
  const Message msg = f.msg;
  in_flight_[index].next_free = free_head_;
  free_head_ = index;
  const Protocol& protocol = class_handlers_[msg.cls];
  if (protocol.on_message) protocol.on_message(msg);
}

void Network::fail_later(uint32_t index, SimTime at) {
  sim_.schedule_at(at, [this, index] { notify_failure(index); });
}

void Network::notify_failure(uint32_t index) {
  const InFlight f = in_flight_[index];
  in_flight_[index].next_free = free_head_;
  free_head_ = index;
  count(f.msg, &TrafficCounters::failed, 1);
  if (reachability_.incarnation(f.msg.from) != f.from_incarnation ||
      !reachability_.is_up(f.msg.from))
    return;
  const Protocol& protocol = class_handlers_[f.msg.cls];
  if (protocol.on_failure) protocol.on_failure(f.msg);
}

}  // namespace dmlssim::sim
