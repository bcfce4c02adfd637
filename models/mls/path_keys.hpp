// The HPKE key pairs a member holds for its own leaf and the parent nodes of its direct path, by
// node (RFC 9420 §7.4: what a member needs to decrypt path secrets). A Group is copied for every
// retained epoch (DMLS), and consecutive epochs keep most of their path's keys: a commit's path
// replaces the keys from the committer's common ancestor with the member up to the root, usually
// the top one or two levels. So the entries of the top kUpperLevels levels held are the copy's
// own, and those below sit in a list that copies share until one of them changes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

#include "models/mls/crypto_provider.hpp"
#include "models/mls/shared_list.hpp"
#include "models/mls/tree_math.hpp"

namespace dmlssim::models::mls {

class PathKeys {
 public:
  using Entry = std::pair<NodeIndex, std::shared_ptr<const HpkeKeyPair>>;
  static constexpr std::uint32_t kUpperLevels = 4;

  // The key pair of node `n`, null when none is held.
  const HpkeKeyPair* find(NodeIndex n) const {
    const std::vector<Entry>* part = part_of(n);
    if (part == nullptr) return nullptr;
    const auto it = lower(*part, n);
    return it != part->end() && it->first == n ? it->second.get() : nullptr;
  }
  bool contains(NodeIndex n) const { return find(n) != nullptr; }
  // Holds `key` for node `n` (replacing what was held).
  void set(NodeIndex n, HpkeKeyPair key) {
    set_shared(n, std::make_shared<const HpkeKeyPair>(std::move(key)));
  }
  void set_shared(NodeIndex n, std::shared_ptr<const HpkeKeyPair> key);
  // Drops the key of node `n` (if held).
  void erase(NodeIndex n);
  std::size_t size() const { return upper_.size() + (lower_ ? lower_->size() : 0); }
  bool empty() const { return size() == 0; }

  // Every entry once: the lower levels' by node, then the upper levels' by node.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Entry;
    using difference_type = std::ptrdiff_t;
    using pointer = const Entry*;
    using reference = const Entry&;
    const_iterator() = default;
    const_iterator(const PathKeys* keys, std::size_t i) : keys_(keys), i_(i) {}
    reference operator*() const { return keys_->at(i_); }
    pointer operator->() const { return &keys_->at(i_); }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator was = *this;
      ++i_;
      return was;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }

   private:
    const PathKeys* keys_ = nullptr;
    std::size_t i_ = 0;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

 private:
  static std::vector<Entry>::const_iterator lower(const std::vector<Entry>& part, NodeIndex n) {
    return std::lower_bound(part.begin(), part.end(), n,
                            [](const Entry& e, NodeIndex v) { return e.first < v; });
  }
  const std::vector<Entry>* part_of(NodeIndex n) const {
    return level(n) >= split_ ? &upper_ : lower_.get();
  }
  const Entry& at(std::size_t i) const {
    const std::size_t below = lower_ ? lower_->size() : 0;
    return i < below ? (*lower_)[i] : upper_[i - below];
  }
  // Moves the entries below level `split` from upper_ to lower_.
  void raise_split(std::uint32_t split);

  std::vector<Entry> upper_;           // levels >= split_, ascending by node
  SharedList<Entry> lower_;            // levels < split_, ascending; may be shared
  std::uint32_t split_ = 0, top_ = 0;  // top_: the highest level held (or once held)
};

}  // namespace dmlssim::models::mls
