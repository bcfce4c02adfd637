// Post-compromise security: a compromise is healed only by a commit that replaces the compromised
// device's keys (its own commit with a path, a commit of its Update, its removal), once every
// device has moved past the epochs the attacker holds — not by another member's commit.
#include <catch2/catch.hpp>

#include "models/device/encrypted_room.hpp"
#include "models/device/pcs_tracker.hpp"
#include "tests/models/matrix/federation_fixture.hpp"

using dmlssim::testing::FederationWorld;
namespace device = dmlssim::models::device;
namespace mx = dmlssim::models::matrix;
namespace mls = dmlssim::models::mls;
namespace sim = dmlssim::sim;
using device::DeviceIndex;
using sim::SimTime;

namespace {

struct PcsWorld {
  PcsWorld() : w(3, 2), room(w.sim, *w.federation, links, sync, config(), 1, 0), pcs(room) {
    room.start();
    room.commit_synced.connect(
        [this](DeviceIndex d, mx::EventIndex e) { room.process_commit(d, e); });
  }
  static device::EncryptedRoomConfig config() {
    device::EncryptedRoomConfig c;
    c.group.crypto = &mls::fast_crypto();
    return c;
  }
  void run_for(double seconds) { w.sim.run_until(w.sim.now() + SimTime::from_seconds(seconds)); }

  FederationWorld w;
  sim::ClientLinks links{w.sim, w.network.reachability(), sim::Distribution::constant(0.02),
                         sim::RandomStream(1, 0, "client")};
  device::ClientSync sync{*w.federation, links};
  device::EncryptedRoom room;
  device::PcsTracker pcs;
};

}  // namespace

TEST_CASE("PCS: another member's commit does not heal; the device's own commit does",
          "[device][e2ee]") {
  PcsWorld p;
  REQUIRE(p.room.device_count() == 6);
  p.run_for(1);
  p.pcs.compromise(2);
  REQUIRE(p.pcs.compromises().size() == 1);
  CHECK_FALSE(p.pcs.compromises()[0].healed);
  // Device 4 commits with a path: the attacker (device 2's leaf and path keys) decrypts it.
  REQUIRE(p.room.commit(4, {}).sent);
  p.run_for(5);
  CHECK(p.room.group(0)->epoch() == 1);
  CHECK_FALSE(p.pcs.compromises()[0].healed);
  // Device 2's own commit with a path replaces its keys; healed when everyone is past it.
  const SimTime before = p.w.sim.now();
  REQUIRE(p.room.commit(2, {}).sent);
  p.run_for(5);
  CHECK(p.room.group(0)->epoch() == 2);
  REQUIRE(p.pcs.compromises()[0].healed);
  CHECK(*p.pcs.compromises()[0].healed > before);
}

TEST_CASE("PCS: removing the compromised device heals", "[device][e2ee]") {
  PcsWorld p;
  p.run_for(1);
  p.pcs.compromise(3);
  mls::CommitOptions remove;
  remove.by_value.push_back(mls::Proposal{mls::RemoveProposal{p.room.group(3)->own_leaf()}});
  REQUIRE(p.room.commit(0, remove).sent);
  p.run_for(5);
  CHECK(p.room.group(3) == nullptr);
  REQUIRE(p.pcs.compromises()[0].healed);
  // A compromise of a device holding no group holds nothing: healed at once.
  p.pcs.compromise(3);
  REQUIRE(p.pcs.compromises()[1].healed);
  CHECK(*p.pcs.compromises()[1].healed == p.pcs.compromises()[1].at);
}
