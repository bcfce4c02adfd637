#include "models/mls/ratchet_tree.hpp"

#include <algorithm>
#include <cstring>

#include "models/mls/labels.hpp"
#include "models/mls/leaf_signature.hpp"
#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {

RatchetTree RatchetTree::from_nodes(RatchetTreeNodes nodes) {
  if (nodes.empty()) throw DecodeError("ratchet tree: no nodes");
  if (nodes.size() % 2 == 0) throw DecodeError("ratchet tree: an even number of nodes");
  if (!nodes.back()) throw DecodeError("ratchet tree: ends with a blank node");
  RatchetTree t;
  const auto given_leaves = static_cast<std::uint32_t>((nodes.size() + 1) / 2);
  std::uint32_t leaves = 1;
  while (leaves < given_leaves)
    leaves *= 2;
  t.resize(leaves);
  for (NodeIndex i = 0; i < nodes.size(); ++i) {
    if (!nodes[i]) continue;
    const bool is_leaf = std::holds_alternative<LeafNode>(*nodes[i]);
    if (is_leaf != (level(i) == 0))
      throw DecodeError("ratchet tree: node kind does not match index");
    t.put(i, std::make_shared<const TreeNode>(std::move(*nodes[i])));
  }
  return t;
}

RatchetTreeNodes RatchetTree::to_nodes() const {
  RatchetTreeNodes out;
  out.reserve(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    out.push_back(nodes_[i] ? std::optional<TreeNode>(*nodes_[i]) : std::nullopt);
  while (!out.empty() && !out.back())
    out.pop_back();
  return out;
}

void RatchetTree::encode(TlsWriter& w) const {
  std::size_t end = nodes_.size();
  while (end > 0 && !nodes_[end - 1])
    --end;
  w.vector([&](TlsWriter& body) {
    for (std::size_t i = 0; i < end; ++i)
      encode_optional_node(body, nodes_[i].get());
  });
}

void RatchetTree::resize(std::uint32_t leaves) {
  for (LeafIndex l = leaves; l < leaves_; ++l)
    members_ -= nodes_[leaf_node(l)] ? 1 : 0;
  leaves_ = leaves;
  nodes_.resize(node_width(leaves));
  hashes_.resize(node_width(leaves));
  leaf_keys_.resize(leaves);
  // A new root covers a new subtree; every other node's hash depends only on its own subtree.
  if (leaves > 0) hashes_.mutable_at(root(leaves)).valid = false;
}

void RatchetTree::put(NodeIndex i, std::shared_ptr<const TreeNode> node) {
  if (level(i) == 0) {
    if (nodes_[i]) --members_;
    if (node) ++members_;
    const LeafNode* leaf = node ? std::get_if<LeafNode>(node.get()) : nullptr;
    leaf_keys_.mutable_at(i / 2) =
        leaf ? LeafKeyPrefixes{prefix_of(leaf->encryption_key), prefix_of(leaf->signature_key)}
             : LeafKeyPrefixes{};
  }
  nodes_.mutable_at(i) = std::move(node);
  // The hashes of the node and of every ancestor change. Writing them even when already invalid
  // keeps an invariant tree_hash relies on to fill the cache in chunks other trees share: a hash
  // chunk still shared after a change holds no ancestor of it, so its nodes have the same subtrees
  // in every tree sharing it.
  for (NodeIndex x = i;; x = parent(x, leaves_)) {
    hashes_.mutable_at(x).valid = false;
    if (x == root(leaves_)) break;
  }
}

std::uint64_t RatchetTree::prefix_of(const Bytes& key) {
  std::uint64_t p = 0;
  if (key.size() >= sizeof p) std::memcpy(&p, key.data(), sizeof p);
  return p;
}

RatchetTree::KeysInUse RatchetTree::keys_in_use(const Bytes& encryption_key,
                                                const Bytes& signature_key,
                                                LeafIndex except) const {
  const std::uint64_t e = prefix_of(encryption_key), s = prefix_of(signature_key);
  KeysInUse out;
  leaf_keys_.for_each_chunk([&](std::size_t first, const LeafKeyPrefixes* keys, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      if (keys[k].encryption != e && keys[k].signature != s) continue;
      const auto l = static_cast<LeafIndex>(first + k);
      const LeafNode* other = leaf(l);
      if (other == nullptr || l == except) continue;
      out.encryption = out.encryption || other->encryption_key == encryption_key;
      out.signature = out.signature || other->signature_key == signature_key;
    }
  });
  return out;
}

