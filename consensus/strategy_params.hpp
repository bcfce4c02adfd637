// Typed, documented parameters of strategies (and of the parts they are made of, such as fork
// rules). A strategy declares each parameter once — name, type, default, help — and a scenario's
// `strategy: name(key=value, ...)` is checked against that declaration: unknown keys, wrong types
// and out-of-range values are refused with the parameter named, never defaulted silently. The
// checked values keep their canonical text, so the resolved scenario can write every parameter.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/time.hpp"

namespace dmlssim::consensus {

enum class ParamType : std::uint8_t {
  kBool,      // true | false
  kInteger,   // a whole number in [min, max]
  kNumber,    // a finite decimal in [min, max]
  kDuration,  // 30s, 7d, 1h15m (at least min)
  kChoice,    // one of `choices`
};
const char* to_string(ParamType type);

struct ParamSpec {
  ParamSpec() = default;
  ParamSpec(std::string name_, ParamType type_, std::string default_value_, std::string help_,
            std::vector<std::string> choices_ = {}, double min_ = 0, double max_ = 0,
            bool required_ = false)
      : name(std::move(name_)),
        type(type_),
        default_value(std::move(default_value_)),
        help(std::move(help_)),
        choices(std::move(choices_)),
        min(min_),
        max(max_),
        required(required_) {}

  std::string name;
  ParamType type = ParamType::kBool;
  std::string default_value;  // canonical text; "" only for required parameters
  std::string help;
  std::vector<std::string> choices;  // kChoice
  double min = 0, max = 0;           // kInteger, kNumber: inclusive; kDuration: min seconds
  bool required = false;
};

// A problem with a strategy as written: `param` is the parameter at fault ("" for the name).
struct StrategyError : std::invalid_argument {
  StrategyError(std::string param, const std::string& message)
      : std::invalid_argument(message), param(std::move(param)) {}
  std::string param;
};

using ParamValue = std::variant<bool, std::int64_t, double, sim::SimTime, std::string>;

// The checked values of a strategy's parameters, every declared one present.
class StrategyParams {
 public:
  StrategyParams() = default;
  StrategyParams(std::string strategy, std::vector<std::pair<std::string, ParamValue>> values,
                 std::vector<std::string> texts);

  const std::string& strategy() const { return strategy_; }
  // Does the strategy declare a parameter of that name?
  bool has(const std::string& name) const { return find(name) != nullptr; }
  bool boolean(const std::string& name) const { return std::get<bool>(at(name)); }
  std::int64_t integer(const std::string& name) const { return std::get<std::int64_t>(at(name)); }
  double number(const std::string& name) const { return std::get<double>(at(name)); }
  sim::SimTime duration(const std::string& name) const { return std::get<sim::SimTime>(at(name)); }
  const std::string& choice(const std::string& name) const {
    return std::get<std::string>(at(name));
  }
  // "dmls(fork_choice=confirmation_tag, retention=7d)"; just the name when it has no parameters.
  std::string canonical() const;

 private:
  const ParamValue& at(const std::string& name) const;
  const ParamValue* find(const std::string& name) const;  // null when not declared
  std::string strategy_;
  std::vector<std::pair<std::string, ParamValue>> values_;  // in declaration order
  std::vector<std::string> texts_;
};

// Checks `args` (key=value texts as written, keys unique) against `specs`; defaults fill in what
// is not given. Throws StrategyError.
StrategyParams check_params(const std::string& strategy, const std::vector<ParamSpec>& specs,
                            const std::vector<std::pair<std::string, std::string>>& args);

}  // namespace dmlssim::consensus
