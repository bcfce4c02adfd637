// Whatever the input, loading a scenario ends in a Scenario or a ScenarioError: never another
// exception, never a crash. Mutates a valid scenario at random, many times.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario_error.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/random.hpp"

using namespace dmlssim::scenarios;

namespace {

const char* kValid = R"(name: fuzz
duration: 2h
seed: 3
runs: 2
topology:
  servers: 12
  regions: {eu: 6, us: 4, asia: 2}
  latency: wan-3-regions
  jitter: lognormal(sigma=0.3)
  bandwidth: 100Mbit
  loss: 1%
faults:
  - {at: 30m, partition: {west: [s0-s5], east: rest}, for: 30m, name: cut}
  - {at: 1h, heal: cut}
  - {at: 1h15m, crash: [s3, us], for: 10m}
  - {at: 10m, flap: [s0, s10], period: 2m, down: 30s}
  - {at: 5m, link_down: [s1, s2], for: 1m}
  - {random: {mtbf: 7d, mttr: 2h, distribution: weibull(k=0.7), servers: asia}}
metrics: {interval: 5m, pairs: true, json: false}
)";

const std::vector<std::string> kTokens = {
    "",           "-1",      "0",   "1e99",        "abc",    "[",
    "]",          "{",       "}",   ":",           ",",      "- ",
    "\n",         "  ",      "s99", "s0-",         "rest",   "all",
    "1h",         "-5m",     "0s",  "weibull(k=)", "~",      "null",
    "\"quoted\"", "100Mbps", "eu",  "{a: 1}",      "[1, 2]", "999999999999999999999",
    "&a",         "*a"};

std::string mutate(std::string text, dmlssim::sim::RandomStream& rng) {
  const int edits = 1 + static_cast<int>(rng.uniform_index(3));
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const std::size_t pos = rng.uniform_index(text.size());
    switch (rng.uniform_index(4)) {
      case 0:  // delete a span
        text.erase(pos, 1 + rng.uniform_index(8));
        break;
      case 1:  // insert a token
        text.insert(pos, kTokens[rng.uniform_index(kTokens.size())]);
        break;
      case 2: {  // replace the rest of a line's value with a token
        const std::size_t colon = text.find(':', pos);
        const std::size_t eol = text.find('\n', pos);
        if (colon != std::string::npos && eol != std::string::npos && colon < eol) {
          text.replace(colon + 1, eol - colon - 1,
                       " " + kTokens[rng.uniform_index(kTokens.size())]);
        }
        break;
      }
      default: {  // duplicate a line
        const std::size_t start = text.rfind('\n', pos);
        const std::size_t end = text.find('\n', pos);
        if (start != std::string::npos && end != std::string::npos) {
          text.insert(end, text.substr(start, end - start));
        }
        break;
      }
    }
  }
  return text;
}

}  // namespace

TEST_CASE("random mutations of a scenario give a scenario or a located ScenarioError",
          "[loader][robustness]") {
  REQUIRE_NOTHROW(load_scenario_text(kValid, "fuzz.yaml"));
  dmlssim::sim::RandomStream rng(1, 0, "scenario-fuzz");
  int errors = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = mutate(kValid, rng);
    try {
      load_scenario_text(text, "fuzz.yaml");
    } catch (const ScenarioError& e) {
      ++errors;
      INFO(e.what());
      REQUIRE(e.location().rfind("fuzz.yaml", 0) == 0);
    } catch (const std::exception& e) {
      FAIL("iteration " << i << ": unexpected " << e.what() << "\n--- input ---\n" << text);
    }
  }
  CHECK(errors > 1000);  // the mutations do break things
}