void RatchetTree::set_node(NodeIndex i, std::optional<TreeNode> node) {
  put(i, node ? std::make_shared<const TreeNode>(std::move(*node)) : nullptr);
}

const LeafNode* RatchetTree::leaf(LeafIndex i) const {
  const auto& n = nodes_[leaf_node(i)];
  return n ? std::get_if<LeafNode>(n.get()) : nullptr;
}

std::optional<LeafIndex> RatchetTree::find_identity(const Bytes& identity) const {
  for (LeafIndex l = 0; l < leaf_count(); ++l) {
    const LeafNode* node = leaf(l);
    if (node != nullptr && node->credential.identity == identity) return l;
  }
  return std::nullopt;
}

const ParentNode* RatchetTree::parent_node(NodeIndex i) const {
  const auto& n = nodes_[i];
  return n ? std::get_if<ParentNode>(n.get()) : nullptr;
}

const Bytes& RatchetTree::public_key(NodeIndex i) const {
  if (level(i) == 0) return leaf(i / 2)->encryption_key;
  return parent_node(i)->encryption_key;
}

PathKeys RatchetTree::keys_still_held(const PathKeys& keys) const {
  PathKeys out = keys;  // (a copy shares the lower levels' keys)
  for (const auto& [node, key] : keys) {
    if (!still_holds(node, *key)) out.erase(node);
  }
  return out;
}

bool RatchetTree::still_holds(NodeIndex i, const HpkeKeyPair& key) const {
  return i < nodes_.size() && nodes_[i] && public_key(i) == key.public_key;
}

LeafIndex RatchetTree::add_leaf(const LeafNode& new_leaf) {
  LeafIndex l = 0;
  while (l < leaves_ && nodes_[leaf_node(l)])
    ++l;
  if (l == leaves_) resize(leaves_ == 0 ? 1 : leaves_ * 2);
  for (const NodeIndex p : direct_path(leaf_node(l), leaves_)) {
    if (const ParentNode* node = parent_node(p)) {
      ParentNode updated = *node;
      updated.unmerged_leaves.push_back(l);
      put(p, std::make_shared<const TreeNode>(std::move(updated)));
    }
  }
  put(leaf_node(l), std::make_shared<const TreeNode>(new_leaf));
  return l;
}

void RatchetTree::update_leaf(LeafIndex sender, const LeafNode& new_leaf) {
  put(leaf_node(sender), std::make_shared<const TreeNode>(new_leaf));
  for (const NodeIndex p : direct_path(leaf_node(sender), leaves_))
    put(p, nullptr);
}

void RatchetTree::remove_leaf(LeafIndex removed) {
  put(leaf_node(removed), nullptr);
  for (const NodeIndex p : direct_path(leaf_node(removed), leaves_))
    put(p, nullptr);
  // Halve while every leaf of the right half is blank (keeping at least one leaf).
  while (leaves_ > 1) {
    bool right_blank = true;
    for (LeafIndex l = leaves_ / 2; l < leaves_ && right_blank; ++l) {
      right_blank = !nodes_[leaf_node(l)];
    }
    if (!right_blank) break;
    resize(leaves_ / 2);
  }
}

std::vector<NodeIndex> RatchetTree::resolution(NodeIndex x) const {
  if (nodes_[x]) {
    std::vector<NodeIndex> out{x};
    if (const ParentNode* p = parent_node(x)) {
      for (const std::uint32_t l : p->unmerged_leaves)
        out.push_back(leaf_node(l));
    }
    return out;
  }
  if (level(x) == 0) return {};
  std::vector<NodeIndex> out = resolution(left(x));
  const std::vector<NodeIndex> r = resolution(right(x));
  out.insert(out.end(), r.begin(), r.end());
  return out;
}

bool RatchetTree::resolution_empty(NodeIndex x) const {
  // x's subtree is the node range [x - half, x + half] (cut at the tree's width); a non-blank
  // node there, or above it within the subtree, puts something in the resolution.
  const std::size_t half = (std::size_t{1} << level(x)) - 1;
  const std::size_t end = std::min<std::size_t>(x + half + 1, nodes_.size());
  for (std::size_t i = x - half; i < end; ++i) {
    if (nodes_[i]) return false;
  }
  return true;
}

Bytes RatchetTree::tree_hash(NodeIndex x) const {
  CachedHash& cached = hashes_.shared_at(x);
  if (!cached.valid) {
    const Bytes h = compute_hash(x, {});
    std::copy(h.begin(), h.end(), cached.value.begin());
    cached.valid = true;
  }
  return Bytes(cached.value.begin(), cached.value.end());
}

