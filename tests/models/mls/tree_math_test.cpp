// Tree math against the interop vectors (tree-math.json) and RFC 9420 Appendix C's figures.
#include <algorithm>
#include <catch2/catch.hpp>

#include "models/mls/tree_math.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;

TEST_CASE("direct paths, copaths and common ancestors (RFC 9420 Appendix C)", "[mls]") {
  // 8 leaves: root 7; leaf 0 (node 0) climbs 1, 3, 7; its copath is 2, 5, 11.
  CHECK(mls::direct_path(0, 8) == std::vector<mls::NodeIndex>{1, 3, 7});
  CHECK(mls::copath(0, 8) == std::vector<mls::NodeIndex>{2, 5, 11});
  CHECK(mls::direct_path(7, 8).empty());
  CHECK(mls::common_ancestor(0, 2) == 1);
  CHECK(mls::common_ancestor(0, 14) == 7);
  CHECK(mls::common_ancestor(8, 10) == 9);
  CHECK(mls::common_ancestor(5, 5) == 5);
  CHECK_THROWS_AS(mls::left(4), std::invalid_argument);
  CHECK_THROWS_AS(mls::parent(7, 8), std::invalid_argument);
}

TEST_CASE("the common ancestor of any two nodes is the lowest node above or at both", "[mls]") {
  // Reference: the ancestor at level k of a node at level <= k is found by clearing the bits
  // below k + 1 and setting the k bits below them (Appendix C's numbering); the lowest level at
  // which both agree names the common ancestor.
  const auto ancestor_at = [](mls::NodeIndex x, std::uint32_t k) {
    return ((x >> (k + 1)) << (k + 1)) + (1u << k) - 1;
  };
  for (mls::NodeIndex x = 0; x < 255; ++x) {
    for (mls::NodeIndex y = 0; y < 255; ++y) {
      std::uint32_t k = std::max(mls::level(x), mls::level(y));
      while (ancestor_at(x, k) != ancestor_at(y, k))
        ++k;
      INFO(x << " " << y);
      CHECK(mls::common_ancestor(x, y) == ancestor_at(x, k));
    }
  }
}
