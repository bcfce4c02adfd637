// Homeservers federating one room over sim::Network, as Synapse does it:
//
// - Sending: one queue per destination, one transaction (PUT /send, <= 50 PDUs) in flight. A
//   failure backs the destination off (RetryBackoff) and puts it in catch-up: the queued PDUs are
//   dropped and, once the back-off allows, only the server's latest own event is sent; the
//   receiver pulls the rest. Catching-up destinations are woken in rounds, five seconds apart,
//   a round starting every minute unless the previous one is still running; an inbound request
//   from a destination ends its back-off and wakes it at once.
// - Receiving: the PDUs of a room are processed one at a time. Unknown prev_events trigger
//   POST /get_missing_events (limit 10) to the sender; if the gap stays open, the state at the
//   missing events is fetched (GET /state_ids, then the unknown events) and the event is accepted
//   on that state; the gap is backfilled later (GET /backfill) until the DAG is whole.
// - Checks on receipt: auth against the event's auth events and against the state before it
//   (else rejected), then against the current state (else soft-failed: kept, but not a forward
//   extremity and not part of the current state).
//
// A crash drops what a server holds in memory (queued PDUs, inbound work, requests in flight,
// timers) and keeps what it keeps on disk (events, state, back-off timings, catch-up marks).
// Every request and response is a network message with a modelled size.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "models/matrix/federation_config.hpp"
#include "models/matrix/retry_backoff.hpp"
#include "models/matrix/room_world.hpp"
#include "sim/network.hpp"

namespace dmlssim::models::matrix {

// What a server knows of an event. kOutlier: held (fetched as state or auth) but not part of its
// DAG; the last three are in its DAG.
enum class EventStatus : std::uint8_t { kUnknown, kOutlier, kAccepted, kSoftFailed, kRejected };

// How an event reached a server's DAG.
enum class Arrival : std::uint8_t { kLocal, kPushed, kPulled, kAfterStateFetch, kBackfilled };

enum class RequestKind : std::uint8_t {
  kSend,
  kMissingEvents,
  kStateIds,
  kEvents,
  kBackfill,
  kProbe,
};
const char* to_string(RequestKind kind);
const char* to_string(EventStatus status);
const char* to_string(Arrival arrival);

// Hooks for measurement; models never print. Default: do nothing.
class FederationObserver {
 public:
  virtual ~FederationObserver() = default;
  virtual void on_admitted(sim::NodeId /*server*/, EventIndex /*e*/, EventStatus /*status*/,
                           Arrival /*arrival*/) {}
  virtual void on_request_done(sim::NodeId /*from*/, sim::NodeId /*to*/, RequestKind /*kind*/,
                               bool /*succeeded*/) {}
  // The server's current state changed (to a different map; the content may be equal).
  virtual void on_state_changed(sim::NodeId /*server*/) {}
};

class Federation {
 public:
  Federation(sim::Simulation& sim, sim::Network& network, RoomWorld& room, FederationConfig config,
             std::uint64_t seed, std::uint64_t run, FederationObserver* observer = nullptr);
  Federation(const Federation&) = delete;
  Federation& operator=(const Federation&) = delete;

  // Every server takes every event stored so far into its DAG (the room as it stood when the
  // simulation started, fully replicated).
  void bootstrap();

  struct SendResult {
    EventIndex event = kNoEvent;  // kNoEvent when refused
    const char* refused = "";     // why: the auth rule, "server down", "server not in room"
  };
  // A user of `server` sends an event: built on the server's forward extremities (the deepest
  // max_prev_events), checked against the state before it, stored, and queued to every server
  // with joined users before or after it.
  SendResult send(sim::NodeId server, const std::string& sender, const std::string& type,
                  std::optional<std::string> state_key, nlohmann::json content);

  // --- one server's view ---
  EventStatus status(sim::NodeId server, EventIndex e) const;
  bool in_dag(sim::NodeId server, EventIndex e) const;
  const std::vector<EventIndex>& forward_extremities(sim::NodeId server) const;
  const StateMap& current_state(sim::NodeId server) const;
  // The same map, shared (null before bootstrap): equal pointers mean equal states.
  const SharedState& shared_current_state(sim::NodeId server) const;
  // Does the server have joined users in its current state?
  bool in_room(sim::NodeId server) const;
  bool backing_off(sim::NodeId server, sim::NodeId destination) const;
  // (server, destination) pairs backing off now; kept as a count, O(1).
  std::size_t backing_off_pairs() const { return backing_off_pairs_; }

