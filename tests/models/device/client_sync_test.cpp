// Devices receive the room from their homeserver by /sync over the client hop: in the server's
// order, nothing while offline, everything they lack when back, nothing lost to a crash.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>

#include "models/device/client_sync.hpp"
#include "tests/models/matrix/federation_fixture.hpp"

using dmlssim::testing::FederationWorld;
namespace device = dmlssim::models::device;
namespace mx = dmlssim::models::matrix;
namespace sim = dmlssim::sim;
using namespace dmlssim::sim;

namespace {

// Records, per client, what sync told it: each event with its arrival time, and its online state.
struct Recorder : device::SyncReceiver {
  std::vector<std::vector<std::pair<mx::EventIndex, SimTime>>> received;
  std::vector<bool> online;
  explicit Recorder(std::size_t clients) : received(clients), online(clients, true) {}
  void on_synced(std::uint32_t who, mx::EventIndex e, SimTime at) override {
    received.at(who).emplace_back(e, at);
  }
  void on_online(std::uint32_t who, bool now_online) override { online.at(who) = now_online; }
};

struct SyncWorld {
  FederationWorld w{3, 1, 1, mx::room_v12(), {}, 0};
  sim::ClientLinks links{w.sim, w.network.reachability(), Distribution::constant(0.02),
                         RandomStream(1, 0, "client")};
  device::ClientSync sync{*w.federation, links};
  Recorder phone{1};
  std::vector<std::pair<mx::EventIndex, SimTime>>& received = phone.received[0];
  sim::EndpointId endpoint = sync.attach(1, true, phone, 0);
  // The events s1 accepted, in the order it accepted them.
  std::vector<mx::EventIndex> s1_order;
  void record_s1() {
    w.federation->signals().event_admitted.connect(
        [this](sim::NodeId s, mx::EventIndex e, mx::EventStatus status, mx::Arrival) {
          if (s == 1 && status == mx::EventStatus::kAccepted) s1_order.push_back(e);
        });
  }
  std::vector<mx::EventIndex> received_events() const {
    std::vector<mx::EventIndex> out;
    for (const auto& r : received)
      out.push_back(r.first);
    return out;
  }
};

}  // namespace

TEST_CASE("an online device gets its server's accepted events in order, after the hop",
          "[device][sync]") {
  SyncWorld s;
  s.record_s1();
  for (int i = 0; i < 6; ++i) {
    s.w.sim.run_until(kSecond * i);
    s.w.message(static_cast<sim::NodeId>(i % 3), "m" + std::to_string(i));
  }
  s.w.sim.run_until(kMinute);
  REQUIRE(s.s1_order.size() == 6);
  CHECK(s.received_events() == s.s1_order);
  // m1, sent by s1 itself at 1 s while the device's poll was waiting: one hop later.
  CHECK(s.received[1].second == SimTime::from_seconds(1.02));
  CHECK(s.links.traffic(s.sync.sync_class()).messages >= 1);
  CHECK(s.links.traffic(s.sync.poll_class()).messages >= 1);
}

TEST_CASE("an offline device gets nothing — back online it gets all it lacks, in order",
          "[device][sync]") {
  SyncWorld s;
  s.record_s1();
  s.w.message(1, "before");
  s.w.sim.run_until(kSecond);
  s.links.set_online(s.endpoint, false);
  CHECK_FALSE(s.phone.online[0]);
  for (int i = 0; i < 5; ++i) {
    s.w.sim.run_until(kSecond * (2 + i));
    s.w.message(static_cast<sim::NodeId>(i % 3), "while away " + std::to_string(i));
  }
  s.w.sim.run_until(kMinute);
  CHECK(s.received.size() == 1);
  s.links.set_online(s.endpoint, true);
  CHECK(s.phone.online[0]);
  s.w.sim.run_until(kMinute * 2);
  CHECK(s.received_events() == s.s1_order);
  CHECK(s.received.size() == 6);
  // The five arrive together, one hop after the device came back.
  CHECK(s.received[5].second == kMinute + SimTime::from_seconds(0.02));
}

