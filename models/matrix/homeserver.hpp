// One homeserver of a federated room, as Synapse runs it: its view of the room's DAG, its
// outbound log and per-destination sending state, the PDUs it is processing, and the requests it
// has open. Servers talk only through the federation protocol (Federation, federation_api.hpp).
//
// - Sending: the room's transport says whom an event goes to; the event is appended to the
//   server's outbound log once, and each destination's cursor walks that log: one transaction
//   (PUT /send, <= 50 PDUs) in flight per destination. A failure backs the destination off
//   (RetryBackoff) and puts it in catch-up: what was queued is dropped and, once the back-off
//   allows, only the latest event for it is sent; the receiver pulls the rest. Catching-up
//   destinations are woken in rounds, five seconds apart, a round starting every minute unless the
//   previous one is still running; an inbound request from a destination ends its back-off and
//   wakes it at once.
// - Receiving: the PDUs of the room are processed one at a time. Unknown prev_events trigger
//   POST /get_missing_events (limit 10) to the sender; if the gap stays open, the state at the
//   missing events is fetched (GET /state_ids, then the unknown events) and the event is accepted
//   on that state; the gap is backfilled later (GET /backfill) until the DAG is whole.
// - Checks on receipt: auth against the event's auth events and against the state before it
//   (else rejected), then against the current state (else soft-failed: kept, but not a forward
//   extremity and not part of the current state).
//
// A crash drops what the server holds in memory (inbound work, requests in flight, timers: they
// are node-scoped, sim/node_timers.hpp) and keeps what it keeps on disk (events, state, the
// outbound log, back-off timings, catch-up marks).
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/matrix/event_status_table.hpp"
#include "models/matrix/federation_api.hpp"
#include "models/matrix/federation_config.hpp"
#include "models/matrix/retry_backoff.hpp"
#include "models/matrix/room_transport.hpp"
#include "models/matrix/room_world.hpp"
#include "sim/node_timers.hpp"
#include "sim/random.hpp"
#include "sim/signal.hpp"

namespace dmlssim::models::matrix {

class Federation;

// What a server knows of an event. kOutlier: held (fetched as state or auth) but not part of its
// DAG; the last three are in its DAG.
enum class EventStatus : std::uint8_t { kUnknown, kOutlier, kAccepted, kSoftFailed, kRejected };

// How an event reached a server's DAG.
enum class Arrival : std::uint8_t { kLocal, kPushed, kPulled, kAfterStateFetch, kBackfilled };

const char* to_string(EventStatus status);
const char* to_string(Arrival arrival);

// What the homeservers of one room announce, as each server itself sees it (class-wide signals:
// every server of the room emits here with its own id). Strategies, metrics and heal trackers
// subscribe side by side. Destination down/up come from the server's own failure detection (its
// back-off), never from the simulator's global reachability.
struct HomeserverSignals {
  // `server` took event `e` into its DAG (or rejected it) after `arrival`.
  sim::Signal<sim::NodeId /*server*/, EventIndex, EventStatus, Arrival> event_admitted;
  // The server's current state changed (to a different map; the content may be equal).
  sim::Signal<sim::NodeId /*server*/> state_changed;
  // A request `from` made of `to` finished, answered (true) or failed or timed out (false).
  sim::Signal<sim::NodeId /*from*/, sim::NodeId /*to*/, RequestKind, bool> request_done;
  // The server started backing off from a destination (its first failed request), and stopped
  // (a success, or an inbound request from it).
  sim::Signal<sim::NodeId /*server*/, sim::NodeId /*destination*/> destination_down;
  sim::Signal<sim::NodeId /*server*/, sim::NodeId /*destination*/> destination_up;
  // A to-device message for a device of `server` arrived (from `origin`; the local server's own
  // are announced when sent).
  sim::Signal<sim::NodeId /*server*/, sim::NodeId /*origin*/, ToDevice> to_device_received;
  // A key claim `server` made of `destination` finished: answered (true), or failed.
  sim::Signal<sim::NodeId /*server*/, sim::NodeId /*destination*/, std::uint32_t /*id*/, bool>
      keys_claimed;
  // A media download `server` made of `destination` finished: the file came (true), or the
  // request failed or the destination did not hold it.
  sim::Signal<sim::NodeId /*server*/, sim::NodeId /*destination*/, std::uint32_t /*id*/, bool>
      media_downloaded;
};

class Homeserver : public sim::NodeActor {
 public:
  // origin_server_ts of simulated time 0, in ms since the Unix epoch (2023-11-14T22:13:20Z).
  static constexpr std::int64_t kClockOriginMs = 1'700'000'000'000;

  Homeserver(Federation& federation, sim::NodeId node, std::uint64_t seed, std::uint64_t run);
  Homeserver(const Homeserver&) = delete;
  Homeserver& operator=(const Homeserver&) = delete;

  // What a server knows at the start of the run: every stored event in its DAG. `cited`: per
  // event, whether some event cites it as a prev event. Built once for all servers.
  static EventStatusTable bootstrap_table(const std::vector<std::uint8_t>& cited);
  // Takes the events of `known` (bootstrap_table) into the DAG: the room as it stood when the run
  // started; `leaves`: the events no event cites.
  void bootstrap(const EventStatusTable& known, const std::vector<EventIndex>& leaves,
                 const SharedState& state);

