#include "models/mls/treekem.hpp"

#include <algorithm>

#include "models/mls/labels.hpp"

namespace dmlssim::models::mls {

std::vector<NodeIndex> filtered_direct_path(const RatchetTree& tree, LeafIndex leaf) {
  std::vector<NodeIndex> out;
  const std::uint32_t n = tree.leaf_count();
  NodeIndex child = leaf_node(leaf);
  for (const NodeIndex p : direct_path(leaf_node(leaf), n)) {
    if (!tree.resolution_empty(sibling(child, n))) out.push_back(p);
    child = p;
  }
  return out;
}

std::vector<NodeIndex> resolution_without(const RatchetTree& tree, NodeIndex x,
                                          const std::vector<LeafIndex>& joiners) {
  std::vector<NodeIndex> out = tree.resolution(x);
  if (!joiners.empty()) {
    std::erase_if(out, [&](NodeIndex r) {
      return level(r) == 0 && std::find(joiners.begin(), joiners.end(), r / 2) != joiners.end();
    });
  }
  return out;
}

Bytes next_path_secret(const CryptoProvider& crypto, const Bytes& path_secret) {
  return derive_secret(crypto, path_secret, "path");
}

HpkeKeyPair node_key_pair(const CryptoProvider& crypto, const Bytes& path_secret) {
  return crypto.derive_key_pair(derive_secret(crypto, path_secret, "node"));
}

Bytes set_path_keys(RatchetTree& tree, LeafIndex sender, const std::vector<NodeIndex>& filtered,
                    const std::vector<Bytes>& public_keys) {
  const std::uint32_t n = tree.leaf_count();
  // Parent hashes from the root down: each node on the path carries the hash of the next one up,
  // over the sibling of the child through which the path arrives. Siblings are off the path, so
  // their tree hashes are the same before and after; the new nodes have no unmerged leaves.
  std::vector<ParentNode> nodes(filtered.size());
  Bytes above;  // the parent hash the node below the current one carries
  for (std::size_t i = filtered.size(); i-- > 0;) {
    nodes[i].encryption_key = public_keys[i];
    nodes[i].parent_hash = std::move(above);
    NodeIndex child = i > 0 ? filtered[i - 1] : leaf_node(sender);
    while (parent(child, n) != filtered[i])
      child = parent(child, n);
    above = RatchetTree::parent_hash(nodes[i], tree.tree_hash(sibling(child, n)));
  }
  // Every node of the direct path set once: the filtered ones to their new value, the rest blank.
  std::size_t next = 0;
  for (const NodeIndex p : direct_path(leaf_node(sender), n)) {
    if (next < filtered.size() && filtered[next] == p) {
      tree.set_node(p, std::move(nodes[next++]));
    } else {
      tree.set_node(p, std::nullopt);
    }
  }
  return above;
}

bool merge_update_path(RatchetTree& tree, LeafIndex sender, const UpdatePath& path,
                       const std::vector<NodeIndex>& filtered) {
  if (filtered.size() != path.nodes.size()) return false;
  std::vector<Bytes> keys;
  keys.reserve(path.nodes.size());
  for (const UpdatePathNode& node : path.nodes)
    keys.push_back(node.encryption_key);
  const Bytes leaf_parent_hash = set_path_keys(tree, sender, filtered, keys);
  tree.set_node(leaf_node(sender), path.leaf_node);
  return path.leaf_node.source == LeafNodeSource::kCommit &&
         path.leaf_node.parent_hash == leaf_parent_hash;
}

std::optional<DecryptedPathSecret> decrypt_path_secret(
    const CryptoProvider& crypto, const RatchetTree& tree, const std::vector<NodeIndex>& filtered,
    LeafIndex receiver, const UpdatePath& path, const PathKeys& keys, const Bytes& group_context,
    const std::vector<LeafIndex>& joiners, ResolutionMemo* resolutions) {
  const std::uint32_t n = tree.leaf_count();
  if (filtered.size() != path.nodes.size()) return std::nullopt;
  // The lowest node of the sender's filtered path above the receiver: the first node of the
  // receiver's direct path that is on it.
  std::size_t index = filtered.size();
  for (const NodeIndex p : direct_path(leaf_node(receiver), n)) {
    const auto it = std::find(filtered.begin(), filtered.end(), p);
    if (it != filtered.end()) {
      index = static_cast<std::size_t>(it - filtered.begin());
      break;
    }
  }
  if (index == filtered.size()) return std::nullopt;
  const NodeIndex node = filtered[index];
  // The child of that node on the receiver's side (left subtrees hold the smaller indices), and
  // the position in its resolution of a node whose private key the receiver holds.
  const NodeIndex receiver_side = leaf_node(receiver) < node ? left(node) : right(node);
  ResolutionMemo own;
  ResolutionMemo& memo = resolutions != nullptr ? *resolutions : own;
  auto it = memo.find(receiver_side);
  if (it == memo.end())
    it = memo.emplace(receiver_side, resolution_without(tree, receiver_side, joiners)).first;
  const std::vector<NodeIndex>& resolution = it->second;
  const auto& ciphertexts = path.nodes[index].encrypted_path_secret;
  if (ciphertexts.size() != resolution.size()) return std::nullopt;
  for (std::size_t k = 0; k < resolution.size(); ++k) {
    const HpkeKeyPair* key = keys.find(resolution[k]);
    if (key == nullptr || key->public_key != tree.public_key(resolution[k])) continue;
    Bytes secret = decrypt_with_label(crypto, *key, "UpdatePathNode", group_context,
                                      ciphertexts[k].kem_output, ciphertexts[k].ciphertext);
    return DecryptedPathSecret{node, std::move(secret)};
  }
  return std::nullopt;
}

}  // namespace dmlssim::models::mls
