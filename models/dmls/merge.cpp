#include "models/dmls/merge.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/mls/primitives.hpp"

namespace dmlssim::models::dmls {
MergePlan plan_merge(const EpochTree& tree, const ForkChoice& choice, const Identities& room,
                     const KeyPackages& key_packages, mls::Drbg& drbg,
                     MembershipAuthority authority) {
  return plan_merge(tree, tree.heads(), choice, room, key_packages, drbg, authority);
}

MergePlan plan_merge(const EpochTree& tree, const std::vector<Bytes>& heads,
                     const ForkChoice& choice, const Identities& room,
                     const KeyPackages& key_packages, mls::Drbg& drbg,
                     MembershipAuthority authority) {
  if (heads.empty()) throw std::invalid_argument("merge: no head to merge");
  MergePlan plan;
  plan.winner = choose_fork(tree, heads, choice);
  const mls::RatchetTree& winning = tree.group(plan.winner).public_state().tree;
  const Identities members =
      authority == MembershipAuthority::kRoom ? room : member_identities(winning);
  Identities merged;  // who will be a member of the merged epoch
  for (mls::LeafIndex l = 0; l < winning.leaf_count(); ++l) {
    const mls::LeafNode* leaf = winning.leaf(l);
    if (leaf == nullptr) continue;
    if (members.count(leaf->credential.identity) != 0) {
      merged.insert(leaf->credential.identity);
    } else if (l != tree.group(plan.winner).own_leaf()) {
      plan.options.by_value.push_back(mls::Proposal{mls::RemoveProposal{l}});
      plan.removed.push_back(leaf->credential.identity);
    }
  }
  for (const Bytes& identity : members) {
    if (merged.count(identity) != 0) continue;
    const auto kp = key_packages.find(identity);
    if (kp == key_packages.end()) {
      plan.missing_key_packages.push_back(identity);
      continue;
    }
    plan.options.by_value.push_back(mls::Proposal{mls::AddProposal{kp->second}});
    plan.added.push_back(identity);
    merged.insert(identity);
  }
  for (const Bytes& head : heads) {
    if (head == plan.winner) continue;
    plan.losers.push_back(head);
    const Identities there = member_identities(tree.group(head).public_state().tree);
    const bool all_there = std::all_of(merged.begin(), merged.end(),
                                       [&](const Bytes& id) { return there.count(id) != 0; });
    if (!all_there) continue;
    mls::PreSharedKeyId id;
    id.type = mls::PreSharedKeyId::kExternal;
    id.psk_id = head;
    id.psk_nonce = drbg.bytes(mls::kHashLength);
    plan.options.by_value.push_back(mls::Proposal{mls::PreSharedKeyProposal{id}});
    plan.carried.push_back(head);
  }
  plan.options.force_path = true;
  return plan;
}

}  // namespace dmlssim::models::dmls
