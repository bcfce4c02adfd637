// A small federated room for tests: `servers` servers on a LAN, users on every server, the room
// created and replicated at time 0.
#pragma once

#include <map>
#include <memory>

#include "models/matrix/federation.hpp"
#include "models/matrix/room_setup.hpp"
#include "sim/network.hpp"

namespace dmlssim::testing {

namespace mx = models::matrix;

inline sim::NetworkConfig lan_config(std::size_t servers) {
  sim::NetworkConfig c;
  c.region_names = {"lan"};
  c.latency_s = Eigen::MatrixXd::Constant(1, 1, 0.01);
  c.region_of.assign(servers, 0);
  return c;
}

// Counts admissions by arrival and status, and requests by kind and outcome (a subscriber of
// the homeservers' signals).
struct CountingObserver {
  std::map<std::pair<mx::Arrival, mx::EventStatus>, int> admitted;
  std::map<std::pair<mx::RequestKind, bool>, int> requests;
  void subscribe(mx::HomeserverSignals& signals) {
    signals.event_admitted.connect(
        [this](sim::NodeId, mx::EventIndex, mx::EventStatus status, mx::Arrival arrival) {
          ++admitted[{arrival, status}];
        });
    signals.request_done.connect([this](sim::NodeId, sim::NodeId, mx::RequestKind kind, bool ok) {
      ++requests[{kind, ok}];
    });
  }
  int arrivals(mx::Arrival a) const {
    int n = 0;
    for (const auto& [k, v] : admitted)
      n += k.first == a ? v : 0;
    return n;
  }
};

struct FederationWorld {
  // `transport`: the room's fan-out (null: full mesh).
  FederationWorld(std::size_t servers, std::uint32_t users_per_server, std::uint64_t seed = 1,
                  const mx::RoomVersion& version = mx::room_v12(), mx::FederationConfig config = {},
                  std::uint32_t moderators = 1, mx::RoomTransport* transport = nullptr)
      : network(sim, lan_config(servers), sim::RandomStream(seed, 0, "network/jitter"),
                sim::RandomStream(seed, 0, "network/loss")),
        room(version, "!room:s0") {
    mx::RoomSetup setup;
    setup.users_per_server.assign(servers, users_per_server);
    setup.admins = 0;
    setup.moderators = moderators;
    mx::create_room(room, setup);
    federation = std::make_unique<mx::Federation>(sim, network, room, config, seed, 0, transport);
    observed.subscribe(federation->signals());
    federation->bootstrap();
  }

  // Sends as user `i` of `server`; returns the event (kNoEvent when refused).
  mx::EventIndex send(sim::NodeId server, std::uint32_t i, const std::string& type,
                      std::optional<std::string> state_key, nlohmann::json content) {
    return federation
        ->send(server, mx::user_id_for(server, i), type, std::move(state_key), std::move(content))
        .event;
  }
  mx::EventIndex message(sim::NodeId server, const std::string& body) {
    return send(server, 0, "m.room.message", std::nullopt, {{"body", body}});
  }

  // Every server in the room holds every event some server holds, and all current states agree.
  bool converged() const {
    const mx::Federation& f = *federation;
    for (mx::EventIndex e = 0; e < room.store().size(); ++e) {
      bool anyone = false, everyone = true;
      for (sim::NodeId s = 0; s < f.server_count(); ++s) {
        const bool has = f.server(s).in_dag(e);
        anyone = anyone || has;
        everyone = everyone && has;
      }
      if (anyone && !everyone) return false;
    }
    for (sim::NodeId s = 1; s < f.server_count(); ++s) {
      if (f.server(s).current_state() != f.server(0).current_state()) return false;
    }
    return true;
  }

  void partition(std::vector<uint32_t> side_of) {
    network.reachability().add_partition("split", std::move(side_of));
  }
  void heal() { network.reachability().remove_partition("split"); }

  CountingObserver observed;
  sim::Simulation sim;
  sim::Network network;
  mx::RoomWorld room;
  std::unique_ptr<mx::Federation> federation;
};

}  // namespace dmlssim::testing