TEST_CASE("a batch lost with the server's crash is sent again after the restart",
          "[device][sync]") {
  SyncWorld s;
  s.record_s1();
  s.w.message(1, "one");
  s.w.sim.run_until(kMillisecond);  // the batch is on its way (20 ms hop)
  s.w.network.reachability().hold_down(1);
  s.w.sim.run_until(kSecond);
  CHECK(s.received.empty());
  s.w.network.reachability().release_down(1);
  s.w.sim.run_until(kSecond * 2);
  CHECK(s.received_events() == s.s1_order);
  CHECK(s.received.size() == 1);
}

TEST_CASE(
    "an event accepted while the device's poll is on its way goes out when the poll arrives — a "
    "poll lost with the session or the server is counted failed",
    "[device][sync]") {
  SyncWorld s;
  s.record_s1();
  s.w.sim.run_until(kSecond);
  s.w.message(1, "first");  // sent at once (the poll waits): arrives at 1.02, the poll at 1.04
  s.w.sim.run_until(SimTime::from_seconds(1.03));
  s.w.message(1, "second");  // the poll is on its way: goes out at 1.04, arrives at 1.06
  s.w.sim.run_until(kSecond * 2);
  REQUIRE(s.received.size() == 2);
  CHECK(s.received[0].second == SimTime::from_seconds(1.02));
  CHECK(s.received[1].second == SimTime::from_seconds(1.06));
  const TrafficCounters& polls = s.links.traffic(s.sync.poll_class());
  CHECK(polls.messages == 2);  // one after each batch
  CHECK(polls.failed == 0);
  // A batch arrives at 3.02; the device goes offline at 3.03 with its poll on its way (lost).
  s.w.sim.run_until(kSecond * 3);
  s.w.message(1, "third");
  s.w.sim.run_until(SimTime::from_seconds(3.03));
  s.links.set_online(s.endpoint, false);
  s.w.message(1, "while away");
  s.w.sim.run_until(kSecond * 4);
  CHECK(polls.failed == 1);
  s.links.set_online(s.endpoint, true);  // back: it polls and gets what it lacks, one hop later
  s.w.sim.run_until(kSecond * 5);
  REQUIRE(s.received.size() == 4);
  CHECK(s.received[3].second == SimTime::from_seconds(4.02));
  // The server crashes with a poll on its way: lost too. A poll that arrived before is not.
  s.w.message(1, "fifth");  // batch arrives at 5.02, its poll at 5.04
  s.w.sim.run_until(SimTime::from_seconds(5.03));
  s.w.network.reachability().hold_down(1);
  s.w.sim.run_until(kSecond * 6);
  CHECK(polls.failed == 2);
  s.w.network.reachability().release_down(1);
  s.w.sim.run_until(kSecond * 7);
  CHECK(polls.failed == 2);
  CHECK(s.received_events() == s.s1_order);
}

namespace {

// A room of three servers with two devices each, under a random schedule of messages, devices
// going offline and back, and server crashes; polls travel as `polls` says.
struct RandomSyncWorld {
  FederationWorld w{3, 1, 1, mx::room_v12(), {}, 0};
  sim::ClientLinks links;
  device::ClientSync sync;
  Recorder devices{6};
  std::vector<sim::EndpointId> endpoints;
  // Per device: what it received and when.
  std::vector<std::vector<std::pair<mx::EventIndex, SimTime>>>& received = devices.received;

  RandomSyncWorld(Distribution latency, device::ClientSync::PollEvents polls, std::uint64_t seed)
      : links(w.sim, w.network.reachability(), latency, RandomStream(seed, 0, "client")),
        sync(*w.federation, links, polls) {
    for (std::uint32_t d = 0; d < 6; ++d)
      endpoints.push_back(sync.attach(static_cast<sim::NodeId>(d % 3), true, devices, d));
    RandomStream rng(seed, 0, "schedule");
    for (int i = 0; i < 400; ++i) {
      const SimTime at = SimTime::from_seconds(rng.uniform01() * 60);
      const double u = rng.uniform01();
      const auto server = static_cast<sim::NodeId>(rng.uniform_index(3));
      const std::size_t d = rng.uniform_index(endpoints.size());
      if (u < 0.7) {
        w.sim.schedule_at(at, [this, server, i] { w.message(server, "m" + std::to_string(i)); });
      } else if (u < 0.9) {
        w.sim.schedule_at(
            at, [this, d] { links.set_online(endpoints[d], !links.online(endpoints[d])); });
      } else {
        const SimTime back = at + SimTime::from_seconds(rng.uniform01() * 3);
        w.sim.schedule_at(at, [this, server] { w.network.reachability().hold_down(server); });
        w.sim.schedule_at(back, [this, server] { w.network.reachability().release_down(server); });
      }
    }
    // Some changes between events too (the clock stands at the end of a run_until).
    for (int step = 1; step <= 12; ++step) {
      w.sim.run_until(SimTime::from_seconds(5.0 * step));
      if (step % 3 == 0) links.set_online(endpoints[step % 6], !links.online(endpoints[step % 6]));
      if (step % 4 == 0) w.message(static_cast<sim::NodeId>(step % 3), "between");
    }
    for (const sim::EndpointId e : endpoints) {
      if (!links.online(e)) links.set_online(e, true);
    }
    w.sim.run_until(SimTime::from_seconds(90));
  }
};

}  // namespace

