#include "consensus/mls_first_seen.hpp"
#include "consensus/membership_follow.hpp"

#include <string_view>
#include <unordered_map>

namespace dmlssim::consensus {
namespace {

namespace device = models::device;
namespace matrix = models::matrix;
namespace mls = models::mls;

class FirstSeenRun : public RoomStrategy {
 public:
  FirstSeenRun(device::EncryptedRoom& room, sim::SimTime rejoin_after)
      : room_(room), rejoin_after_(rejoin_after), jitter_(room.random_stream("rejoin")) {
    room_.commit_synced.connect([this](device::DeviceIndex d, matrix::EventIndex e) {
      const device::CommitFate fate = room_.process_commit(d, e);
      if (rejoin_after_ > sim::SimTime{}) watch_branches(d, e, fate);
    });
    room_.member_synced.connect([this](device::DeviceIndex d, matrix::EventIndex e) {
      membership_.on_member_synced(d, e);
    });
  }

  void key_update(device::DeviceIndex d) override { commit_with_removes(room_, d, /*force=*/true); }

 private:
  // A device that drops a commit creating an epoch beyond its own is on another branch than that
  // commit's, and behind it. It notes the commit of the highest such epoch and, rejoin_after
  // after it first fell behind, rejoins there by external commit if it is still behind.
  void watch_branches(device::DeviceIndex d, matrix::EventIndex e, device::CommitFate fate) {
    if (fate != device::CommitFate::kStale && fate != device::CommitFate::kRejected) return;
    const mls::GroupInfo* info = room_.commit_group_info(e);
    const mls::Group* g = room_.group(d);
    if (info == nullptr || g == nullptr) return;
    const std::uint64_t epoch = info->group_context.epoch;
    if (epoch <= g->epoch()) return;
    Behind& behind = behind_[d];
    // The first commit seen for the highest epoch: the one the devices of that branch applied
    // (first seen wins there too, and they mostly see the same server order); later rivals for
    // the same epoch are the ones that lost.
    if (behind.commit == matrix::kNoEvent || epoch > behind.epoch) {
      behind.commit = e;
      behind.epoch = epoch;
    }
    if (behind.timer) return;
    behind.timer = true;
    schedule_check(d);
  }

  // In [rejoin_after, 2 x rejoin_after): devices that fell behind together do not all rejoin at
  // once (their external commits would race for the same epoch).
  void schedule_check(device::DeviceIndex d) {
    const double wait = rejoin_after_.seconds() * (1.0 + jitter_.uniform01());
    room_.simulation().schedule(sim::SimTime::from_seconds(wait), [this, d] { maybe_rejoin(d); });
  }

  void maybe_rejoin(device::DeviceIndex d) {
    Behind& behind = behind_.at(d);
    behind.timer = false;
    const mls::Group* g = room_.group(d);
    // Caught up or moved past it, removed, no longer in the room: nothing to rejoin.
    if (g == nullptr || g->status() != mls::Group::Status::kActive || behind.epoch <= g->epoch() ||
        !room_.joined_at_server(d, room_.user_of(d))) {
      behind_.erase(d);
      return;
    }
    if (room_.rejoining(d)) return;  // a later dropped commit starts the clock again
    const device::EncryptedRoom::SendResult r = room_.rejoin(d, behind.commit);
    if (r.sent || std::string_view(r.refused) != "offline") {
      behind_.erase(d);  // sent, or nothing to join there: the next dropped commit tells
      return;
    }
    behind.timer = true;  // offline: look again later
    schedule_check(d);
  }

  struct Behind {
    matrix::EventIndex commit = matrix::kNoEvent;  // the newest commit ahead of the device
    std::uint64_t epoch = 0;                       // the epoch it created
    bool timer = false;
  };
  device::EncryptedRoom& room_;
  MembershipFollow membership_{room_};
  sim::SimTime rejoin_after_;
  sim::RandomStream jitter_;  // strategy/rejoin
  std::unordered_map<device::DeviceIndex, Behind> behind_;
};

class FirstSeen : public Strategy {
 public:
  FirstSeen(const StrategyParams& params, sim::SimTime rejoin_after)
      : Strategy(params), rejoin_after_(rejoin_after) {}
  bool encrypted() const override { return true; }
  std::unique_ptr<RoomStrategy> attach(device::EncryptedRoom& room) const override {
    return std::make_unique<FirstSeenRun>(room, rejoin_after_);
  }

 private:
  sim::SimTime rejoin_after_;
};

}  // namespace

void register_mls_first_seen(Registry& registry) {
  StrategyInfo info{
      "mls_first_seen",
      "RFC 9420 over the DAG with no coordination: each device applies the first valid commit it "
      "receives for its epoch and drops the rest (the control: what breaks without a strategy).",
      {{"rejoin_after",
        ParamType::kDuration,
        "0s",
        "a device that drops commits of a branch ahead of its own rejoins that branch by external "
        "commit (resync) this long after it first fell behind, if it still is; 0s: never (it "
        "stays on its dead branch)",
        {},
        0}},
      [](const StrategyParams& p) {
        return std::make_unique<FirstSeen>(p, p.duration("rejoin_after"));
      }};
  info.encrypted = true;
  registry.add(std::move(info));
}

}  // namespace dmlssim::consensus
