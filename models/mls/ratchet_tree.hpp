// The public ratchet tree of a group (RFC 9420 §7): nodes in array order, blanks as null.
// Resolutions (§4.1.3), tree hashes (§7.8), parent hashes and their verification (§7.9), leaf
// signature checks (§7.2).
//
// Nodes are shared immutable values held in copy-on-write chunks, so copying a tree (each epoch
// does) copies a pointer per chunk and a change copies the chunks it touches; tree hashes are
// cached per node and invalidated up the direct path of every change. An index of the first eight
// bytes of every leaf's keys makes the uniqueness checks of §7.3 a sequential scan.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "models/mls/cow_array.hpp"
#include "models/mls/crypto_provider.hpp"
#include "models/mls/path_keys.hpp"
#include "models/mls/tree_math.hpp"
#include "models/mls/wire_types.hpp"

namespace dmlssim::models::mls {

class RatchetTree {
 public:
  RatchetTree() = default;
  // From the ratchet_tree encoding; the trailing blanks it omits are restored so that the leaf
  // count is a power of two. Throws DecodeError when a node sits at the wrong kind of index.
  static RatchetTree from_nodes(RatchetTreeNodes nodes);
  RatchetTreeNodes to_nodes() const;  // without trailing blanks
  // The ratchet_tree encoding of to_nodes(), written without copying the nodes.
  void encode(TlsWriter& w) const;

  std::uint32_t leaf_count() const { return leaves_; }
  // Leaves that are not blank (kept as the tree changes: no walk over the leaves).
  std::uint32_t member_count() const { return members_; }
  std::size_t node_count() const { return nodes_.size(); }
  const TreeNode* node(NodeIndex i) const { return nodes_[i].get(); }
  // Whether a leaf other than `except` has this encryption (signature) key; both in one scan.
  struct KeysInUse {
    bool encryption = false;
    bool signature = false;
  };
  KeysInUse keys_in_use(const Bytes& encryption_key, const Bytes& signature_key,
                        LeafIndex except) const;
  bool encryption_key_in_use(const Bytes& key, LeafIndex except) const {
    return keys_in_use(key, {}, except).encryption;
  }
  bool signature_key_in_use(const Bytes& key, LeafIndex except) const {
    return keys_in_use({}, key, except).signature;
  }
  const LeafNode* leaf(LeafIndex i) const;
  // The first leaf whose credential names `identity`.
  std::optional<LeafIndex> find_identity(const Bytes& identity) const;
  const ParentNode* parent_node(NodeIndex i) const;
  // The encryption key of a non-blank node, leaf or parent.
  const Bytes& public_key(NodeIndex i) const;
  // Whether node `i` exists and holds `key`'s public key.
  bool still_holds(NodeIndex i, const HpkeKeyPair& key) const;
  // The pairs of `keys` whose node still holds that public key (the rest were replaced or blanked).
  PathKeys keys_still_held(const PathKeys& keys) const;

  // Proposals applied to the tree (§12.1.1-12.1.3).
  // Add: the leftmost blank leaf (the tree doubles when there is none) takes the KeyPackage's
  // leaf node; every non-blank parent above it lists it as unmerged. Returns its leaf index.
  LeafIndex add_leaf(const LeafNode& leaf);
  // Update: the sender's leaf replaced, its direct path blanked.
  void update_leaf(LeafIndex sender, const LeafNode& leaf);
  // Remove: the leaf and its direct path blanked, then the tree truncated while its right half
  // is blank.
  void remove_leaf(LeafIndex removed);
  void set_node(NodeIndex i, std::optional<TreeNode> node);

  std::vector<NodeIndex> resolution(NodeIndex x) const;
  // resolution(x).empty() without building it: whether every node under x (x included) is blank.
  bool resolution_empty(NodeIndex x) const;
  Bytes tree_hash(NodeIndex x) const;
  Bytes root_hash() const { return tree_hash(root(leaves_)); }
  // The parent hash a child of `parent` carries, with `sibling` the other child (§7.9).
  Bytes parent_hash_of(NodeIndex parent, NodeIndex sibling) const;
  // The same from the parent node's value and the original sibling tree hash.
  static Bytes parent_hash(const ParentNode& parent, const Bytes& original_sibling_tree_hash);
  // Every non-blank parent node is covered by exactly one parent-hash chain from below.
  bool parent_hashes_valid() const;
  // Every leaf's signature verifies (LeafNodeTBS with group_id and leaf index for the update and
  // commit sources).
  bool leaf_signatures_valid(const CryptoProvider& crypto, const Bytes& group_id) const;

 private:
  struct CachedHash {
    bool valid = false;
    std::array<std::uint8_t, 32> value{};
  };
  // The first eight bytes of a leaf's keys (zero for a blank leaf or a shorter key).
  struct LeafKeyPrefixes {
    std::uint64_t encryption = 0;
    std::uint64_t signature = 0;
  };
  static std::uint64_t prefix_of(const Bytes& key);
  // Tree hash of `x` with the leaves in `removed` treated as blank and dropped from unmerged lists.
  Bytes tree_hash_without(NodeIndex x, const std::vector<std::uint32_t>& removed) const;
  Bytes compute_hash(NodeIndex x, const std::vector<std::uint32_t>& removed) const;
  void put(NodeIndex i, std::shared_ptr<const TreeNode> node);
  void resize(std::uint32_t leaves);

  CowArray<std::shared_ptr<const TreeNode>, 32> nodes_;
  CowArray<CachedHash, 32> hashes_;          // tree_hash(i) when valid; filled in place (shared_at)
  CowArray<LeafKeyPrefixes, 64> leaf_keys_;  // by leaf index
  std::uint32_t leaves_ = 0;
  std::uint32_t members_ = 0;  // leaves not blank
};

}  // namespace dmlssim::models::mls
