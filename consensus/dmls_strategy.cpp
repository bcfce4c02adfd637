#include "consensus/dmls_strategy.hpp"
#include "consensus/membership_follow.hpp"

#include <set>

#include "models/dmls/merge.hpp"

namespace dmlssim::consensus {
namespace {

namespace device = models::device;
namespace dmls = models::dmls;
namespace mls = models::mls;

constexpr std::size_t kMergeRanks = 4;

struct DmlsSettings {
  dmls::ForkChoice choice;
  dmls::MembershipAuthority authority = dmls::MembershipAuthority::kRoom;
  sim::SimTime merge_delay;
};

class DmlsRun : public RoomStrategy {
 public:
  DmlsRun(device::EncryptedRoom& room, DmlsSettings settings)
      : room_(room), settings_(std::move(settings)) {
    room_.commit_synced.connect([this](device::DeviceIndex d, models::matrix::EventIndex e) {
      const device::CommitFate fate = room_.process_commit(d, e);
      if (fate == device::CommitFate::kOwnMerged && merging_.erase(d) != 0) add_missing(d);
      look_at_forks(d);
    });
    room_.member_synced.connect([this](device::DeviceIndex d, models::matrix::EventIndex e) {
      membership_.on_member_synced(d, e);
    });
  }

  void key_update(device::DeviceIndex d) override { commit_with_removes(room_, d, /*force=*/true); }

 private:
  // More than one open head: move to the winner; the winner's lowest members merge. One: a device
  // whose head was closed (merged away, or it was removed there) moves to it.
  void look_at_forks(device::DeviceIndex d) {
    const std::vector<mls::Bytes> heads = room_.open_heads(d);
    if (heads.size() == 1 && room_.head(d) != heads.front()) room_.set_head(d, heads.front());
    if (heads.size() < 2) return;
    const dmls::EpochTree& tree = *room_.tree(d);
    const mls::Bytes winner = dmls::choose_fork(tree, heads, settings_.choice);
    if (room_.head(d) != winner) room_.set_head(d, winner);
    const mls::Group* g = room_.group(d);
    if (g == nullptr) return;
    // d's rank among the winner's members, by leaf (stops early: only the first ranks merge).
    const mls::RatchetTree& members = g->public_state().tree;
    std::size_t rank = 0;
    for (mls::LeafIndex leaf = 0; leaf < g->own_leaf() && rank < kMergeRanks; ++leaf)
      rank += members.leaf(leaf) != nullptr ? 1 : 0;
    if (rank >= kMergeRanks) return;
    room_.simulation().schedule(settings_.merge_delay * static_cast<std::int64_t>(rank),
                                [this, d] { merge(d); });
  }

  void merge(device::DeviceIndex d) {
    if (room_.open_heads(d).size() < 2 || room_.group(d) == nullptr) return;
    const dmls::EpochTree& tree = *room_.tree(d);
    // The room's members as d's server holds them: every device of every joined user.
    dmls::Identities members;
    for (std::size_t u = 0; u < room_.federation().room().users().size(); ++u) {
      if (!room_.joined_at_server(d, u)) continue;
      for (std::uint32_t k = 0; k < room_.device_count(u); ++k)
        members.insert(room_.device(room_.first_device(u) + k).identity());
    }
    mls::Drbg& drbg = room_.device(d).drbg();
    // Only the heads still open take part (a resolved one is history: were it in the plan, it
    // could win the fork choice over the open ones and nobody would merge them).
    const std::vector<mls::Bytes> open = room_.open_heads(d);
    dmls::MergePlan plan =
        dmls::plan_merge(tree, open, settings_.choice, members, {}, drbg, settings_.authority);
    if (plan.winner != room_.head(d)) return;  // the tree chose otherwise: wait for the next fork
    if (room_.commit(d, plan.options, std::move(plan.losers)).sent) merging_.insert(d);
  }

  // After a merge: devices the room has joined that the merged epoch lacks.
  void add_missing(device::DeviceIndex d) {
    std::vector<device::DeviceIndex> adds = room_.devices_to_add(d);
    if (!adds.empty()) room_.add_devices(d, std::move(adds));
  }

  device::EncryptedRoom& room_;
  MembershipFollow membership_{room_};
  DmlsSettings settings_;
  std::set<device::DeviceIndex> merging_;  // devices whose merge commit is on its way
};

class Dmls : public Strategy {
 public:
  Dmls(const StrategyParams& p, DmlsSettings settings, sim::SimTime retention)
      : Strategy(p), settings_(std::move(settings)), retention_(retention) {}
  bool encrypted() const override { return true; }
  void configure(device::EncryptedRoomConfig& config) const override {
    config.dmls = true;
    config.retention = dmls::RetentionPolicy{dmls::RetentionRule::kWindow, retention_, 0};
  }
  std::unique_ptr<RoomStrategy> attach(device::EncryptedRoom& room) const override {
    return std::make_unique<DmlsRun>(room, settings_);
  }

 private:
  DmlsSettings settings_;
  sim::SimTime retention_;
};

}  // namespace

void register_dmls(Registry& registry) {
  std::vector<std::string> rules = registry.fork_rule_names();
  // The factory outlives the registry (a scenario keeps it): it holds its own copy of the rules.
  std::vector<ForkRuleInfo> fork_rules = registry.fork_rules();
  StrategyInfo info{
      "dmls",
      "Decentralized MLS: every device keeps an epoch tree, commits on retained epochs fork it, "
      "messages of every retained fork stay readable; at reconnection the fork-choice winner's "
      "lowest member merges the forks.",
      {{"fork_choice", ParamType::kChoice, "confirmation_tag",
        "the fork-choice rule (dmlssim list strategies lists them)", rules},
       {"retention",
        ParamType::kDuration,
        "7d",
        "how long a superseded epoch is kept (MSC4256 security.window; 0s: RFC 9420's schedule)",
        {},
        0},
       {"merge",
        ParamType::kChoice,
        "room",
        "whose membership the merged epoch takes: the room's (state resolution) or the winning "
        "fork's",
        {"room", "fork"}},
       {"merge_delay",
        ParamType::kDuration,
        "5s",
        "the wait before the next-lowest member of the winning fork merges when the lower ones "
        "have not",
        {},
        0}},
      [fork_rules](const StrategyParams& p) {
        DmlsSettings s;
        for (const ForkRuleInfo& rule : fork_rules) {
          if (rule.name == p.choice("fork_choice")) s.choice.rule = rule.make(ForkRuleContext{});
        }
        s.authority = p.choice("merge") == "fork" ? dmls::MembershipAuthority::kWinningFork
                                                  : dmls::MembershipAuthority::kRoom;
        s.merge_delay = p.duration("merge_delay");
        return std::make_unique<Dmls>(p, std::move(s), p.duration("retention"));
      }};
  info.encrypted = true;
  registry.add(std::move(info));
}

}  // namespace dmlssim::consensus
