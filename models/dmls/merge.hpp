// Merging forks (draft-kohbrok-mls-dmls -00 §5.1 "consolidation"; the Matrix proof of concept's
// `resolves`): one commit on the winning head that
//  - makes the group's membership the Matrix room's — state resolution is the authority on who
//    belongs: it Removes every leaf whose identity the room does not list and Adds a KeyPackage for
//    every listed identity without a leaf (so changes made on a losing fork carry over when the
//    room agrees with them);
//  - carries each losing head's key material (the PCS updates made there) into the merged epoch
//    as an external PSK: psk_id = the head's dmls_epoch, psk = merge_psk (key_schedule.hpp). Only
//    when every
//    member of the merged epoch is a member of that head: anyone else could not compute the
//    PSK and would be locked out;
//  - has a path: the merger's fresh keys.
// Devices supply the PSKs from the heads they hold (EpochTree does, for commits it makes and
// receives as PublicMessages).
#pragma once

#include <map>
#include <set>
#include <vector>

#include "models/dmls/fork_choice.hpp"
#include "models/mls/drbg.hpp"

namespace dmlssim::models::dmls {

using KeyPackages = std::map<Bytes, mls::KeyPackage, mls::BytesLess>;  // by identity

struct MergePlan {
  Bytes winner;
  std::vector<Bytes> losers;   // every other head, in the order given
  std::vector<Bytes> carried;  // losers whose key material the commit carries (a PSK each)
  std::vector<Bytes> removed;  // identities the commit removes
  std::vector<Bytes> added;    // identities it adds
  std::vector<Bytes> missing_key_packages;  // listed identities without a leaf or a KeyPackage
  mls::CommitOptions options;               // for EpochTree::commit(winner, options)
};

// Whose membership the merged epoch takes: the room's (above), or the winning fork's as it stands
// (draft -02 §6.1's example: the losing forks are simply dropped) — which lets a member removed
// only on a losing fork read on.
enum class MembershipAuthority : std::uint8_t { kRoom, kWinningFork };

// Plans the merge of `heads` (epochs the tree holds: the forks still open; a head an earlier merge
// resolved takes no part). `members`: the room's members (identities); `key_packages`: one for
// each identity that may need adding; `drbg`: the PSK nonces. Throws std::invalid_argument when
// `heads` is empty.
MergePlan plan_merge(const EpochTree& tree, const std::vector<Bytes>& heads,
                     const ForkChoice& choice, const Identities& members,
                     const KeyPackages& key_packages, mls::Drbg& drbg,
                     MembershipAuthority authority = MembershipAuthority::kRoom);
// The same over every head of the tree.
MergePlan plan_merge(const EpochTree& tree, const ForkChoice& choice, const Identities& members,
                     const KeyPackages& key_packages, mls::Drbg& drbg,
                     MembershipAuthority authority = MembershipAuthority::kRoom);

}  // namespace dmlssim::models::dmls
