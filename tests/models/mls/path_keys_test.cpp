// PathKeys: a member's key pairs by node, kept sorted; copies share the key pairs.
#include <catch2/catch.hpp>

#include "models/mls/path_keys.hpp"

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
