#include "scenarios/fork_accounting.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "models/matrix/homeserver.hpp"

namespace dmlssim::scenarios {

namespace dev = models::device;
namespace mx = models::matrix;

const char* to_string(ForkBranch::Outcome outcome) {
  switch (outcome) {
    case ForkBranch::Outcome::kContinued:
      return "continued";
    case ForkBranch::Outcome::kMerged:
      return "merged";
    case ForkBranch::Outcome::kDiscarded:
      return "discarded";
  }
  return "discarded";
}

std::vector<ForkBranch> account_forks(const dev::EncryptedRoom& room) {
  const auto& store = room.federation().room().store();
  // Run time of an event's creation (origin_server_ts counts from the homeservers' clock origin).
  const auto seconds = [&](mx::EventIndex e) {
    return static_cast<double>(store[e].origin_server_ts - mx::Homeserver::kClockOriginMs) / 1000.0;
  };
  const std::vector<mx::EventIndex> commits = room.commit_events();
  std::map<mx::EventIndex, std::vector<mx::EventIndex>> children;  // by parent commit (kNoEvent)
  for (const mx::EventIndex c : commits)
    children[room.commit_parent(c)].push_back(c);
  const auto ancestors = [&](mx::EventIndex from, std::set<mx::EventIndex>& into) {
    for (mx::EventIndex e = from; e != mx::kNoEvent && into.insert(e).second;)
      e = room.commit_parent(e);
  };
  // Commits the devices of the room's users end on (and their ancestors).
  std::set<mx::EventIndex> live;
  for (dev::DeviceIndex d = 0; d < room.device_count(); ++d) {
    if (room.group(d) == nullptr || !room.joined_at_server(d, room.user_of(d))) continue;
    ancestors(room.epoch_commit(d), live);
  }
  // Commits below a head some merge resolved, with the earliest merge time that covers each.
  std::map<mx::EventIndex, double> merged_at;
  for (const mx::EventIndex m : commits) {
    for (const models::mls::Bytes& head : room.commit_resolves(m)) {
      std::set<mx::EventIndex> below;
      ancestors(room.commit_of_epoch(head), below);
      for (const mx::EventIndex e : below) {
        const auto [it, fresh] = merged_at.emplace(e, seconds(m));
        if (!fresh) it->second = std::min(it->second, seconds(m));
      }
    }
  }
  // Size and depth of the subtree under each commit (children come after parents in event order).
  std::map<mx::EventIndex, std::pair<std::uint32_t, std::uint32_t>> subtree;
  for (auto c = commits.rbegin(); c != commits.rend(); ++c) {
    std::uint32_t size = 1, depth = 1;
    const auto kids = children.find(*c);
    if (kids != children.end()) {
      for (const mx::EventIndex k : kids->second) {
        size += subtree[k].first;
        depth = std::max(depth, subtree[k].second + 1);
      }
    }
    subtree[*c] = {size, depth};
  }
  std::vector<ForkBranch> out;
  std::vector<std::pair<double, mx::EventIndex>> forks;  // (time, parent)
  for (const auto& [parent, kids] : children) {
    if (kids.size() < 2) continue;
    std::vector<double> times;
    for (const mx::EventIndex k : kids)
      times.push_back(seconds(k));
    std::sort(times.begin(), times.end());
    forks.emplace_back(times[1], parent);
  }
  std::sort(forks.begin(), forks.end());
  for (std::size_t f = 0; f < forks.size(); ++f) {
    const auto& [at, parent] = forks[f];
    for (const mx::EventIndex k : children.at(parent)) {
      ForkBranch b;
      b.fork = static_cast<std::uint32_t>(f);
      b.parent = parent;
      b.commit = k;
      b.fork_time_s = at;
      b.commits = subtree[k].first;
      b.depth = subtree[k].second;
      if (live.count(k) != 0) {
        b.outcome = ForkBranch::Outcome::kContinued;
      } else if (const auto m = merged_at.find(k); m != merged_at.end()) {
        b.outcome = ForkBranch::Outcome::kMerged;
        b.lifetime_s = std::max(0.0, m->second - at);
      } else {
        b.outcome = ForkBranch::Outcome::kDiscarded;
      }
      out.push_back(b);
    }
  }
  return out;
}

}  // namespace dmlssim::scenarios
