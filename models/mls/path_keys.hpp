// The HPKE key pairs a member holds for its own leaf and the parent nodes of its direct path, by
// node (RFC 9420 §7.4: what a member needs to decrypt path secrets). A Group is copied for every
// retained epoch (DMLS) and consecutive epochs keep most of their path's keys: copies share the
// key pairs and copy only a short sorted list of pointers.
#pragma once

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "models/mls/crypto_provider.hpp"
#include "models/mls/tree_math.hpp"

namespace dmlssim::models::mls {

class PathKeys {
 public:
  using Entry = std::pair<NodeIndex, std::shared_ptr<const HpkeKeyPair>>;

  // The key pair of node `n`, null when none is held.
  const HpkeKeyPair* find(NodeIndex n) const {
    const auto it = lower(n);
    return it != entries_.end() && it->first == n ? it->second.get() : nullptr;
  }
  bool contains(NodeIndex n) const { return find(n) != nullptr; }
  // Holds `key` for node `n` (replacing what was held).
  void set(NodeIndex n, HpkeKeyPair key) {
    set_shared(n, std::make_shared<const HpkeKeyPair>(std::move(key)));
  }
  void set_shared(NodeIndex n, std::shared_ptr<const HpkeKeyPair> key) {
    const auto it = lower(n);
    if (it != entries_.end() && it->first == n) {
      entries_[static_cast<std::size_t>(it - entries_.begin())].second = std::move(key);
    } else {
      entries_.insert(it, Entry{n, std::move(key)});
    }
  }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Ascending by node.
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

 private:
  std::vector<Entry>::const_iterator lower(NodeIndex n) const {
    return std::lower_bound(entries_.begin(), entries_.end(), n,
                            [](const Entry& e, NodeIndex v) { return e.first < v; });
  }
  std::vector<Entry> entries_;
};

}  // namespace dmlssim::models::mls