  struct SendResult {
    EventIndex event = kNoEvent;  // kNoEvent when refused
    const char* refused = "";     // why: the auth rule, "server down", "server not in room"
  };
  // A user of this server sends an event: built on the forward extremities (the deepest
  // max_prev_events), checked against the state before it, stored, taken into the DAG and sent
  // where the room's transport says.
  SendResult send(const std::string& sender, const std::string& type,
                  std::optional<std::string> state_key, nlohmann::json content);

  // A to-device message for a device of `destination`: queued for it and sent in its
  // transactions (with the PDUs, <= 100 per transaction), kept until a transaction carrying it
  // succeeds — through back-off and catch-up, as Synapse's device outbox. To this server itself:
  // announced at once. Refused (false) when the server is down.
  bool send_to_device(sim::NodeId destination, ToDevice message);
  // POST /user/keys/claim to `destination` for `devices` devices; keys_claimed tells the outcome.
  // Refused (false) when the server is down or no key service is installed.
  bool claim_keys(sim::NodeId destination, std::uint32_t id, std::uint32_t devices);
  // GET /federation/v1/media/download of file `id` from `destination`; media_downloaded tells the
  // outcome. Refused (false) when the server is down or no media service is installed.
  bool download_media(sim::NodeId destination, std::uint32_t id);

  // --- the server's view ---
  EventStatus status(EventIndex e) const {
    return static_cast<EventStatus>(known_.get(e) & kStatusMask);
  }
  bool in_dag(EventIndex e) const { return status(e) >= EventStatus::kAccepted; }
  const std::vector<EventIndex>& forward_extremities() const { return extremities_; }
  const StateMap& current_state() const;
  // The same map, shared (null before bootstrap): equal pointers mean equal states.
  const SharedState& shared_current_state() const { return current_; }
  // Has the server joined users in its current state?
  bool in_room() const;
  // Is the server backing off from `destination` (as its own failures tell it)?
  bool backing_off(sim::NodeId destination) const;
  // Events in the DAG whose prev events the server still lacks (gaps awaiting backfill).
  std::size_t open_gaps() const { return gaps_.size(); }

  // --- the federation protocol's entry points (Federation routes messages here) ---
  // A request arrived from `origin`: handle it; the answer goes back through the federation.
  void answer(std::uint32_t exchange, sim::NodeId origin, SendTransaction& request);
  void answer(std::uint32_t exchange, sim::NodeId origin, GetMissingEvents& request);
  void answer(std::uint32_t exchange, sim::NodeId origin, GetStateIds& request);
  void answer(std::uint32_t exchange, sim::NodeId origin, GetEvents& request);
  void answer(std::uint32_t exchange, sim::NodeId origin, Backfill& request);
  void answer(std::uint32_t exchange, sim::NodeId origin, Probe& request);
  void answer(std::uint32_t exchange, sim::NodeId origin, ClaimKeys& request);
  void answer(std::uint32_t exchange, sim::NodeId origin, DownloadMedia& request);
  // A request this server made of `to` finished: answered (`ok`), or failed or timed out.
  void on_answer(sim::NodeId to, SendTransaction& request, bool ok);
  void on_answer(sim::NodeId to, GetMissingEvents& request, bool ok);
  void on_answer(sim::NodeId to, GetStateIds& request, bool ok);
  void on_answer(sim::NodeId to, GetEvents& request, bool ok);
  void on_answer(sim::NodeId to, Backfill& request, bool ok);
  void on_answer(sim::NodeId to, Probe& request, bool ok);
  void on_answer(sim::NodeId to, ClaimKeys& request, bool ok);
  void on_answer(sim::NodeId to, DownloadMedia& request, bool ok);
  // Any authenticated request from `origin` arrived (before it is handled).
  void note_inbound_from(sim::NodeId origin) {
    if (backing_off_ != 0) inbound_from_failing(origin);
  }
  void on_crash();
  void on_restart();

 private:
  // Sending state towards one destination: where its cursor is in the outbound log, its flags and
  // its back-off. 24 bytes: a server keeps one per server of the room.
  struct Destination {
    std::uint32_t cursor = 0;  // outbound log entries before it need not be sent to it
    bool in_flight = false;
    bool catching_up = false;
    bool probe_scheduled = false;
    RetryBackoff backoff;
  };
  // One event this server sends, and to whom (the transport's answer).
  struct LogEntry {
    EventIndex event = kNoEvent;
    const DestinationSet* to = nullptr;
  };
  // A PDU being processed, from a transaction or pulled in for it.
  struct Inbound {
    EventIndex event = kNoEvent;
    sim::NodeId origin = 0;
    std::uint32_t transaction = UINT32_MAX;  // the exchange that carried it
    std::uint64_t transaction_serial = 0;
    bool started = false;
    bool asked_missing = false;
    std::vector<EventIndex> pulled;  // from get_missing_events, oldest first
    std::size_t next_pulled = 0;
    EventIndex state_fetched_for = kNoEvent;
  };

