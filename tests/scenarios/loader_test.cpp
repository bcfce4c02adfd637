#include <catch2/catch.hpp>
#include <fstream>

#include "scenarios/catalog.hpp"
#include "scenarios/params.hpp"
#include "scenarios/scenario_error.hpp"
#include "scenarios/scenario_loader.hpp"

using namespace dmlssim::scenarios;
using namespace dmlssim::sim::literals;

namespace {
const char* kFull = R"(name: netsplit
description: A test.
duration: 2h
seed: 9
runs: 3
topology:
  servers: 20
  regions: {eu: 10, us: 6, asia: 4}
  latency: wan-3-regions
  jitter: lognormal(sigma=0.3)
  bandwidth: 100Mbit
  loss: 1%
faults:
  - {at: 30m, partition: {west: [s0-s9], east: rest}, for: 30m}
  - {at: 1h15m, crash: [s3, us], for: 10m}
  - {at: 10m, flap: [s0, s10], period: 2m, down: 30s}
  - {at: 5m, link_down: [s1, s2]}
  - {at: 1h, heal: all}
  - {at: 1h20m, crash: s5}
  - {at: 1h40m, restart: s5}
  - {random: {mtbf: 7d, mttr: 2h, distribution: weibull(k=0.7), servers: asia}}
metrics: {interval: 5m, pairs: true}
)";
}  // namespace

TEST_CASE("a full scenario loads with every value", "[loader]") {
  const Scenario s = load_scenario_text(kFull, "full.yaml");
  CHECK(s.name == "netsplit");
  CHECK(s.duration == 2_h);
  CHECK(s.seed == 9);
  CHECK(s.runs == 3);
  CHECK(s.topology.servers == 20);
  CHECK(s.topology.network.region_names == std::vector<std::string>{"eu", "us", "asia"});
  CHECK(s.topology.network.region_of[9] == 0);
  CHECK(s.topology.network.region_of[10] == 1);
  CHECK(s.topology.network.region_of[19] == 2);
  CHECK(s.topology.network.latency_s(0, 1) == Approx(0.045));
  CHECK(s.topology.network.latency_s(2, 2) == Approx(0.025));
  CHECK(s.topology.network.jitter_mode == dmlssim::sim::JitterMode::kMultiplicative);
  CHECK(s.topology.network.bandwidth_bps == 1e8);
  CHECK(s.topology.network.loss == Approx(0.01));
  REQUIRE(s.faults.size() == 8);
  const auto& p = std::get<dmlssim::sim::PartitionFault>(s.faults[0]);
  CHECK(p.side_of[9] == 0);
  CHECK(p.side_of[10] == 1);
  CHECK(p.duration == 30_min);
  const auto& c = std::get<dmlssim::sim::CrashFault>(s.faults[1]);
  CHECK(c.nodes.size() == 7);  // s3 plus the six us servers
  const auto& r = std::get<dmlssim::sim::RandomOutages>(s.faults[7]);
  CHECK(std::get<dmlssim::sim::RestartFault>(s.faults[6]).nodes ==
        std::vector<dmlssim::sim::NodeId>{5});
  CHECK(r.nodes.size() == 4);
  CHECK(r.up.mean() == Approx(7 * 86400.0));
  CHECK(r.down.mean() == Approx(7200.0));
  CHECK(s.metrics.interval == 5_min);
  CHECK(s.metrics.pairs);
}

TEST_CASE("defaults come from the parameter registry", "[loader]") {
  const Scenario s =
      load_scenario_text("name: m\nduration: 1h\ntopology: {servers: 3}\n", "min.yaml");
  CHECK(s.seed == 1);
  CHECK(s.runs == 1);
  CHECK(s.topology.network.region_names == std::vector<std::string>{"default"});
  CHECK(s.topology.network.latency_s(0, 0) == Approx(0.050));
  CHECK(s.topology.network.bandwidth_bps == 1e9);
  CHECK(s.topology.network.connect_timeout == 10_s);
  CHECK(s.topology.network.request_timeout == 60_s);
  CHECK(s.metrics.interval == 1_min);
  CHECK_FALSE(s.metrics.pairs);
  CHECK(s.faults.empty());
  const YAML::Node r = s.resolved;
  CHECK(r["topology"]["bandwidth"].as<std::string>() ==
        builtin_catalog().params().find("topology.bandwidth")->default_value);
  CHECK(r["metrics"]["interval"].as<std::string>() == "1m");
}

