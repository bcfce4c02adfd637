// Credential identities interned as small numbers, so that what a device remembers about who
// sent in each epoch (EpochRecord::senders) costs 4 bytes an identity instead of a copy of it.
// One table is shared by every epoch tree of a run (the ids mean nothing outside it); ids are
// given in first-seen order and only ever compared for equality.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::dmls {

using IdentityId = std::uint32_t;

class IdentityTable {
 public:
  IdentityId id(const mls::Bytes& identity) {
    // Every device reading a sender's message asks for the identity of one leaf object of a
    // shared tree: found again by its address, and checked by content.
    Recent& recent = recent_[(reinterpret_cast<std::uintptr_t>(&identity) >> 4) % kRecent];
    if (recent.at == &identity && mls::BytesEqual()(names_[recent.id], identity)) return recent.id;
    const auto [it, added] = ids_.try_emplace(identity, static_cast<IdentityId>(names_.size()));
    if (added) names_.push_back(identity);
    recent = Recent{&identity, it->second};
    return it->second;
  }
  const mls::Bytes& identity(IdentityId id) const { return names_.at(id); }
  std::size_t size() const { return names_.size(); }

 private:
  std::unordered_map<mls::Bytes, IdentityId, mls::BytesHash, mls::BytesEqual> ids_;
  std::vector<mls::Bytes> names_;
  struct Recent {
    const mls::Bytes* at = nullptr;  // compared, not dereferenced
    IdentityId id = 0;
  };
  static constexpr std::size_t kRecent = 64;
  std::array<Recent, kRecent> recent_{};
};

// A sorted set of ids in a vector (a handful to a few hundred entries).
inline void insert_sorted(std::vector<IdentityId>& set, IdentityId id) {
  const auto at = std::lower_bound(set.begin(), set.end(), id);
  if (at == set.end() || *at != id) set.insert(at, id);
}

}  // namespace dmlssim::models::dmls