  // Events whose prev_events the server still lacks (gaps awaiting backfill).
  std::size_t open_gaps(sim::NodeId server) const;

  std::size_t server_count() const { return servers_.size(); }
  RoomWorld& room() { return room_; }
  const FederationConfig& config() const { return config_; }

 private:
  struct Destination {
    // Queued PDUs, oldest first: pending[pending_head..]. A vector with a moving head instead of
    // a deque, which allocates even when empty (a server holds one Destination per server).
    std::vector<EventIndex> pending;
    std::uint32_t pending_head = 0;
    std::size_t queued() const { return pending.size() - pending_head; }
    void drop_queued(std::size_t n) {
      pending_head += static_cast<std::uint32_t>(n);
      if (pending_head == pending.size()) {
        pending.clear();
        pending_head = 0;
      }
    }
    void clear_queued() {
      pending.clear();
      pending_head = 0;
    }
    bool in_flight = false;
    bool catching_up = false;
    EventIndex last_enqueued = kNoEvent;  // latest own event queued for it
    EventIndex last_acked = kNoEvent;     // latest own event it acknowledged
    RetryBackoff backoff;
    bool probe_scheduled = false;
  };
  struct Inbound {
    EventIndex event = kNoEvent;
    sim::NodeId origin = 0;
    std::uint32_t transaction = UINT32_MAX;  // the request that carried it
    std::uint64_t transaction_serial = 0;
    bool started = false;
    bool asked_missing = false;
    std::vector<EventIndex> pulled;  // from get_missing_events, oldest first
    std::size_t next_pulled = 0;
    EventIndex state_fetched_for = kNoEvent;
  };
  struct Server {
    std::vector<EventStatus> status;  // by EventIndex; grows on demand
    std::vector<std::uint8_t> cited;  // by EventIndex: an accepted event cites it as prev
    std::vector<EventIndex> extremities;
    SharedState current;
    std::vector<Destination> destinations;  // by NodeId; empty until the server first needs one
    std::deque<Inbound> inbound;
    bool inbound_scheduled = false;
    std::vector<EventIndex> gaps;   // events in the DAG whose prev_events are not (yet)
    sim::NodeId backfill_peer = 0;  // who to ask next: the sender of the latest gap event
    bool backfill_scheduled = false;
    bool backfilling = false;
    // The catch-up wake-up loop (Synapse's looping call, started with the server): rounds start
    // on the grid wakeup_anchor + k x catchup_wakeup_period; a round wakes due destinations in
    // batches, one per stagger, and the next round starts at the first grid point after it ended
    // (Twisted's LoopingCall waits for the round: rounds never overlap). A round with nothing to
    // wake takes no time, so rounds are only simulated while some destination needs catching up.
    bool wakeup_scheduled = false;  // a round is scheduled or running
    // A grid point: a restart time, or for a server up since before the run a point drawn
    // uniformly in [-period, 0) (servers started at unrelated times; federation/wakeup/s<i>).
    sim::SimTime wakeup_anchor;
    sim::NodeId round_cursor = 0;   // the next batch starts from this destination
    std::uint32_t backing_off = 0;  // destinations whose back-off is failing
    std::uint32_t generation = 0;   // bumped by each crash: stale callbacks check it
  };
  struct Request {
    RequestKind kind = RequestKind::kSend;
    sim::NodeId from = 0, to = 0;
    std::uint32_t generation = 0;  // the requester's at send time
    bool open = false;
    std::vector<EventIndex> events;  // carried PDUs, or the events asked about
    std::vector<EventIndex> aux;     // get_missing_events: earliest; state: the event it is for
    std::uint32_t unfinished = 0;    // transactions: PDUs of it still being processed
    std::uint64_t serial = 0;        // distinguishes uses of a recycled slot
    sim::EventHandle timeout;
  };

  Server& server(sim::NodeId s) { return servers_[s]; }
  Destination& destination(sim::NodeId s, sim::NodeId d);
  // The destination if the server has ever used one (else nullptr).
  const Destination* find_destination(sim::NodeId s, sim::NodeId d) const;
  const Server& server(sim::NodeId s) const { return servers_[s]; }
  void grow(Server& s) const;
  std::vector<EventIndex> prev_events_for(const Server& s) const;
  // RoomWorld::joined_servers, remembered for recently asked states.
  const std::vector<sim::NodeId>& joined_servers(const SharedState& state);

