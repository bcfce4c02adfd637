// The public ratchet tree beyond the interop vectors (interop_vectors_test.cpp runs those): leaf
// signatures bind the group, and a tampered parent node breaks the parent-hash chain.
#include <catch2/catch.hpp>

#include "models/mls/ratchet_tree.hpp"
#include "models/mls/wire_messages.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

namespace {

mls::RatchetTree tree_from_hex(const nlohmann::json& value) {
  const mls::Bytes bytes = hex(value);
  mls::TlsReader r(bytes);
  mls::RatchetTree t = mls::RatchetTree::from_nodes(mls::decode_ratchet_tree(r));
  r.expect_done("ratchet_tree");
  return t;
}

}  // namespace

TEST_CASE("leaves of the tree-validation vectors are bound to their group", "[mls]") {
  // Leaves from updates and commits sign the group ID: another group's ID must fail them.
  int bound = 0;
  for (const auto& v : dmlssim::testing::vector_file("mls/tree-validation.json")) {
    const mls::RatchetTree tree = tree_from_hex(v["tree"]);
    bool group_bound = false;
    for (mls::LeafIndex l = 0; l < tree.leaf_count(); ++l) {
      const mls::LeafNode* leaf = tree.leaf(l);
      group_bound =
          group_bound || (leaf != nullptr && leaf->source != mls::LeafNodeSource::kKeyPackage);
    }
    CHECK(tree.leaf_signatures_valid(mls::real_crypto(), hex(v["group_id"])));
    if (!group_bound) continue;
    ++bound;
    CHECK_FALSE(tree.leaf_signatures_valid(mls::real_crypto(), mls::to_bytes("another group")));
  }
  CHECK(bound > 5);
}

TEST_CASE("a tampered parent node breaks the parent-hash chain", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/tree-validation.json");
  int tampered = 0;
  for (const auto& v : vectors) {
    mls::RatchetTree tree = tree_from_hex(v["tree"]);
    mls::RatchetTreeNodes nodes = tree.to_nodes();
    for (auto& n : nodes) {
      if (n && std::holds_alternative<mls::ParentNode>(*n)) {
        std::get<mls::ParentNode>(*n).encryption_key[0] ^= 1;
        ++tampered;
        CHECK_FALSE(mls::RatchetTree::from_nodes(nodes).parent_hashes_valid());
        break;
      }
    }
  }
  CHECK(tampered > 5);
}
