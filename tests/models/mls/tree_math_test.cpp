// Tree math against the interop vectors (tree-math.json) and RFC 9420 Appendix C's figures.
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
