// Forks of an encrypted room's commit DAG at the end of a run: every epoch on which more than one
// commit was made is a fork; each of its commits starts a branch. A branch is `continued` when a
// device of the room's users ends on an epoch descending from it, `merged` when a DMLS merge named
// a head descending from it (and no device continued it), else `discarded` (the commits a control
// strategy drops, or a fork nobody merged). Per branch: its commits (the branch's own and every
// one built on them), its depth (the longest chain of commits in it) and its lifetime (from the
// fork — the branch's second sibling commit — to the merge that resolved it; censored at the end
// for a discarded branch, none for a continued one). See docs/metrics.md.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/device/encrypted_room.hpp"

namespace dmlssim::scenarios {

struct ForkBranch {
  std::uint32_t fork = 0;  // index of the fork (epoch forked), in order of the fork's time
  models::matrix::EventIndex parent = models::matrix::kNoEvent;  // the forked epoch's commit
  models::matrix::EventIndex commit = models::matrix::kNoEvent;  // the branch's first commit
  double fork_time_s = 0;
  enum class Outcome : std::uint8_t { kContinued, kMerged, kDiscarded } outcome;
  std::uint32_t commits = 0, depth = 0;
  std::optional<double> lifetime_s;  // merged: to the merge; discarded: none (censored)
};
const char* to_string(ForkBranch::Outcome outcome);

// The branches of every fork, by fork time then commit event.
std::vector<ForkBranch> account_forks(const models::device::EncryptedRoom& room);

}  // namespace dmlssim::scenarios
