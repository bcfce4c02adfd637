// Federation of one room: delivery, back-off, catch-up and healing after a split.
#include <catch2/catch.hpp>

#include "models/matrix/retry_backoff.hpp"
#include "tests/models/matrix/federation_fixture.hpp"

using dmlssim::testing::FederationWorld;
namespace mx = dmlssim::models::matrix;
namespace sim = dmlssim::sim;
using namespace dmlssim::sim;

TEST_CASE("retry back-off follows Synapse's schedule", "[matrix][federation]") {
  mx::FederationConfig config;
  sim::RandomStream rng(1, 0, "test");
  mx::RetryBackoff b;
  CHECK(b.may_try(SimTime()));
  b.on_failure(kMinute * 5, config, rng);
  CHECK(b.interval() == kMinute * 10);  // the first failure waits the minimum
  CHECK_FALSE(b.may_try(kMinute * 14));
  CHECK(b.may_try(kMinute * 15));
  SimTime previous = b.interval();
  for (int i = 0; i < 40; ++i) {
    b.on_failure(kMinute * 15, config, rng);
    const double ratio = b.interval().seconds() / previous.seconds();
    if (b.interval() < config.max_retry_interval) {
      CHECK(ratio >= 2 * 0.8 - 1e-9);
      CHECK(ratio <= 2 * 1.4 + 1e-9);
    }
    CHECK(b.interval() <= config.max_retry_interval);
    previous = b.interval();
  }
  CHECK(b.interval() == config.max_retry_interval);  // capped at 7 days
  CHECK(b.failing_since() == kMinute * 5);
  CHECK(b.on_success());
  CHECK_FALSE(b.failing());
  CHECK_FALSE(b.on_success());
}

TEST_CASE("the federation counts the PDUs its servers send by event type", "[matrix][federation]") {
  FederationWorld w(4, 2);
  const mx::EventIndex a = w.message(1, "hello");
  const mx::EventIndex b = w.send(0, 0, "m.room.topic", "", {{"topic", "t1"}});
  w.sim.run_until(kSecond * 5);
  // No faults: each event went once to each of the three other servers, in a transaction.
  const auto& names = w.room.type_names();
  const auto& counts = w.federation->pdus_by_type();
  for (const mx::EventIndex e : {a, b}) {
    const std::uint16_t type = w.room.type_id(e);
    CHECK(names[type] == w.room.store()[e].type);
    REQUIRE(type < counts.size());
    CHECK(counts[type].objects == 3);
    CHECK(counts[type].bytes == 3 * std::uint64_t{w.room.pdu_bytes(e)});
  }
  CHECK(w.federation->to_device_edus().objects == 0);
}

TEST_CASE("events reach every server and states agree", "[matrix][federation]") {
  FederationWorld w(4, 2);
  CHECK(w.converged());
  const mx::EventIndex a = w.message(1, "hello");
  const mx::EventIndex b = w.send(0, 0, "m.room.topic", "", {{"topic", "t1"}});
  REQUIRE(a != mx::kNoEvent);
  REQUIRE(b != mx::kNoEvent);
  w.sim.run_until(kSecond * 5);
  for (sim::NodeId s = 0; s < 4; ++s) {
    CHECK(w.federation->server(s).status(a) == mx::EventStatus::kAccepted);
    CHECK(w.federation->server(s).status(b) == mx::EventStatus::kAccepted);
  }
  CHECK(w.converged());
  // a and b were concurrent (neither server had the other's event): both are extremities
  // until someone sends on top of them.
  CHECK(w.federation->server(2).forward_extremities().size() == 2);
  const mx::EventIndex c = w.message(2, "on top");
  CHECK(w.room.store()[c].prev_events.size() == 2);
  w.sim.run_until(kSecond * 10);
  CHECK(w.federation->server(3).forward_extremities() == std::vector<mx::EventIndex>{c});
}

TEST_CASE("a user without the power is refused locally", "[matrix][federation]") {
  FederationWorld w(2, 2);
  const std::size_t stored = w.room.store().size();
  const auto refused =
      w.federation->send(1, mx::user_id_for(1, 0), "m.room.topic", "", {{"topic", "x"}});
  CHECK(refused.event == mx::kNoEvent);
  CHECK(w.room.store().size() == stored);  // a refused event is never stored, never sent
  CHECK(std::string(refused.refused) == "sender below the event's required level");
}

