#include <catch2/catch.hpp>

#include "sim/time.hpp"

using namespace dmlssim::sim;
using namespace dmlssim::sim::literals;

TEST_CASE("durations parse with every unit and combination", "[time]") {
  CHECK(parse_duration("0") == SimTime());
  CHECK(parse_duration("150ms") == 150_ms);
  CHECK(parse_duration("30s") == 30_s);
  CHECK(parse_duration("30m") == 30_min);
  CHECK(parse_duration("2h") == 2_h);
  CHECK(parse_duration("7d") == 7_d);
  CHECK(parse_duration("1h15m") == 75_min);
  CHECK(parse_duration("2.5s") == 2500_ms);
  CHECK(parse_duration("0.001ms") == 1_us);
  CHECK(parse_duration("12ns") == 12_ns);
  CHECK(parse_duration("3us") == 3000_ns);
  CHECK(parse_duration("-5s") == SimTime() - 5_s);
}

TEST_CASE("bad durations are rejected with a reason", "[time]") {
  for (const char* bad : {"", "5", "10 s", "5x", "s", "1.2.3s", "1m1h", "1s1s", ".5s", "5.s",
                          "0.5ns", "99999999999999999999d", "200000d"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_duration(bad), std::invalid_argument);
  }
  CHECK_THROWS_WITH(parse_duration("5"), Catch::Contains("missing unit"));
  CHECK_THROWS_WITH(parse_duration("3w"), Catch::Contains("unknown unit 'w'"));
}

TEST_CASE("durations print in their shortest exact form and read back", "[time]") {
  CHECK(format_duration(SimTime()) == "0s");
  CHECK(format_duration(5400_s) == "1h30m");
  CHECK(format_duration(1500_ms) == "1s500ms");
  CHECK(format_duration(7_d) == "7d");
  CHECK(format_duration(SimTime() - 2_ms) == "-2ms");
  for (SimTime t : {1_ns, 999_us, 61_s, 25_h + 1_ns, 36500_d})
    CHECK(parse_duration(format_duration(t)) == t);
}

TEST_CASE("seconds print as exact decimals", "[time]") {
  CHECK(format_seconds(SimTime()) == "0");
  CHECK(format_seconds(1500_ms) == "1.5");
  CHECK(format_seconds(181855458291_ns) == "181.855458291");
  CHECK(format_seconds(SimTime() - 2_ns) == "-0.000000002");
  CHECK(format_seconds(7_d) == "604800");
}

TEST_CASE("from_seconds rounds to the nearest nanosecond and rejects overflow", "[time]") {
  CHECK(SimTime::from_seconds(1.5) == 1500_ms);
  CHECK(SimTime::from_seconds(1e-9 * 0.6) == 1_ns);
  CHECK_THROWS_AS(SimTime::from_seconds(1e11), std::out_of_range);
  CHECK_THROWS_AS(SimTime::from_seconds(std::numeric_limits<double>::infinity()),
                  std::out_of_range);
}
