#include "models/mls/group_bootstrap.hpp"

#include "models/mls/leaf_signature.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/transcript.hpp"
#include "models/mls/treekem.hpp"

namespace dmlssim::models::mls {

PathKeys BootstrappedGroup::keys_of(LeafIndex leaf) const {
  PathKeys keys;
  const RatchetTree& tree = epoch->tree;
  keys.set(leaf_node(leaf),
           {members[leaf].encryption_private_key, tree.leaf(leaf)->encryption_key});
  for (const NodeIndex p : direct_path(leaf_node(leaf), tree.leaf_count())) {
    const auto it = parent_keys.find(p);
    if (it != parent_keys.end() && tree.parent_node(p) != nullptr) keys.set(p, it->second);
  }
  return keys;
}

BootstrappedGroup bootstrap_group(const CryptoProvider& crypto, const Bytes& group_id,
                                  std::uint32_t members, Drbg& drbg) {
  std::vector<Bytes> identities;
  identities.reserve(members);
  for (std::uint32_t m = 0; m < members; ++m)
    identities.push_back(to_bytes("@member" + std::to_string(m) + ":bootstrap/DEV"));
  return bootstrap_group(crypto, group_id, identities, drbg);
}

BootstrappedGroup bootstrap_group(const CryptoProvider& crypto, const Bytes& group_id,
                                  const std::vector<Bytes>& identities, Drbg& drbg) {
  const auto members = static_cast<std::uint32_t>(identities.size());
  BootstrappedGroup g;
  RatchetTree tree;
  std::vector<LeafNode> leaves;
  for (std::uint32_t m = 0; m < members; ++m) {
    KeyPackageSecrets secrets;
    const KeyPackage kp =
        make_key_package(crypto, identities[m], drbg.bytes(32), drbg.bytes(32), drbg.bytes(32),
                         Lifetime{0, ~std::uint64_t{0}}, &secrets);
    tree.add_leaf(kp.leaf_node);
    g.members.push_back(std::move(secrets));
  }
  // Commits from every even leaf, in order: fresh path keys, parent hashes, a re-signed leaf.
  for (LeafIndex s = 0; s < members; s += 2) {
    const std::vector<NodeIndex> path = filtered_direct_path(tree, s);
    std::vector<Bytes> public_keys;
    for (const NodeIndex p : path) {
      HpkeKeyPair key = crypto.derive_key_pair(drbg.bytes(kHashLength));
      public_keys.push_back(key.public_key);
      g.parent_keys[p] = std::move(key);
    }
    const HpkeKeyPair leaf_key = crypto.derive_key_pair(drbg.bytes(kHashLength));
    LeafNode leaf = *tree.leaf(s);
    leaf.encryption_key = leaf_key.public_key;
    leaf.source = LeafNodeSource::kCommit;
    leaf.lifetime = {};
    leaf.parent_hash = set_path_keys(tree, s, path, public_keys);
    sign_leaf_node(crypto, leaf, g.members[s].signature_private_key, group_id, s);
    tree.set_node(leaf_node(s), leaf);
    g.members[s].encryption_private_key = leaf_key.private_key;
  }
  GroupContext context;
  context.group_id = group_id;
  context.tree_hash = tree.root_hash();
  const Bytes zero(kHashLength, 0);
  g.secrets = derive_epoch_secrets(crypto, drbg.bytes(kHashLength), zero, zero, context.encode());
  Bytes tag = confirmation_tag(crypto, g.secrets.confirmation_key, {});
  g.epoch = make_epoch_public(std::move(context), std::move(tree), std::move(tag));
  return g;
}

}  // namespace dmlssim::models::mls
