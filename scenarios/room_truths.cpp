#include "scenarios/room_truths.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "consensus/strategy_registry.hpp"

namespace dmlssim::scenarios {
namespace {

namespace dev = models::device;

// The last membership view sampled, so that the gauges of one sample share one walk.
struct Sampled {
  sim::SimTime at = sim::SimTime::from_ns(-1);
  MembershipView view;
};

}  // namespace

namespace {

// Which of the room's users are joined in one server's state: one walk over the sorted state
// with the users sorted by their member key (not a search per user: 1,000 servers x 10,000
// users at every sample).
class JoinedUsers {
 public:
  explicit JoinedUsers(const models::matrix::RoomWorld& world) : world_(world) {
    const auto& users = world.users();
    by_key_.reserve(users.size());
    for (std::size_t u = 0; u < users.size(); ++u)
      by_key_.emplace_back(users[u].member_key, u);
    std::sort(by_key_.begin(), by_key_.end());
  }
  // joined[u] for every user u of the room in `state`.
  void of(const models::matrix::StateMap& state, std::vector<std::uint8_t>& joined) const {
    joined.assign(by_key_.size(), 0);
    auto entry = state.begin();
    for (const auto& [key, user] : by_key_) {
      while (entry != state.end() && entry->key < key)
        ++entry;
      if (entry == state.end()) break;
      if (entry->key == key)
        joined[user] =
            world_.store()[entry->event].membership == models::matrix::Membership::kJoin ? 1 : 0;
    }
  }

