// Fork choice: which of several heads of a device's epoch tree the group continues on. A rule is a
// comparator a strategy chooses; every rule compares two forks at their first differing commits
// (the children of their last common epoch) or along their branches from there, and a tie falls
// back to the confirmation-tag rule, so every device holding the same epochs picks the same
// winner. The rules here:
//
//   confirmation_tag  the lexicographically higher confirmation tag of the first differing commit
//                     (draft-kohbrok-mls-dmls -02 §6.1)
//   transcript_hash   the larger confirmed transcript hash of the first differing commit (-00 §5.1
//                     says "the larger transcript hash"; the first differing commit's keeps the
//                     choice stable while the forks grow)
//   powers            the first differing commit made by the server earliest in `powers`
//                     (MSC4256's ordered list of servers allowed to commit)
//   hub               the branch holding a commit made by the hub's server
//   larger_side       the branch on which more distinct members committed or sent
//   longer_chain      the branch with more epochs
//   recent_remove     the branch whose latest removing commit has the higher epoch number (a
//                     branch without one loses to a branch with one)
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "models/dmls/epoch_tree.hpp"

namespace dmlssim::models::dmls {

// The epochs of one fork below its last common epoch with the other, first to head.
using Branch = std::vector<Bytes>;
// A fork-choice rule: compares two forks' branches in a device's tree; > 0 when branch `a` wins,
// < 0 when `b` does, 0 on a tie. Strategies choose one (consensus/ names them for scenarios).
using ForkRule = std::function<long(const EpochTree& tree, const Branch& a, const Branch& b)>;
// The server of a member's credential identity.
using ServerOf = std::function<std::string(const Bytes& identity)>;

// The server part of a Matrix user ID ("@user:server" up to a '/' or the end).
std::string matrix_server_of(const Bytes& identity);

ForkRule confirmation_tag_rule();
ForkRule transcript_hash_rule();
// `powers`: servers in order of precedence.
ForkRule powers_rule(std::vector<std::string> powers, ServerOf server_of = matrix_server_of);
ForkRule hub_rule(std::string hub, ServerOf server_of = matrix_server_of);
ForkRule larger_side_rule();
ForkRule longer_chain_rule();
ForkRule recent_remove_rule();

struct ForkChoice {
  ForkRule rule = confirmation_tag_rule();
};

// Whether fork `a` beats fork `b` (both epochs the tree knows; equal epochs do not beat).
bool beats(const EpochTree& tree, const Bytes& a, const Bytes& b, const ForkChoice& choice);

// The winner among `heads`, compared in the order given. Throws std::invalid_argument for an empty
// list, std::out_of_range for an epoch the tree never knew.
Bytes choose_fork(const EpochTree& tree, const std::vector<Bytes>& heads, const ForkChoice& choice);

}  // namespace dmlssim::models::dmls
