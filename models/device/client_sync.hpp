// How devices receive the room from their homeserver: the client-server API's /sync, as a long
// poll over the client-server hop (sim::ClientLinks). Each server keeps its stream — the events it
// accepted into its DAG, in the order it accepted them (soft-failed and rejected events are not
// sent to clients) — and each device's position in it. An online device with a poll waiting gets
// what it lacks at once as one batch; when the batch arrives the device polls again (one hop
// up), so batches reach a device one at a time, in stream order. An offline device receives
// nothing; coming back online it polls and gets everything since its position. A batch lost with
// a crash of the server, or because the device went offline, is sent again: the position only
// moves when a batch arrives.
//
// A poll that reaches its server with nothing waiting does nothing, so it travels without a
// simulator event (sim::ClientLinks::send_up_deferred): its arrival is scheduled, at the place in
// the event order it took when sent, only when something comes for the device before it
// arrives, or the device or server changes under it. Results are those of a poll event each.
//
// Sizes: a batch is a sync response envelope (kSyncOverhead) plus each event's client-format size
// (its federation size); a poll is one HTTP request (kPollBytes).
#pragma once

#include <cstdint>
#include <vector>

#include "models/device/sync_receiver.hpp"
#include "models/matrix/federation.hpp"
#include "sim/client_links.hpp"

namespace dmlssim::models::device {

class ClientSync {
 public:
  static constexpr std::uint32_t kSyncOverhead = 400;
  static constexpr std::uint32_t kPollBytes = 300;

  // How polls travel: without an event unless needed (kWhenNeeded), or each with its arrival
  // event (kAlways: the reference the other is checked against; same results, more events).
  enum class PollEvents : std::uint8_t { kWhenNeeded, kAlways };
  ClientSync(matrix::Federation& federation, sim::ClientLinks& links,
             PollEvents poll_events = PollEvents::kWhenNeeded);
  ClientSync(const ClientSync&) = delete;
  ClientSync& operator=(const ClientSync&) = delete;

  // A client of `homeserver` starts following the room at the server's current stream end (it
  // joined now), online or not; `receiver` hears of it as `who` and must outlive this object.
  // Returns its endpoint on the client links.
  sim::EndpointId attach(sim::NodeId homeserver, bool online, SyncReceiver& receiver,
                         std::uint32_t who);
  sim::MessageClass sync_class() const { return sync_class_; }
  sim::MessageClass poll_class() const { return poll_class_; }

 private:
  // Everything a batch's arrival needs of its client, in one cache line: the receiver is told
  // without any object of the client being touched. A batch is the stream entries from the
  // follower's position (which only a batch's arrival moves) to the end its message carries.
  struct alignas(64) Follower {
    SyncReceiver* receiver = nullptr;
    std::uint64_t position = 0;  // next stream entry it lacks
    sim::ClientLinks::DeferredUp poll;
    std::uint32_t who = 0;
    sim::NodeId homeserver = 0;
    bool batch_in_flight = false;   // a batch, or the poll that follows it, is on its way
    bool poll_unscheduled = false;  // `poll` travels with no arrival event yet
  };
  static constexpr std::size_t kTrimFrom = 64;
  // A server's stream, kept from the lowest position of its followers on (entries before that
  // are dropped: nothing grows with servers x events), and only for servers with followers.
  struct Stream {
    std::uint64_t base = 0;                  // stream index of events[0]
    std::vector<matrix::EventIndex> events;  // accepted events, in acceptance order
    std::vector<sim::EndpointId> followers;
    std::size_t trim_at = kTrimFrom;  // trim() looks again at this many events
    std::uint64_t end() const { return base + events.size(); }
  };
  void trim(Stream& stream);
  void on_admitted(sim::NodeId server, matrix::EventIndex e, matrix::EventStatus status);
  // Sends the follower what it lacks, if it is waiting and there is anything.
  void push(sim::EndpointId endpoint);
  // Before the follower or its server changes, or something comes for it: an unscheduled poll
  // either arrived meanwhile (the follower waits again) or gets its arrival event.
  void resolve_poll(Follower& f);
  void on_message(const sim::ClientMessage& m);
  // A batch for `endpoint` arrives `ahead` events from now (ClientLinks::Hint).
  void hint(sim::EndpointId endpoint, unsigned ahead) const;

  matrix::Federation& federation_;
  sim::ClientLinks& links_;
  PollEvents poll_events_;
  sim::MessageClass sync_class_ = 0, poll_class_ = 0;
  std::vector<Stream> streams_;      // by server
  std::vector<Follower> followers_;  // by endpoint (endpoints of other protocols stay empty)
};

}  // namespace dmlssim::models::device
