// Post-compromise security: a compromise is healed only by a commit that replaces the compromised
// device's keys (its own commit with a path, a commit of its Update, its removal), once every
// device has moved past the epochs the attacker holds — not by another member's commit.
#include <catch2/catch.hpp>

#include "models/device/pcs_tracker.hpp"
#include "tests/models/device/encrypted_world.hpp"

using dmlssim::testing::EncryptedWorld;
using dmlssim::testing::FederationWorld;
namespace device = dmlssim::models::device;
namespace mx = dmlssim::models::matrix;
namespace mls = dmlssim::models::mls;
namespace sim = dmlssim::sim;
using device::DeviceIndex;
using sim::SimTime;

namespace {

// One device per user, so that device d is user d's.
struct PcsWorld {
  static device::EncryptedRoomConfig one_device() {
    device::EncryptedRoomConfig c = EncryptedWorld::config();
    c.devices_per_user = 1;
    return c;
  }
  void run_for(double seconds) { e.run_for(seconds); }

  EncryptedWorld e{3, 2, one_device()};
  device::EncryptedRoom& room = e.room;
  FederationWorld& w = e.w;
  device::PcsTracker pcs{room};
};

}  // namespace

TEST_CASE("PCS: another member's commit does not heal — the device's own commit does",
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
