#include "models/mls/path_builder.hpp"

#include <algorithm>

#include "models/mls/commit_transition.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/leaf_signature.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/treekem.hpp"

namespace dmlssim::models::mls {

BuiltPath build_update_path(const CryptoProvider& crypto, Drbg& drbg, RatchetTree& tree,
                            LeafIndex leaf, LeafNode leaf_template,
                            const Bytes& signature_private_key, const EpochPublic& prev,
                            const std::vector<Extension>& extensions,
                            const std::vector<LeafIndex>& joiners) {
  BuiltPath b;
  // The leaf key from leaf_secret; path_secret[0] = DeriveSecret(leaf_secret, "path"), each next
  // one from the last; commit_secret is the one after the root's.
  const Bytes leaf_secret = drbg.bytes(kHashLength);
  const HpkeKeyPair leaf_key = node_key_pair(crypto, leaf_secret);
  b.nodes = filtered_direct_path(tree, leaf);
  std::vector<Bytes> public_keys;
  Bytes secret = next_path_secret(crypto, leaf_secret);
  for (const NodeIndex node : b.nodes) {
    HpkeKeyPair key = node_key_pair(crypto, secret);
    public_keys.push_back(key.public_key);
    b.keys.set(node, std::move(key));
    b.secrets.push_back(secret);
    secret = next_path_secret(crypto, secret);
  }
  b.commit_secret = std::move(secret);
  b.keys.set(leaf_node(leaf), leaf_key);

  LeafNode& node = leaf_template;
  node.encryption_key = leaf_key.public_key;
  node.source = LeafNodeSource::kCommit;
  node.lifetime = {};
  node.parent_hash = set_path_keys(tree, leaf, b.nodes, public_keys);
  sign_leaf_node(crypto, node, signature_private_key, prev.context.group_id, leaf);
  tree.set_node(leaf_node(leaf), node);
  b.tree_hash = tree.root_hash();

  const Bytes context = provisional_context(prev, b.tree_hash, extensions);
  b.path.leaf_node = node;
  for (std::size_t i = 0; i < b.nodes.size(); ++i) {
    UpdatePathNode path_node{public_keys[i], {}};
    const NodeIndex p = b.nodes[i];
    const NodeIndex copath = leaf_node(leaf) < p ? right(p) : left(p);
    for (const NodeIndex r : resolution_without(tree, copath, joiners)) {
      LabeledCiphertext ct = encrypt_with_label(crypto, tree.public_key(r), "UpdatePathNode",
                                                context, b.secrets[i], drbg.bytes(kHashLength));
      path_node.encrypted_path_secret.push_back(
          {std::move(ct.kem_output), std::move(ct.ciphertext)});
    }
    b.path.nodes.push_back(std::move(path_node));
  }
  return b;
}

std::optional<Bytes> joiner_path_secret(const BuiltPath& built, LeafIndex committer,
                                        LeafIndex joiner) {
  const NodeIndex lca = common_ancestor(leaf_node(committer), leaf_node(joiner));
  const auto at = std::find(built.nodes.begin(), built.nodes.end(), lca);
  if (at == built.nodes.end()) return std::nullopt;
  return built.secrets[static_cast<std::size_t>(at - built.nodes.begin())];
}

}  // namespace dmlssim::models::mls
