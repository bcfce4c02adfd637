// An encrypted room under DMLS at the device level: which commit event names the epoch a device
// is on, as its head moves between forks.
#include <catch2/catch.hpp>
#include <cmath>
#include <tuple>
#include <vector>

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

TEST_CASE("encrypted room (DMLS): hints to the events that run next change no outcome",
          "[device][e2ee][dmls]") {
  // The sync deliveries ahead prefetch their devices' read state (ClientSync, EncryptedRoom):
  // every (message, reader) outcome and delay, and every commit's fate, must be those of a run
  // without hints — through a split, forks and their merge.
  const auto run = [](bool hints) {
    device::EncryptedRoomConfig c = EncryptedWorld::config();
    c.dmls = true;
    EncryptedWorld e(3, 3, c, dmlssim::sim::Distribution::lognormal(std::log(0.05), 0.5));
    e.w.sim.set_hints(hints);
    const std::size_t users = e.w.room.users().size();
    for (std::size_t u = 0; u < users; u += 2)
      REQUIRE(e.room.send_message(u).sent);
    e.run_for(2);
    e.w.partition({0, 1, 1});
    REQUIRE(e.room.commit(0, {}).sent);  // a device of s0
    REQUIRE(e.room.commit(6, {}).sent);  // a device of s1: a fork
    e.run_for(5);
    for (std::size_t u = 0; u < users; ++u)
      REQUIRE(e.room.send_message(u).sent);
    e.run_for(5);
    e.w.heal();
    e.run_for(1800);
    std::vector<std::tuple<int, int, std::uint32_t>> outcomes;  // (outcome, cause, delay)
    const device::ReadLedger& ledger = e.room.ledger();
    for (std::uint32_t m = 0; m < ledger.message_count(); ++m) {
      for (device::DeviceIndex d = 0; d < e.room.device_count(); ++d) {
        const device::ReadOutcome o = ledger.outcome(m, d);
        outcomes.emplace_back(
            static_cast<int>(o),
            o == device::ReadOutcome::kUnreadable ? static_cast<int>(ledger.cause(m, d)) : -1,
            o == device::ReadOutcome::kRead ? ledger.read_delay_ms(m, d) : 0);
      }
    }
    return std::make_tuple(outcomes, e.fates, e.w.sim.events_processed(), e.w.sim.hints_given());
  };
  const auto [outcomes, fates, events, hints] = run(true);
  const auto [outcomes_plain, fates_plain, events_plain, no_hints] = run(false);
  CHECK(outcomes == outcomes_plain);
  CHECK(fates == fates_plain);
  CHECK(events == events_plain);
  CHECK(outcomes.size() > 100);
  CHECK(hints > 500);  // hints were given (829 in this run)
  CHECK(no_hints == 0);
}
