// Validating a commit's proposal list and applying it to the tree (RFC 9420 §12.1-12.3): every
// proposal by its own rule, the list by §12.2's (and §12.4.3.2's for external commits), applied
// in the fixed order GroupContextExtensions, Update, Remove, Add. Failures throw GroupError with
// kInvalidProposal (one proposal) or kInvalidProposalList (the combination).
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "models/mls/crypto_provider.hpp"
#include "models/mls/epoch_state.hpp"
#include "models/mls/rejection.hpp"
#include "models/mls/wire_messages.hpp"

namespace dmlssim::models::mls {

struct ResolvedProposal {
  Proposal proposal;
  Sender sender;             // the proposer; the committer for proposals by value
  std::optional<Bytes> ref;  // the ProposalRef when committed by reference
};

struct AppliedProposals {
  RatchetTree tree;                   // after GCE, Update, Remove, Add
  std::vector<Extension> extensions;  // the GroupContext extensions of the new epoch
  std::vector<std::pair<LeafIndex, KeyPackage>> joiners;  // in Add order
  std::vector<LeafIndex> updated;
  std::vector<LeafIndex> removed;
  std::vector<PreSharedKeyId> psks;
  std::optional<ReInitProposal> reinit;
  std::optional<Bytes> external_init;  // ExternalInit kem_output
  bool path_required = false;          // §12.4: empty, or any Update/Remove/ExternalInit/GCE
};

AppliedProposals apply_proposals(const CryptoProvider& crypto, const EpochPublic& epoch,
                                 const Sender& committer,
                                 const std::vector<ResolvedProposal>& proposals);

// §7.3 for a leaf entering `tree` at `index`: it supports the group's version, suite and
// extensions, its credential type is supported by every member, and its encryption and
// signature keys are not used by another leaf. Throws GroupError(`reason`). `previous` is the
// leaf it replaces (Update, commit path): when its credential type and supported credentials
// are the same, the members' credential support is known and not scanned again.
void check_leaf_fits(const RatchetTree& tree, const LeafNode& leaf, LeafIndex index,
                     const std::vector<Extension>& group_extensions, Rejection reason,
                     const LeafNode* previous = nullptr);

// ProposalRef = RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent).
Bytes proposal_ref(WireFormat wire_format, const FramedContent& content, const Bytes& signature);

}  // namespace dmlssim::models::mls
