// The public ratchet tree beyond the interop vectors (interop_vectors_test.cpp runs those): leaf
// signatures bind the group, a tampered parent node breaks the parent-hash chain, copies sharing
// storage keep their own tree hashes, the leaf-key index finds keys by value, and resolutions
// match the vectors'.
#include <catch2/catch.hpp>

#include <vector>

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

namespace {

// The largest tree of the tree-validation vectors, fresh (no tree hash computed yet).
mls::RatchetTree largest_vector_tree() {
  mls::RatchetTree best;
  for (const auto& v : dmlssim::testing::vector_file("mls/tree-validation.json")) {
    mls::RatchetTree t = tree_from_hex(v["tree"]);
    if (t.leaf_count() > best.leaf_count()) best = t;
  }
  return mls::RatchetTree::from_nodes(best.to_nodes());
}

mls::LeafIndex first_leaf(const mls::RatchetTree& t) {
  mls::LeafIndex l = 0;
  while (t.leaf(l) == nullptr)
    ++l;
  return l;
}

mls::Bytes fresh_root_hash(const mls::RatchetTree& t) {
  return mls::RatchetTree::from_nodes(t.to_nodes()).root_hash();
}

}  // namespace

TEST_CASE("copies of a tree keep their own tree hashes whichever computes first", "[mls]") {
  for (const bool copy_first : {true, false}) {
    mls::RatchetTree changed = largest_vector_tree();
    REQUIRE(changed.leaf_count() >= 8);
    const mls::RatchetTree copy = changed;  // shares every chunk, no hash cached
    const mls::LeafIndex l = first_leaf(changed);
    mls::LeafNode leaf = *changed.leaf(l);
    leaf.encryption_key[5] ^= 1;
    changed.update_leaf(l, leaf);
    // The cache is filled in chunks the copies may share: each must still get its own hash.
    const mls::Bytes a = copy_first ? copy.root_hash() : changed.root_hash();
    const mls::Bytes b = copy_first ? changed.root_hash() : copy.root_hash();
    const mls::Bytes& copy_hash = copy_first ? a : b;
    const mls::Bytes& changed_hash = copy_first ? b : a;
    CHECK(copy_hash == fresh_root_hash(copy));
    CHECK(changed_hash == fresh_root_hash(changed));
    CHECK(copy_hash != changed_hash);
  }
}

TEST_CASE("leaf keys in use are found by their whole value, not their prefix", "[mls]") {
  mls::RatchetTree t = largest_vector_tree();
  const mls::LeafIndex l = first_leaf(t);
  const mls::LeafNode leaf = *t.leaf(l);
  const mls::LeafIndex other = l + 1 < t.leaf_count() ? l + 1 : 0;
  CHECK(t.encryption_key_in_use(leaf.encryption_key, other));
  CHECK(t.signature_key_in_use(leaf.signature_key, other));
  CHECK_FALSE(t.encryption_key_in_use(leaf.encryption_key, l));
  CHECK_FALSE(t.signature_key_in_use(leaf.signature_key, l));
  mls::Bytes same_prefix = leaf.encryption_key;
  same_prefix.back() ^= 1;
  CHECK_FALSE(t.encryption_key_in_use(same_prefix, other));
  // A replaced key is no longer in use; its replacement is.
  mls::LeafNode replaced = leaf;
  replaced.encryption_key = same_prefix;
  t.update_leaf(l, replaced);
  CHECK_FALSE(t.encryption_key_in_use(leaf.encryption_key, other));
  CHECK(t.encryption_key_in_use(same_prefix, other));
  t.remove_leaf(l);
  CHECK_FALSE(t.encryption_key_in_use(same_prefix, other));
  CHECK_FALSE(t.signature_key_in_use(leaf.signature_key, other));
}

TEST_CASE("the member count follows adds, removes (with truncation) and updates", "[mls]") {
  const auto recount = [](const mls::RatchetTree& t) {
    std::uint32_t n = 0;
    for (mls::LeafIndex l = 0; l < t.leaf_count(); ++l)
      n += t.leaf(l) != nullptr ? 1 : 0;
    return n;
  };
  for (const auto& v : dmlssim::testing::vector_file("mls/tree-validation.json")) {
    mls::RatchetTree t = tree_from_hex(v["tree"]);
    REQUIRE(t.member_count() == recount(t));
    REQUIRE(t.member_count() > 0);
    const mls::LeafIndex l = first_leaf(t);
    const mls::LeafNode leaf = *t.leaf(l);
    t.update_leaf(l, leaf);
    CHECK(t.member_count() == recount(t));
    // Remove every member from the last down (the tree truncates), then add them back.
    std::vector<mls::LeafNode> removed;
    for (mls::LeafIndex i = t.leaf_count(); i-- > 0;) {
      if (i >= t.leaf_count() || t.leaf(i) == nullptr || t.member_count() == 1) continue;
      removed.push_back(*t.leaf(i));
      t.remove_leaf(i);
      CHECK(t.member_count() == recount(t));
    }
    CHECK(t.member_count() == 1);
    for (const mls::LeafNode& back : removed) {
      t.add_leaf(back);
      CHECK(t.member_count() == recount(t));
    }
    CHECK(t.member_count() == removed.size() + 1);
    const mls::RatchetTree copy = t;  // copies keep the count
    CHECK(copy.member_count() == t.member_count());
  }
}

TEST_CASE("resolutions equal the tree-validation vectors', and their emptiness is found alone",
          "[mls][vectors]") {
  int empty = 0, nodes = 0;
  for (const auto& v : dmlssim::testing::vector_file("mls/tree-validation.json")) {
    const mls::RatchetTree tree = tree_from_hex(v["tree"]);
    const nlohmann::json& resolutions = v["resolutions"];
    for (mls::NodeIndex x = 0; x < resolutions.size(); ++x) {
      std::vector<mls::NodeIndex> expected;
      for (const auto& r : resolutions[x])
        expected.push_back(r.get<mls::NodeIndex>());
      CHECK(tree.resolution(x) == expected);
      CHECK(tree.resolution_empty(x) == expected.empty());
      empty += expected.empty() ? 1 : 0;
      ++nodes;
    }
  }
  CHECK(empty > 100);  // the vectors blank many nodes: both answers are exercised
  CHECK(nodes > 400);
}
