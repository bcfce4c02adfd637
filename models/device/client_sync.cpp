#include "models/device/client_sync.hpp"

#include <algorithm>

#include "sim/prefetch.hpp"

namespace dmlssim::models::device {

ClientSync::ClientSync(matrix::Federation& federation, sim::ClientLinks& links,
                       PollEvents poll_events)
    : federation_(federation),
      links_(links),
      poll_events_(poll_events),
      streams_(federation.server_count()) {
  const sim::ProtocolId protocol = links_.add_protocol(
      "sync", [this](const sim::ClientMessage& m) { on_message(m); },
      // A poll that fails (the server crashed under it) is made again when the device comes back
      // or the server restarts.
      nullptr);
  links_.set_hint(protocol, [this](sim::EndpointId endpoint, bool up, unsigned ahead) {
    if (!up) hint(endpoint, ahead);
  });
  sync_class_ = links_.add_class(protocol, "client_sync");
  poll_class_ = links_.add_class(protocol, "client_poll");
  federation_.signals().event_admitted.connect(
      [this](sim::NodeId s, matrix::EventIndex e, matrix::EventStatus status, matrix::Arrival) {
        on_admitted(s, e, status);
      });
  links_.add_online_listener([this](sim::EndpointId endpoint, bool online) {
    if (endpoint >= followers_.size() || followers_[endpoint].receiver == nullptr) return;
    Follower& f = followers_[endpoint];
    resolve_poll(f);
    f.receiver->on_online(f.who, online);
    f.batch_in_flight = false;  // what was on its way is lost with the session
    if (online) push(endpoint);
  });
  federation_.network().reachability().add_node_listener([this](sim::NodeId server, bool up) {
    for (const sim::EndpointId endpoint : streams_[server].followers) {
      resolve_poll(followers_[endpoint]);
      followers_[endpoint].batch_in_flight = false;  // lost with the crash
    }
    if (!up) return;
    // The server is back: its devices' polls reach it again (after the restart is in place).
    federation_.simulation().schedule(sim::SimTime(), [this, server] {
      for (const sim::EndpointId endpoint : streams_[server].followers)
        push(endpoint);
    });
  });
}

sim::EndpointId ClientSync::attach(sim::NodeId homeserver, bool online, SyncReceiver& receiver,
                                   std::uint32_t who) {
  const sim::EndpointId endpoint = links_.attach(homeserver);
  if (followers_.size() <= endpoint) followers_.resize(endpoint + 1);
  Stream& stream = streams_[homeserver];
  Follower& f = followers_[endpoint];
  f = Follower{};
  f.receiver = &receiver;
  f.position = stream.end();
  f.who = who;
  f.homeserver = homeserver;
  stream.followers.push_back(endpoint);
  links_.set_online(endpoint, online);
  return endpoint;
}

void ClientSync::on_admitted(sim::NodeId server, matrix::EventIndex e, matrix::EventStatus status) {
  if (status != matrix::EventStatus::kAccepted) return;  // not sent to clients
  Stream& stream = streams_[server];
  if (stream.followers.empty()) return;
  stream.events.push_back(e);
  for (const sim::EndpointId endpoint : stream.followers)
    push(endpoint);
}

void ClientSync::resolve_poll(Follower& f) {
  if (!f.poll_unscheduled) return;
  f.poll_unscheduled = false;
  if (links_.take_if_arrived(f.poll)) {
    f.batch_in_flight = false;  // it reached the server, which had nothing to send then
  } else {
    links_.schedule_arrival(f.poll);
  }
}

void ClientSync::push(sim::EndpointId endpoint) {
  Follower& f = followers_[endpoint];
  resolve_poll(f);
  const Stream& stream = streams_[f.homeserver];
  if (f.batch_in_flight || !links_.online(endpoint) || f.position >= stream.end()) return;
  if (!federation_.network().reachability().is_up(f.homeserver)) return;
  std::uint32_t bytes = kSyncOverhead;
  for (std::uint64_t i = f.position; i < stream.end(); ++i)
    bytes += federation_.room().pdu_bytes(stream.events[i - stream.base]);
  f.batch_in_flight = true;
  links_.send_down(endpoint, bytes, sync_class_, stream.end());
}

void ClientSync::hint(sim::EndpointId endpoint, unsigned ahead) const {
  const Follower& f = followers_[endpoint];
  if (ahead >= 3) {
    sim::prefetch_bytes(&f, sizeof f);
  } else if (f.receiver != nullptr) {
    f.receiver->hint(f.who, ahead);
  }
}

void ClientSync::on_message(const sim::ClientMessage& m) {
  if (m.up) {  // the device polls again
    followers_[m.endpoint].batch_in_flight = false;
    return push(m.endpoint);
  }
  Follower& f = followers_[m.endpoint];
  Stream& stream = streams_[f.homeserver];
  const std::uint64_t end = m.payload;
  for (std::uint64_t i = f.position; i < end; ++i)
    f.receiver->on_synced(f.who, stream.events[i - stream.base], federation_.simulation().now());
  f.position = end;
  trim(stream);
  // The next poll: the batch stays "in flight" until it reaches the server. With something
  // waiting already, its arrival will send it: scheduled now.
  if (poll_events_ == PollEvents::kAlways)
    return links_.send_up(m.endpoint, kPollBytes, poll_class_, 0);
  f.poll = links_.send_up_deferred(m.endpoint, kPollBytes, poll_class_, 0);
  f.poll_unscheduled = true;
  if (f.position < stream.end()) resolve_poll(f);
}

void ClientSync::trim(Stream& stream) {
  // Amortised: looked at (a walk over the followers) each time the stream has doubled, and
  // dropped when at least half of it is behind every follower.
  if (stream.events.size() < stream.trim_at) return;
  std::uint64_t lowest = stream.end();
  for (const sim::EndpointId endpoint : stream.followers)
    lowest = std::min(lowest, followers_[endpoint].position);
  const std::uint64_t drop = lowest - stream.base;
  if (drop > 0 && drop * 2 >= stream.events.size()) {
    stream.events.erase(stream.events.begin(), stream.events.begin() + static_cast<long>(drop));
    stream.base = lowest;
  }
  stream.trim_at = std::max<std::size_t>(kTrimFrom, 2 * stream.events.size());
}

}  // namespace dmlssim::models::device
