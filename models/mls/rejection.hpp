// Why a group refused a message or an operation: one typed reason per rule of RFC 9420 that the
// simulator counts (wrong epoch, bad signature, unknown proposal, ...).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace dmlssim::models::mls {

enum class Rejection : std::uint8_t {
  kMalformed,              // does not decode, or fields inconsistent with the wire format
  kWrongGroup,             // group_id is not this group's
  kWrongEpoch,             // epoch is not the current one (handshake) or not held (application)
  kWrongCipherSuite,       // version or cipher suite differ from the group's
  kUnknownSender,          // blank leaf, unknown external sender, or a sender type not allowed
  kBadSignature,           // FramedContent, GroupInfo or LeafNode signature does not verify
  kBadMembershipTag,       // PublicMessage membership_tag does not verify
  kUndecryptable,          // sender data or content AEAD fails
  kKeyConsumed,            // the ratchet key of that generation was used already
  kKeyTooOld,              // outside the out-of-order window
  kKeyTooFarAhead,         // beyond maximum_forward_distance
  kApplicationNotPrivate,  // application data in a PublicMessage (§6.2)
  kUnknownProposal,        // a ProposalRef not in this epoch's cache
  kInvalidProposal,        // a single proposal breaks its rule (§12.1)
  kInvalidProposalList,    // the list breaks a rule of §12.2
  kMissingPath,            // a path is required (§12.4) and absent
  kBadPath,                // UpdatePath length, parent hash, leaf or derived keys wrong
  kUnknownPsk,             // a PSK the member does not have
  kBadConfirmationTag,     // the commit's confirmation tag does not match
  kBadTree,                // a received ratchet tree fails hash, parent-hash or signature checks
  kNoMatchingKeyPackage,   // a Welcome without secrets for any of our KeyPackages
  kRemovedFromGroup,       // the member was removed and can no longer act in the group
  kGroupFrozen,            // a ReInit was committed: the group only waits for its successor
  kCommitPending,          // the member has a commit pending and must resolve it first
  kProposalsPending,       // valid proposals are cached: commit before sending (§12.4)
  kNotAllowed,             // the operation is not allowed in this state (e.g. self-remove)
  kSuccessorGivenUp,       // DMLS: this epoch already derived that successor's init secret
};

const char* to_string(Rejection reason);

// Thrown by group operations; `reason` is what callers count.
class GroupError : public std::runtime_error {
 public:
  GroupError(Rejection reason, const std::string& detail)
      : std::runtime_error(std::string(to_string(reason)) + ": " + detail), reason_(reason) {}
  Rejection reason() const { return reason_; }

 private:
  Rejection reason_;
};

}  // namespace dmlssim::models::mls