TEST_CASE("after a split heals, every server converges on the resolution of both sides",
          "[matrix][federation]") {
  FederationWorld w(4, 2);
  w.partition({0, 0, 1, 1});
  // Both sides keep talking and change state; the moderator (u1 on s0) kicks a user of s3.
  for (int i = 0; i < 30; ++i) {
    w.sim.run_until(kMinute * i);
    w.message(static_cast<sim::NodeId>(i % 4), "m" + std::to_string(i));
  }
  REQUIRE(w.send(0, 1, "m.room.member", mx::user_id_for(3, 1), {{"membership", "leave"}}) !=
          mx::kNoEvent);
  REQUIRE(w.send(2, 1, "m.room.member", mx::user_id_for(2, 1), {{"membership", "leave"}}) !=
          mx::kNoEvent);
  w.sim.run_until(kMinute * 30);
  CHECK_FALSE(w.converged());
  CHECK(w.federation->server(0).backing_off(2));
  w.heal();
  // Nothing happens until a back-off expires and a wake-up finds it: within 10 min + 60 s.
  w.sim.run_until(kMinute * 45);
  CHECK(w.converged());
  // The converged state is the resolution of every branch tip in the world.
  std::vector<mx::EventIndex> leaves = w.federation->server(0).forward_extremities();
  CHECK(w.federation->server(3).current_state() == w.room.history().state_after_all(leaves));
  const mx::StateMap& state = w.federation->server(1).current_state();
  const mx::StateKeyId kicked = *w.room.store().find_key("m.room.member", mx::user_id_for(3, 1));
  CHECK(w.room.store()[mx::state_lookup(state, kicked)].membership == mx::Membership::kLeave);
  for (sim::NodeId s = 0; s < 4; ++s)
    CHECK(w.federation->server(s).open_gaps() == 0);
}

TEST_CASE("a crashed server catches up after its restart", "[matrix][federation]") {
  FederationWorld w(3, 1, 1, mx::room_v12(), {}, 0);
  w.network.reachability().hold_down(2);
  for (int i = 0; i < 25; ++i) {
    w.sim.run_until(kSecond * 10 * i);
    w.message(static_cast<sim::NodeId>(i % 2), "m" + std::to_string(i));
  }
  w.sim.run_until(kMinute * 5);
  w.network.reachability().release_down(2);
  // More than get_missing_events' 10 events are missing: the gap is filled by state + backfill.
  w.sim.run_until(kMinute * 30);
  CHECK(w.converged());
  CHECK(w.observed.requests[{mx::RequestKind::kMissingEvents, true}] >= 1);
  // get_missing_events returns the 10 newest missing events; the oldest of them still lacks its
  // prev events, so it is taken in on the state fetched for it and the rest is backfilled.
  CHECK(w.observed.arrivals(mx::Arrival::kPulled) == 9);
  CHECK(w.observed.arrivals(mx::Arrival::kAfterStateFetch) == 1);
  CHECK(w.observed.arrivals(mx::Arrival::kBackfilled) >= 1);
  CHECK(w.federation->server(2).open_gaps() == 0);
}

TEST_CASE("an inbound request ends the back-off towards its origin", "[matrix][federation]") {
  FederationWorld w(2, 1, 1, mx::room_v12(), {}, 0);
  w.partition({0, 1});
  const mx::EventIndex a = w.message(0, "from s0");  // s0 fails at once, retries after 10 min
  w.sim.run_until(kMinute * 4);
  const mx::EventIndex b = w.message(1, "from s1");  // s1 fails at 4 min: retries after 14 min
  w.sim.run_until(kMinute * 5);
  REQUIRE(w.federation->server(0).backing_off(1));
  REQUIRE(w.federation->server(1).backing_off(0));
  w.heal();
  // s0's back-off ends first; its catch-up reaches s1, which stops backing off from s0 and
  // sends its own event right away, minutes before its own back-off would have let it.
  w.sim.run_until(kMinute * 12);
  CHECK(w.federation->server(1).in_dag(a));
  CHECK_FALSE(w.federation->server(1).backing_off(0));
  CHECK(w.federation->server(0).in_dag(b));
  CHECK(w.converged());
}

TEST_CASE("an optional probe ends a back-off as soon as the destination answers",
          "[matrix][federation]") {
  for (const bool probing : {false, true}) {
    mx::FederationConfig config;
    if (probing) config.probe_interval = kMinute;
    FederationWorld w(2, 1, 1, mx::room_v12(), config, 0);
    w.partition({0, 1});
    const mx::EventIndex a = w.message(0, "while split");
    w.sim.run_until(kMinute * 2);
    w.heal();
    // A quiet room: nothing but the back-off, the wake-ups and (maybe) the probe.
    w.sim.run_until(kMinute * 4);
    CHECK(w.federation->server(1).in_dag(a) == probing);
    w.sim.run_until(kMinute * 12);
    CHECK(w.federation->server(1).in_dag(a));  // at the first wake-up after 10 min at the latest
    CHECK(w.observed.requests[{mx::RequestKind::kProbe, true}] == (probing ? 1 : 0));
  }
}

