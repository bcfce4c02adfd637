// Devices receive the room from their homeserver by /sync over the client hop: in the server's
// order, nothing while offline, everything they lack when back, nothing lost to a crash.
#include <catch2/catch.hpp>

#include "models/device/client_sync.hpp"
#include "tests/models/matrix/federation_fixture.hpp"

using dmlssim::testing::FederationWorld;
namespace device = dmlssim::models::device;
namespace mx = dmlssim::models::matrix;
namespace mls = dmlssim::models::mls;
namespace sim = dmlssim::sim;
using namespace dmlssim::sim;

namespace {

struct SyncWorld {
  FederationWorld w{3, 1, 1, mx::room_v12(), {}, 0};
  sim::ClientLinks links{w.sim, w.network.reachability(), Distribution::constant(0.02),
                         RandomStream(1, 0, "client")};
  device::ClientSync sync{*w.federation, links};
  device::Device phone{"@u0:s1", "PHONE", 1, mls::Drbg(mls::Bytes(32, 1))};
  std::vector<std::pair<mx::EventIndex, SimTime>> received;
  sim::EndpointId endpoint = sync.attach(phone);
  SyncWorld() {
    phone.synced.connect([this](mx::EventIndex e, SimTime at) { received.emplace_back(e, at); });
  }
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
  CHECK(s.phone.synced_count() == 6);
  CHECK(s.phone.last_synced() == s.s1_order.back());
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
  CHECK_FALSE(s.phone.online());
  for (int i = 0; i < 5; ++i) {
    s.w.sim.run_until(kSecond * (2 + i));
    s.w.message(static_cast<sim::NodeId>(i % 3), "while away " + std::to_string(i));
  }
  s.w.sim.run_until(kMinute);
  CHECK(s.received.size() == 1);
  s.links.set_online(s.endpoint, true);
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
