// The strategies and fork rules that ship with dmlssim: the one list to extend when one is added.
#include "consensus/dmls_strategy.hpp"
#include "consensus/mls_first_seen.hpp"
#include "consensus/strategy_registry.hpp"

namespace dmlssim::consensus {
namespace {

namespace dmls = models::dmls;

// A plain Matrix room: no device runs MLS, so there is nothing to split-handle. The control for
// the room layer, and what a scenario without `strategy:` runs.
class NoStrategy : public Strategy {
 public:
  using Strategy::Strategy;
  bool encrypted() const override { return false; }
};

void register_fork_rules(Registry& r) {
  r.add(ForkRuleInfo{"confirmation_tag",
                     "the higher confirmation tag of the first differing commit "
                     "(draft-kohbrok-mls-dmls-02 §6.1)",
                     [](const ForkRuleContext&) { return dmls::confirmation_tag_rule(); }});
  r.add(ForkRuleInfo{"transcript_hash",
                     "the larger confirmed transcript hash of the first differing commit (-00 "
                     "§5.1)",
                     [](const ForkRuleContext&) { return dmls::transcript_hash_rule(); }});
  r.add(ForkRuleInfo{
      "powers",
      "the first differing commit made by the server earliest in the room's "
      "ordered list of servers allowed to commit (MSC4256)",
      [](const ForkRuleContext& c) { return dmls::powers_rule(c.powers, c.server_of); }});
  r.add(ForkRuleInfo{"hub", "the branch holding a commit made by the hub's server",
                     [](const ForkRuleContext& c) { return dmls::hub_rule(c.hub, c.server_of); }});
  r.add(ForkRuleInfo{"larger_side", "the branch on which more distinct members committed or sent",
                     [](const ForkRuleContext&) { return dmls::larger_side_rule(); }});
  r.add(ForkRuleInfo{"longer_chain", "the branch with more epochs",
                     [](const ForkRuleContext&) { return dmls::longer_chain_rule(); }});
  r.add(ForkRuleInfo{"recent_remove",
                     "the branch whose latest removing commit has the higher epoch number",
                     [](const ForkRuleContext&) { return dmls::recent_remove_rule(); }});
}

}  // namespace

void register_builtin(Registry& registry) {
  register_fork_rules(registry);
  registry.add(StrategyInfo{
      "none",
      "No MLS: a plain Matrix room, no device runs MLS (the control for the room layer).",
      {},
      [](const StrategyParams& p) { return std::make_unique<NoStrategy>(p); }});
  register_mls_first_seen(registry);
  register_dmls(registry);
}

}  // namespace dmlssim::consensus
