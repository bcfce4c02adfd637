// PathKeys: a member's key pairs by node; copies share the key pairs, and the lower levels' list
// until one of them changes.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "models/mls/path_keys.hpp"
#include "models/mls/tree_math.hpp"

namespace mls = dmlssim::models::mls;

namespace {

mls::HpkeKeyPair pair_of(std::uint8_t b) {
  return {mls::Bytes(32, b), mls::Bytes(32, static_cast<std::uint8_t>(b + 1))};
}

}  // namespace

TEST_CASE("path keys: held by node, ascending, replaced in place", "[mls][path_keys]") {
  mls::PathKeys keys;
  CHECK(keys.empty());
  CHECK(keys.find(3) == nullptr);
  keys.set(7, pair_of(7));
  keys.set(1, pair_of(1));
  keys.set(3, pair_of(3));
  REQUIRE(keys.size() == 3);
  std::vector<mls::NodeIndex> order;
  for (const auto& [node, key] : keys)
    order.push_back(node);
  CHECK(order == std::vector<mls::NodeIndex>{1, 3, 7});
  REQUIRE(keys.find(3) != nullptr);
  CHECK(keys.find(3)->private_key == mls::Bytes(32, 3));
  CHECK_FALSE(keys.contains(5));
  keys.set(3, pair_of(9));  // replaced, not added
  CHECK(keys.size() == 3);
  CHECK(keys.find(3)->private_key == mls::Bytes(32, 9));
}

TEST_CASE("path keys: a copy shares the key pairs until it replaces one", "[mls][path_keys]") {
  mls::PathKeys keys;
  keys.set(1, pair_of(1));
  keys.set(3, pair_of(3));
  mls::PathKeys copy = keys;
  CHECK(copy.find(1) == keys.find(1));  // the same key pair, not a second one
  copy.set(3, pair_of(4));
  CHECK(copy.find(3)->private_key == mls::Bytes(32, 4));
  CHECK(keys.find(3)->private_key == mls::Bytes(32, 3));  // the original keeps its own
  mls::PathKeys moved;
  moved.set_shared(1, keys.begin()->second);
  CHECK(moved.find(1) == keys.find(1));
}

TEST_CASE("path keys: equal to a map under sets and erases at every level, copies apart",
          "[mls][path_keys]") {
  // Two key sets, the second a copy of the first taken now and then, both changed at random on
  // nodes of every level of a 2^14-leaf tree; each must hold what its reference map holds.
  using Reference = std::map<mls::NodeIndex, const mls::HpkeKeyPair*>;
  std::uint64_t state = 12345;
  auto next = [&state](std::uint64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % bound;
  };
  std::vector<std::shared_ptr<const mls::HpkeKeyPair>> pool;
  for (int i = 0; i < 16; ++i)
    pool.push_back(std::make_shared<const mls::HpkeKeyPair>(pair_of(static_cast<std::uint8_t>(i))));
  std::vector<mls::NodeIndex> touched;
  const auto agree = [&touched](const mls::PathKeys& keys, const Reference& ref) {
    REQUIRE(keys.size() == ref.size());
    Reference seen;
    for (const auto& [node, key] : keys)
      CHECK(seen.emplace(node, key.get()).second);  // every node once
    CHECK(seen == ref);
    for (const mls::NodeIndex n : touched) {  // held or not
      const auto it = ref.find(n);
      CHECK(keys.find(n) == (it == ref.end() ? nullptr : it->second));
    }
  };
  mls::PathKeys a, b;
  Reference ra, rb;
  for (int step = 0; step < 3000; ++step) {
    const bool on_a = next(2) == 0;
    mls::PathKeys& keys = on_a ? a : b;
    Reference& ref = on_a ? ra : rb;
    // A node at level l: (2^l - 1) + k * 2^(l+1); mostly a direct path's, sometimes others.
    const auto l = static_cast<std::uint32_t>(next(15));
    const mls::NodeIndex n = ((1u << l) - 1) + static_cast<mls::NodeIndex>(next(3)) * (2u << l);
    touched.push_back(n);
    switch (next(8)) {
      case 0:
        keys.erase(n);
        ref.erase(n);
        break;
      case 1:
        b = a;  // a copy: shares the lower list until one of the two changes it
        rb = ra;
        break;
      default: {
        const auto& key = pool[next(pool.size())];
        keys.set_shared(n, key);
        ref[n] = key.get();
      }
    }
    if (step % 50 == 0) {
      agree(a, ra);
      agree(b, rb);
    }
  }
  agree(a, ra);
  agree(b, rb);
}
