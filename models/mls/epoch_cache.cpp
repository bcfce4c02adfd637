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
  auto tree = std::make_shared<SharedSecretTree>(crypto, encryption_secret, n_leaves, changes_);
  entry = tree;
  if (trees_.size() >= purge_trees_at_) {
    std::erase_if(trees_, [](const auto& e) { return e.second.expired(); });
    purge_trees_at_ = std::max<std::size_t>(1024, 2 * trees_.size());
  }
  return tree;
}

std::shared_ptr<const EpochSecrets> EpochCache::shared_secrets(EpochSecrets secrets) {
  std::string key(secrets.joiner_secret.begin(), secrets.joiner_secret.end());
  key.append(secrets.epoch_secret.begin(), secrets.epoch_secret.end());
  std::weak_ptr<const EpochSecrets>& entry = secrets_[key];
  if (std::shared_ptr<const EpochSecrets> held = entry.lock()) return held;
  auto held = std::make_shared<const EpochSecrets>(std::move(secrets));
  entry = held;
  if (secrets_.size() >= purge_secrets_at_) {
    std::erase_if(secrets_, [](const auto& e) { return e.second.expired(); });
    purge_secrets_at_ = std::max<std::size_t>(1024, 2 * secrets_.size());
  }
  return held;
}

std::string EpochCache::opened_key(const Bytes& sender_data_secret, const PrivateMessage& message) {
  std::string key;
  key.reserve(64 + message.authenticated_data.size() + message.encrypted_sender_data.size() +
              message.ciphertext.size());
  auto add = [&](const Bytes& b) {
    for (int i = 0; i < 4; ++i)
      key.push_back(static_cast<char>(b.size() >> (8 * i)));
    key.append(reinterpret_cast<const char*>(b.data()), b.size());
  };
  add(sender_data_secret);
  add(message.group_id);
  for (int i = 0; i < 8; ++i)
    key.push_back(static_cast<char>(message.epoch >> (8 * i)));
  key.push_back(static_cast<char>(message.content_type));
  add(message.authenticated_data);
  add(message.encrypted_sender_data);
  add(message.ciphertext);
  return key;
}

const EpochCache::VerifiedPublic* EpochCache::find_verified(const Bytes& membership_key,
                                                            const Bytes& group_context,
                                                            const Bytes& signature_key,
                                                            const PublicMessage& message) const {
  // As for opened messages: the address picks the candidate, the comparison decides.
  const RecentVerified* r = verified_.find(&message, [&](const RecentVerified& e) {
    return e.membership_key == membership_key && e.signature_key == signature_key &&
           e.group_context == group_context && (e.owner || e.message == message);
  });
  return r != nullptr ? &r->verified : nullptr;
}

void EpochCache::put_verified(const Bytes& membership_key, const Bytes& group_context,
                              const Bytes& signature_key, const PublicMessage& message,
                              const std::shared_ptr<const void>& owner, VerifiedPublic verified) {
  verified_.put(&message) = RecentVerified{
      membership_key,     group_context, signature_key, owner, owner ? PublicMessage{} : message,
      std::move(verified)};
}

const EpochCache::CommitDigests& EpochCache::commit_digests(const EpochPublic& prev,
                                                            const std::shared_ptr<const Bytes>& tbs,
                                                            const Bytes& signature) {
  // (A heal replays chains of commits device after device: the ring holds as many as the
  // verdicts'.)
  if (const RecentDigests* r = digests_.find(tbs.get(), [&](const RecentDigests& e) {
        return e.interim == prev.interim_transcript_hash && e.signature == signature &&
               e.context == prev.context_bytes;
      }))
    return r->digests;
  RecentDigests& r = digests_.put(tbs.get());
  Bytes confirmed = confirmed_transcript_hash_from_tbs(prev, *tbs, signature);
  Bytes cache_key = key(prev, confirmed);
  r = RecentDigests{tbs, prev.context_bytes, prev.interim_transcript_hash, signature,
                    CommitDigests{std::move(confirmed), std::move(cache_key)}};
  return r.digests;
}

std::shared_ptr<const EpochCache::OpenedApplication> EpochCache::find_opened(
    const Bytes& sender_data_secret, const PrivateMessage& message) {
  if (const RecentOpened* r = recent_of(sender_data_secret, message)) return r->opened;
  const std::string key = opened_key(sender_data_secret, message);
  std::shared_ptr<const OpenedApplication> found;
  if (const auto it = opened_.find(key); it != opened_.end()) {
    found = it->second;
  } else if (const auto old = opened_old_.find(key); old != opened_old_.end()) {
    found = old->second;
    put_generation(key, found);
  }
  if (found) remember(sender_data_secret, message, nullptr, found);
  return found;
}

void EpochCache::put_opened(const Bytes& sender_data_secret, const PrivateMessage& message,
                            const std::shared_ptr<const void>& owner,
                            std::shared_ptr<const OpenedApplication> opened) {
  remember(sender_data_secret, message, owner, opened);
  put_generation(opened_key(sender_data_secret, message), std::move(opened));
}

std::size_t EpochCache::recent_slot(const PrivateMessage& message) {
  // Fibonacci hashing of the address (objects are at least 8-byte aligned).
  const auto address = reinterpret_cast<std::uintptr_t>(&message) >> 3;
  return static_cast<std::size_t>((address * 0x9E3779B97F4A7C15ull) >> (64 - kRecentBits));
}

EpochCache::RecentOpened* EpochCache::recent_of(const Bytes& sender_data_secret,
                                                const PrivateMessage& message) {
  // The address only picks the candidate: an equal message elsewhere goes to the keyed map, and
  // an object since replaced at the same address fails the comparison (one the slot owns cannot
  // have been replaced).
  const std::size_t i = recent_slot(message);
  if (recent_at_[i] != &message) return nullptr;
  RecentOpened& r = recent_[i];
  if (r.opened && r.sender_data_secret == sender_data_secret && (r.owner || r.message == message))
    return &r;
  return nullptr;
}

void EpochCache::remember(const Bytes& sender_data_secret, const PrivateMessage& message,
                          const std::shared_ptr<const void>& owner,
                          std::shared_ptr<const OpenedApplication> opened) {
  if (RecentOpened* r = recent_of(sender_data_secret, message)) {
    r->opened = std::move(opened);  // a message put again (opened, then its content): in place
    if (owner && !r->owner) {
      r->owner = owner;
      r->message = PrivateMessage{};
    }
    return;
  }
  const std::size_t i = recent_slot(message);
  recent_[i] = RecentOpened{sender_data_secret, owner, owner ? PrivateMessage{} : message,
                            std::move(opened)};
  recent_at_[i] = &message;
}

void EpochCache::put_generation(std::string key, std::shared_ptr<const OpenedApplication> opened) {
  constexpr std::size_t kGeneration = std::size_t{1} << 16;
  if (opened_.size() >= kGeneration) {
    opened_old_ = std::move(opened_);
    opened_.clear();
  }
  opened_[std::move(key)] = std::move(opened);
}

}  // namespace dmlssim::models::mls
