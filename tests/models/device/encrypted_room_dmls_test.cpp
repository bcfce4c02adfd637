// An encrypted room under DMLS at the device level: which commit event names the epoch a device
// is on, as its head moves between forks.
#include <catch2/catch.hpp>

#include "tests/models/device/encrypted_world.hpp"

using dmlssim::testing::EncryptedWorld;
namespace device = dmlssim::models::device;
namespace mx = dmlssim::models::matrix;

TEST_CASE(
    "encrypted room (DMLS): a device moved to another fork's head names that head's commit, "
    "and its next commit cites it as prev_commit_event_id",
    "[device][e2ee][dmls]") {
  device::EncryptedRoomConfig c = EncryptedWorld::config();
  c.dmls = true;
  EncryptedWorld e(3, 2, c);
  e.w.partition({0, 1, 1});            // s0 | s1 s2
  REQUIRE(e.room.commit(0, {}).sent);  // a device of s0
  REQUIRE(e.room.commit(4, {}).sent);  // a device of s1
  e.run_for(5);
  const mx::EventIndex ours = e.room.epoch_commit(0), theirs = e.room.epoch_commit(4);
  REQUIRE(ours != mx::kNoEvent);
  REQUIRE(theirs != mx::kNoEvent);
  REQUIRE(ours != theirs);
  e.w.heal();
  e.run_for(1800);  // back-off, then catch-up: each side gets the other's commit, a fork
  REQUIRE(e.room.tree(0)->holds(e.room.head(4)));
  CHECK(e.room.epoch_commit(0) == ours);  // device 0 stays on its own branch
  e.room.set_head(0, e.room.head(4));
  CHECK(e.room.epoch_commit(0) == theirs);
  CHECK(e.room.commit_of_epoch(e.room.head(0)) == theirs);
  REQUIRE(e.room.commit(0, {}).sent);
  e.run_for(5);
  const mx::EventIndex next = e.room.epoch_commit(0);
  REQUIRE(next != theirs);
  const auto& store = e.w.room.store();
  CHECK(store[next].content["prev_commit_event_id"] == store[theirs].event_id);
  CHECK(e.room.commit_parent(next) == theirs);
  // Device 4 was on that head: it applies device 0's commit and follows.
  CHECK(e.room.epoch_commit(4) == next);
}
