// The public ratchet tree against the interop vectors: resolutions, tree hashes, parent hashes and
// leaf signatures of 14 trees with blanks, trailing blanks and unmerged leaves.
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

TEST_CASE("tree validation vectors: resolutions, tree hashes, parent hashes, signatures",
          "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/tree-validation.json");
  REQUIRE(vectors.size() == 14);
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const auto& v = vectors[i];
    CAPTURE(i);
    const mls::RatchetTree tree = tree_from_hex(v["tree"]);
    REQUIRE(v["resolutions"].size() == tree.node_count());
    for (mls::NodeIndex x = 0; x < tree.node_count(); ++x) {
      CAPTURE(x);
      CHECK(tree.resolution(x) == v["resolutions"][x].get<std::vector<mls::NodeIndex>>());
      CHECK(mls::to_hex(tree.tree_hash(x)) == v["tree_hashes"][x].get<std::string>());
    }
    CHECK(tree.parent_hashes_valid());
    CHECK(tree.leaf_signatures_valid(mls::real_crypto(), hex(v["group_id"])));
    // Leaves from updates and commits sign the group ID: another group's ID must fail them.
    bool group_bound = false;
    for (mls::LeafIndex l = 0; l < tree.leaf_count(); ++l) {
      const mls::LeafNode* leaf = tree.leaf(l);
      group_bound =
          group_bound || (leaf != nullptr && leaf->source != mls::LeafNodeSource::kKeyPackage);
    }
    if (group_bound)
      CHECK_FALSE(tree.leaf_signatures_valid(mls::real_crypto(), mls::to_bytes("another group")));
    // The encoding round-trips without its trailing blanks.
    mls::TlsWriter w;
    mls::encode_ratchet_tree(w, tree.to_nodes());
    CHECK(mls::to_hex(w.bytes()) == v["tree"].get<std::string>());
  }
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

TEST_CASE("tree operations: Add, Update and Remove match the interop vectors", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/tree-operations.json");
  REQUIRE(vectors.size() == 5);
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const auto& v = vectors[i];
    CAPTURE(i);
    mls::RatchetTree tree = tree_from_hex(v["tree_before"]);
    CHECK(mls::to_hex(tree.root_hash()) == v["tree_hash_before"].get<std::string>());
    const mls::Proposal proposal = mls::decode_one<mls::Proposal>(hex(v["proposal"]), "proposal");
    if (const auto* add = std::get_if<mls::AddProposal>(&proposal.body)) {
      tree.add_leaf(add->key_package.leaf_node);
    } else if (const auto* update = std::get_if<mls::UpdateProposal>(&proposal.body)) {
      tree.update_leaf(v["proposal_sender"].get<mls::LeafIndex>(), update->leaf_node);
    } else if (const auto* remove = std::get_if<mls::RemoveProposal>(&proposal.body)) {
      tree.remove_leaf(remove->removed);
    } else {
      FAIL("unexpected proposal type");
    }
    mls::TlsWriter w;
    mls::encode_ratchet_tree(w, tree.to_nodes());
    CHECK(mls::to_hex(w.bytes()) == v["tree_after"].get<std::string>());
    CHECK(mls::to_hex(tree.root_hash()) == v["tree_hash_after"].get<std::string>());
  }
}