TEST_CASE("overrides (--set) reach any key, including nested and list items", "[loader]") {
  LoadOptions o;
  o.overrides = {"topology.servers=30", "topology.regions.eu=20", "faults.1.for=20m", "seed=5",
                 "metrics.interval=30s"};
  const Scenario s = load_scenario_text(kFull, "full.yaml", o);
  CHECK(s.topology.servers == 30);
  CHECK(std::get<dmlssim::sim::CrashFault>(s.faults[1]).duration == 20_min);
  CHECK(s.seed == 5);
  CHECK(s.metrics.interval == 30_s);
  CHECK(s.resolved["topology"]["servers"].as<int>() == 30);
}

TEST_CASE("errors in overridden values name the --set option", "[loader]") {
  LoadOptions o;
  o.overrides = {"topology.servers=many"};
  try {
    load_scenario_text(kFull, "full.yaml", o);
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    CHECK(e.location() == "--set topology.servers=many");
    CHECK(e.key() == "topology.servers");
  }
  o.overrides = {"topology.bogus=1"};
  CHECK_THROWS_WITH(load_scenario_text(kFull, "full.yaml", o), Catch::Contains("unknown key"));
  o.overrides = {"noequals"};
  CHECK_THROWS_AS(load_scenario_text(kFull, "full.yaml", o), ScenarioError);
  o.overrides = {"name.x=1"};
  CHECK_THROWS_WITH(load_scenario_text(kFull, "full.yaml", o), Catch::Contains("holds a value"));
}

TEST_CASE("the resolved scenario reloads to the same resolved scenario", "[loader]") {
  const Scenario a = load_scenario_text(kFull, "full.yaml");
  const std::string text = resolved_yaml(a);
  const Scenario b = load_scenario_text(text, "resolved.yaml");
  CHECK(resolved_yaml(b) == text);
  CHECK(b.topology.network.latency_s == a.topology.network.latency_s);
  CHECK(b.faults.size() == a.faults.size());
}

TEST_CASE("inline latency tables mirror a missing direction", "[loader]") {
  const Scenario s = load_scenario_text(R"(name: x
duration: 1h
topology:
  servers: 3
  regions: {a: 1, b: 2}
  latency: {a: {a: 1ms, b: 30ms}, b: {b: 2ms}}
)",
                                        "inline.yaml");
  CHECK(s.topology.network.latency_s(1, 0) == Approx(0.030));
  CHECK(s.topology.network.latency_s(1, 1) == Approx(0.002));
}

TEST_CASE("every registry key is documented in docs/scenario-format.md", "[loader][docs]") {
  std::ifstream in(std::string(DMLSSIM_SOURCE_DIR) + "/docs/scenario-format.md");
  REQUIRE(in);
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const ParamTable table = builtin_catalog().params();
  for (const auto& p : table.all()) {
    INFO(p.key);
    CHECK(doc.find("`" + p.key + "`") != std::string::npos);
  }
}

TEST_CASE("overrides append to a list, remove a key with null, and name the option they need",
          "[loader]") {
  const std::string one_fault =
      "name: t\nduration: 2h\ntopology: {servers: 4, regions: {eu: 2, "
      "us: 2}}\nfaults:\n  - {at: 10m, crash: s1, for: 5m}\n"
      "metrics: {interval: 5m}\n";
  LoadOptions o;
  o.overrides = {"faults.1={at: 20m, crash: s2, for: 5m}"};
  CHECK(load_scenario_text(one_fault, "one.yaml", o).faults.size() == 2);
  o.overrides = {"faults.3={at: 20m, crash: s2, for: 5m}"};
  CHECK_THROWS_WITH(load_scenario_text(one_fault, "one.yaml", o),
                    Catch::Contains("the list has 1 items; 1 appends one"));
  o.overrides = {"faults.two=x"};
  CHECK_THROWS_WITH(load_scenario_text(one_fault, "one.yaml", o),
                    Catch::Contains("'two' indexes a list"));
  // key=null removes it: the default applies again.
  o.overrides = {"metrics=null"};
  CHECK(load_scenario_text(one_fault, "one.yaml", o).metrics.interval == 1_min);
  o.overrides = {"faults=null"};
  CHECK(load_scenario_text(one_fault, "one.yaml", o).faults.empty());
  // Changing the servers alone: the error is the option's, and says what else to set.
  o.overrides = {"topology.servers=10"};
  try {
    load_scenario_text(one_fault, "one.yaml", o);
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    CHECK(e.location() == "--set topology.servers=10");
    CHECK(std::string(e.what()).find("set the regions too") != std::string::npos);
  }
  o.overrides = {"topology.servers=10", "topology.regions={eu: 5, us: 5}"};
  CHECK(load_scenario_text(one_fault, "one.yaml", o).topology.servers == 10);
}

