// Array-based complete binary trees (RFC 9420 §4.1.4 and Appendix C): nodes 0..2n-2 for n leaves
// (n a power of two), leaves at even indices, leaf i at node 2i.
#pragma once

#include <cstdint>
#include <vector>

namespace dmlssim::models::mls {

using NodeIndex = std::uint32_t;
using LeafIndex = std::uint32_t;

// Floor of log2(x); 0 for 0.
std::uint32_t log2_floor(std::uint32_t x);
// Level of a node: 0 for leaves, 1 for their parents, ...
std::uint32_t level(NodeIndex x);
// Number of nodes of a tree with n leaves.
std::uint32_t node_width(std::uint32_t n_leaves);
NodeIndex root(std::uint32_t n_leaves);
// Children of an intermediate node; throws std::invalid_argument for a leaf.
NodeIndex left(NodeIndex x);
NodeIndex right(NodeIndex x);
// Parent and sibling of a non-root node; throws std::invalid_argument at the root.
NodeIndex parent(NodeIndex x, std::uint32_t n_leaves);
NodeIndex sibling(NodeIndex x, std::uint32_t n_leaves);
// From the node's parent up to the root.
std::vector<NodeIndex> direct_path(NodeIndex x, std::uint32_t n_leaves);
// The sibling of the node and of each node on its direct path but the root.
std::vector<NodeIndex> copath(NodeIndex x, std::uint32_t n_leaves);
NodeIndex common_ancestor(NodeIndex x, NodeIndex y);

inline NodeIndex leaf_node(LeafIndex i) {
  return 2 * i;
}

}  // namespace dmlssim::models::mls