Bytes RatchetTree::tree_hash_without(NodeIndex x, const std::vector<std::uint32_t>& removed) const {
  // A subtree holding none of the removed leaves hashes as usual (and is cached).
  const std::uint32_t half = (1u << level(x)) - 1;  // leaves' node span on each side of x
  const bool touched = std::any_of(removed.begin(), removed.end(), [&](std::uint32_t l) {
    const NodeIndex n = leaf_node(l);
    return n + half >= x && n <= x + half;
  });
  return touched ? compute_hash(x, removed) : tree_hash(x);
}

Bytes RatchetTree::compute_hash(NodeIndex x, const std::vector<std::uint32_t>& removed) const {
  TlsWriter input(512);  // a leaf node with its credential and extensions, without regrowing
  if (level(x) == 0) {
    // TreeHashInput { node_type = leaf; LeafNodeHashInput { uint32 leaf_index; optional<LeafNode> }
    // }
    const LeafIndex index = x / 2;
    const LeafNode* node = leaf(index);
    const bool blank =
        node == nullptr || std::find(removed.begin(), removed.end(), index) != removed.end();
    input.u8(1).u32(index).u8(blank ? 0 : 1);
    if (!blank) node->encode(input);
  } else {
    // TreeHashInput { node_type = parent; ParentNodeHashInput { optional<ParentNode>; left; right }
    // }
    input.u8(2);
    const ParentNode* node = parent_node(x);
    input.u8(node != nullptr ? 1 : 0);
    if (node != nullptr) {
      ParentNode copy = *node;
      std::erase_if(copy.unmerged_leaves, [&](std::uint32_t l) {
        return std::find(removed.begin(), removed.end(), l) != removed.end();
      });
      copy.encode(input);
    }
    input.opaque(tree_hash_without(left(x), removed)).opaque(tree_hash_without(right(x), removed));
  }
  return sha256(input.bytes());
}

Bytes RatchetTree::parent_hash_of(NodeIndex parent, NodeIndex sibling) const {
  const ParentNode* p = parent_node(parent);
  if (p == nullptr) throw CryptoError("parent hash of a blank node");
  return parent_hash(*p, tree_hash_without(sibling, p->unmerged_leaves));
}

Bytes RatchetTree::parent_hash(const ParentNode& p, const Bytes& original_sibling_tree_hash) {
  // ParentHashInput { encryption_key; parent_hash; original_sibling_tree_hash; }
  TlsWriter input;
  input.opaque(p.encryption_key).opaque(p.parent_hash).opaque(original_sibling_tree_hash);
  return sha256(input.bytes());
}

bool RatchetTree::parent_hashes_valid() const {
  // From every non-blank node D, find its nearest non-blank ancestor P; the link D -> P holds when
  // D's parent_hash is P's parent hash over the sibling on the other side. Chains follow links
  // upwards from each leaf; every non-blank parent node must be reached by exactly one link.
  std::vector<int> covered(nodes_.size(), 0);
  const NodeIndex top = root(leaves_);
  for (LeafIndex l = 0; l < leaves_; ++l) {
    const LeafNode* start = leaf(l);
    if (start == nullptr) continue;
    NodeIndex d = leaf_node(l);
    Bytes expected = start->source == LeafNodeSource::kCommit ? start->parent_hash : Bytes{};
    while (d != top && !expected.empty()) {
      // The next non-blank ancestor of d.
      NodeIndex p = parent(d, leaves_);
      NodeIndex child = d;
      while (!nodes_[p] && p != top) {
        child = p;
        p = parent(p, leaves_);
      }
      if (!nodes_[p]) break;
      if (parent_hash_of(p, sibling(child, leaves_)) != expected) break;
      ++covered[p];
      expected = parent_node(p)->parent_hash;
      d = p;
    }
  }
  for (NodeIndex i = 0; i < nodes_.size(); ++i) {
    if (parent_node(i) != nullptr && covered[i] != 1) return false;
  }
  return true;
}

bool RatchetTree::leaf_signatures_valid(const CryptoProvider& crypto, const Bytes& group_id) const {
  for (LeafIndex l = 0; l < leaves_; ++l) {
    const LeafNode* node = leaf(l);
    if (node != nullptr && !leaf_node_signature_valid(crypto, *node, group_id, l)) return false;
  }
  return true;
}

}  // namespace dmlssim::models::mls
