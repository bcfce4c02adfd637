// Properties of a federation that splits and heals, over hundreds of random histories: every
// server converges on the same DAG and on the resolution of all its branches; no accepted event
// fails the auth rules; rejection (unlike soft failure) is the same everywhere.
#include <catch2/catch.hpp>

#include "models/matrix/auth_rules.hpp"
#include "sim/random.hpp"
#include "tests/models/matrix/federation_fixture.hpp"

using dmlssim::testing::FederationWorld;
namespace mx = dmlssim::models::matrix;
namespace sim = dmlssim::sim;
using namespace dmlssim::sim;

namespace {

// A random action by a random user. User 0 of each server is never kicked or banned, so every
// server stays in the room.
void random_action(FederationWorld& w, sim::RandomStream& rng, std::size_t servers) {
  const auto s = static_cast<sim::NodeId>(rng.uniform_index(servers));
  const auto actor = static_cast<std::uint32_t>(rng.uniform_index(3));
  const auto target_server = static_cast<sim::NodeId>(rng.uniform_index(servers));
  const std::string target =
      mx::user_id_for(target_server, 1 + static_cast<std::uint32_t>(rng.uniform_index(2)));
  switch (rng.uniform_index(8)) {
    case 0:
      w.send(s, actor, "m.room.topic", "",
             {{"topic", "t" + std::to_string(rng.uniform_index(1000))}});
      break;
    case 1:
      w.send(s, actor, "m.room.member", target, {{"membership", "leave"}});
      break;
    case 2:
      w.send(s, actor, "m.room.member", target, {{"membership", "ban"}});
      break;
    case 3:
      w.send(s, actor, "m.room.member", mx::user_id_for(s, actor), {{"membership", "join"}});
      break;
    case 4: {
      nlohmann::json users = {{mx::user_id_for(0, 1), 50}};
      if (rng.bernoulli(0.5)) users[target] = 50;
      w.send(s, actor, "m.room.power_levels", "", {{"users", users}});
      break;
    }
    default:
      w.send(s, actor, "m.room.message", std::nullopt,
             {{"body", "b" + std::to_string(rng.uniform_index(1u << 30))}});
      break;
  }
}

}  // namespace

TEST_CASE("split and heal: convergence on the resolution of all branches",
          "[matrix][federation][property]") {
  int split_states_differed = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    CAPTURE(seed);
    sim::RandomStream rng(seed, 0, "property");
    const std::size_t servers = 3 + rng.uniform_index(3);
    FederationWorld w(servers, 3, seed, seed % 2 ? mx::room_v12() : mx::room_v11());
    std::vector<uint32_t> sides(servers);
    for (std::size_t s = 0; s < servers; ++s)
      sides[s] = s == 0 ? 0 : s == 1 ? 1 : static_cast<uint32_t>(rng.uniform_index(2));
    const SimTime split_at = kMinute * 2;
    const SimTime heal_at = split_at + kMinute * static_cast<int64_t>(5 + rng.uniform_index(40));
    bool split = false, healed = false;
    for (SimTime t = SimTime(); t < heal_at + kMinute * 5; t = t + kSecond * 20) {
      w.sim.run_until(t);
      if (!split && t >= split_at) {
        w.partition(sides);
        split = true;
      }
      if (!healed && t >= heal_at) {
        // Servers 0 and 1 are on different sides: did the sides' room states differ?
        if (w.federation->server(0).current_state() != w.federation->server(1).current_state())
          ++split_states_differed;
        w.heal();
        healed = true;
      }
      random_action(w, rng, servers);
    }
    w.sim.run_until(heal_at + kHour * 3);
    // Servers may have soft-failed different events; the conversation going on merges their
    // forward extremities. One message from each server, in turn.
    for (sim::NodeId s = 0; s < servers; ++s) {
      w.message(s, "after the heal");
      w.sim.run_until(w.sim.now() + kMinute);
    }
    REQUIRE(w.converged());
    const mx::EventStore& store = w.room.store();
    // The union DAG of accepted events, its leaves, and their n-way resolution.
    std::vector<bool> accepted(store.size(), false), cited(store.size(), false);
    for (mx::EventIndex e = 0; e < store.size(); ++e) {
      accepted[e] = w.federation->server(0).status(e) == mx::EventStatus::kAccepted;
    }
    // Cited: a prev event of an accepted event, or of a soft-failed or rejected event so cited.
    for (mx::EventIndex e = store.size(); e-- > 0;) {
      const bool counts = accepted[e] || (cited[e] && w.federation->server(0).in_dag(e));
      if (!counts) continue;
      for (const mx::EventIndex p : store[e].prev_events)
        cited[p] = true;
    }
    std::vector<mx::EventIndex> leaves;
    for (mx::EventIndex e = 0; e < store.size(); ++e) {
      if (accepted[e] && !cited[e]) leaves.push_back(e);
    }
    const mx::StateMap all_branches = w.room.history().state_after_all(leaves);
    for (sim::NodeId s = 0; s < servers; ++s)
      CHECK(w.federation->server(s).current_state() == all_branches);
    // Every accepted event passes the auth rules against the state before it; rejection agrees.
    for (mx::EventIndex e = 0; e < store.size(); ++e) {
      const mx::EventStatus st = w.federation->server(0).status(e);
      for (sim::NodeId s = 1; s < servers; ++s) {
        const mx::EventStatus other = w.federation->server(s).status(e);
        CHECK((st == mx::EventStatus::kRejected) == (other == mx::EventStatus::kRejected));
      }
      if (st != mx::EventStatus::kAccepted) continue;
      const mx::StateMap& before = w.room.history().state_before(e);
      const mx::AuthState auth = mx::auth_state_from(
          store, store[e], [&](mx::StateKeyId k) { return mx::state_lookup(before, k); });
      CHECK(mx::check_auth_rules(store, store[e], auth));
    }
  }
  // The histories do split the room state, so the resolution at the heal has work to do.
  CHECK(split_states_differed > 150);
}
