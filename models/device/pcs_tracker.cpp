#include "models/device/pcs_tracker.hpp"

#include <algorithm>
#include <stdexcept>

namespace dmlssim::models::device {
namespace {

// Did the commit that made this epoch replace the keys of the member with `identity`?
bool replaced(const mls::CommitTransition& t, const mls::RatchetTree& tree,
              const mls::Bytes& identity) {
  const std::optional<mls::LeafIndex> leaf = tree.find_identity(identity);
  if (!leaf) return true;  // removed
  if (t.committer == *leaf && t.has_path) return true;
  if (std::find(t.updated.begin(), t.updated.end(), *leaf) != t.updated.end()) return true;
  for (const auto& [joined, package] : t.joiners) {
    if (joined == *leaf) return true;  // re-added with a fresh KeyPackage
  }
  return false;
}

}  // namespace

PcsTracker::PcsTracker(EncryptedRoom& room) : room_(room) {
  room.epoch_changed.connect([this](DeviceIndex d) { on_epoch_changed(d); });
}

void PcsTracker::compromise(DeviceIndex d) {
  if (compromises_.size() >= 64) throw std::invalid_argument("at most 64 compromises per run");
  if (compromises_.empty()) {
    // From now on epochs are classified; the ones devices are in now are known.
    current_.assign(room_.device_count(), {});
    for (DeviceIndex x = 0; x < room_.device_count(); ++x) {
      if (const mls::Group* g = room_.group(x)) {
        current_[x] = g->epoch_authenticator();
        held_.emplace(current_[x], 0);
      }
    }
  }
  const std::uint64_t bit = std::uint64_t{1} << compromises_.size();
  compromises_.push_back(Compromise{d, room_.simulation().now(), std::nullopt});
  identities_.push_back(room_.device(d).identity());
  if (const dmls::EpochTree* tree = room_.tree(d)) {
    for (const mls::Bytes& e : tree->held_epochs())
      hold(tree->group(e).epoch_authenticator(), bit);
  } else if (const mls::Group* g = room_.group(d)) {
    hold(g->epoch_authenticator(), bit);
  }
  check_healed();
}

std::uint64_t PcsTracker::classify(DeviceIndex d) {
  const mls::Group& g = *room_.group(d);
  if (const auto it = held_.find(g.epoch_authenticator()); it != held_.end()) return it->second;
  // The epoch it came from: under DMLS the head's parent in the device's tree, else the
  // device's previous epoch.
  mls::Bytes parent = current_[d];
  if (const dmls::EpochTree* tree = room_.tree(d)) {
    const mls::Bytes p = tree->parent(room_.head(d));
    if (!p.empty() && tree->holds(p)) parent = tree->group(p).epoch_authenticator();
  }
  const auto from = held_.find(parent);
  std::uint64_t mask = from == held_.end() ? 0 : from->second;
  const mls::CommitTransition* t = g.creating_transition();
  for (std::size_t b = 0; b < identities_.size(); ++b) {
    const std::uint64_t bit = std::uint64_t{1} << b;
    if ((mask & bit) != 0 && (t == nullptr || replaced(*t, g.public_state().tree, identities_[b])))
      mask &= ~bit;
  }
  held_.emplace(g.epoch_authenticator(), 0);
  hold(g.epoch_authenticator(), mask);
  return mask;
}

void PcsTracker::hold(const mls::Bytes& epoch, std::uint64_t mask) {
  if (mask == 0) return;
  std::uint64_t& held = held_[epoch];
  if (held == 0) holding_.push_back(epoch);
  held |= mask;
}

void PcsTracker::on_epoch_changed(DeviceIndex d) {
  if (compromises_.empty()) return;
  const mls::Group* g = room_.group(d);
  if (g != nullptr) classify(d);
  current_[d] = g != nullptr ? g->epoch_authenticator() : mls::Bytes();
  check_healed();
}

void PcsTracker::check_healed() {
  std::uint64_t open = 0;
  for (std::size_t b = 0; b < compromises_.size(); ++b) {
    if (!compromises_[b].healed) open |= std::uint64_t{1} << b;
  }
  if (open == 0) return;
  std::uint64_t still = 0;
  for (const mls::Bytes& epoch : holding_) {
    const std::uint64_t mask = held_.at(epoch);
    if ((mask & open) != 0 && room_.devices_in_epoch(epoch) > 0) still |= mask & open;
  }
  for (std::size_t b = 0; b < compromises_.size(); ++b) {
    const std::uint64_t bit = std::uint64_t{1} << b;
    if ((open & bit) != 0 && (still & bit) == 0) compromises_[b].healed = room_.simulation().now();
  }
}

}  // namespace dmlssim::models::device
