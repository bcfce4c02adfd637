// Shares commit transitions between the members of one simulation: the first member to process
// a commit validates and applies it; every other member in the same epoch reuses the result (and
// so the same immutable EpochPublic). The key binds the previous epoch's GroupContext and the new
// confirmed transcript hash (which covers the commit and its signature), so only a byte-identical
// commit on an identical epoch hits. Entries live as long as some member holds them. The same for
// each epoch's secret-tree derivations.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/mls/commit_transition.hpp"
#include "models/mls/framing.hpp"
#include "models/mls/secret_tree_state.hpp"

namespace dmlssim::models::mls {

class EpochCache {
 public:
  static Bytes key(const EpochPublic& prev, const Bytes& confirmed_transcript_hash);
  CommitTransitionPtr find(const Bytes& key);
  void put(const Bytes& key, const CommitTransitionPtr& transition);
  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }
  std::size_t size() const { return entries_.size(); }

  // The secret-tree derivations of the epoch with this encryption_secret, shared by its members
  // for as long as one of them holds the epoch.
  std::shared_ptr<SharedSecretTree> secret_tree(const CryptoProvider& crypto,
                                                const Bytes& encryption_secret,
                                                std::uint32_t n_leaves);

  // An application PrivateMessage as the first member of its epoch opened it (sender data,
  // content, signature check): the other members take their own ratchet key and reuse the rest.
  // Keyed by the epoch's sender_data_secret and every byte of the message, so only a member
  // holding that epoch finds it. Bounded: two generations of 65,536 entries; before them, a table
  // of kRecent slots indexed by the address a message was looked up at, compared in place there
  // (a room's message object is shared by its readers: most look-ups end there, with no key
  // built, a device's backlog after an absence included). A message put with its `owner` (an
  // object keeping it alive and unchanged) is known there by its address alone: the slot keeps
  // the owner, so no other object can be at that address while it is held.
  struct OpenedApplication {
    OpenedPrivateMessage opened;
    ProtectionError sender_error = ProtectionError::kNone;   // opening the sender data
    ProtectionError content_error = ProtectionError::kNone;  // the content and its signature
  };
  // The epoch's secrets as one shared object (they are the same for every member: a function of
  // its joiner_secret and epoch_secret), for as long as a member holds them.
  std::shared_ptr<const EpochSecrets> shared_secrets(EpochSecrets secrets);

  // A PublicMessage as the first member of its epoch verified it (membership tag under the
  // epoch's membership_key and group context; the signature under `signature_key` unless that is
  // empty): the verdict and the FramedContentTBS. The last 64, found again by the message's address
  // and compared by every input.
  struct VerifiedPublic {
    ProtectionError error = ProtectionError::kNone;
    std::shared_ptr<const Bytes> tbs;  // commits only (null otherwise)
  };
  // (With an `owner`, as for opened messages: the message is known by its address alone.)
  const VerifiedPublic* find_verified(const Bytes& membership_key, const Bytes& group_context,
                                      const Bytes& signature_key,
                                      const PublicMessage& message) const;
  void put_verified(const Bytes& membership_key, const Bytes& group_context,
                    const Bytes& signature_key, const PublicMessage& message,
                    const std::shared_ptr<const void>& owner, VerifiedPublic verified);

  // A commit's confirmed transcript hash (RFC 9420 §8.2) from its FramedContentTBS and signature,
  // as confirmed_transcript_hash_from_tbs gives it, and this cache's key for the transition: the
  // same for every member of the epoch. The last kRecentDigests are found again by the TBS object
  // (kept alive here, so its address names it) and compared by the previous epoch's GroupContext
  // and interim transcript hash and by the signature.
  struct CommitDigests {
    Bytes confirmed_transcript_hash;
    Bytes key;  // key(prev, confirmed_transcript_hash)
  };
  const CommitDigests& commit_digests(const EpochPublic& prev,
                                      const std::shared_ptr<const Bytes>& tbs,
                                      const Bytes& signature);

