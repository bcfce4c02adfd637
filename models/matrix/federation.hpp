// A federated room: the homeservers of a RoomWorld on a sim::Network, and the federation
// protocol between them. The protocol carries the requests of federation_api.hpp: it sends a
// request as a network message of its modelled size, hands it to the destination's
// Homeserver::answer, sends the answer back, and completes the exchange at the requester
// (Homeserver::on_answer) — or fails it when the network says so or when no answer came within
// twice the request timeout. Homeservers never call each other.
//
// Shared here, because they are functions of the room alone: the joined servers of a state,
// /state_ids answers, the interned destination sets, and the signals every server emits.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "models/matrix/federation_api.hpp"
#include "models/matrix/federation_config.hpp"
#include "models/matrix/homeserver.hpp"
#include "models/matrix/room_transport.hpp"
#include "models/matrix/room_world.hpp"
#include "sim/network.hpp"

namespace dmlssim::models::matrix {

// Seen marks for walks over the DAG, shared by the servers (walks never overlap): an event is
// seen in a walk when its mark equals the walk's number, so nothing is cleared between walks.
struct WalkMarks {
  std::vector<std::uint32_t> marks;  // by EventIndex
  std::uint32_t walk = 0;
  // Starts a walk over a store of `events` events; returns its number.
  std::uint32_t next_walk(std::size_t events) {
    if (marks.size() < events) marks.resize(events + events / 2, 0);
    if (++walk == 0) {
      std::fill(marks.begin(), marks.end(), 0);
      walk = 1;
    }
    return walk;
  }
};

class Federation {
 public:
  // `transport`: who sends events to whom; null: full-mesh federation. Not owned.
  Federation(sim::Simulation& sim, sim::Network& network, RoomWorld& room, FederationConfig config,
             std::uint64_t seed, std::uint64_t run, RoomTransport* transport = nullptr);
  Federation(const Federation&) = delete;
  Federation& operator=(const Federation&) = delete;
  ~Federation();

  // Every server takes every event stored so far into its DAG (the room as it stood when the
  // simulation started, fully replicated).
  void bootstrap();

  Homeserver& server(sim::NodeId s) { return *servers_[s]; }
  const Homeserver& server(sim::NodeId s) const { return *servers_[s]; }
  std::size_t server_count() const { return servers_.size(); }
  // A user of `server` sends an event (Homeserver::send).
  Homeserver::SendResult send(sim::NodeId server, const std::string& sender,
                              const std::string& type, std::optional<std::string> state_key,
                              nlohmann::json content) {
    return servers_[server]->send(sender, type, std::move(state_key), std::move(content));
  }

  RoomWorld& room() { return room_; }
  const RoomWorld& room() const { return room_; }
  const FederationConfig& config() const { return config_; }
  HomeserverSignals& signals() { return signals_; }
  sim::Simulation& simulation() { return sim_; }
  sim::Network& network() { return network_; }
  const sim::Network& network() const { return network_; }
  // (server, destination) pairs backing off now; kept as a count, O(1).
  std::size_t backing_off_pairs() const { return backing_off_pairs_; }
  // The traffic classes of the protocol, one per request kind ("fed_send", ...).
  sim::MessageClass message_class(RequestKind kind) const {
    return class_of_[static_cast<int>(kind)];
  }

  // --- services the homeservers share ---
  RoomTransport& transport() { return *transport_; }
  const std::vector<sim::NodeId>& joined_servers(const SharedState& state) {
    return joined_(state);
  }
  // GET /state_ids at the events `at`: the state after each and the auth chains of those state
  // events, ascending. A function of the DAG alone, remembered for the last kStateIdsMemo
  // questions (after a heal many servers ask for the state at the same events).
  std::shared_ptr<const std::vector<EventIndex>> state_ids(const std::vector<EventIndex>& at);
  static constexpr std::size_t kStateIdsMemo = 256;
  // Wire size of PDUs a server sends now in a request or answer, counted by event type (below).
  std::uint32_t send_pdus(const std::vector<EventIndex>& events);
  std::uint32_t send_pdu(EventIndex e);

  // What the PDUs and EDUs the servers sent carried (each send attempt counts, as in the
  // traffic classes): PDUs by event type (RoomWorld::type_id) in transactions and in answers
  // (get_missing_events, event, backfill); to-device EDUs in transactions. Bytes are the
  // objects' own, without the requests' envelopes.
  struct ContentCount {
    std::uint64_t objects = 0, bytes = 0;
  };
  const std::vector<ContentCount>& pdus_by_type() const { return pdus_by_type_; }
  const ContentCount& to_device_edus() const { return to_device_edus_; }
  WalkMarks& walk_marks() { return walk_marks_; }

