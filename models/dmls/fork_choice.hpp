// Fork choice: which of several heads of a device's epoch tree the group continues on. Every rule
// compares two forks at their first differing commits (the children of their last common epoch)
// or along their branches from there, and falls back to the confirmation-tag rule on a tie, so
// every device holding the same epochs picks the same winner.
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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/dmls/epoch_tree.hpp"

namespace dmlssim::models::dmls {

enum class ForkRule : std::uint8_t {
  kConfirmationTag,
  kTranscriptHash,
  kPowers,
  kHub,
  kLargerSide,
  kLongerChain,
  kRecentRemove,
};
const char* to_string(ForkRule rule);
std::optional<ForkRule> fork_rule_from_string(std::string_view name);

// The server of a member's credential identity; by default the server part of a Matrix user ID
// ("@user:server" up to a '/' or the end).
std::string matrix_server_of(const Bytes& identity);

struct ForkChoice {
  ForkRule rule = ForkRule::kConfirmationTag;
  std::vector<std::string> powers;  // kPowers: servers in order of precedence
  std::string hub;                  // kHub: the hub's server
  std::function<std::string(const Bytes& identity)> server_of = matrix_server_of;
};

// Whether fork `a` beats fork `b` (both epochs the tree knows; equal epochs do not beat).
bool beats(const EpochTree& tree, const Bytes& a, const Bytes& b, const ForkChoice& choice);

// The winner among `heads`, compared in the order given. Throws std::invalid_argument for an empty
// list, std::out_of_range for an epoch the tree never knew.
Bytes choose_fork(const EpochTree& tree, const std::vector<Bytes>& heads, const ForkChoice& choice);

}  // namespace dmlssim::models::dmls