  std::shared_ptr<const OpenedApplication> find_opened(const Bytes& sender_data_secret,
                                                       const PrivateMessage& message);
  void put_opened(const Bytes& sender_data_secret, const PrivateMessage& message,
                  const std::shared_ptr<const void>& owner,
                  std::shared_ptr<const OpenedApplication> opened);

 private:
  void purge();
  std::unordered_map<std::string, std::weak_ptr<const CommitTransition>> entries_;
  std::uint64_t hits_ = 0, misses_ = 0;
  std::size_t purge_at_ = 1024;
  std::unordered_map<std::string, std::weak_ptr<SharedSecretTree>> trees_;
  // The opened-leaf list changes of every epoch's members (SharedSecretTree::Changes).
  static constexpr std::size_t kListChanges = 4096;
  std::shared_ptr<SharedSecretTree::Changes> changes_ =
      std::make_shared<SharedSecretTree::Changes>(kListChanges);
  std::unordered_map<std::string, std::weak_ptr<const EpochSecrets>> secrets_;
  std::size_t purge_secrets_at_ = 1024;
  std::size_t purge_trees_at_ = 1024;
  static std::string opened_key(const Bytes& sender_data_secret, const PrivateMessage& message);
  void put_generation(std::string key, std::shared_ptr<const OpenedApplication> opened);
  std::unordered_map<std::string, std::shared_ptr<const OpenedApplication>> opened_, opened_old_;
  struct RecentOpened {
    Bytes sender_data_secret;
    std::shared_ptr<const void> owner;  // keeps the message at its address (else: `message`)
    PrivateMessage message;             // a copy, compared, when put without an owner
    std::shared_ptr<const OpenedApplication> opened;
  };
  RecentOpened* recent_of(const Bytes& sender_data_secret, const PrivateMessage& message);
  void remember(const Bytes& sender_data_secret, const PrivateMessage& message,
                const std::shared_ptr<const void>& owner,
                std::shared_ptr<const OpenedApplication> opened);
  // Direct-mapped by address: a device back from a long absence reads its backlog here too.
  static constexpr int kRecentBits = 12;
  static constexpr std::size_t kRecent = std::size_t{1} << kRecentBits;
  static std::size_t recent_slot(const PrivateMessage& message);
  std::vector<RecentOpened> recent_ = std::vector<RecentOpened>(kRecent);
  // By slot of recent_: the object looked up there (compared, not dereferenced).
  std::vector<const PrivateMessage*> recent_at_ = std::vector<const PrivateMessage*>(kRecent);
  // The last N entries put, each under the address of the object it was made for; a look-up
  // scans the addresses (in their own array: the entries are large) and lets `matches` decide.
  template <class Object, class Entry, std::size_t N>
  struct AddressRing {
    std::array<const Object*, N> at{};  // compared, not dereferenced
    std::array<Entry, N> entries;
    std::size_t next = 0;
    template <class Matches>
    const Entry* find(const Object* object, Matches matches) const {
      for (std::size_t i = 0; i < N; ++i) {
        if (at[i] == object && matches(entries[i])) return &entries[i];
      }
      return nullptr;
    }
    Entry& put(const Object* object) {
      at[next] = object;
      Entry& entry = entries[next];
      next = (next + 1) % N;
      return entry;
    }
  };
  struct RecentVerified {
    Bytes membership_key, group_context, signature_key;
    std::shared_ptr<const void> owner;  // as RecentOpened's
    PublicMessage message;
    VerifiedPublic verified;
  };
  AddressRing<PublicMessage, RecentVerified, 64> verified_;
  struct RecentDigests {
    std::shared_ptr<const Bytes> tbs;
    Bytes context, interim, signature;
    CommitDigests digests;
  };
  static constexpr std::size_t kRecentDigests = 64;
  AddressRing<Bytes, RecentDigests, kRecentDigests> digests_;
};

}  // namespace dmlssim::models::mls
