// Retention: which retained epochs a device may forget now. Heads are never forgotten; a forgotten
// epoch can no longer take a rival commit (no fork from it) nor decrypt late messages.
//
//   window            MSC4256 security.window: an epoch is kept for `window` after it was
//                     superseded (its first child created); 0 is RFC 9420's schedule
//   upstream_commits  draft-kohbrok-mls-dmls §6: an epoch goes once every member of it has
//   committed
//                     on some fork descending from it
//   keep_epochs       the `keep` nearest ancestors of every head are kept (OpenMLS max_past_epochs)
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "models/dmls/epoch_tree.hpp"
#include "sim/time.hpp"

namespace dmlssim::models::dmls {

enum class RetentionRule : std::uint8_t { kWindow, kUpstreamCommits, kKeepEpochs };
const char* to_string(RetentionRule rule);
std::optional<RetentionRule> retention_rule_from_string(std::string_view name);

struct RetentionPolicy {
  RetentionRule rule = RetentionRule::kWindow;
  sim::SimTime window;   // kWindow
  std::size_t keep = 0;  // kKeepEpochs
};

// The held epochs the policy lets the device forget at tree.now(), in creation order.
std::vector<Bytes> expired_epochs(const EpochTree& tree, const RetentionPolicy& policy);
// Forgets them; returns them.
std::vector<Bytes> apply_retention(EpochTree& tree, const RetentionPolicy& policy);

}  // namespace dmlssim::models::dmls