  // Sending side.
  void enqueue(sim::NodeId s, sim::NodeId d, EventIndex e);
  void try_send(sim::NodeId s, sim::NodeId d);
  void schedule_wakeup(sim::NodeId s);
  // The first point of the server's wake-up grid strictly after now.
  sim::SimTime next_wakeup_point(const Server& srv) const;
  void start_wakeup_round(sim::NodeId s);
  void wakeup_batch(sim::NodeId s);
  void schedule_probe(sim::NodeId s, sim::NodeId d);
  void note_inbound_from(sim::NodeId s, sim::NodeId origin);

  // Requests and responses.
  std::uint32_t open_request(RequestKind kind, sim::NodeId from, sim::NodeId to,
                             std::vector<EventIndex> events, std::vector<EventIndex> aux = {});
  void on_message(const sim::Message& m);
  void on_failure(const sim::Message& m);
  void handle_request(std::uint32_t r);
  void respond(std::uint32_t r, std::uint32_t bytes);
  void complete(std::uint32_t r, bool ok);
  void close_request(std::uint32_t r);

  // Receiving side.
  void schedule_inbound(sim::NodeId s);
  void process_inbound(sim::NodeId s);
  void finish_inbound(sim::NodeId s);
  bool prevs_in_dag(const Server& s, EventIndex e) const;
  void admit(sim::NodeId s, EventIndex e, Arrival arrival);
  // Does `e` fail the auth rules against the resolution of the extremities' states with the
  // state before `e` (Synapse's soft-fail check)? `extremities` sorted.
  bool soft_fails(const std::vector<EventIndex>& extremities, EventIndex e);
  void fetch_state_for(sim::NodeId s, EventIndex e, sim::NodeId from);
  void schedule_backfill(sim::NodeId s);
  void backfill(sim::NodeId s);
  void on_crash(sim::NodeId s);
  void on_restart(sim::NodeId s);

  // Responder-side walks.
  std::vector<EventIndex> missing_events(const Server& s, const std::vector<EventIndex>& earliest,
                                         const std::vector<EventIndex>& latest,
                                         std::size_t limit) const;
  std::vector<EventIndex> backfill_events(const Server& s, const std::vector<EventIndex>& from,
                                          std::size_t limit) const;
  // Events of `s` reached walking prev_events back from `start`, deepest first.
  std::vector<EventIndex> walk_back(const Server& s, const std::vector<EventIndex>& start,
                                    const std::vector<EventIndex>& blocked,
                                    std::size_t limit) const;
  std::uint32_t pdus_bytes(const std::vector<EventIndex>& events) const;
  // GET /state_ids at the events `at`: the state after each and the auth chains of those state
  // events, ascending.
  const std::vector<EventIndex>& state_ids(const std::vector<EventIndex>& at);
  static constexpr std::size_t kStateIdsMemo = 256;
  std::map<std::vector<EventIndex>, std::vector<EventIndex>> state_ids_memo_;
  std::deque<std::vector<EventIndex>> state_ids_order_;

  sim::Simulation& sim_;
  sim::Network& network_;
  RoomWorld& room_;
  FederationConfig config_;
  FederationObserver null_observer_;
  FederationObserver* observer_;
  std::vector<Server> servers_;
  std::vector<sim::RandomStream> backoff_rng_;  // per server: federation/backoff/<server>
  std::vector<Request> requests_;
  std::vector<std::uint32_t> free_requests_;
  std::uint64_t next_serial_ = 1;
  std::size_t backing_off_pairs_ = 0;
  std::vector<EventIndex> scratch_walk_, scratch_next_;  // admit's, reused between calls
  mutable std::vector<std::uint32_t> walk_marks_;        // walk_back's seen marks, by EventIndex
  mutable std::uint32_t walk_number_ = 0;
  struct JoinedServers {
    SharedState state;
    std::vector<sim::NodeId> servers;
  };
  static constexpr std::size_t kJoinedCacheSlots = 64;
  JoinedServers joined_cache_[kJoinedCacheSlots];
  sim::MessageClass class_of_[6];
  std::int64_t clock_origin_ms_ = 1'700'000'000'000;  // origin_server_ts at simulated time 0
};

}  // namespace dmlssim::models::matrix
