// The superseded index keeps its entries in (time, creation) order through any mix of inserts
// and erases, in or out of order: checked against an ordered set.
#include <catch2/catch.hpp>
#include <set>
#include <utility>
#include <vector>

#include "models/dmls/superseded_index.hpp"
#include "sim/random.hpp"

using dmlssim::models::dmls::SupersededIndex;

TEST_CASE("the superseded index orders entries as a set would, inserts and erases in any order",
          "[dmls][retention]") {
  dmlssim::sim::RandomStream rng(7, 0, "superseded-index");
  std::vector<dmlssim::models::mls::Bytes> keys(64);  // what entries point at
  SupersededIndex index;
  std::set<std::pair<std::int64_t, std::uint64_t>> reference;
  std::uint64_t appended = 0, shifted = 0;
  std::int64_t clock = 0;
  for (int step = 0; step < 20000; ++step) {
    const double u = rng.uniform01();
    if (u < 0.5) {
      // Mostly superseded now (an append), sometimes earlier (a merge's late branch).
      const bool in_order = rng.uniform01() < 0.8;
      clock += static_cast<std::int64_t>(rng.uniform_index(3));
      const std::int64_t at =
          in_order ? clock : clock - static_cast<std::int64_t>(rng.uniform_index(50));
      const std::uint64_t created = rng.uniform_index(1000);
      if (reference.count({at, created}) != 0) continue;
      const bool append = reference.empty() || *reference.rbegin() < std::make_pair(at, created);
      (append ? appended : shifted) += 1;
      index.insert({at, created, &keys[created % keys.size()]});
      reference.emplace(at, created);
    } else if (!reference.empty()) {
      // Mostly the oldest (retention), sometimes any (a head losing its child), sometimes absent.
      auto it = reference.begin();
      if (rng.uniform01() < 0.4)
        std::advance(it, static_cast<long>(rng.uniform_index(reference.size())));
      const bool absent = rng.uniform01() < 0.1;
      const std::pair<std::int64_t, std::uint64_t> e =
          absent ? std::make_pair(clock + 1000, std::uint64_t{1}) : *it;
      index.erase({e.first, e.second, nullptr});
      if (!absent) reference.erase(it);
    }
    REQUIRE(index.size() == reference.size());
    if (!reference.empty()) {
      REQUIRE(index.front().superseded_ns == reference.begin()->first);
      REQUIRE(index.front().created == reference.begin()->second);
    }
  }
  std::vector<std::pair<std::int64_t, std::uint64_t>> held;
  for (const SupersededIndex::Entry& e : index) {
    held.emplace_back(e.superseded_ns, e.created);
    CHECK(e.id == &keys[e.created % keys.size()]);
  }
  CHECK(held ==
        std::vector<std::pair<std::int64_t, std::uint64_t>>(reference.begin(), reference.end()));
  CHECK(appended > 1000);
  CHECK(shifted > 1000);
  CHECK(index.empty() == reference.empty());
}