  // POST /user/keys/claim: `handler(server, id)` claims at `server` what claim `id` asks for and
  // returns the answer's size in bytes. Until a key service is installed, servers answer no key
  // claims (a plain room has none) and the traffic class fed_keys_claim does not exist.
  using KeyClaimHandler = std::function<std::uint32_t(sim::NodeId server, std::uint32_t id)>;
  void enable_key_claims(KeyClaimHandler handler);
  bool has_key_service() const { return static_cast<bool>(key_claims_); }
  std::uint32_t claim_keys_at(sim::NodeId server, std::uint32_t id) const {
    return key_claims_ ? key_claims_(server, id) : 0;
  }
  // A claimed device's entry in a claim request (its user and device IDs in JSON).
  static constexpr std::uint32_t kClaimBytesPerDevice = 80;

  // GET /federation/v1/media/download: `handler(server, id)` returns the size in bytes of file
  // `id` of `server`'s media repository, 0 when the server does not hold it (404). Until a media
  // service is installed, servers hold no media and the class fed_media_download does not exist.
  using MediaHandler = std::function<std::uint32_t(sim::NodeId server, std::uint32_t id)>;
  void enable_media(MediaHandler handler);
  bool has_media_service() const { return static_cast<bool>(media_); }
  // The answer of `server` to a download of `id` (counted in media_files()).
  std::uint32_t media_at(sim::NodeId server, std::uint32_t id);
  // Files sent in media download answers (each answer counts), their own bytes.
  const ContentCount& media_files() const { return media_sent_; }

  // --- the protocol, for homeservers ---
  void request(sim::NodeId from, sim::NodeId to, FederationRequest body);
  // The destination's answer to an exchange it was handed, `bytes` beyond the envelope.
  void respond(std::uint32_t exchange, std::uint32_t bytes);
  // The destination finished one PDU of a transaction; the transaction is answered after its
  // last. No-op when the exchange ended meanwhile (the requester gave up).
  void transaction_pdu_done(std::uint32_t exchange, std::uint64_t serial);
  std::uint64_t serial(std::uint32_t exchange) const { return exchanges_[exchange].serial; }
  // An empty PDU list with room in it: the lists of finished transactions are reused, so a
  // transaction allocates nothing once the room is warm.
  std::vector<EventIndex> take_pdu_list();
  void recycle_pdu_list(std::vector<EventIndex> list) {
    if (list.capacity() != 0) spare_pdu_lists_.push_back(std::move(list));
  }
  void count_backing_off(int delta) { backing_off_pairs_ += delta; }

 private:
  std::vector<ContentCount> pdus_by_type_;
  ContentCount to_device_edus_;
  struct Exchange {
    sim::NodeId from = 0, to = 0;
    std::uint32_t incarnation = 0;  // the requester's when it asked
    bool open = false;
    std::uint64_t serial = 0;  // tells uses of a recycled slot apart
    FederationRequest body;
    sim::EventHandle timeout;
  };
  void on_message(const sim::Message& m);
  void on_failure(const sim::Message& m);
  void complete(std::uint32_t exchange, bool ok);
  void close(std::uint32_t exchange);
  // Keeps the PDU list of a finished transaction for take_pdu_list().
  void recycle(FederationRequest& body);
  // Wire size of a request being sent; a transaction's PDUs and EDUs are counted (above).
  std::uint32_t request_bytes(const FederationRequest& body);

  sim::Simulation& sim_;
  sim::Network& network_;
  RoomWorld& room_;
  FederationConfig config_;
  HomeserverSignals signals_;
  JoinedServersCache joined_;
  DestinationSets destination_sets_;
  std::unique_ptr<RoomTransport> own_transport_;
  RoomTransport* transport_;
  std::vector<std::unique_ptr<Homeserver>> servers_;
  std::vector<Exchange> exchanges_;
  std::vector<std::uint32_t> free_exchanges_;
  std::uint64_t next_serial_ = 1;
  std::vector<std::vector<EventIndex>> spare_pdu_lists_;
  std::size_t backing_off_pairs_ = 0;
  sim::MessageClass class_of_[kRequestKinds] = {};
  sim::ProtocolId protocol_ = 0;
  KeyClaimHandler key_claims_;
  MediaHandler media_;
  ContentCount media_sent_;
  std::map<std::vector<EventIndex>, std::shared_ptr<const std::vector<EventIndex>>> state_ids_memo_;
  std::deque<std::vector<EventIndex>> state_ids_order_;
  WalkMarks walk_marks_;
};

}  // namespace dmlssim::models::matrix
