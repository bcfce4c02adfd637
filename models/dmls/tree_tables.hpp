// What the epoch trees of a run share: the interned credential identities, and the facts of each
// epoch a commit created — the same for every device that processed that commit, so one copy per
// epoch instead of one per (device, epoch). One TreeTables per run; its ids and entries mean
// nothing outside it.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "models/dmls/identity_table.hpp"
#include "models/mls/bytes.hpp"
#include "models/mls/crypto_provider.hpp"
#include "models/mls/group.hpp"
#include "models/mls/shared_list.hpp"

namespace dmlssim::models::dmls {

// What a device knows of an epoch that any other device holding it knows alike.
struct EpochFacts {
  mls::Bytes parent;  // empty for the root of a device's tree (founded, joined or restored)
  std::uint64_t number = 0;
  mls::Bytes committer;  // credential identity of the commit's sender (empty: root, external)
  mls::Bytes confirmation_tag;
  mls::Bytes confirmed_transcript_hash;
  std::uint32_t removed = 0;  // leaves the creating commit blanked
  std::uint32_t added = 0;    // leaves it filled
};

class EpochTree;

// The groups' PSK look-ups find the merge PSK (merge.hpp) of every held epoch, derived from its
// secrets when asked, through an anchor: it names a tree only while that tree is handling or
// making a commit (one at a time; a moved tree stays valid; a group copied out of its tree finds
// none).
struct PskAnchor {
  const EpochTree* tree = nullptr;
  std::vector<mls::Bytes> missed;  // merge PSK ids the last commit asked for and the tree lacks
};

struct TreeTables {
  IdentityTable identities;
  // One anchor for the run's trees, and the configuration with its look-up, shared by every group
  // whose own configuration was `psk_config_base` (a room's devices share one): each group's own
  // copy was a cold cache line at every message.
  std::shared_ptr<PskAnchor> psk_anchor = std::make_shared<PskAnchor>();
  std::shared_ptr<const mls::GroupConfig> psk_config_base, psk_config;
  // The facts of every epoch a commit created, by dmls_epoch (the identity names the commit and
  // its parent epoch). One entry per epoch of the run, never dropped.
  std::unordered_map<mls::Bytes, std::shared_ptr<const EpochFacts>, mls::DigestHash,
                     mls::BytesEqual>
      created;
  // The sender lists the records of each epoch settled on once it was superseded: devices that
  // saw the same senders hold one list.
  std::unordered_map<mls::Bytes, mls::SettledLists<IdentityId>, mls::DigestHash, mls::BytesEqual>
      settled_senders;
  // Senders the records noted to lists they shared: the devices of an epoch that see its senders
  // in the same order hold one list at each step (a list is a value: the same change to the same
  // list gives the same list, whatever the epoch).
  using SenderChanges = mls::ListChanges<IdentityId>;
  SenderChanges sender_changes{4096};
  // The DMLS ids of the epochs entered last, by their epoch_secret (dmls_epoch_of: the same for
  // every device entering the epoch). As many as a heal's chain of commits replayed device after
  // device needs; scanned newest first.
  struct EpochId {
    const mls::CryptoProvider* crypto = nullptr;  // the provider that derived it
    mls::Bytes epoch_secret, id;
  };
  static constexpr std::size_t kEpochIdsKept = 64;
  std::vector<EpochId> epoch_ids = std::vector<EpochId>(kEpochIdsKept);
  std::size_t epoch_ids_next = 0;
  // Each tree's index among the run's trees (EpochTree takes the next at construction).
  std::uint32_t trees = 0;
  // What each commit did in each tree that processed it, by SharedDmlsMessage::digest: a byte
  // per tree in one shared entry (the entry is hot: every device processes the commit) instead
  // of an entry in each tree's own map (a cold miss and an allocation per device and commit).
  struct CommitOutcomes {
    static constexpr std::uint8_t kUnseen = 0;
    static constexpr std::uint8_t kRemoved = 1;  // the commit removed the tree's device
    // kFirstChild + k: it created children[k] (one epoch for every tree, in practice).
    static constexpr std::uint8_t kFirstChild = 2;
    std::vector<mls::Bytes> children;
    std::vector<std::uint8_t> by_tree;  // kUnseen past its end
    std::uint8_t of(std::uint32_t tree) const {
      return tree < by_tree.size() ? by_tree[tree] : kUnseen;
    }
    void set(std::uint32_t tree, std::uint8_t outcome);
    // Notes that `tree` created `child`.
    void created(std::uint32_t tree, const mls::Bytes& child);
  };
  std::unordered_map<mls::Bytes, CommitOutcomes, mls::DigestHash, mls::BytesEqual> commits;
};

}  // namespace dmlssim::models::dmls
