#include "models/mls/epoch_cache.hpp"

#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {

Bytes EpochCache::key(const EpochPublic& prev, const Bytes& confirmed_transcript_hash) {
  return sha256(concat(prev.context_bytes, confirmed_transcript_hash));
}

CommitTransitionPtr EpochCache::find(const Bytes& key) {
  const auto it = entries_.find(std::string(key.begin(), key.end()));
  CommitTransitionPtr found = it == entries_.end() ? nullptr : it->second.lock();
  ++(found ? hits_ : misses_);
  return found;
}

void EpochCache::put(const Bytes& key, const CommitTransitionPtr& transition) {
  entries_[std::string(key.begin(), key.end())] = transition;
  if (entries_.size() >= purge_at_) purge();
}

void EpochCache::purge() {
  std::erase_if(entries_, [](const auto& e) { return e.second.expired(); });
  purge_at_ = std::max<std::size_t>(1024, 2 * entries_.size());
}

}  // namespace dmlssim::models::mls