TEST_CASE("link faults between groups expand to every pair across them", "[loader][faults]") {
  const std::string text =
      "name: t\nduration: 2h\ntopology: {servers: 20, regions: {a: 10, c: 10}}\nfaults:\n"
      "  - {at: 10m, link_down: [a, c], for: 5m}\n"
      "  - {at: 1h, flap: [s0, [s1, s2]], period: 10m, down: 1m}\n"
      "  - {at: 1h, link_down: [s0-s2, s1-s3]}\n";
  const Scenario s = load_scenario_text(text, "groups.yaml");
  std::size_t down = 0, flaps = 0;
  std::set<std::pair<std::uint32_t, std::uint32_t>> across, overlapping;
  for (const auto& f : s.faults) {
    if (const auto* l = std::get_if<dmlssim::sim::LinkDownFault>(&f)) {
      ++down;
      if (l->duration) {
        CHECK(l->a < 10);
        CHECK(l->b >= 10);
        across.insert({l->a, l->b});
      } else {
        overlapping.insert({std::min(l->a, l->b), std::max(l->a, l->b)});
      }
    }
    if (std::get_if<dmlssim::sim::FlapFault>(&f)) ++flaps;
  }
  CHECK(across.size() == 100);  // 10 x 10, not 100 lines
  CHECK(flaps == 2);
  // [s0-s2] x [s1-s3] without self-links, each unordered pair once: 01 02 03 12 13 23.
  CHECK(overlapping.size() == 6);
  CHECK(down == 106);
}

TEST_CASE("a strategy from a catalog: typed parameters, resolved in full, in every table",
          "[loader][strategy]") {
  // A catalog with a toy strategy beside the built-in ones (registered explicitly, as any
  // embedder would).
  struct Toy : dmlssim::consensus::Strategy {
    using Strategy::Strategy;
    bool encrypted() const override { return false; }
  };
  Catalog catalog = builtin_catalog();
  catalog.strategies.add(dmlssim::consensus::StrategyInfo{
      "toy",
      "for tests",
      {{"window", dmlssim::consensus::ParamType::kDuration, "7d", "how long", {}, 0, 0},
       {"quorum", dmlssim::consensus::ParamType::kInteger, "2", "how many", {}, 1, 9}},
      [](const dmlssim::consensus::StrategyParams& p) { return std::make_unique<Toy>(p); }});
  LoadOptions o;
  o.catalog = &catalog;
  const std::string text =
      "name: t\nduration: 1h\ntopology: {servers: 4}\nstrategy: toy(quorum=3)\n";
  const Scenario s = load_scenario_text(text, "toy.yaml", o);
  CHECK(s.strategy == "toy(window=7d, quorum=3)");
  CHECK(s.strategy_params.integer("quorum") == 3);
  CHECK(s.resolved["strategy"].as<std::string>() == "toy(window=7d, quorum=3)");
  // Wrong type: the error names the file, line, key and what was written.
  o.overrides = {"strategy=toy(quorum=lots)"};
  CHECK_THROWS_WITH(load_scenario_text(text, "toy.yaml", o),
                    Catch::Contains("--set strategy=toy(quorum=lots): strategy: toy: "
                                    "quorum=lots: expected a whole number"));
  // Without strategy: the control, not written into the resolved scenario.
  const Scenario plain =
      load_scenario_text("name: t\nduration: 1h\ntopology: {servers: 4}\n", "plain.yaml");
  CHECK(plain.strategy == "none");
  CHECK_FALSE(plain.resolved["strategy"]);
}