TEST_CASE("polls without events deliver exactly what a poll event each delivers",
          "[device][sync]") {
  using Polls = device::ClientSync::PollEvents;
  std::uint64_t polls_failed = 0;
  // Ties: a constant hop puts many arrivals on one nanosecond, and a normal one cut at zero sends
  // a third of the hops in no time at all (an arrival at its sending instant); the order of
  // such events must hold, and with random hops it decides what is drawn next.
  for (const Distribution& latency :
       {Distribution::constant(0.02), Distribution::normal(0.01, 0.02),
        Distribution::lognormal(std::log(0.05), 0.5)}) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      INFO("seed " << seed);
      const RandomSyncWorld lazy(latency, Polls::kWhenNeeded, seed);
      const RandomSyncWorld reference(latency, Polls::kAlways, seed);
      std::size_t delivered = 0;
      for (std::size_t d = 0; d < lazy.received.size(); ++d) {
        CHECK(lazy.received[d] == reference.received[d]);
        delivered += lazy.received[d].size();
      }
      CHECK(delivered > 200);
      for (const sim::MessageClass cls : {lazy.sync.sync_class(), lazy.sync.poll_class()}) {
        CHECK(lazy.links.traffic(cls).messages == reference.links.traffic(cls).messages);
        CHECK(lazy.links.traffic(cls).bytes == reference.links.traffic(cls).bytes);
        CHECK(lazy.links.traffic(cls).failed == reference.links.traffic(cls).failed);
      }
      polls_failed += reference.links.traffic(reference.sync.poll_class()).failed;
      // The point: fewer events for the same outcome.
      CHECK(lazy.w.sim.events_processed() < reference.w.sim.events_processed());
    }
  }
  CHECK(polls_failed > 0);  // polls lost with a session or a crash were among them
}

TEST_CASE("a poll whose arrival is scheduled late runs before what was scheduled after it was sent",
          "[device][sync]") {
  for (const auto polls :
       {device::ClientSync::PollEvents::kWhenNeeded, device::ClientSync::PollEvents::kAlways}) {
    FederationWorld w{3, 1, 1, mx::room_v12(), {}, 0};
    sim::ClientLinks links{w.sim, w.network.reachability(), Distribution::constant(0.02),
                           RandomStream(1, 0, "client")};
    device::ClientSync sync{*w.federation, links, polls};
    Recorder phone{1};
    sync.attach(1, true, phone, 0);
    w.sim.run_until(kSecond);
    w.message(1, "a");  // arrives at 1.02; its poll leaves then and reaches s1 at 1.04
    // At 1.03, with the poll on its way: "c" is scheduled for 1.04, then "b" is accepted (the
    // poll must now be met at 1.04). The poll was sent first, so at 1.04 it runs first: it takes
    // "b" alone, and "c" waits for the next poll.
    w.sim.schedule_at(SimTime::from_seconds(1.03), [&] {
      w.sim.schedule_at(SimTime::from_seconds(1.04), [&] { w.message(1, "c"); });
      w.message(1, "b");
    });
    w.sim.run_until(kSecond * 2);
    std::vector<SimTime> times;
    for (const auto& r : phone.received[0])
      times.push_back(r.second);
    CHECK(times == std::vector<SimTime>{SimTime::from_seconds(1.02), SimTime::from_seconds(1.06),
                                        SimTime::from_seconds(1.10)});
  }
}
