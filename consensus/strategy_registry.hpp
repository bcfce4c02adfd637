// Where split-handling strategies live: each is registered by name with its typed, documented
// parameters (strategy_params.hpp) and a factory; scenarios select one with
// `strategy: name(key=value, ...)`, and `dmlssim list strategies` prints the table. Registration
// is explicit (register_builtin), never static: every Registry is a value its owner fills.
//
// Fork-choice rules are registered the same way, by name, so that a strategy's parameter can
// choose one (`dmls(fork_choice=powers)`); a rule is built for the room it will judge
// (ForkRuleContext: the servers allowed to commit, in order, and the hub).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "consensus/strategy_params.hpp"
#include "models/device/encrypted_room.hpp"
#include "models/dmls/fork_choice.hpp"

namespace dmlssim::consensus {

// One run of a strategy in charge of an encrypted room. It subscribes to the room's signals when
// it is made (what a device does with a commit it receives, who brings the group in line with
// the room's membership), and hears here of what the workload asks of it.
//
// The seams the strategies of later issues use: commit sequencing (a hub's log decides which
// commit a device applies: handle commit_synced), who may commit (key_update and membership
// changes go through the strategy, which may queue them at a hub or refuse), split detection and
// reconnection (subscribe to the homeservers' on_destination_down/up: what a server itself
// believes, never the simulator's reachability), healing (readd, resync by external commit,
// ReInit, DMLS merge: operations of the room and its devices).
class RoomStrategy {
 public:
  virtual ~RoomStrategy() = default;
  // Device d is due a post-compromise-security update (workload.key_updates).
  virtual void key_update(models::device::DeviceIndex d) = 0;
  // The strategy's own log, DESIGN §1's third truth: the entries a sequencer (a hub) has
  // ordered so far. 0 for strategies that keep none.
  virtual std::size_t log_entries() const { return 0; }
};

// A split-handling strategy, created from its checked parameters. The decisions it makes for the
// actors (who may commit, who sequences, what happens at a split and a reconnection) are added
// by the strategies that need them; every strategy keeps its parameters.
class Strategy {
 public:
  explicit Strategy(StrategyParams params) : params_(std::move(params)) {}
  virtual ~Strategy() = default;
  const StrategyParams& params() const { return params_; }
  // The strategy as a scenario would name it, every parameter written out.
  std::string describe() const { return params_.canonical(); }
  // Do the room's devices run MLS under this strategy? (false: a plain Matrix room.)
  virtual bool encrypted() const = 0;
  // Sets what the room's mechanism must know before it is built (DMLS trees, retention).
  virtual void configure(models::device::EncryptedRoomConfig& config) const { (void)config; }
  // Takes charge of an encrypted room for one run (called before the run starts, after
  // room.start()). Only encrypted strategies are asked.
  virtual std::unique_ptr<RoomStrategy> attach(models::device::EncryptedRoom& room) const {
    (void)room;
    return nullptr;
  }

 private:
  StrategyParams params_;
};

struct StrategyInfo {
  std::string name;
  std::string help;
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Strategy>(const StrategyParams&)> create;
  bool encrypted = false;  // its devices run MLS (the room needs devices, clients, mls)
};

struct ForkRuleContext {
  std::vector<std::string> powers;  // servers allowed to commit, in order of precedence
  std::string hub;                  // the hub's server, if the room has one
  models::dmls::ServerOf server_of = models::dmls::matrix_server_of;
};

struct ForkRuleInfo {
  std::string name;
  std::string help;
  std::function<models::dmls::ForkRule(const ForkRuleContext&)> make;
};

class Registry {
 public:
  // Throws std::invalid_argument when the name is taken.
  void add(StrategyInfo info);
  void add(ForkRuleInfo info);

  // In registration order.
  const std::vector<StrategyInfo>& strategies() const { return strategies_; }
  const std::vector<ForkRuleInfo>& fork_rules() const { return fork_rules_; }
  const StrategyInfo* find_strategy(const std::string& name) const;
  const ForkRuleInfo* find_fork_rule(const std::string& name) const;
  std::vector<std::string> fork_rule_names() const;

  // Checks a strategy as written (its name and key=value arguments). Throws StrategyError naming
  // what is wrong: an unknown strategy (param ""), an unknown or ill-typed parameter.
  StrategyParams resolve(const std::string& name,
                         const std::vector<std::pair<std::string, std::string>>& args) const;
  std::unique_ptr<Strategy> create(const StrategyParams& params) const;

 private:
  std::vector<StrategyInfo> strategies_;
  std::vector<ForkRuleInfo> fork_rules_;
};

// The strategies and fork rules that ship with dmlssim.
void register_builtin(Registry& registry);

}  // namespace dmlssim::consensus
