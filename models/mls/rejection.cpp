#include "models/mls/rejection.hpp"

namespace dmlssim::models::mls {

const char* to_string(Rejection reason) {
  switch (reason) {
    case Rejection::kMalformed:
      return "malformed";
    case Rejection::kWrongGroup:
      return "wrong_group";
    case Rejection::kWrongEpoch:
      return "wrong_epoch";
    case Rejection::kWrongCipherSuite:
      return "wrong_cipher_suite";
    case Rejection::kUnknownSender:
      return "unknown_sender";
    case Rejection::kBadSignature:
      return "bad_signature";
    case Rejection::kBadMembershipTag:
      return "bad_membership_tag";
    case Rejection::kUndecryptable:
      return "undecryptable";
    case Rejection::kKeyConsumed:
      return "key_consumed";
    case Rejection::kKeyTooOld:
      return "key_too_old";
    case Rejection::kKeyTooFarAhead:
      return "key_too_far_ahead";
    case Rejection::kApplicationNotPrivate:
      return "application_not_private";
    case Rejection::kUnknownProposal:
      return "unknown_proposal";
    case Rejection::kInvalidProposal:
      return "invalid_proposal";
    case Rejection::kInvalidProposalList:
      return "invalid_proposal_list";
    case Rejection::kMissingPath:
      return "missing_path";
    case Rejection::kBadPath:
      return "bad_path";
    case Rejection::kUnknownPsk:
      return "unknown_psk";
    case Rejection::kBadConfirmationTag:
      return "bad_confirmation_tag";
    case Rejection::kBadTree:
      return "bad_tree";
    case Rejection::kNoMatchingKeyPackage:
      return "no_matching_key_package";
    case Rejection::kRemovedFromGroup:
      return "removed_from_group";
    case Rejection::kGroupFrozen:
      return "group_frozen";
    case Rejection::kCommitPending:
      return "commit_pending";
    case Rejection::kProposalsPending:
      return "proposals_pending";
    case Rejection::kNotAllowed:
      return "not_allowed";
    case Rejection::kSuccessorGivenUp:
      return "successor_given_up";
  }
  return "unknown";
}

}  // namespace dmlssim::models::mls
