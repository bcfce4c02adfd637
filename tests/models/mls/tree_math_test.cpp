// Tree math against the interop vectors (tree-math.json) and RFC 9420 Appendix C's figures.
#include <catch2/catch.hpp>

#include "models/mls/tree_math.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;

TEST_CASE("tree math matches the interop vectors", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/tree-math.json");
  REQUIRE(vectors.size() == 10);
  for (const auto& v : vectors) {
    const auto n = v["n_leaves"].get<std::uint32_t>();
    CAPTURE(n);
    CHECK(mls::node_width(n) == v["n_nodes"].get<std::uint32_t>());
    CHECK(mls::root(n) == v["root"].get<std::uint32_t>());
    for (mls::NodeIndex x = 0; x < mls::node_width(n); ++x) {
      CAPTURE(x);
      const bool leaf = mls::level(x) == 0;
      const bool is_root = x == mls::root(n);
      if (leaf) {
        CHECK(v["left"][x].is_null());
        CHECK(v["right"][x].is_null());
      } else {
        CHECK(mls::left(x) == v["left"][x].get<std::uint32_t>());
        CHECK(mls::right(x) == v["right"][x].get<std::uint32_t>());
      }
      if (is_root) {
        CHECK(v["parent"][x].is_null());
        CHECK(v["sibling"][x].is_null());
      } else {
        CHECK(mls::parent(x, n) == v["parent"][x].get<std::uint32_t>());
        CHECK(mls::sibling(x, n) == v["sibling"][x].get<std::uint32_t>());
      }
    }
  }
}

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
