// The strategy registry: strategies by name with typed parameters, checked as written; fork
// rules by name; explicit registration.
#include <catch2/catch.hpp>

#include "consensus/strategy_registry.hpp"

namespace consensus = dmlssim::consensus;
using namespace dmlssim::sim;

namespace {

// A toy strategy with one parameter of every type.
class Toy : public consensus::Strategy {
 public:
  using Strategy::Strategy;
  bool encrypted() const override { return params().boolean("encrypt"); }
};

consensus::Registry toy_registry() {
  consensus::Registry r;
  consensus::register_builtin(r);
  consensus::StrategyInfo toy{"toy", "A strategy for tests.", {}, nullptr};
  toy.params = {
      {"encrypt", consensus::ParamType::kBool, "true", "devices run MLS"},
      {"quorum", consensus::ParamType::kInteger, "3", "servers that must agree", {}, 1, 100},
      {"share", consensus::ParamType::kNumber, "0.5", "fraction of the room", {}, 0, 1},
      {"window", consensus::ParamType::kDuration, "7d", "how long epochs are kept", {}, 0, 0},
      {"fork_choice", consensus::ParamType::kChoice, "confirmation_tag", "the fork rule",
       r.fork_rule_names()},
  };
  toy.create = [](const consensus::StrategyParams& p) { return std::make_unique<Toy>(p); };
  r.add(std::move(toy));
  return r;
}

std::string error_of(const consensus::Registry& r, const std::string& name,
                     const std::vector<std::pair<std::string, std::string>>& args,
                     std::string* param = nullptr) {
  try {
    r.resolve(name, args);
  } catch (const consensus::StrategyError& e) {
    if (param) *param = e.param;
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a strategy's parameters are typed, defaulted and written out in full", "[strategy]") {
  const consensus::Registry r = toy_registry();
  const consensus::StrategyParams p =
      r.resolve("toy", {{"share", "0.25"}, {"window", "36h"}, {"fork_choice", "powers"}});
  CHECK(p.boolean("encrypt"));
  CHECK(p.integer("quorum") == 3);
  CHECK(p.number("share") == 0.25);
  CHECK(p.duration("window") == kHour * 36);
  CHECK(p.choice("fork_choice") == "powers");
  CHECK(p.canonical() ==
        "toy(encrypt=true, quorum=3, share=0.25, window=1d12h, fork_choice=powers)");
  const auto strategy = r.create(p);
  CHECK(strategy->encrypted());
  CHECK(strategy->describe() == p.canonical());
  CHECK_FALSE(r.create(r.resolve("toy", {{"encrypt", "false"}}))->encrypted());
}

TEST_CASE("unknown strategies and bad parameters are refused, naming what was written",
          "[strategy]") {
  const consensus::Registry r = toy_registry();
  std::string param = "?";
  CHECK(error_of(r, "tyo", {}, &param) ==
        "unknown strategy 'tyo' (known: none, mls_first_seen, dmls, toy; dmlssim list strategies "
        "describes them)");
  CHECK(param.empty());
  CHECK(error_of(r, "toy", {{"qourum", "2"}}, &param)
            .find("unknown parameter 'qourum' (it takes "
                  "encrypt, quorum, share, window, "
                  "fork_choice)") != std::string::npos);
  CHECK(param == "qourum");
  CHECK(
      error_of(r, "toy", {{"quorum", "two"}}, &param).find("quorum=two: expected a whole number") !=
      std::string::npos);
  CHECK(param == "quorum");
  CHECK(error_of(r, "toy", {{"quorum", "0"}}).find("outside [1, 100]") != std::string::npos);
  CHECK(error_of(r, "toy", {{"share", "1.5"}}).find("outside [0, 1]") != std::string::npos);
  CHECK(error_of(r, "toy", {{"window", "7 days"}}).find("window=7 days") != std::string::npos);
  CHECK(error_of(r, "toy", {{"encrypt", "yes"}}).find("expected true or false") !=
        std::string::npos);
  CHECK(error_of(r, "toy", {{"fork_choice", "longest"}})
            .find("expected one of confirmation_tag, transcript_hash, powers, hub, larger_side, "
                  "longer_chain, recent_remove") != std::string::npos);
  CHECK(error_of(r, "none", {{"x", "1"}}).find("unknown parameter 'x' (it takes none)") !=
        std::string::npos);
  CHECK_THROWS_AS(toy_registry().add(consensus::StrategyInfo{"toy", "again", {}, nullptr}),
                  std::invalid_argument);
}

TEST_CASE("the built-in registry has the control strategy and every fork rule", "[strategy]") {
  consensus::Registry r;
  CHECK(r.strategies().empty());  // nothing without explicit registration
  consensus::register_builtin(r);
  REQUIRE(r.find_strategy("none") != nullptr);
  CHECK_FALSE(r.create(r.resolve("none", {}))->encrypted());
  CHECK(r.resolve("none", {}).canonical() == "none");
  consensus::ForkRuleContext context;
  context.powers = {"s1", "s0"};
  context.hub = "s0";
  for (const char* name : {"confirmation_tag", "transcript_hash", "powers", "hub", "larger_side",
                           "longer_chain", "recent_remove"}) {
    INFO(name);
    const consensus::ForkRuleInfo* rule = r.find_fork_rule(name);
    REQUIRE(rule != nullptr);
    CHECK(static_cast<bool>(rule->make(context)));
    CHECK_FALSE(rule->help.empty());
  }
}
