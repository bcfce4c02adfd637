// State resolution against an independent plain implementation of the spec text, and the
// properties the spec promises (order independence), over hundreds of random room histories.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/models/matrix/random_room.hpp"
#include "tests/models/matrix/reference_stateres.hpp"

using dmlssim::testing::RandomRoom;
using dmlssim::testing::RandomRoomOptions;
using dmlssim::testing::ReferenceStateRes;
namespace mx = dmlssim::models::matrix;

namespace {

std::vector<mx::StateMap> tip_states(RandomRoom& room) {
  std::vector<mx::StateMap> out;
  for (const mx::EventIndex t : room.tips())
    out.push_back(room.fixture().history().state_after(t));
  return out;
}

std::vector<const mx::StateMap*> pointers(const std::vector<mx::StateMap>& states) {
  std::vector<const mx::StateMap*> out;
  for (const auto& s : states)
    out.push_back(&s);
  return out;
}

}  // namespace

TEST_CASE("state resolution agrees with a plain implementation of the spec", "[matrix][stateres]") {
  const mx::RoomVersion* versions[] = {&mx::room_v10(), &mx::room_v11(), &mx::room_v12()};
  std::size_t conflicted_total = 0, mainline_total = 0, power_total = 0;
  for (std::uint64_t seed = 1; seed <= 120; ++seed) {
    const mx::RoomVersion& version = *versions[seed % 3];
    RandomRoom room(version, seed, RandomRoomOptions{6, 2 + static_cast<int>(seed % 3), 60, 0.1});
    const std::vector<mx::StateMap> states = tip_states(room);
    mx::StateResolver resolver(room.fixture().store());
    ReferenceStateRes reference(room.fixture().store());
    std::vector<ReferenceStateRes::State> reference_states;
    for (const auto& s : states)
      reference_states.push_back(reference.to_state(s));
    for (const mx::StateResAlgorithm algorithm :
         {mx::StateResAlgorithm::kV2, mx::StateResAlgorithm::kV2_1}) {
      for (const bool include_self : {false, true}) {
        CAPTURE(seed, version.id, algorithm == mx::StateResAlgorithm::kV2 ? "v2" : "v2.1",
                include_self);
        mx::ResolutionOptions options;
        options.algorithm = algorithm;
        options.auth_chain = include_self ? mx::AuthChainConvention::kIncludeSelf
                                          : mx::AuthChainConvention::kExcludeSelf;
        mx::ResolutionStats stats;
        const mx::StateMap got = resolver.resolve(pointers(states), options, &stats);
        CHECK(reference.to_state(got) ==
              reference.resolve(reference_states, algorithm, include_self));
        if (include_self) continue;
        conflicted_total += stats.conflicted;
        mainline_total += stats.mainline_sorted;
        power_total += stats.power_sorted;
      }
    }
  }
  // The histories really conflict and exercise both passes.
  CHECK(conflicted_total > 1000);
  CHECK(power_total > 500);
  CHECK(mainline_total > 500);
}

TEST_CASE("state resolution does not depend on the order of the state sets", "[matrix][stateres]") {
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    RandomRoom room(seed % 2 == 0 ? mx::room_v12() : mx::room_v11(), 1000 + seed,
                    RandomRoomOptions{6, 4, 60, 0.1});
    std::vector<mx::StateMap> states = tip_states(room);
    mx::StateResolver resolver(room.fixture().store());
    const mx::StateMap first = resolver.resolve(pointers(states));
    std::reverse(states.begin(), states.end());
    CHECK(resolver.resolve(pointers(states)) == first);
    std::rotate(states.begin(), states.begin() + 1, states.end());
    CHECK(resolver.resolve(pointers(states)) == first);
    // A fresh resolver (no scratch history) gives the same answer.
    mx::StateResolver fresh(room.fixture().store());
    CHECK(fresh.resolve(pointers(states)) == first);
  }
}

TEST_CASE("under v2.1 the spec and Synapse power closures coincide", "[matrix][stateres]") {
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    RandomRoom room(mx::room_v12(), 5000 + seed, RandomRoomOptions{6, 3, 60, 0.15});
    const std::vector<mx::StateMap> states = tip_states(room);
    mx::StateResolver resolver(room.fixture().store());
    mx::ResolutionOptions spec, synapse;
    synapse.power_closure = mx::PowerClosure::kConflictedPaths;
    CHECK(resolver.resolve(pointers(states), spec) == resolver.resolve(pointers(states), synapse));
  }
}

TEST_CASE("resolving one state or identical states returns it", "[matrix][stateres]") {
  RandomRoom room(mx::room_v11(), 7, RandomRoomOptions{5, 1, 30, 0.0});
  const mx::StateMap s = room.fixture().history().state_after(room.tips()[0]);
  mx::StateResolver resolver(room.fixture().store());
  const mx::StateMap* one[] = {&s};
  const mx::StateMap* three[] = {&s, &s, &s};
  CHECK(resolver.resolve(one) == s);
  CHECK(resolver.resolve(three) == s);
  CHECK(resolver.resolve(std::span<const mx::StateMap* const>()).empty());
}

TEST_CASE("the spec's and Synapse's auth chains give different auth differences",
          "[matrix][stateres]") {
  // Under the spec an unconflicted state event that only one set's events descend from is in the
  // auth difference; Synapse counts each set's own events in its chain and leaves it out.
  int differing = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    RandomRoom room(mx::room_v11(), 9000 + seed, RandomRoomOptions{6, 2, 60, 0.0});
    const std::vector<mx::StateMap> states = tip_states(room);
    mx::StateResolver resolver(room.fixture().store());
    mx::ResolutionOptions spec, synapse;
    synapse.auth_chain = mx::AuthChainConvention::kIncludeSelf;
    mx::ResolutionStats a, b;
    resolver.resolve(pointers(states), spec, &a);
    resolver.resolve(pointers(states), synapse, &b);
    // Synapse's full conflicted set is contained in the spec's (a set's own events outside the
    // other's chain are conflicted anyway); the spec's can hold more.
    CHECK(a.full_conflicted >= b.full_conflicted);
    differing += a.full_conflicted != b.full_conflicted ? 1 : 0;
  }
  CHECK(differing > 0);
}

TEST_CASE("the auth difference of more than 64 sets matches the masked walk",
          "[matrix][stateres]") {
  // A duplicated set changes neither the union nor the intersection of the chains, so 65 sets
  // (counted one chain at a time) must give what their first 64 give (one masked walk).
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    RandomRoom room(mx::room_v12(), 7000 + seed, RandomRoomOptions{6, 4, 80, 0.1});
    const mx::EventStore& store = room.fixture().store();
    std::vector<std::vector<mx::EventIndex>> sets;
    for (int i = 0; i < 64; ++i) {
      const mx::StateMap& s = room.fixture().history().state_after(
          room.tips()[static_cast<std::size_t>(i) % room.tips().size()] -
          static_cast<mx::EventIndex>(i % 3));
      std::vector<mx::EventIndex> set;
      for (const auto& entry : s)
        set.push_back(entry.event);
      sets.push_back(set);
    }
    mx::StateResolver resolver(store);
    for (const bool include_self : {false, true}) {
      const auto masked = resolver.auth_difference(sets, include_self);
      auto more = sets;
      more.push_back(sets.back());
      CHECK(resolver.auth_difference(more, include_self) == masked);
    }
  }
}
