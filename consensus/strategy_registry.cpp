#include "consensus/strategy_registry.hpp"

#include <stdexcept>

namespace dmlssim::consensus {

void Registry::add(StrategyInfo info) {
  if (find_strategy(info.name) != nullptr)
    throw std::invalid_argument("strategy '" + info.name + "' registered twice");
  strategies_.push_back(std::move(info));
}

void Registry::add(ForkRuleInfo info) {
  if (find_fork_rule(info.name) != nullptr)
    throw std::invalid_argument("fork rule '" + info.name + "' registered twice");
  fork_rules_.push_back(std::move(info));
}

const StrategyInfo* Registry::find_strategy(const std::string& name) const {
  for (const StrategyInfo& s : strategies_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const ForkRuleInfo* Registry::find_fork_rule(const std::string& name) const {
  for (const ForkRuleInfo& r : fork_rules_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::vector<std::string> Registry::fork_rule_names() const {
  std::vector<std::string> names;
  for (const ForkRuleInfo& r : fork_rules_)
    names.push_back(r.name);
  return names;
}

StrategyParams Registry::resolve(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& args) const {
  const StrategyInfo* info = find_strategy(name);
  if (info == nullptr) {
    std::string known;
    for (const StrategyInfo& s : strategies_)
      known += (known.empty() ? "" : ", ") + s.name;
    throw StrategyError("", "unknown strategy '" + name + "' (known: " + known +
                                "; dmlssim list strategies describes them)");
  }
  return check_params(name, info->params, args);
}

std::unique_ptr<Strategy> Registry::create(const StrategyParams& params) const {
  const StrategyInfo* info = find_strategy(params.strategy());
  if (info == nullptr) throw std::invalid_argument("unknown strategy " + params.strategy());
  return info->create(params);
}

}  // namespace dmlssim::consensus
