#include "models/mls/path_keys.hpp"

namespace dmlssim::models::mls {

namespace {

void put(std::vector<PathKeys::Entry>& part, NodeIndex n, std::shared_ptr<const HpkeKeyPair> key) {
  const auto it =
      std::lower_bound(part.begin(), part.end(), n,
                       [](const PathKeys::Entry& e, NodeIndex v) { return e.first < v; });
  if (it != part.end() && it->first == n) {
    it->second = std::move(key);
  } else {
    part.insert(it, PathKeys::Entry{n, std::move(key)});
  }
}

}  // namespace

void PathKeys::raise_split(std::uint32_t split) {
  const auto first_kept = std::stable_partition(
      upper_.begin(), upper_.end(), [split](const Entry& e) { return level(e.first) < split; });
  if (first_kept != upper_.begin()) {
    std::vector<Entry>& below = own_list(lower_);
    for (auto it = upper_.begin(); it != first_kept; ++it)
      put(below, it->first, std::move(it->second));
    upper_.erase(upper_.begin(), first_kept);
  }
  split_ = split;
}

void PathKeys::set_shared(NodeIndex n, std::shared_ptr<const HpkeKeyPair> key) {
  const std::uint32_t l = level(n);
  if (l > top_) {
    top_ = l;
    if (top_ + 1 > split_ + kUpperLevels) raise_split(top_ + 1 - kUpperLevels);
  }
  if (l >= split_) {
    put(upper_, n, std::move(key));
  } else {
    put(own_list(lower_), n, std::move(key));
  }
}

void PathKeys::erase(NodeIndex n) {
  const std::vector<Entry>* part = part_of(n);
  if (part == nullptr) return;
  const auto it = lower(*part, n);
  if (it == part->end() || it->first != n) return;
  const auto at = it - part->begin();
  std::vector<Entry>& own = part == &upper_ ? upper_ : own_list(lower_);
  own.erase(own.begin() + at);
}

}  // namespace dmlssim::models::mls
