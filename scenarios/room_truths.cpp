#include "scenarios/room_truths.hpp"

#include <algorithm>
#include <map>
#include <memory>
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

MembershipView membership_view(const dev::EncryptedRoom& room, bool online_only) {
  MembershipView out;
  struct ByServerThenEpoch {
    bool operator()(const std::pair<models::mls::Bytes, sim::NodeId>& a,
                    const std::pair<models::mls::Bytes, sim::NodeId>& b) const {
      if (a.second != b.second) return a.second < b.second;
      return models::mls::BytesLess{}(a.first, b.first);
    }
  };
  std::map<std::pair<models::mls::Bytes, sim::NodeId>, std::pair<std::size_t, std::size_t>,
           ByServerThenEpoch>
      by_epoch_and_server;
  std::set<models::mls::Bytes, models::mls::BytesLess> epochs;
  for (dev::DeviceIndex d = 0; d < room.device_count(); ++d) {
    if (online_only && !room.online(d)) continue;
    if (!room.joined_at_server(d, room.user_of(d))) {
      out.stale_groups += room.group(d) != nullptr ? 1 : 0;
      continue;
    }
    ++out.devices;
    const models::mls::Group* g = room.group(d);
    if (g == nullptr) {
      ++out.diverged;
      continue;
    }
    epochs.insert(g->epoch_authenticator());
    const auto key = std::make_pair(g->epoch_authenticator(), room.device(d).homeserver());
    auto it = by_epoch_and_server.find(key);
    if (it == by_epoch_and_server.end()) {
      it = by_epoch_and_server
               .emplace(key, std::make_pair(room.leaves_to_remove(d).size(),
                                            room.devices_to_add(d).size()))
               .first;
    }
    const auto [extra, missing] = it->second;
    out.extra += extra;
    out.missing += missing;
    if (extra + missing > 0) ++out.diverged;
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