 private:
  const models::matrix::RoomWorld& world_;
  std::vector<std::pair<models::matrix::StateKeyId, std::size_t>> by_key_;
};

// One epoch's MLS membership by user: its leaves (of the room's devices) and its distinct devices.
struct EpochMembers {
  std::vector<std::uint32_t> leaves, devices;
};

EpochMembers members_of(const dev::EncryptedRoom& room, const models::mls::Group& group,
                        std::size_t users) {
  EpochMembers out;
  out.leaves.assign(users, 0);
  out.devices.assign(users, 0);
  std::vector<std::uint8_t> seen(room.device_count(), 0);
  const models::mls::RatchetTree& tree = group.public_state().tree;
  for (models::mls::LeafIndex leaf = 0; leaf < tree.leaf_count(); ++leaf) {
    const models::mls::LeafNode* node = tree.leaf(leaf);
    if (node == nullptr) continue;
    const std::optional<dev::DeviceIndex> d = room.device_of_identity(node->credential.identity);
    if (!d) continue;
    const std::size_t u = room.user_of(*d);
    ++out.leaves[u];
    if (seen[*d] == 0) ++out.devices[u];
    seen[*d] = 1;
  }
  return out;
}

}  // namespace

MembershipView membership_view(const dev::EncryptedRoom& room, bool online_only) {
  MembershipView out;
  const models::matrix::Federation& federation = room.federation();
  const std::size_t users = federation.room().users().size();
  // The population by server (a device's view depends on its server's state).
  std::vector<std::vector<dev::DeviceIndex>> on_server(federation.server_count());
  for (dev::DeviceIndex d = 0; d < room.device_count(); ++d) {
    if (!online_only || room.online(d)) on_server[room.device(d).homeserver()].push_back(d);
  }
  const JoinedUsers joined_users(federation.room());
  std::map<models::mls::Bytes, EpochMembers, models::mls::BytesLess> epochs;
  std::vector<std::uint8_t> joined;
  // (extra, missing) of an epoch at the server in hand: the leaves of users not joined there,
  // and the devices of joined users the epoch lacks.
  std::map<const EpochMembers*, std::pair<std::uint64_t, std::uint64_t>> at_server;
  for (sim::NodeId s = 0; s < federation.server_count(); ++s) {
    if (on_server[s].empty()) continue;
    joined_users.of(federation.server(s).current_state(), joined);
    at_server.clear();
    for (const dev::DeviceIndex d : on_server[s]) {
      const models::mls::Group* g = room.group(d);
      if (joined[room.user_of(d)] == 0) {
        out.stale_groups += g != nullptr ? 1 : 0;
        continue;
      }
      ++out.devices;
      if (g == nullptr) {
        ++out.diverged;
        continue;
      }
      auto epoch = epochs.find(g->epoch_authenticator());
      if (epoch == epochs.end())
        epoch = epochs.emplace(g->epoch_authenticator(), members_of(room, *g, users)).first;
      const EpochMembers& members = epoch->second;
      auto counts = at_server.find(&members);
      if (counts == at_server.end()) {
        std::pair<std::uint64_t, std::uint64_t> c{0, 0};
        for (std::size_t u = 0; u < users; ++u) {
          if (joined[u] == 0) {
            c.first += members.leaves[u];
          } else {
            c.second += room.device_count(u) - members.devices[u];
          }
        }
        counts = at_server.emplace(&members, c).first;
      }
      const auto [extra, missing] = counts->second;
      out.extra += extra;
      out.missing += missing;
      if (extra + missing > 0) ++out.diverged;
    }
  }
  out.epochs = epochs.size();
  return out;
}

std::uint64_t distinct_dag_heads(const models::matrix::Federation& federation) {
  std::set<std::vector<models::matrix::EventIndex>> heads;
  const sim::Reachability& reach = federation.network().reachability();
  std::vector<models::matrix::EventIndex> sorted;
  for (sim::NodeId s = 0; s < federation.server_count(); ++s) {
    const models::matrix::Homeserver& server = federation.server(s);
    if (!reach.is_up(s) || !server.in_room()) continue;
    sorted = server.forward_extremities();
    std::sort(sorted.begin(), sorted.end());
    heads.insert(sorted);
  }
  return heads.size();
}

void add_truth_gauges(sim::MetricsRecorder& metrics, const dev::EncryptedRoom& room,
                      const consensus::RoomStrategy& strategy) {
  auto sampled = std::make_shared<Sampled>();
  const sim::Simulation& simulation = room.simulation();
  const auto view = [sampled, &room, &simulation]() -> const MembershipView& {
    if (sampled->at != simulation.now()) {
      sampled->view = membership_view(room, true);
      sampled->at = simulation.now();
    }
    return sampled->view;
  };
  metrics.add_gauge("dag_heads",
                    [&room] { return static_cast<double>(distinct_dag_heads(room.federation())); });
  metrics.add_gauge("mls_member_devices", [view] { return static_cast<double>(view().devices); });
  metrics.add_gauge("mls_epochs", [view] { return static_cast<double>(view().epochs); });
  metrics.add_gauge("mls_diverged_devices",
                    [view] { return static_cast<double>(view().diverged); });
  metrics.add_gauge("strategy_log_entries",
                    [&strategy] { return static_cast<double>(strategy.log_entries()); });
}

DeviceEpochLog::DeviceEpochLog(dev::EncryptedRoom& room) : room_(room) {
  for (dev::DeviceIndex d = 0; d < room.device_count(); ++d) {
    if (room.group(d) != nullptr) record(d);
  }
  room.epoch_changed.connect([this](dev::DeviceIndex d) { record(d); });
}

void DeviceEpochLog::record(dev::DeviceIndex d) {
  Change c;
  c.at = room_.simulation().now();
  c.device = d;
  if (const models::mls::Group* g = room_.group(d)) {
    c.in_group = true;
    c.commit = room_.epoch_commit(d);
    c.epoch = g->epoch();
    c.members = static_cast<std::uint32_t>(g->member_count());
  }
  changes_.push_back(c);
}

void DeviceEpochLog::write(sim::MetricsRecorder& metrics) const {
  const auto& store = room_.federation().room().store();
  sim::Table& rows =
      metrics.table("device_epochs", {"time_s", "device", "epoch", "epoch_commit", "members"});
  for (const Change& c : changes_) {
    const sim::Cell none = std::string();
    rows.add_row({c.at.seconds(), room_.device(c.device).name(),
                  c.in_group ? sim::Cell(static_cast<std::int64_t>(c.epoch)) : none,
                  c.in_group && c.commit != models::matrix::kNoEvent
                      ? sim::Cell(store[c.commit].event_id)
                      : none,
                  c.in_group ? sim::Cell(static_cast<std::int64_t>(c.members)) : none});
  }
}

}  // namespace dmlssim::scenarios