  RoomWorld& room() const;
  const FederationConfig& config() const;
  HomeserverSignals& signals() const;
  std::vector<EventIndex> prev_events_for() const;
  Destination& destination(sim::NodeId d);
  const Destination* find_destination(sim::NodeId d) const;

  // Sending side (homeserver_send.cpp).
  void fan_out(EventIndex e, Arrival arrival, sim::NodeId from);
  // Does the outbound log hold an event for `d` at or after its cursor?
  bool has_unsent(sim::NodeId d, const Destination& dest) const;
  void try_send(sim::NodeId d);
  void schedule_wakeup();
  sim::SimTime next_wakeup_point() const;
  void start_wakeup_round();
  void wakeup_batch();
  void schedule_probe(sim::NodeId d);
  void probe(sim::NodeId d);
  void inbound_from_failing(sim::NodeId origin);
  // Ends the back-off towards `d` if it was failing; returns whether it was.
  bool backoff_succeeded(sim::NodeId d);
  void backoff_failed(sim::NodeId d);
  // What every completion does first: the signal, and the back-off towards `d`.
  void request_finished(sim::NodeId d, RequestKind kind, bool ok);
  // Requests this server makes; the federation sends them and calls on_answer.
  void request(sim::NodeId to, FederationRequest body);

  // Receiving side (homeserver_receive.cpp).
  void schedule_inbound();
  void inbound_timer();
  void process_inbound();
  void finish_inbound();
  bool prevs_in_dag(EventIndex e) const;
  void admit(EventIndex e, Arrival arrival);
  // Does `e` fail the auth rules against the resolution of the extremities' states with the
  // state before `e` (Synapse's soft-fail check)?
  bool soft_fails(EventIndex e);
  void fetch_state_for(EventIndex e, sim::NodeId from);
  void schedule_backfill();
  void backfill_timer();
  void backfill();

  // Responder-side walks.
  std::vector<EventIndex> walk_back(const std::vector<EventIndex>& start,
                                    const std::vector<EventIndex>& blocked,
                                    std::size_t limit) const;

  Federation& federation_;
  sim::RandomStream backoff_rng_;  // federation/backoff/s<i>
  // The room as this server has it.
  // By event: its EventStatus (low bits) and kCitedBit (an accepted event cites it as prev).
  EventStatusTable known_;
  static constexpr std::uint8_t kStatusMask = 0x7, kCitedBit = 0x8;
  bool cited(EventIndex e) const { return (known_.get(e) & kCitedBit) != 0; }
  void set_cited(EventIndex e) {
    known_.set(e, static_cast<std::uint8_t>(known_.get(e) | kCitedBit));
  }
  void set_status(EventIndex e, EventStatus status) {
    known_.set(e, static_cast<std::uint8_t>((known_.get(e) & kCitedBit) |
                                            static_cast<std::uint8_t>(status)));
  }
  std::vector<EventIndex> extremities_;
  SharedState current_;
  std::vector<EventIndex> gaps_;   // events in the DAG whose prev_events are not (yet)
  sim::NodeId backfill_peer_ = 0;  // who to ask next: the sender of the latest gap event
  bool backfill_scheduled_ = false;
  bool backfilling_ = false;
  // Sending.
  std::vector<LogEntry> outbound_;         // every event this server sent, in order
  std::vector<Destination> destinations_;  // by NodeId; empty until the server first needs one
  std::uint32_t backing_off_ = 0;          // destinations whose back-off is failing
  // The same destinations as bits: every inbound request and every answer asks, and a bit is
  // a cache line away where a Destination entry is a miss (servers x 24 bytes).
  std::vector<std::uint64_t> failing_bits_;
  // To-device messages not yet delivered, by destination (only destinations with some).
  std::map<sim::NodeId, std::deque<ToDevice>> to_device_out_;
  static constexpr std::size_t kMaxEdusPerTransaction = 100;
  bool failing(sim::NodeId d) const {
    return d / 64 < failing_bits_.size() && ((failing_bits_[d / 64] >> (d % 64)) & 1) != 0;
  }
  // The catch-up wake-up loop (Synapse's looping call, started with the server): rounds start
  // on the grid wakeup_anchor + k x catchup_wakeup_period; a round wakes due destinations in
  // batches, one per stagger, and the next round starts at the first grid point after it ended
  // (Twisted's LoopingCall waits for the round: rounds never overlap). A round with nothing to
  // wake takes no time, so rounds are only simulated while some destination needs catching up.
  bool wakeup_scheduled_ = false;  // a round is scheduled or running
  // A grid point: a restart time, or for a server up since before the run a point drawn
  // uniformly in [-period, 0) (servers started at unrelated times; federation/wakeup/s<i>).
  sim::SimTime wakeup_anchor_;
  sim::NodeId round_cursor_ = 0;  // the next batch starts from this destination
  // Receiving.
  std::deque<Inbound> inbound_;
  bool inbound_scheduled_ = false;
  std::vector<EventIndex> scratch_walk_, scratch_next_;  // admit's, reused between calls

  friend class Federation;
};

}  // namespace dmlssim::models::matrix
