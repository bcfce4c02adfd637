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

std::shared_ptr<SharedSecretTree> EpochCache::secret_tree(const CryptoProvider& crypto,
                                                          const Bytes& encryption_secret,
                                                          std::uint32_t n_leaves) {
  std::string key(encryption_secret.begin(), encryption_secret.end());
  for (int b = 0; b < 4; ++b)
    key.push_back(static_cast<char>(n_leaves >> (8 * b)));
  std::weak_ptr<SharedSecretTree>& entry = trees_[key];
  if (std::shared_ptr<SharedSecretTree> tree = entry.lock()) return tree;
  auto tree = std::make_shared<SharedSecretTree>(crypto, encryption_secret, n_leaves);
  entry = tree;
  if (trees_.size() >= purge_trees_at_) {
    std::erase_if(trees_, [](const auto& e) { return e.second.expired(); });
    purge_trees_at_ = std::max<std::size_t>(1024, 2 * trees_.size());
  }
  return tree;
}

}  // namespace dmlssim::models::mls
