#include "models/dmls/tree_tables.hpp"

#include <algorithm>
#include <stdexcept>

namespace dmlssim::models::dmls {

void TreeTables::CommitOutcomes::set(std::uint32_t tree, std::uint8_t outcome) {
  if (tree >= by_tree.size()) by_tree.resize(std::size_t{tree} + 1, kUnseen);
  by_tree[tree] = outcome;
}

void TreeTables::CommitOutcomes::created(std::uint32_t tree, const mls::Bytes& child) {
  auto it = std::find_if(children.begin(), children.end(),
                         [&](const mls::Bytes& c) { return mls::BytesEqual()(c, child); });
  if (it == children.end()) {
    if (children.size() >= 255u - kFirstChild)
      throw std::logic_error("TreeTables: one commit created too many distinct epochs");
    it = children.insert(children.end(), child);
  }
  set(tree, static_cast<std::uint8_t>(kFirstChild + (it - children.begin())));
}

}  // namespace dmlssim::models::dmls
