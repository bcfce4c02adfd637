#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/metrics.hpp"

using namespace dmlssim::sim;
using namespace dmlssim::sim::literals;

TEST_CASE("cells print exactly", "[metrics]") {
  CHECK(format_cell(int64_t{-42}) == "-42");
  CHECK(format_cell(0.1) == "0.1");
  CHECK(format_cell(1.0 / 3) == "0.3333333333333333");
  CHECK(format_cell(1e300) == "1e+300");
  CHECK(format_cell(std::string("x")) == "x");
  CHECK(format_cell(1500_ms) == "1.5");
  CHECK(format_cell(std::numeric_limits<double>::quiet_NaN()) == "nan");
}

TEST_CASE("CSV has context columns first and quotes what needs quoting", "[metrics]") {
  Table t({"name", "value"});
  t.add_row({std::string("a,b"), 1.5});
  t.add_row({std::string("say \"hi\""), int64_t{2}});
  CHECK_THROWS(t.add_row({1.0}));
  std::ostringstream out;
  write_csv(out, t, {{"scenario", "s"}, {"run", "3"}});
  CHECK(out.str() == "scenario,run,name,value\ns,3,\"a,b\",1.5\ns,3,\"say \"\"hi\"\"\",2\n");
}

TEST_CASE("gauges are sampled at every interval up to the end", "[metrics]") {
  Simulation sim;
  MetricsRecorder m;
  double level = 0;
  m.add_gauge("level", [&] { return level; });
  sim.schedule(90_s, [&] { level = 5; });
  m.sample_every(sim, 1_min, 3_min);
  sim.run_until(10_min);
  const Table& g = m.tables().at("gauges");
  REQUIRE(g.rows().size() == 4);  // 0, 1, 2, 3 minutes
  CHECK(format_cell(g.rows()[1][0]) == "60");
  CHECK(std::get<double>(g.rows()[1][2]) == 0);
  CHECK(std::get<double>(g.rows()[2][2]) == 5);
  CHECK_THROWS(m.table("gauges", {"other"}));
  m.counter("x") += 3;
  CHECK(m.counters().at("x") == 3);
}

TEST_CASE("JSON records keep types and context", "[metrics]") {
  Table t({"time_s", "name", "count", "ratio"});
  t.add_row({1500_ms, std::string("a\"b"), int64_t{3}, 0.25});
  std::ostringstream out;
  write_json(out, t, {{"scenario", "s"}, {"run", "0"}});
  const auto j = nlohmann::json::parse(out.str());
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 1);
  CHECK(j[0]["scenario"] == "s");
  CHECK(j[0]["time_s"] == 1.5);
  CHECK(j[0]["name"] == "a\"b");
  CHECK(j[0]["count"] == 3);
  CHECK(j[0]["ratio"] == 0.25);
  CHECK(out.str().find("\"scenario\"") < out.str().find("\"time_s\""));  // context first
}
