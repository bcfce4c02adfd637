#include "models/mls/tree_math.hpp"

#include <bit>
#include <stdexcept>

namespace dmlssim::models::mls {

std::uint32_t log2_floor(std::uint32_t x) {
  return x == 0 ? 0 : static_cast<std::uint32_t>(std::bit_width(x)) - 1;
}

// The level of a node is the number of trailing one bits of its index (RFC 9420 Appendix C).
std::uint32_t level(NodeIndex x) {
  return static_cast<std::uint32_t>(std::countr_one(x));
}

std::uint32_t node_width(std::uint32_t n) {
  return n == 0 ? 0 : 2 * (n - 1) + 1;
}

NodeIndex root(std::uint32_t n) {
  return (1u << log2_floor(node_width(n))) - 1;
}

NodeIndex left(NodeIndex x) {
  const std::uint32_t k = level(x);
  if (k == 0) throw std::invalid_argument("a leaf has no children");
  return x ^ (1u << (k - 1));
}

NodeIndex right(NodeIndex x) {
  const std::uint32_t k = level(x);
  if (k == 0) throw std::invalid_argument("a leaf has no children");
  return x ^ (3u << (k - 1));
}

NodeIndex parent(NodeIndex x, std::uint32_t n) {
  if (x == root(n)) throw std::invalid_argument("the root has no parent");
  const std::uint32_t k = level(x);
  const std::uint32_t b = (x >> (k + 1)) & 1;
  return (x | (1u << k)) ^ (b << (k + 1));
}

NodeIndex sibling(NodeIndex x, std::uint32_t n) {
  const NodeIndex p = parent(x, n);
  return x < p ? right(p) : left(p);
}

std::vector<NodeIndex> direct_path(NodeIndex x, std::uint32_t n) {
  std::vector<NodeIndex> path;
  const NodeIndex r = root(n);
  while (x != r) {
    x = parent(x, n);
    path.push_back(x);
  }
  return path;
}

std::vector<NodeIndex> copath(NodeIndex x, std::uint32_t n) {
  std::vector<NodeIndex> out;
  if (x == root(n)) return out;
  std::vector<NodeIndex> d = direct_path(x, n);
  d.insert(d.begin(), x);
  d.pop_back();
  for (const NodeIndex y : d)
    out.push_back(sibling(y, n));
  return out;
}

NodeIndex common_ancestor(NodeIndex x, NodeIndex y) {
  const std::uint32_t lx = level(x) + 1, ly = level(y) + 1;
  if (lx <= ly && (x >> ly) == (y >> ly)) return y;
  if (ly <= lx && (x >> lx) == (y >> lx)) return x;
  // Shifted right until they agree: as many times as the highest differing bit's position + 1.
  const auto k = static_cast<std::uint32_t>(std::bit_width(x ^ y));
  return ((x >> k) << k) + (1u << (k - 1)) - 1;
}

}  // namespace dmlssim::models::mls
