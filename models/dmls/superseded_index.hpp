// The superseded epochs of an epoch tree in the order retention asks for them: by when they were
// superseded, then by creation (both unique together), each naming the epoch's key. A sorted
// deque: epochs are superseded in time order (an insert is most often an append) and forgotten
// oldest first (an erase most often at the front, found by binary search): neither shifts
// entries; one out of order does. About 24 bytes an entry, in blocks, where a set spent a 64-byte
// node and an allocation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <tuple>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::dmls {

class SupersededIndex {
 public:
  struct Entry {
    std::int64_t superseded_ns = 0;
    std::uint64_t created = 0;
    const mls::Bytes* id = nullptr;  // the epoch's key in its tree (never moves)
    bool operator<(const Entry& o) const {
      return std::tie(superseded_ns, created) < std::tie(o.superseded_ns, o.created);
    }
  };

  void insert(const Entry& e) {
    if (entries_.empty() || entries_.back() < e) {
      entries_.push_back(e);
    } else {
      entries_.insert(std::lower_bound(entries_.begin(), entries_.end(), e), e);
    }
  }
  // Removes the entry with e's time and creation, if held.
  void erase(const Entry& e) {
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), e);
    if (it != entries_.end() && !(e < *it)) entries_.erase(it);
  }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  const Entry& front() const { return entries_.front(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::deque<Entry> entries_;  // sorted
};

}  // namespace dmlssim::models::dmls
