// StateHistory: resolutions are remembered by the distinct states resolved, never change a result,
// and states that resolve to one of their inputs share that input's map.
#include <catch2/catch.hpp>

#include "tests/models/matrix/random_room.hpp"
#include "tests/models/matrix/room_fixture.hpp"

using dmlssim::testing::RandomRoom;
using dmlssim::testing::RoomFixture;
namespace mx = dmlssim::models::matrix;

namespace {

const std::string kAlice = "@alice:a.example";
const std::string kBob = "@bob:b.example";

}  // namespace

TEST_CASE("extremities whose states are one map need no resolution", "[matrix][history]") {
  RoomFixture room(mx::room_v12(), kAlice);
  room.join(kAlice);
  room.add(kAlice, "m.room.join_rules", "", {{"join_rule", "public"}});
  const mx::EventIndex base = room.tip();
  // Two messages on the same parent: two extremities, one state.
  const mx::EventIndex m1 =
      room.add_after({base}, kAlice, "m.room.message", std::nullopt, {{"body", "one"}});
  const mx::EventIndex m2 =
      room.add_after({base}, kAlice, "m.room.message", std::nullopt, {{"body", "two"}});
  mx::StateHistory& h = room.history();
  const std::vector<mx::EventIndex> both{m1, m2};
  const mx::SharedState state = h.shared_state_after_all(both);
  CHECK(state == h.shared_state_after(base));
  CHECK(h.resolutions() == 0);
  // A merge event on both messages shares its parents' map instead of resolving a copy.
  const mx::EventIndex merge =
      room.add_after(both, kAlice, "m.room.message", std::nullopt, {{"body", "merge"}});
  CHECK(h.shared_state_before(merge) == h.shared_state_after(base));
  CHECK(h.resolutions() == 0);
}

TEST_CASE("a resolution is remembered by its states, whatever events carry them",
          "[matrix][history]") {
  RoomFixture room(mx::room_v12(), kAlice);
  room.join(kAlice);
  room.add(kAlice, "m.room.join_rules", "", {{"join_rule", "public"}});
  const mx::EventIndex base = room.tip();
  // Two sides change the topic differently, then each sends messages on top.
  const mx::EventIndex a = room.add_after({base}, kAlice, "m.room.topic", "", {{"topic", "a"}});
  const mx::EventIndex b = room.add_after({base}, kAlice, "m.room.topic", "", {{"topic", "b"}});
  const mx::EventIndex a_msg =
      room.add_after({a}, kAlice, "m.room.message", std::nullopt, {{"body", "on a"}});
  const mx::EventIndex b_msg =
      room.add_after({b}, kAlice, "m.room.message", std::nullopt, {{"body", "on b"}});
  mx::StateHistory& h = room.history();
  const std::vector<mx::EventIndex> tips{a, b};
  const std::vector<mx::EventIndex> later_tips{a_msg, b_msg};
  const mx::SharedState first = h.shared_state_after_all(tips);
  CHECK(h.resolutions() == 1);
  const mx::SharedState second = h.shared_state_after_all(later_tips);
  CHECK(h.resolutions() == 1);  // the same two states: answered from memory
  CHECK(h.remembered_resolutions() == 1);
  CHECK(second == first);
  CHECK(*first == h.state_after_all(tips));  // equal to a fresh, unshared resolution
  // The soft-fail question (extremities with the state before an event) goes through the same
  // memory: the state before b_msg is b's state, already one of the inputs.
  const std::vector<mx::EventIndex> just_a{a_msg};
  CHECK(h.shared_state_after_all_and_before(just_a, b_msg) == first);
  CHECK(h.resolutions() == 1);
}

TEST_CASE("shared resolutions equal fresh ones over random split histories", "[matrix][history]") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    RandomRoom random(mx::room_v12(), seed, {6, 4, 60, 0.2});
    mx::StateHistory& h = random.fixture().history();
    std::vector<mx::EventIndex> tips = random.tips();
    std::sort(tips.begin(), tips.end());
    tips.erase(std::unique(tips.begin(), tips.end()), tips.end());
    // An independent history over the same store computes every state afresh.
    mx::StateHistory fresh(random.fixture().store());
    CHECK(*h.shared_state_after_all(tips) == fresh.state_after_all(tips));
    for (mx::EventIndex e = 0; e < random.fixture().store().size(); ++e) {
      // The state before e: every prev event's state after, duplicates included, resolved by
      // the plain resolver (no memory, no de-duplication).
      const auto& prev = random.fixture().store()[e].prev_events;
      if (!prev.empty()) {
        std::vector<const mx::StateMap*> after;
        for (const mx::EventIndex p : prev)
          after.push_back(&h.state_after(p));
        CHECK(h.state_before(e) == fresh.resolver().resolve(after, fresh.options()));
      }
      CHECK(*h.shared_state_after_all_and_before(tips, e) == [&] {
        std::vector<const mx::StateMap*> states;
        for (const mx::EventIndex t : tips)
          states.push_back(&fresh.state_after(t));
        states.push_back(&fresh.state_before(e));
        return fresh.resolver().resolve(states, fresh.options());
      }());
    }
  }
}