TEST_CASE("catch-up wake-up rounds walk the destinations 5 s apart and never overlap",
          "[matrix][federation]") {
  // s0 is cut off from 120 servers, sends, and every destination fails and backs off for 10 min.
  // After the heal, the wake-up loop finds all 120 due: one round wakes them in batches of 25,
  // one every 5 s (600 s in all), and the next round waits for it (Synapse's looping call). The
  // old model started a new round every minute on top of the running ones: thousands of pending
  // wake-ups for one server, which overflowed the event queue at 10,000 servers.
  const std::size_t n = 121;
  FederationWorld w(n, 1, 1, mx::room_v12(), {}, 0);
  std::vector<uint32_t> sides(n, 1);
  sides[0] = 0;
  w.partition(sides);
  const mx::EventIndex e = w.message(0, "alone");
  w.sim.run_until(kMinute);
  for (sim::NodeId d = 1; d < n; ++d)
    REQUIRE(w.federation->server(0).backing_off(d));
  w.heal();
  // Record when each destination first holds the event (pushed by s0's catch-up).
  std::vector<SimTime> got(n, SimTime::max());
  std::size_t most_pending = 0;
  for (SimTime t = kMinute; t < kMinute * 30; t += kSecond) {
    w.sim.run_until(t);
    most_pending = std::max(most_pending, w.sim.events_pending());
    for (sim::NodeId d = 1; d < n; ++d) {
      if (got[d] == SimTime::max() && w.federation->server(d).in_dag(e)) got[d] = t;
    }
  }
  for (sim::NodeId d = 1; d < n; ++d)
    REQUIRE(got[d] != SimTime::max());
  // One destination every 5 s, in destination order, across the batches of 25.
  for (sim::NodeId d = 2; d < n; ++d) {
    INFO("destination s" << d);
    CHECK(got[d] - got[d - 1] == kSecond * 5);
  }
  CHECK(most_pending < 100);
}

namespace {

// A transport that loses every third event a server creates (nobody is sent it): the seam lets a
// transport decide the fan-out without the homeservers' receive path knowing.
struct DropEveryThird : mx::RoomTransport {
  void bind(mx::RoomWorld& room) {
    joined = std::make_unique<mx::JoinedServersCache>(room);
    mesh = std::make_unique<mx::FullMeshTransport>(room, *joined, sets);
  }
  const mx::DestinationSet* fanout(sim::NodeId server, mx::EventIndex e, mx::Arrival arrival,
                                   sim::NodeId from) override {
    const mx::DestinationSet* to = mesh->fanout(server, e, arrival, from);
    if (arrival == mx::Arrival::kLocal && ++local % 3 == 0 && dropped.size() < 4) {
      dropped.push_back(e);
      return nullptr;
    }
    return to;
  }
  std::unique_ptr<mx::JoinedServersCache> joined;
  mx::DestinationSets sets;
  std::unique_ptr<mx::FullMeshTransport> mesh;
  int local = 0;
  std::vector<mx::EventIndex> dropped;
};

}  // namespace

TEST_CASE("a transport decides the fan-out — events it never sends are pulled by later ones",
          "[matrix][federation][transport]") {
  DropEveryThird transport;
  FederationWorld w(4, 1, 1, mx::room_v12(), {}, 0, &transport);
  transport.bind(w.room);
  for (int i = 0; i < 12; ++i) {
    w.sim.run_until(kSecond * 10 * i);
    w.message(static_cast<sim::NodeId>(i % 4), "m" + std::to_string(i));
  }
  // Dropped: m2 (s2), m5 (s1), m8 (s0), m11 (s3). Each server's next event cites its dropped one,
  // so the others pull it (s2 and s1 sent theirs in the loop; s0 and s3 send now).
  w.message(0, "m12");
  w.message(3, "m13");
  w.sim.run_until(kMinute * 5);
  REQUIRE(transport.dropped.size() == 4);
  for (const mx::EventIndex e : transport.dropped) {
    for (sim::NodeId s = 0; s < 4; ++s)
      CHECK(w.federation->server(s).in_dag(e));
  }
  // Dropped events arrived by get_missing_events, never pushed.
  CHECK(w.observed.arrivals(mx::Arrival::kPulled) >= 4 * 3 - 4);
  CHECK(w.converged());
}

TEST_CASE("a server announces destinations going down and up as its own back-off sees them",
          "[matrix][federation][signals]") {
  FederationWorld w(3, 1, 1, mx::room_v12(), {}, 0);
  std::vector<std::tuple<std::string, sim::NodeId, sim::NodeId, SimTime>> seen;
  w.federation->signals().destination_down.connect(
      [&](sim::NodeId s, sim::NodeId d) { seen.emplace_back("down", s, d, w.sim.now()); });
  w.federation->signals().destination_up.connect(
      [&](sim::NodeId s, sim::NodeId d) { seen.emplace_back("up", s, d, w.sim.now()); });
  w.partition({0, 0, 1});
  w.message(0, "across");  // s0 -> s2 fails after the connect timeout; s0 -> s1 works
  w.sim.run_until(kMinute);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == std::make_tuple(std::string("down"), sim::NodeId{0}, sim::NodeId{2},
                                   w.network.config().connect_timeout));
  // The simulator's truth changes at the heal; the server learns only when a request succeeds.
  w.heal();
  w.sim.run_until(kMinute * 2);
  CHECK(seen.size() == 1);
  w.sim.run_until(kMinute * 15);
  REQUIRE(seen.size() == 2);
  CHECK(std::get<0>(seen[1]) == "up");
  CHECK(std::get<1>(seen[1]) == 0);
  CHECK(std::get<2>(seen[1]) == 2);
  CHECK(std::get<3>(seen[1]) > w.network.config().connect_timeout + kMinute * 10);
}
